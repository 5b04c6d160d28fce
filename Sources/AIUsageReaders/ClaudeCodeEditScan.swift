import AIUsageCore
import Foundation

/// Reads an edit line (an edit call, an edit result, or a tool result that may answer
/// a pending edit) straight from its bytes into the same `ClaudeRecord` that
/// `JSONDecoder` would give, decoding only the string values that are used.
///
/// An `Edit` result carries the whole file (`originalFile`), the tool_result text and
/// often the new content again; `JSONDecoder` scans and unescapes all of it. Here the
/// structural walk (`JSONWalker`) skips every value that is not read (a string
/// costs one `memchr` per quote), and the texts whose lines are hashed are unescaped
/// into one reused buffer and hashed from there, without a String.
///
/// Returns nil when the line has a shape this path does not judge the way
/// `JSONDecoder` would (invalid escapes or lone surrogates in a read string, control
/// characters, duplicate keys of interest, escaped keys, numbers that are not plain
/// integers in `usage`): the caller then hands the line to `JSONDecoder`.
struct ClaudeEditScan {
    private struct Bail: Error {}

    /// Bytes of the line being read.
    private let p: UnsafePointer<UInt8>
    private let n: Int
    /// Unescaped text of the string being hashed, reused from line to line.
    var scratch: [UInt8] = []
    /// `message.usage` as the line's structural walk already read it, if it did.
    private let knownUsage: TokenCounts?

    private init(p: UnsafePointer<UInt8>, n: Int, scratch: [UInt8], knownUsage: TokenCounts?) {
        self.p = p
        self.n = n
        self.scratch = scratch
        self.knownUsage = knownUsage
    }

    /// `line` as `JSONDecoder` would decode it into `ClaudeRecord`, or nil (see above).
    /// `usage`: the line's `message.usage` as `ClaudeLineScan` read it, taken as it is
    /// instead of being decoded again (the lines of one request must count alike, with
    /// or without an edit; `JSONDecoder` on each edit line's usage was 2 % of a first
    /// ingest).
    static func record(_ line: UnsafeBufferPointer<UInt8>, usage: TokenCounts? = nil, scratch: inout [UInt8]) -> ClaudeRecord? {
        guard let base = line.baseAddress else { return nil }
        var scan = ClaudeEditScan(p: base, n: line.count, scratch: [], knownUsage: usage)
        swap(&scan.scratch, &scratch)
        defer { swap(&scan.scratch, &scratch) }
        return try? scan.record()
    }

    // MARK: Walking

    private func walker(at index: Int) -> ClaudeJSONWalker {
        var walker = ClaudeJSONWalker(p: p, n: n)
        walker.i = index
        walker.strictScalars = true
        return walker
    }

