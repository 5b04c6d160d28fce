import AIUsageCore
import Foundation

/// A single structural pass over one Claude Code record that pulls out the fields
/// usage and session bookkeeping need, without building any JSON tree.
///
/// Most lines of a transcript are either tool output (useless to us) or assistant
/// lines whose only interest is `message.usage`; decoding those with `JSONDecoder`
/// costs several times more than this walk. Lines that carry an edit call or an edit
/// result are recognised here (`flags`) and handed to the full decoder instead.
///
/// The walk follows the JSON grammar (objects, arrays, strings with escapes), so keys
/// are matched at the right depth: `message.usage.output_tokens`, never a look-alike
/// inside a tool input. It returns nil on a structural error; the caller then lets
/// `JSONDecoder` judge the line.
struct ClaudeLineScan {
    struct Flags: OptionSet {
        let rawValue: UInt8
        /// A `"tool_use"` string: a content block of a tool call.
        static let toolUse = Flags(rawValue: 1 << 0)
        /// A `"Edit"`, `"MultiEdit"` or `"Write"` string: maybe an edit tool's name.
        static let editToolName = Flags(rawValue: 1 << 1)
        /// A `"toolUseResult"` key: a tool result record.
        static let toolUseResult = Flags(rawValue: 1 << 2)
        /// `"structuredPatch"`, `"oldString"`, `"originalFile"` or `"create"`: the shape
        /// of an edit tool's result.
        static let editResultHint = Flags(rawValue: 1 << 3)
        /// An `"is_error"` key: a tool result that may report a failed call.
        static let isError = Flags(rawValue: 1 << 4)
    }

    var type: Range<Int>?
    var sessionId: Range<Int>?
    var cwd: Range<Int>?
    var timestamp: Range<Int>?
    var uuid: Range<Int>?
    var requestId: Range<Int>?
    var messageID: Range<Int>?
    var model: Range<Int>?
    var usage: TokenCounts?
    var hasMessage = false
    var flags: Flags = []
    /// Names of the `tool_use` blocks of `message.content` (for drift: a tool the reader
    /// does not know may be an edit tool it misses).
    var toolNames: [Range<Int>] = []

    /// Scans `line`; nil when it is not one well-formed JSON object.
    static func scan(_ line: UnsafeBufferPointer<UInt8>) -> ClaudeLineScan? {
        guard let base = line.baseAddress else { return nil }
        var walker = ClaudeJSONWalker(p: base, n: line.count)
        // A line the walk accepts is counted as read: it must be JSON (fuzzing found
        // `"sessionId":-"..."` taken for a number).
        walker.strictScalars = true
        guard walker.record() else { return nil }
        return walker.out
    }
}

private let quote: UInt8 = 0x22
private let openBrace: UInt8 = 0x7B
private let openBracket: UInt8 = 0x5B

extension ClaudeLineScan: JSONWalkNotes {
    /// Flags the few short strings that tell whether a line needs the full decoder.
    @inline(__always) mutating func saw(_ range: Range<Int>, in p: UnsafePointer<UInt8>) {
        guard range.count <= 15 else { return }
        func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
            range.count == text.utf8CodeUnitCount && memcmp(p + range.lowerBound, text.utf8Start, range.count) == 0
        }
        switch range.count {
        case 4: if equals(range, "Edit") { flags.insert(.editToolName) }
        case 5: if equals(range, "Write") { flags.insert(.editToolName) }
        case 6: if equals(range, "create") { flags.insert(.editResultHint) }
        case 8:
            if equals(range, "tool_use") {
                flags.insert(.toolUse)
            } else if equals(range, "is_error") {
                flags.insert(.isError)
            }
        case 9:
            if equals(range, "MultiEdit") {
                flags.insert(.editToolName)
            } else if equals(range, "oldString") {
                flags.insert(.editResultHint)
            }
        case 12: if equals(range, "originalFile") { flags.insert(.editResultHint) }
        case 13: if equals(range, "toolUseResult") { flags.insert(.toolUseResult) }
        case 15: if equals(range, "structuredPatch") { flags.insert(.editResultHint) }
        default: break
        }
    }
}

/// The toolkit's walker, keeping a Claude line's fields as it goes.
typealias ClaudeJSONWalker = JSONWalker<ClaudeLineScan>

/// The Claude record's members, read by the walk (`ClaudeLineScan.scan`).
extension JSONWalker where Notes == ClaudeLineScan {
    init(p: UnsafePointer<UInt8>, n: Int) { self.init(p: p, n: n, out: ClaudeLineScan()) }

