import Foundation

/// Whether a line is JSON as RFC 8259 has it, for the readers' decoder paths.
///
/// `JSONDecoder` checks only what it decodes: a record with `"\q"` or `-"x"` in a field
/// no reader asks for decodes fine, and was counted as read where JSON calls the line
/// malformed (found by fuzzing the readers). The walk below checks the whole line —
/// structure, escapes, numbers and literals — at the speed of the readers' fast walks;
/// only a line it refuses (malformed, or nested deeper than it goes) is given to
/// `JSONSerialization` to judge.
enum StrictLine {
    static func isJSON(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = line.baseAddress else { return false }
        var walker = ClaudeJSONWalker(p: base, n: line.count)
        walker.strictScalars = true
        if walker.skipValue(depth: 0) {
            walker.skipSpace()
            if walker.i == walker.n { return true }
        }
        return (try? JSONSerialization.jsonObject(with: Data(buffer: line), options: .fragmentsAllowed)) != nil
    }
}