    @inline(__always) private func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        range.count == text.utf8CodeUnitCount && memcmp(p + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// Walks the object at the walker (which must be at `{`), calling `body` with each
    /// key; `body` must consume the value. Keys with escapes are refused: `JSONDecoder`
    /// would match them after unescaping.
    private static func eachMember(
        _ walker: inout ClaudeJSONWalker, depth: Int, _ body: (inout ClaudeJSONWalker, Range<Int>) throws -> Void
    ) throws {
        var failure: (any Error)?
        let ok = walker.object(depth: depth) { walker, key in
            if memchr(walker.p + key.lowerBound, 0x5C, key.count) != nil {
                failure = Bail()
                return false
            }
            do {
                try body(&walker, key)
            } catch {
                failure = error
                return false
            }
            return true
        }
        if let failure { throw failure }
        guard ok else { throw Bail() }
    }

    /// Walks the array at the walker (which must be at `[`), calling `body` at each
    /// element; `body` must consume it.
    private static func eachElement(
        _ walker: inout ClaudeJSONWalker, depth: Int, _ body: (inout ClaudeJSONWalker) throws -> Void
    ) throws {
        guard depth < walker.maxDepth else { throw Bail() }
        walker.i += 1
        walker.skipSpace()
        if walker.i < walker.n, walker.p[walker.i] == 0x5D {
            walker.i += 1
            return
        }
        while true {
            walker.skipSpace()
            guard walker.i < walker.n else { throw Bail() }
            try body(&walker)
            walker.skipSpace()
            guard walker.i < walker.n else { throw Bail() }
            if walker.p[walker.i] == 0x2C {
                walker.i += 1
                continue
            }
            guard walker.p[walker.i] == 0x5D else { throw Bail() }
            walker.i += 1
            return
        }
    }

    /// Skips the value at the walker and returns its range.
    private static func value(_ walker: inout ClaudeJSONWalker, depth: Int) throws -> Range<Int> {
        let start = walker.i
        guard walker.skipValue(depth: depth) else { throw Bail() }
        return start..<walker.i
    }

    /// Stores a member's value range, refusing a second one (which value `JSONDecoder`
    /// keeps for a repeated key is not this path's business).
    @inline(__always) private static func set(_ slot: inout Range<Int>?, _ value: Range<Int>) throws {
        guard slot == nil else { throw Bail() }
        slot = value
    }

    @inline(__always) private static func at(_ walker: ClaudeJSONWalker, _ byte: UInt8) -> Bool {
        walker.i < walker.n && walker.p[walker.i] == byte
    }

    private func isString(_ range: Range<Int>?) -> Bool { range.map { p[$0.lowerBound] == 0x22 } ?? false }

    // MARK: Strings

    /// A string value as a String; nil for any other value (`lenient`).
    private mutating func string(_ range: Range<Int>?) throws -> String? {
        guard let range, isString(range) else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        if let plain = Self.plainText(p, inner) { return String(decoding: plain, as: UTF8.self) }
        try unescape(inner)
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Significant line hashes of a string value's decoded text; nil when not a string.
    private mutating func hashes(_ range: Range<Int>?) throws -> [LineHash]? {
        guard let range, isString(range) else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        if let plain = Self.plainText(p, inner) { return ClaudeEditLines.significantHashes(bytes: plain) }
        try unescape(inner)
        return scratch.withUnsafeBufferPointer { ClaudeEditLines.significantHashes(bytes: $0) }
    }

    /// The exact lines of a string value's decoded text; nil when not a string.
    private mutating func editLines(_ range: Range<Int>?) throws -> [EditLine]? {
        guard let range, isString(range) else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        if let plain = Self.plainText(p, inner) { return ClaudeEditLines.editLines(bytes: plain) }
        try unescape(inner)
        return scratch.withUnsafeBufferPointer { ClaudeEditLines.editLines(bytes: $0) }
    }

    /// The bytes of `range` when they need no unescaping (no backslash, no control
    /// character), else nil.
    static func plainText(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8>? {
        special(p, range.lowerBound, range.upperBound) == range.upperBound
            ? UnsafeBufferPointer(start: p + range.lowerBound, count: range.count) : nil
    }

    /// Index of the first backslash or control character (< 0x20) in `from..<end`, or `end`.
    @inline(__always) static func special(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        var k = from
        while k + 8 <= end {
            let word = UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let slash = word ^ (ones &* 0x5C)
            // A byte is a backslash, or below 0x20, when its high bit ends up set here
            // (exact for ASCII; a non-ASCII byte can only give a false positive, which
            // the byte loop below sorts out).
            let hit = ((slash &- ones) & ~slash | (word &- ones &* 0x20) & ~word) & highs
            if hit != 0 { break }
            k += 8
        }
        while k < end {
            let byte = p[k]
            if byte == 0x5C || byte < 0x20 { return k }
            k += 1
        }
        return end
    }

    /// Decodes the JSON string content `range` into `scratch`. Throws on what JSON
    /// forbids or what this path leaves to `JSONDecoder` (a lone surrogate).
    private mutating func unescape(_ range: Range<Int>) throws {
        scratch.removeAll(keepingCapacity: true)
        scratch.reserveCapacity(range.count)
        var k = range.lowerBound
        let end = range.upperBound
        while k < end {
            let stop = Self.special(p, k, end)
            if stop > k { scratch.append(contentsOf: UnsafeBufferPointer(start: p + k, count: stop - k)) }
            k = stop
            guard k < end else { break }
            guard p[k] == 0x5C, k + 1 < end else { throw Bail() }  // a raw control character
            let escaped = p[k + 1]
            k += 2
            switch escaped {
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4(k, end)
                k += 4
                if scalar >= 0xD800, scalar <= 0xDBFF {
                    guard k + 6 <= end, p[k] == 0x5C, p[k + 1] == UInt8(ascii: "u") else { throw Bail() }
                    let low = try hex4(k + 2, end)
                    guard low >= 0xDC00, low <= 0xDFFF else { throw Bail() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                } else if scalar >= 0xDC00, scalar <= 0xDFFF {
                    throw Bail()
                }
                JSONWalk.appendUTF8(scalar, to: &scratch)
            default:
                throw Bail()
            }
        }
    }

    private func hex4(_ at: Int, _ end: Int) throws -> UInt32 {
        guard let value = JSONWalk.hex4(UnsafeBufferPointer(start: p, count: n), at, end) else { throw Bail() }
        return value
    }

    // MARK: Records

    /// Where the values of one record are, found in one walk; decoded afterwards.
    private struct RawRecord {
        var type, sessionId, cwd, timestamp, uuid, requestId: Range<Int>?
        var seenMessage = false, seenResult = false
        var message: RawMessage?
        var result: RawResult?
    }

    private struct RawMessage {
        var id, model, usage: Range<Int>?
        var seenContent = false
        var content: [RawBlock]?
    }

    private struct RawBlock {
        var type, id, name, toolUseID, isError: Range<Int>?
        var seenInput = false
        var input: RawInput?
    }

    private struct RawInput {
        var filePath, oldString, newString, content: Range<Int>?
        var seenEdits = false
        /// Nil when `edits` is missing, not an array, or has an element that is not an object.
        var edits: [(old: Range<Int>?, new: Range<Int>?)]?
    }

    private struct RawResult {
        var filePath, type, oldString, newString, content, originalFile: Range<Int>?
        var seenPatch = false
        /// Nil when `structuredPatch` is missing, not an array, or has a non-object hunk.
        var patch: [[Range<Int>]]?
    }

    private mutating func record() throws -> ClaudeRecord {
        var walker = walker(at: 0)
        walker.skipSpace()
        guard Self.at(walker, 0x7B) else { throw Bail() }
        var raw = RawRecord()
        try Self.eachMember(&walker, depth: 0) { walker, key in
            switch key.count {
            case 3 where equals(key, "cwd"): try Self.set(&raw.cwd, try Self.value(&walker, depth: 1))
            case 4 where equals(key, "type"): try Self.set(&raw.type, try Self.value(&walker, depth: 1))
            case 4 where equals(key, "uuid"): try Self.set(&raw.uuid, try Self.value(&walker, depth: 1))
            case 7 where equals(key, "message"):
                guard !raw.seenMessage else { throw Bail() }
                raw.seenMessage = true
                if Self.at(walker, 0x7B) {
                    raw.message = try Self.message(&walker)
                } else {
                    _ = try Self.value(&walker, depth: 1)
                }
            case 9 where equals(key, "sessionId"): try Self.set(&raw.sessionId, try Self.value(&walker, depth: 1))
            case 9 where equals(key, "requestId"): try Self.set(&raw.requestId, try Self.value(&walker, depth: 1))
            case 9 where equals(key, "timestamp"): try Self.set(&raw.timestamp, try Self.value(&walker, depth: 1))
            case 13 where equals(key, "toolUseResult"):
                guard !raw.seenResult else { throw Bail() }
                raw.seenResult = true
                if Self.at(walker, 0x7B) {
                    raw.result = try Self.result(&walker)
                } else {
                    _ = try Self.value(&walker, depth: 1)
                }
            default:
                _ = try Self.value(&walker, depth: 1)
            }
        }
        walker.skipSpace()
        guard walker.i == n else { throw Bail() }

        var record = ClaudeRecord()
        record.type = try string(raw.type)
        record.sessionId = try string(raw.sessionId)
        record.cwd = try string(raw.cwd)
        record.timestamp = try string(raw.timestamp)
        record.uuid = try string(raw.uuid)
        record.requestId = try string(raw.requestId)
        if let message = raw.message { record.message = try decode(message) }
        if let result = raw.result { record.toolUseResult = try decode(result) }
        return record
    }

    private static func message(_ walker: inout ClaudeJSONWalker) throws -> RawMessage {
        var raw = RawMessage()
        try eachMember(&walker, depth: 1) { walker, key in
            let p = walker.p
            func equals(_ text: StaticString) -> Bool {
                key.count == text.utf8CodeUnitCount && memcmp(p + key.lowerBound, text.utf8Start, key.count) == 0
            }
            if equals("id") {
                try set(&raw.id, try value(&walker, depth: 2))
            } else if equals("model") {
                try set(&raw.model, try value(&walker, depth: 2))
            } else if equals("usage") {
                try set(&raw.usage, try value(&walker, depth: 2))
            } else if equals("content") {
                guard !raw.seenContent else { throw Bail() }
                raw.seenContent = true
                guard at(walker, 0x5B) else {
                    _ = try value(&walker, depth: 2)
                    return
                }
                var blocks: [RawBlock] = []
                try eachElement(&walker, depth: 2) { walker in
                    // A block that is not an object is dropped (`LenientBlock`).
                    if at(walker, 0x7B) {
                        blocks.append(try block(&walker))
                    } else {
                        _ = try value(&walker, depth: 3)
                    }
                }
                raw.content = blocks
            } else {
                _ = try value(&walker, depth: 2)
            }
        }
        return raw
    }

    private static func block(_ walker: inout ClaudeJSONWalker) throws -> RawBlock {
        var raw = RawBlock()
        try eachMember(&walker, depth: 3) { walker, key in
            let p = walker.p
            func equals(_ text: StaticString) -> Bool {
                key.count == text.utf8CodeUnitCount && memcmp(p + key.lowerBound, text.utf8Start, key.count) == 0
            }
            if equals("type") {
                try set(&raw.type, try value(&walker, depth: 4))
            } else if equals("id") {
                try set(&raw.id, try value(&walker, depth: 4))
            } else if equals("name") {
                try set(&raw.name, try value(&walker, depth: 4))
            } else if equals("tool_use_id") {
                try set(&raw.toolUseID, try value(&walker, depth: 4))
            } else if equals("is_error") {
                try set(&raw.isError, try value(&walker, depth: 4))
            } else if equals("input") {
                guard !raw.seenInput else { throw Bail() }
                raw.seenInput = true
                if at(walker, 0x7B) {
                    raw.input = try input(&walker)
                } else {
                    _ = try value(&walker, depth: 4)
                }
            } else {
                _ = try value(&walker, depth: 4)
            }
        }
        return raw
    }

    private static func input(_ walker: inout ClaudeJSONWalker) throws -> RawInput {
        var raw = RawInput()
        try eachMember(&walker, depth: 4) { walker, key in
            let p = walker.p
            func equals(_ text: StaticString) -> Bool {
                key.count == text.utf8CodeUnitCount && memcmp(p + key.lowerBound, text.utf8Start, key.count) == 0
            }
            if equals("file_path") {
                try set(&raw.filePath, try value(&walker, depth: 5))
            } else if equals("old_string") {
                try set(&raw.oldString, try value(&walker, depth: 5))
            } else if equals("new_string") {
                try set(&raw.newString, try value(&walker, depth: 5))
            } else if equals("content") {
                try set(&raw.content, try value(&walker, depth: 5))
            } else if equals("edits") {
                guard !raw.seenEdits else { throw Bail() }
                raw.seenEdits = true
                guard at(walker, 0x5B) else {
                    _ = try value(&walker, depth: 5)
                    return
                }
                var pairs: [(old: Range<Int>?, new: Range<Int>?)] = []
                var allObjects = true
                try eachElement(&walker, depth: 5) { walker in
                    guard at(walker, 0x7B) else {
                        // `[ClaudeStringPair]` fails whole when one element is not an object.
                        allObjects = false
                        _ = try value(&walker, depth: 6)
                        return
                    }
                    var old, new: Range<Int>?
                    try eachMember(&walker, depth: 6) { walker, key in
                        if key.count == 10, memcmp(p + key.lowerBound, "old_string", 10) == 0 {
                            try set(&old, try value(&walker, depth: 7))
                        } else if key.count == 10, memcmp(p + key.lowerBound, "new_string", 10) == 0 {
                            try set(&new, try value(&walker, depth: 7))
                        } else {
                            _ = try value(&walker, depth: 7)
                        }
                    }
                    pairs.append((old, new))
                }
                if allObjects { raw.edits = pairs }
            } else {
                _ = try value(&walker, depth: 5)
            }
        }
        return raw
    }

    private static func result(_ walker: inout ClaudeJSONWalker) throws -> RawResult {
        var raw = RawResult()
        try eachMember(&walker, depth: 1) { walker, key in
            let p = walker.p
            func equals(_ text: StaticString) -> Bool {
                key.count == text.utf8CodeUnitCount && memcmp(p + key.lowerBound, text.utf8Start, key.count) == 0
            }
            if equals("type") {
                try set(&raw.type, try value(&walker, depth: 2))
            } else if equals("filePath") {
                try set(&raw.filePath, try value(&walker, depth: 2))
            } else if equals("content") {
                try set(&raw.content, try value(&walker, depth: 2))
            } else if equals("oldString") {
                try set(&raw.oldString, try value(&walker, depth: 2))
            } else if equals("newString") {
                try set(&raw.newString, try value(&walker, depth: 2))
            } else if equals("originalFile") {
                try set(&raw.originalFile, try value(&walker, depth: 2))
            } else if equals("structuredPatch") {
                guard !raw.seenPatch else { throw Bail() }
                raw.seenPatch = true
                guard at(walker, 0x5B) else {
                    _ = try value(&walker, depth: 2)
                    return
                }
                var hunks: [[Range<Int>]] = []
                var allObjects = true
                try eachElement(&walker, depth: 2) { walker in
                    guard at(walker, 0x7B) else {
                        // `[ClaudePatchHunk]` fails whole when one hunk is not an object.
                        allObjects = false
                        _ = try value(&walker, depth: 3)
                        return
                    }
                    var seenLines = false
                    var lines: [Range<Int>] = []
                    try eachMember(&walker, depth: 3) { walker, key in
                        guard key.count == 5, memcmp(p + key.lowerBound, "lines", 5) == 0 else {
                            _ = try value(&walker, depth: 4)
                            return
                        }
                        guard !seenLines else { throw Bail() }
                        seenLines = true
                        guard at(walker, 0x5B) else {
                            _ = try value(&walker, depth: 4)
                            return
                        }
                        // `lines` decodes leniently as `[String]`: all strings, or none.
                        var allStrings = true
                        try eachElement(&walker, depth: 4) { walker in
                            let item = try value(&walker, depth: 5)
                            if p[item.lowerBound] == 0x22 { lines.append(item) } else { allStrings = false }
                        }
                        if !allStrings { lines = [] }
                    }
                    hunks.append(lines)
                }
                if allObjects { raw.patch = hunks }
            } else {
                _ = try value(&walker, depth: 2)
            }
        }
        return raw
    }

    // MARK: Decoding the values found

    private mutating func decode(_ raw: RawMessage) throws -> ClaudeMessage {
        var message = ClaudeMessage()
        message.id = try string(raw.id)
        message.model = try string(raw.model)
        if let usage = raw.usage, p[usage.lowerBound] == 0x7B {
            message.usage = try knownUsage.map(ClaudeUsage.init(tokens:)) ?? self.usage(usage)
        }
        if let blocks = raw.content {
            message.content = try blocks.map { try decode($0) }
        }
        return message
    }

    /// The usage object, decoded by `ClaudeUsage` itself (a few hundred bytes, on the
    /// few lines that carry an edit): the same tokens the decoder path gives.
    private func usage(_ range: Range<Int>) throws -> ClaudeUsage {
        let bytes = UnsafeBufferPointer(start: p + range.lowerBound, count: range.count)
        guard let usage = try? JSONDecoder().decode(ClaudeUsage.self, from: Data(buffer: bytes)) else { throw Bail() }
        return usage
    }

    private mutating func decode(_ raw: RawBlock) throws -> ClaudeContentBlock {
        var block = ClaudeContentBlock()
        block.type = try string(raw.type)
        block.id = try string(raw.id)
        block.name = try string(raw.name)
        block.toolUseID = try string(raw.toolUseID)
        block.isError = raw.isError.map { equals($0, "true") } ?? false
        if block.type == "tool_use", let name = block.name, ClaudeContentBlock.editToolNames.contains(name),
            let input = raw.input
        {
            var edit = ClaudeEditInput()
            edit.filePath = try string(input.filePath)
            edit.oldString = try string(input.oldString)
            edit.newString = try string(input.newString)
            edit.content = try string(input.content)
            if let pairs = input.edits {
                edit.edits = try pairs.map { pair in
                    var decoded = ClaudeStringPair()
                    decoded.oldString = try string(pair.old)
                    decoded.newString = try string(pair.new)
                    return decoded
                }
            }
            block.editInput = edit
        }
        return block
    }

    /// `toolUseResult` with its added lines, by the rules of `ClaudeToolUseResult`.
    private mutating func decode(_ raw: RawResult) throws -> ClaudeToolUseResult {
        var result = ClaudeToolUseResult()
        result.filePath = try string(raw.filePath)
        result.type = try string(raw.type)
        if result.type == "create", let created = try hashes(raw.content) {
            result.addedLines = created
        } else if let hunks = raw.patch {
            result.addedLines = try patchLines(hunks)
        } else if let new = try editLines(raw.newString) {
            result.addedLines = AddedLines.added(new, minus: try editLines(raw.oldString) ?? [])
        } else if result.type == "update", let new = try editLines(raw.content) {
            result.addedLines = AddedLines.added(new, minus: try editLines(raw.originalFile) ?? [])
        }
        return result
    }

    /// The patch's `+` lines minus its `-` lines, on their exact text.
    private mutating func patchLines(_ hunks: [[Range<Int>]]) throws -> [LineHash] {
        var added: [EditLine] = []
        var removed: [EditLine] = []
        for lines in hunks {
            for item in lines {
                let inner = (item.lowerBound + 1)..<(item.upperBound - 1)
                let first: UInt8
                let line: EditLine
                if let plain = Self.plainText(p, inner) {
                    guard let byte = plain.first, byte == 0x2B || byte == 0x2D else { continue }
                    first = byte
                    line = LineIdentity.editLine(bytes: UnsafeBufferPointer(rebasing: plain.dropFirst()))
                } else {
                    try unescape(inner)
                    guard let byte = scratch.first, byte == 0x2B || byte == 0x2D else { continue }
                    first = byte
                    line = scratch.withUnsafeBufferPointer {
                        LineIdentity.editLine(bytes: UnsafeBufferPointer(rebasing: $0.dropFirst()))
                    }
                }
                if first == 0x2B { added.append(line) } else { removed.append(line) }
            }
        }
        return AddedLines.added(added, minus: removed)
    }
}

// Empty values for `ClaudeEditScan` to fill (the Decodable inits stay as they are).
extension ClaudeRecord { init() {} }
extension ClaudeMessage { init() {} }
extension ClaudeUsage { init(tokens: TokenCounts) { self.tokens = tokens } }
extension ClaudeContentBlock { init() { isError = false } }
extension ClaudeEditInput { init() {} }
extension ClaudeStringPair { init() {} }
extension ClaudeToolUseResult { init() {} }