    /// A string value's range, or any other value skipped (nil range); `ok` is false on
    /// a fault of the line. Call sites keep the first range of a key given twice, as
    /// `JSONDecoder` (the other path a line may take) reads it; otherwise the same line
    /// would count differently with and without an edit pending (found by fuzzing). Not
    /// a key path into `out`: instantiating one per member was 1.5 % of a first ingest.
    @inline(__always) mutating func stringOrSkip(depth: Int) -> (ok: Bool, range: Range<Int>?) {
        if i < n, p[i] == quote {
            guard let range = string() else { return (false, nil) }
            return (true, range)
        }
        return (skipValue(depth: depth), nil)
    }

    /// Keeps `value`'s range in `slot` unless a range is there already (see `stringOrSkip`).
    @inline(__always) static func keepFirst(_ value: (ok: Bool, range: Range<Int>?), in slot: inout Range<Int>?) -> Bool {
        if slot == nil { slot = value.range }
        return value.ok
    }

    mutating func record() -> Bool {
        skipSpace()
        let ok = object(depth: 0) { walker, key in
            switch key.count {
            case 3 where walker.equals(key, "cwd"): return Self.keepFirst(walker.stringOrSkip(depth: 1), in: &walker.out.cwd)
            case 4 where walker.equals(key, "type"): return Self.keepFirst(walker.stringOrSkip(depth: 1), in: &walker.out.type)
            case 4 where walker.equals(key, "uuid"): return Self.keepFirst(walker.stringOrSkip(depth: 1), in: &walker.out.uuid)
            case 7 where walker.equals(key, "message"):
                guard walker.i < walker.n, walker.p[walker.i] == openBrace, !walker.out.hasMessage else {
                    return walker.skipValue(depth: 1)
                }
                walker.out.hasMessage = true
                return walker.message()
            case 9 where walker.equals(key, "sessionId"): return Self.keepFirst(walker.stringOrSkip(depth: 1), in: &walker.out.sessionId)
            case 9 where walker.equals(key, "requestId"): return Self.keepFirst(walker.stringOrSkip(depth: 1), in: &walker.out.requestId)
            case 9 where walker.equals(key, "timestamp"): return Self.keepFirst(walker.stringOrSkip(depth: 1), in: &walker.out.timestamp)
            default: return walker.skipValue(depth: 1)
            }
        }
        guard ok else { return false }
        skipSpace()
        return i == n
    }

    mutating func message() -> Bool {
        object(depth: 1) { walker, key in
            switch key.count {
            case 2 where walker.equals(key, "id"): return Self.keepFirst(walker.stringOrSkip(depth: 2), in: &walker.out.messageID)
            case 5 where walker.equals(key, "model"): return Self.keepFirst(walker.stringOrSkip(depth: 2), in: &walker.out.model)
            case 5 where walker.equals(key, "usage"):
                guard walker.i < walker.n, walker.p[walker.i] == openBrace, walker.out.usage == nil else {
                    return walker.skipValue(depth: 2)
                }
                return walker.usage()
            case 7 where walker.equals(key, "content"):
                guard walker.i < walker.n, walker.p[walker.i] == openBracket else { return walker.skipValue(depth: 2) }
                return walker.content()
            default: return walker.skipValue(depth: 2)
            }
        }
    }

    /// `message.content`: every block is walked as `skipValue` would, noting the name
    /// of each `tool_use` block on the way.
    mutating func content() -> Bool {
        array(depth: 2) { walker in
            guard walker.i < walker.n, walker.p[walker.i] == openBrace else { return walker.skipValue(depth: 3) }
            var type: Range<Int>?
            var name: Range<Int>?
            let ok = walker.object(depth: 3) { walker, key in
                if key.count == 4, walker.i < walker.n, walker.p[walker.i] == quote {
                    if walker.equals(key, "type") {
                        type = walker.string()
                        return type != nil
                    }
                    if walker.equals(key, "name") {
                        name = walker.string()
                        return name != nil
                    }
                }
                return walker.skipValue(depth: 4)
            }
            if ok, let type, let name, walker.equals(type, "tool_use") { walker.out.toolNames.append(name) }
            return ok
        }
    }

    /// `message.usage`, by `ClaudeUsageRule`: the counters, their 1-hour cache-write
    /// and thinking parts, and the sum of `iterations`.
    mutating func usage() -> Bool {
        var top = TokenCounts()
        var steps = TokenCounts()
        var sawSteps = false
        let ok = counts(depth: 2, into: &top) { walker, key in
            guard walker.equals(key, "iterations") else { return nil }
            guard walker.i < walker.n, walker.p[walker.i] == openBracket else { return walker.skipValue(depth: 3) }
            return walker.array(depth: 3) { walker in
                guard walker.i < walker.n, walker.p[walker.i] == openBrace else { return walker.skipValue(depth: 4) }
                var step = TokenCounts()
                guard walker.counts(depth: 4, into: &step, extra: { _, _ in nil }) else { return false }
                steps += step
                sawSteps = true
                return true
            }
        }
        out.usage = ClaudeUsageRule.billed(top: top, iterations: sawSteps ? steps : nil)
        return ok
    }

