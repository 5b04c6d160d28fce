import Foundation

/// Whether a line is JSON as RFC 8259 has it, for the readers' decoder paths.
///
/// `JSONDecoder` checks only what it decodes: a record with `"\q"` or `-"x"` in a field
/// no reader asks for decodes fine, and was counted as read where JSON calls the line
/// malformed (found by fuzzing the readers). The walk below checks the whole line —
/// structure, escapes, numbers (no leading zeros) and literals — at the speed of the
/// readers' fast walks (`JSONSerialization` takes `04751` as a number); only a line
/// nested deeper than the walk goes is left to the parser to judge.
enum StrictLine {
    static func isJSON(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = line.baseAddress else { return false }
        var walker = JSONWalker<NoWalkNotes>(p: base, n: line.count)
        walker.strictScalars = true
        if walker.skipValue(depth: 0) {
            walker.skipSpace()
            return walker.i == walker.n
        }
        // Nested deeper than the walk goes: the parser that reads such lines judges it.
        return walker.tooDeep && JSONDepthLimit.jsonObject(Data(buffer: line)) != nil
    }

    static func isJSON(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in isJSON(raw.bindMemory(to: UInt8.self)) }
    }
}
