import AIUsageCore
import Foundation

/// A tool's whole-file JSON document (an Amp thread, a Gemini session, a Cline task
/// file, a VS Code chat session, an OpenCode storage record), cut to its leading value.
///
/// A file rewritten in place over a longer one keeps the old tail after the new
/// document (`[...]` then `  }\n]`), and a file can be read at the moment it holds a
/// complete document with more still to come. Parsed as a whole, such a file is not
/// JSON and gave nothing, while the same file read a moment earlier, before the tail,
/// gave every record: the totals depended on when aiusage happened to look (found by
/// fuzzing: a read cut in two runs differed from one read). The readers therefore parse
/// the leading object or array and count what follows it (`noteTrailing`), so the
/// tail is shown by `aiusage doctor` and no record before it is lost.
struct JSONDocument {
    /// The bytes to parse: the whole file, or its leading value when more follows.
    let bytes: Data
    /// How many bytes follow the leading value when more than white space does; 0 for
    /// a file that is one document (or not JSON at all: the parser judges it).
    let trailingBytes: Int

    init(_ data: Data) {
        guard let end = Self.leadingValueEnd(data) else {
            bytes = data
            trailingBytes = 0
            return
        }
        bytes = data.prefix(end)
        trailingBytes = data.count - end
    }

    /// Counts the bytes after the document, when there are any, as drift named
    /// `<name>-trailing-bytes` and as one skipped line; returns the skipped count (0 or 1).
    @discardableResult
    func noteTrailing(_ name: String, into batch: inout ReadBatch) -> Int {
        guard trailingBytes > 0 else { return 0 }
        batch.noteUnrecognized(.shape, "\(name)-trailing-bytes")
        return 1
    }

    /// The length of `data`'s leading object or array when something other than white
    /// space follows it; nil when nothing does, or when no complete object or array
    /// leads (a cut or malformed file, left for the parser to refuse).
    static func leadingValueEnd(_ data: Data) -> Int? {
        data.withUnsafeBytes { raw -> Int? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
            var walker = JSONWalker<NoWalkNotes>(p: base, n: bytes.count)
            walker.strictScalars = true
            walker.skipSpace()
            let start = walker.i
            guard start < bytes.count, bytes[start] == UInt8(ascii: "[") || bytes[start] == UInt8(ascii: "{") else {
                return nil
            }
            var end: Int
            if walker.skipValue(depth: 0) {
                end = walker.i
            } else if walker.tooDeep, let containerEnd = JSONDepthLimit.containerEnd(bytes, opening: start) {
                // Nested deeper than the walk goes: the brackets say where it ends; the
                // parser (with `JSONDepthLimit`'s retry) judges the value itself.
                end = containerEnd
            } else {
                return nil
            }
            var rest = end
            while rest < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[rest]) { rest += 1 }
            return rest < bytes.count ? end : nil
        }
    }
}
