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
private let backslash: UInt8 = 0x5C
private let colon: UInt8 = 0x3A
private let comma: UInt8 = 0x2C
private let openBrace: UInt8 = 0x7B
private let closeBrace: UInt8 = 0x7D
private let openBracket: UInt8 = 0x5B
private let closeBracket: UInt8 = 0x5D

struct ClaudeJSONWalker {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0
    var out = ClaudeLineScan()
    /// Nesting beyond this is refused (and left to `JSONDecoder`), bounding recursion.
    let maxDepth = 256
    /// When set, `skipValue` also checks that bare values are `true`, `false`, `null` or
    /// a JSON number (`ClaudeEditScan`, which must refuse what `JSONDecoder` refuses).
    var strictScalars = false
    /// Set when the walk gave up at `maxDepth` rather than on a fault of the line.
    var tooDeep = false

    init(p: UnsafePointer<UInt8>, n: Int) {
        self.p = p
        self.n = n
    }

    @inline(__always) mutating func skipSpace() {
        while i < n {
            let byte = p[i]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            i += 1
        }
    }

    @inline(__always) func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        range.count == text.utf8CodeUnitCount && memcmp(p + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// A string at `i` (which must be a quote): its content range, escapes left as is.
    /// Nil when it is not closed or holds what JSON forbids in a string (an escape it
    /// does not allow, a control byte): the line is malformed (skipped and counted), as
    /// the decoder would judge it.
    mutating func string() -> Range<Int>? {
        guard i < n, p[i] == quote else { return nil }
        let start = i + 1
        guard let end = JSONStringScan.end(p, from: start, count: n) else { return nil }
        i = end + 1
        let range = start..<end
        if range.count <= 15 { note(range) }
        return range
    }

    /// Flags the few short strings that tell whether a line needs the full decoder.
    @inline(__always) mutating func note(_ range: Range<Int>) {
        switch range.count {
        case 4: if equals(range, "Edit") { out.flags.insert(.editToolName) }
        case 5: if equals(range, "Write") { out.flags.insert(.editToolName) }
        case 6: if equals(range, "create") { out.flags.insert(.editResultHint) }
        case 8:
            if equals(range, "tool_use") {
                out.flags.insert(.toolUse)
            } else if equals(range, "is_error") {
                out.flags.insert(.isError)
            }
        case 9:
            if equals(range, "MultiEdit") {
                out.flags.insert(.editToolName)
            } else if equals(range, "oldString") {
                out.flags.insert(.editResultHint)
            }
        case 12: if equals(range, "originalFile") { out.flags.insert(.editResultHint) }
        case 13: if equals(range, "toolUseResult") { out.flags.insert(.toolUseResult) }
        case 15: if equals(range, "structuredPatch") { out.flags.insert(.editResultHint) }
        default: break
        }
    }

    /// Walks an object at `i`, calling `member` with each key; `member` must consume
    /// the value (at `i`, after the colon and white space) and return success.
    mutating func object(depth: Int, _ member: (inout ClaudeJSONWalker, Range<Int>) -> Bool) -> Bool {
        if depth >= maxDepth { tooDeep = true }
        guard depth < maxDepth, i < n, p[i] == openBrace else { return false }
        i += 1
        skipSpace()
        if i < n, p[i] == closeBrace {
            i += 1
            return true
        }
        while true {
            skipSpace()
            guard let key = string() else { return false }
            skipSpace()
            guard i < n, p[i] == colon else { return false }
            i += 1
            skipSpace()
            guard member(&self, key) else { return false }
            skipSpace()
            guard i < n else { return false }
            if p[i] == comma {
                i += 1
                continue
            }
            if p[i] == closeBrace {
                i += 1
                return true
            }
            return false
        }
    }

    /// Walks an array at `i`, calling `element` at each element; `element` must consume
    /// it and return success.
    mutating func array(depth: Int, _ element: (inout ClaudeJSONWalker) -> Bool) -> Bool {
        if depth >= maxDepth { tooDeep = true }
        guard depth < maxDepth, i < n, p[i] == openBracket else { return false }
        i += 1
        skipSpace()
        if i < n, p[i] == closeBracket {
            i += 1
            return true
        }
        while true {
            skipSpace()
            guard element(&self) else { return false }
            skipSpace()
            guard i < n else { return false }
            if p[i] == comma {
                i += 1
                continue
            }
            if p[i] == closeBracket {
                i += 1
                return true
            }
            return false
        }
    }

    mutating func skipValue(depth: Int) -> Bool {
        skipSpace()
        guard i < n else { return false }
        switch p[i] {
        case quote:
            return string() != nil
        case openBrace:
            return object(depth: depth + 1) { walker, _ in walker.skipValue(depth: depth + 1) }
        case openBracket:
            return array(depth: depth) { walker in walker.skipValue(depth: depth + 1) }
        default:
            // Number, true, false or null.
            let start = i
            while i < n {
                let byte = p[i]
                if byte == comma || byte == closeBrace || byte == closeBracket || byte == 0x20 || byte == 0x0A
                    || byte == 0x0D || byte == 0x09
                {
                    break
                }
                i += 1
            }
            guard i > start else { return false }
            return !strictScalars || Self.isScalar(UnsafeBufferPointer(start: p + start, count: i - start))
        }
    }

    /// Whether `token` is `true`, `false`, `null` or a number in JSON's grammar.
    static func isScalar(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        switch token.first {
        case UInt8(ascii: "t"): return token.elementsEqual("true".utf8)
        case UInt8(ascii: "f"): return token.elementsEqual("false".utf8)
        case UInt8(ascii: "n"): return token.elementsEqual("null".utf8)
        default: break
        }
        var k = 0
        let n = token.count
        @inline(__always) func digits() -> Int {
            let from = k
            while k < n, token[k] >= 0x30, token[k] <= 0x39 { k += 1 }
            return k - from
        }
        if k < n, token[k] == UInt8(ascii: "-") { k += 1 }
        guard k < n else { return false }
        if token[k] == 0x30 {
            k += 1
        } else if digits() == 0 {
            return false
        }
        if k < n, token[k] == UInt8(ascii: ".") {
            k += 1
            guard digits() > 0 else { return false }
        }
        if k < n, token[k] == UInt8(ascii: "e") || token[k] == UInt8(ascii: "E") {
            k += 1
            if k < n, token[k] == UInt8(ascii: "+") || token[k] == UInt8(ascii: "-") { k += 1 }
            guard digits() > 0 else { return false }
        }
        return k == n
    }

    /// A string value into `slot`, or any other value skipped (slot stays nil).
    mutating func stringValue(_ field: WritableKeyPath<ClaudeLineScan, Range<Int>?>, depth: Int) -> Bool {
        if i < n, p[i] == quote {
            guard let range = string() else { return false }
            // A key given twice: the first counts, as `JSONDecoder` (the other path a
            // line may take) reads it; otherwise the same line would count differently
            // with and without an edit pending (found by fuzzing).
            if out[keyPath: field] == nil { out[keyPath: field] = range }
            return true
        }
        return skipValue(depth: depth)
    }

    /// A non-negative integer value (token counts); anything else counts as zero.
    mutating func integerValue(depth: Int) -> (ok: Bool, value: Int64) {
        var value: Int64 = 0
        var digits = 0
        while i < n, p[i] >= 0x30, p[i] <= 0x39, digits < 18 {
            value = value * 10 + Int64(p[i] - 0x30)
            digits += 1
            i += 1
        }
        // JSON has no leading zeros (`09`): such a number is not read, and the line falls
        // to the strict path, which counts it as malformed.
        if digits > 1, p[i - digits] == 0x30 { return (false, 0) }
        if digits > 0, i < n, p[i] != 0x2E, p[i] != 0x65, p[i] != 0x45, p[i] < 0x30 || p[i] > 0x39 {
            return (true, value)
        }
        // Fractions, exponents, null, negative or huge values: skip, keep what parsed.
        return (skipValue(depth: depth), digits > 0 ? value : 0)
    }

    mutating func record() -> Bool {
        skipSpace()
        let ok = object(depth: 0) { walker, key in
            switch key.count {
            case 3 where walker.equals(key, "cwd"): return walker.stringValue(\.cwd, depth: 1)
            case 4 where walker.equals(key, "type"): return walker.stringValue(\.type, depth: 1)
            case 4 where walker.equals(key, "uuid"): return walker.stringValue(\.uuid, depth: 1)
            case 7 where walker.equals(key, "message"):
                guard walker.i < walker.n, walker.p[walker.i] == openBrace, !walker.out.hasMessage else {
                    return walker.skipValue(depth: 1)
                }
                walker.out.hasMessage = true
                return walker.message()
            case 9 where walker.equals(key, "sessionId"): return walker.stringValue(\.sessionId, depth: 1)
            case 9 where walker.equals(key, "requestId"): return walker.stringValue(\.requestId, depth: 1)
            case 9 where walker.equals(key, "timestamp"): return walker.stringValue(\.timestamp, depth: 1)
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
            case 2 where walker.equals(key, "id"): return walker.stringValue(\.messageID, depth: 2)
            case 5 where walker.equals(key, "model"): return walker.stringValue(\.model, depth: 2)
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
    /// The keys of a usage object `counts` reads, each with its bit for "seen once".
    static let countKeys: [(name: StaticString, bit: UInt8)] = [
        ("input_tokens", 1), ("output_tokens", 2), ("cache_creation_input_tokens", 4), ("cache_read_input_tokens", 8),
        ("cache_creation", 16), ("output_tokens_details", 32), ("iterations", 64),
    ]

    mutating func counts(
        depth: Int, into tokens: inout TokenCounts, extra: (inout ClaudeJSONWalker, Range<Int>) -> Bool?
    ) -> Bool {
        // First occurrence of a key wins, as in `JSONDecoder` (see `stringValue`).
        var seen: UInt8 = 0
        return object(depth: depth) { walker, key in
            let bit = Self.countKeys.first { walker.equals(key, $0.name) }?.bit ?? 0
            if bit != 0 {
                guard seen & bit == 0 else { return walker.skipValue(depth: depth + 1) }
                seen |= bit
            }
            let field: WritableKeyPath<TokenCounts, Int64>?
            if walker.equals(key, "input_tokens") {
                field = \.input
            } else if walker.equals(key, "output_tokens") {
                field = \.output
            } else if walker.equals(key, "cache_creation_input_tokens") {
                field = \.cacheWrite
            } else if walker.equals(key, "cache_read_input_tokens") {
                field = \.cacheRead
            } else {
                field = nil
            }
            if let field {
                let (ok, value) = walker.integerValue(depth: depth + 1)
                tokens[keyPath: field] = value
                return ok
            }
            if walker.equals(key, "cache_creation") {
                return walker.nestedCount(depth: depth + 1, "ephemeral_1h_input_tokens") { tokens.cacheWrite1h = $0 }
            }
            if walker.equals(key, "output_tokens_details") {
                return walker.nestedCount(depth: depth + 1, "thinking_tokens") { tokens.reasoning = $0 }
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