    /// One usage object at `i` into `tokens`; `extra` may take other keys (returning
    /// nil leaves them to be skipped).
    mutating func counts(
        depth: Int, into tokens: inout TokenCounts, extra: (inout ClaudeJSONWalker, Range<Int>) -> Bool?
    ) -> Bool {
        // First occurrence of a key wins, as in `JSONDecoder` (see `stringOrSkip`).
        var seen: UInt8 = 0
        return object(depth: depth) { walker, key in
            // The keys have distinct lengths: one comparison finds which, if any.
            let bit: UInt8
            switch key.count {
            case 12 where walker.equals(key, "input_tokens"): bit = 1
            case 13 where walker.equals(key, "output_tokens"): bit = 2
            case 27 where walker.equals(key, "cache_creation_input_tokens"): bit = 4
            case 23 where walker.equals(key, "cache_read_input_tokens"): bit = 8
            case 14 where walker.equals(key, "cache_creation"): bit = 16
            case 21 where walker.equals(key, "output_tokens_details"): bit = 32
            case 10 where walker.equals(key, "iterations"): bit = 64
            default: bit = 0
            }
            if bit != 0 {
                guard seen & bit == 0 else { return walker.skipValue(depth: depth + 1) }
                seen |= bit
            }
            switch bit {
            case 1, 2, 4, 8:
                let (ok, value) = walker.integerValue(depth: depth + 1)
                switch bit {
                case 1: tokens.input = value
                case 2: tokens.output = value
                case 4: tokens.cacheWrite = value
                default: tokens.cacheRead = value
                }
                return ok
            case 16:
                return walker.nestedCount(depth: depth + 1, "ephemeral_1h_input_tokens") { tokens.cacheWrite1h = $0 }
            case 32:
                return walker.nestedCount(depth: depth + 1, "thinking_tokens") { tokens.reasoning = $0 }
            default:
                break
            }
            if let handled = extra(&walker, key) { return handled }
            return walker.skipValue(depth: depth + 1)
        }
    }

    /// One count inside a nested object (`cache_creation`, `output_tokens_details`).
    mutating func nestedCount(depth: Int, _ name: StaticString, _ set: (Int64) -> Void) -> Bool {
        guard i < n, p[i] == openBrace else { return skipValue(depth: depth) }
        return object(depth: depth) { walker, key in
            if walker.equals(key, name) {
                let (ok, value) = walker.integerValue(depth: depth + 1)
                set(value)
                return ok
            }
            return walker.skipValue(depth: depth + 1)
        }
    }
}

/// Line hashes of edit texts, computed on UTF-8 bytes.
///
/// Same hashes as `LineIdentity` (`significantHash` of each trimmed line, `editLine` for
/// the exact line), but without a String per line, and splitting CRLF text at every
/// `\n` (a `Character` split keeps "\r\n" together, so CRLF text would come out as one
/// line).
enum ClaudeEditLines {
    static func significantHashes(_ text: String) -> [LineHash] {
        var text = text
        return text.withUTF8 { significantHashes(bytes: $0) }
    }

    /// The same on a text's UTF-8 bytes (split at every `\n`).
    static func significantHashes(bytes: UnsafeBufferPointer<UInt8>) -> [LineHash] {
        var result: [LineHash] = []
        forEachLine(bytes) { line in
            if let hash = LineIdentity.significantHash(bytes: line) { result.append(hash) }
        }
        return result
    }

    /// Every line of a text's UTF-8 bytes as an exact `EditLine` (for the added-lines rule).
    static func editLines(bytes: UnsafeBufferPointer<UInt8>) -> [EditLine] {
        var result: [EditLine] = []
        forEachLine(bytes) { result.append(LineIdentity.editLine(bytes: $0)) }
        return result
    }

    /// Significant lines of `new` that `old` did not already have, white space
    /// included (`AddedLines.added`): a re-indented line was written by the edit.
    static func between(old: String, new: String) -> [LineHash] {
        var old = old
        var new = new
        let oldLines = old.withUTF8 { editLines(bytes: $0) }
        return new.withUTF8 { AddedLines.added(editLines(bytes: $0), minus: oldLines) }
    }

    private static func forEachLine(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count {
            let end: Int
            if let hit = memchr(base + start, 0x0A, bytes.count - start) {
                end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            } else {
                end = bytes.count
            }
            body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            start = end + 1
        }
    }
}
