import AIUsageCore
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte-level peeks into a JSON line, so a reader can tell a record's type from its
/// first hundred bytes and skip the multi-kilobyte lines it has no use for without
/// paying for a full JSON decode.
///
/// The peeks here are heuristics for *routing*; what a reader keeps is read either with
/// `JSONWalk` (below), which declines anything it is not sure of, or with `JSONDecoder`.
enum JSONByteScan {
    /// Range of the raw (still escaped) string value of the first `"key"` at or after
    /// `from`, accepting white space around the colon. Nil when the key is absent or its
    /// value is not a string.
    ///
    /// A key can only be matched where the bytes are `"key"`; inside a JSON string the
    /// quotes would be escaped (`\"key\"`), so string contents cannot fake a key.
    static func stringValue(ofKey key: StaticString, in line: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Range<Int>? {
        guard let base = line.baseAddress else { return nil }
        let keyCount = key.utf8CodeUnitCount
        var position = from
        let count = line.count
        while position + keyCount + 2 < count {
            guard let hit = memchr(base + position, 0x22, count - position) else { return nil }
            let quote = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            let keyStart = quote + 1
            let keyEnd = keyStart + keyCount
            guard keyEnd < count else { return nil }
            if line[keyEnd] == 0x22, memcmp(base + keyStart, key.utf8Start, keyCount) == 0 {
                var index = keyEnd + 1
                while index < count, isSpace(line[index]) { index += 1 }
                if index < count, line[index] == 0x3A {  // ':'
                    index += 1
                    while index < count, isSpace(line[index]) { index += 1 }
                    guard index < count, line[index] == 0x22 else { return nil }
                    let valueStart = index + 1
                    var end = valueStart
                    while end < count {
                        let byte = line[end]
                        if byte == 0x5C { end += 2; continue }  // skip the escaped byte
                        if byte == 0x22 { return valueStart..<end }
                        end += 1
                    }
                    return nil
                }
            }
            position = keyStart
        }
        return nil
    }

    /// Whether the bytes in `range` equal `text`.
    @inline(__always)
    static func equals(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard let base = line.baseAddress, range.count == text.utf8CodeUnitCount, range.upperBound <= line.count else {
            return false
        }
        return memcmp(base + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// Whether `needle` (dynamic bytes, e.g. a call id) occurs in `line`.
    static func contains(_ line: UnsafeBufferPointer<UInt8>, bytes needle: [UInt8]) -> Bool {
        guard let base = line.baseAddress, let first = needle.first, line.count >= needle.count else { return false }
        return needle.withUnsafeBufferPointer { needleBuffer -> Bool in
            guard let needleBase = needleBuffer.baseAddress else { return false }
            var position = 0
            let last = line.count - needle.count
            while position <= last {
                guard let hit = memchr(base + position, Int32(first), last - position + 1) else { return false }
                let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + index, needleBase, needle.count) == 0 { return true }
                position = index + 1
            }
            return false
        }
    }

    /// Whether the line, after leading white space, starts with `{` — the cheapest
    /// sign that it can be a JSON record at all.
    static func looksLikeObject(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in line {
            if isSpace(byte) { continue }
            return byte == 0x7B
        }
        return false
    }

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}

/// A minimal, allocation-free walk over the *structure* of one JSON line: find a
/// member of an object and its raw value, skipping nested values by bracket matching.
///
/// Used for the hot records of a rollout (`token_count`, `turn_context`), whose few
/// needed fields sit next to kilobytes of rate limits or instructions: walking the
/// bytes is several times faster than `JSONDecoder` building the whole tree. Anything
/// unexpected returns nil and the caller falls back to `JSONDecoder`.
enum JSONWalk {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    @inline(__always) static func skipSpace(_ line: Bytes, _ index: Int) -> Int {
        var index = index
        while index < line.count, JSONByteScan.isSpace(line[index]) { index += 1 }
        return index
    }

    /// Index just past the string whose opening quote is at `index`; nil when it is not
    /// closed or is not a JSON string (see `JSONStringScan`).
    static func skipString(_ line: Bytes, _ index: Int) -> Int? {
        guard index < line.count, line[index] == 0x22, let base = line.baseAddress else { return nil }
        return JSONStringScan.end(base, from: index + 1, count: line.count).map { $0 + 1 }
    }

    /// Whether `line[range]` is a JSON number (no leading zeros) or `true`, `false`, `null`.
    static func isScalar(_ line: Bytes, _ range: Range<Int>) -> Bool {
        JSONScalar.isValid(UnsafeBufferPointer(rebasing: line[range]))
    }

    /// Index just past the value starting at `index` (after white space).
    static func skipValue(_ line: Bytes, _ index: Int) -> Int? {
        let start = skipSpace(line, index)
        guard start < line.count else { return nil }
        switch line[start] {
        case 0x22:
            return skipString(line, start)
        case 0x7B, 0x5B:  // { [
            var depth = 0
            var position = start
            guard let base = line.baseAddress else { return nil }
            while position < line.count {
                // Skip bytes that cannot change the nesting (most of them) in a tight loop.
                // (`[`/`{` and `]`/`}` differ only in bit 0x20.)
                while position < line.count {
                    let byte = base[position]
                    let folded = byte | 0x20
                    if byte == 0x22 || folded == 0x7B || folded == 0x7D { break }
                    position += 1
                }
                guard position < line.count else { return nil }
                switch base[position] {
                case 0x22:
                    guard let end = skipString(line, position) else { return nil }
                    position = end
                    continue
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 { return position + 1 }
                default: break
                }
                position += 1
            }
            return nil
        default:
            var position = start
            while position < line.count {
                let byte = line[position]
                if byte == 0x2C || byte == 0x7D || byte == 0x5D || JSONByteScan.isSpace(byte) { break }
                position += 1
            }
            return position > start && isScalar(line, start..<position) ? position : nil
        }
    }

    /// The value range of member `key` of the object starting at `objectStart` (its
    /// `{`, after optional white space). Nil if absent or malformed.
    static func member(_ line: Bytes, of objectStart: Int, _ key: StaticString) -> Range<Int>? {
        var position = skipSpace(line, objectStart)
        guard position < line.count, line[position] == 0x7B else { return nil }
        position = skipSpace(line, position + 1)
        if position < line.count, line[position] == 0x7D { return nil }
        while position < line.count {
            guard let keyEnd = skipString(line, position) else { return nil }
            let keyRange = (position + 1)..<(keyEnd - 1)
            position = skipSpace(line, keyEnd)
            guard position < line.count, line[position] == 0x3A else { return nil }
            let valueStart = skipSpace(line, position + 1)
            guard let valueEnd = skipValue(line, valueStart) else { return nil }
            if JSONByteScan.equals(line, keyRange, key) { return valueStart..<valueEnd }
            position = skipSpace(line, valueEnd)
            guard position < line.count else { return nil }
            if line[position] == 0x7D { return nil }
            guard line[position] == 0x2C else { return nil }
            position = skipSpace(line, position + 1)
        }
        return nil
    }

    /// Member of the top-level object of the line.
    static func member(_ line: Bytes, _ key: StaticString) -> Range<Int>? { member(line, of: 0, key) }

    /// Where the value of `key`'s first occurrence starts in the object at `objectStart`,
    /// without walking that value (`member` skips it to find its end: for a large value
    /// read member by member afterwards, a pass for nothing). The members before it are
    /// walked as `member` walks them; nil when the key is not there or the walk fails.
    static func memberStart(_ line: Bytes, of objectStart: Int, _ key: StaticString) -> Int? {
        var found: Int?
        _ = walkMembers(line, of: objectStart) { keyRange, valueStart in
            if JSONByteScan.equals(line, keyRange, key) {
                found = valueStart
                return nil  // stop here
            }
            return skipValue(line, valueStart)
        }
        return found
    }

    /// Calls `body` with every member of the object starting at `objectStart` (key range
    /// without its quotes, raw value range) and returns the index just past the closing
    /// brace; nil when the object is malformed (after `body` saw the members before the
    /// fault). A structural check only: numbers, literals and escapes are not validated.
    static func forEachMember(_ line: Bytes, of objectStart: Int, _ body: (Range<Int>, Range<Int>) -> Void) -> Int? {
        walkMembers(line, of: objectStart) { key, valueStart in
            guard let valueEnd = skipValue(line, valueStart) else { return nil }
            body(key, valueStart..<valueEnd)
            return valueEnd
        }
    }

    /// The raw values of `keys` in the object starting at `objectStart`, in the order of
    /// `keys` (nil for a key not there); the first occurrence of a key given twice wins,
    /// as with the decoder. Nil when the object is malformed.
    static func members(_ line: Bytes, of objectStart: Int, _ keys: StaticString...) -> [Range<Int>?]? {
        var found = [Range<Int>?](repeating: nil, count: keys.count)
        let end = forEachMember(line, of: objectStart) { key, value in
            guard let slot = keys.firstIndex(where: { JSONByteScan.equals(line, key, $0) }), found[slot] == nil else { return }
            found[slot] = value
        }
        return end == nil ? nil : found
    }

    /// The loop behind `forEachMember`: `body` gets each key and where its value starts,
    /// and returns the index just past the value (having walked it itself, e.g. into a
    /// nested object, or with `skipValue`), or nil to give up.
    static func walkMembers(_ line: Bytes, of objectStart: Int, _ body: (Range<Int>, Int) -> Int?) -> Int? {
        var position = skipSpace(line, objectStart)
        guard position < line.count, line[position] == 0x7B else { return nil }
        position = skipSpace(line, position + 1)
        if position < line.count, line[position] == 0x7D { return position + 1 }
        while position < line.count {
            guard let keyEnd = skipString(line, position) else { return nil }
            let keyRange = (position + 1)..<(keyEnd - 1)
            position = skipSpace(line, keyEnd)
            guard position < line.count, line[position] == 0x3A else { return nil }
            let valueStart = skipSpace(line, position + 1)
            guard valueStart < line.count, let valueEnd = body(keyRange, valueStart) else { return nil }
            position = skipSpace(line, valueEnd)
            guard position < line.count else { return nil }
            if line[position] == 0x7D { return position + 1 }
            guard line[position] == 0x2C else { return nil }
            position = skipSpace(line, position + 1)
        }
        return nil
    }

    /// Whether the whole line is one object, as far as a structural walk can tell, with
    /// each member handed to `body`.
    static func forEachTopLevelMember(_ line: Bytes, _ body: (Range<Int>, Range<Int>) -> Void) -> Bool {
        guard let end = forEachMember(line, of: 0, body) else { return false }
        return skipSpace(line, end) == line.count
    }

    /// The top-level `type` (contents of the string, still raw) and where the `payload`
    /// value starts, found by walking the top-level members — whatever their order —
    /// and stopping as soon as both are known. In Codex's order (`timestamp`, `type`,
    /// `payload`) that is the first ~60 bytes; a payload written before the type is
    /// skipped over. Nil when the walk fails or there is no string `type`.
    static func recordType(_ line: Bytes) -> (type: Range<Int>, payloadStart: Int?)? {
        var position = skipSpace(line, 0)
        guard position < line.count, line[position] == 0x7B else { return nil }
        position = skipSpace(line, position + 1)
        var type: Range<Int>?
        var payloadStart: Int?
        while position < line.count {
            guard let keyEnd = skipString(line, position) else { return nil }
            let keyRange = (position + 1)..<(keyEnd - 1)
            position = skipSpace(line, keyEnd)
            guard position < line.count, line[position] == 0x3A else { return nil }
            let valueStart = skipSpace(line, position + 1)
            if payloadStart == nil, JSONByteScan.equals(line, keyRange, "payload") {
                payloadStart = valueStart
                if let type { return (type, valueStart) }
            }
            guard let valueEnd = skipValue(line, valueStart) else { return nil }
            if type == nil, JSONByteScan.equals(line, keyRange, "type") {
                guard line[valueStart] == 0x22 else { return nil }
                type = (valueStart + 1)..<(valueEnd - 1)
                if let type, payloadStart != nil { return (type, payloadStart) }
            }
            position = skipSpace(line, valueEnd)
            guard position < line.count else { return nil }
            if line[position] == 0x7D { return type.map { ($0, payloadStart) } }
            guard line[position] == 0x2C else { return nil }
            position = skipSpace(line, position + 1)
        }
        return nil
    }

    /// The contents of a string value without escapes (its raw bytes are its value),
    /// else nil — the caller then takes a slower, exact path.
    static func plainString(_ line: Bytes, _ range: Range<Int>) -> Range<Int>? {
        guard range.count >= 2, line[range.lowerBound] == 0x22, line[range.upperBound - 1] == 0x22 else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        guard let base = line.baseAddress else { return inner }
        return memchr(base + inner.lowerBound, 0x5C, inner.count) == nil ? inner : nil
    }

    /// The UTF-8 bytes of a string value, unescaped, without building a `String`. Nil
    /// whenever `JSONDecoder` might disagree — an invalid escape, a lone surrogate, a
    /// raw control character, invalid UTF-8 — so the caller falls back to it.
    static func unescapedBytes(_ line: Bytes, _ range: Range<Int>) -> [UInt8]? {
        guard range.count >= 2, line[range.lowerBound] == 0x22, line[range.upperBound - 1] == 0x22 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(range.count - 2)
        var position = range.lowerBound + 1
        let end = range.upperBound - 1
        var sawNonASCII = false
        while position < end {
            // Copy the run up to the next backslash or control byte in one go.
            let runStart = position
            while position < end {
                let byte = line[position]
                if byte == 0x5C || byte < 0x20 { break }
                if byte >= 0x80 { sawNonASCII = true }
                position += 1
            }
            if position > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: line[runStart..<position])) }
            guard position < end else { break }
            guard line[position] == 0x5C, position + 1 < end else { return nil }  // control byte, or trailing '\'
            let escaped = line[position + 1]
            position += 2
            switch escaped {
            case 0x22, 0x5C, 0x2F: out.append(escaped)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard var scalar = hex4(line, position, end) else { return nil }
                position += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard position + 1 < end, line[position] == 0x5C, line[position + 1] == 0x75,
                        let low = hex4(line, position + 2, end), (0xDC00...0xDFFF).contains(low)
                    else { return nil }
                    position += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    return nil
                }
                appendUTF8(scalar, to: &out)
            default:
                return nil
            }
        }
        if sawNonASCII, String(validating: out, as: UTF8.self) == nil { return nil }
        return out
    }

    /// Four hex digits at `start` (a `\uXXXX` escape), or nil.
    static func hex4(_ line: Bytes, _ start: Int, _ end: Int) -> UInt32? {
        guard start + 4 <= end else { return nil }
        var value: UInt32 = 0
        for index in start..<(start + 4) {
            let byte = line[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Appends a scalar's UTF-8 bytes.
    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    static func isNull(_ line: Bytes, _ range: Range<Int>) -> Bool { JSONByteScan.equals(line, range, "null") }

    static func isObject(_ line: Bytes, _ range: Range<Int>) -> Bool {
        range.count >= 2 && line[range.lowerBound] == 0x7B
    }

    /// A plain integer value (no fraction or exponent), else nil.
    static func int64(_ line: Bytes, _ range: Range<Int>) -> Int64? {
        var position = range.lowerBound
        var negative = false
        if position < range.upperBound, line[position] == 0x2D {
            negative = true
            position += 1
        }
        guard position < range.upperBound else { return nil }
        var value: Int64 = 0
        while position < range.upperBound {
            let byte = line[position]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            position += 1
        }
        return negative ? -value : value
    }

    /// A string value, unescaped. Strings without escapes (nearly all ids, paths,
    /// model names and timestamps) are copied directly; others go through Foundation.
    static func string(_ line: Bytes, _ range: Range<Int>) -> String? {
        guard range.count >= 2, line[range.lowerBound] == 0x22, line[range.upperBound - 1] == 0x22 else { return nil }
        let inner = UnsafeBufferPointer(rebasing: line[(range.lowerBound + 1)..<(range.upperBound - 1)])
        if !inner.contains(0x5C) { return String(decoding: inner, as: UTF8.self) }
        let literal = Data(UnsafeBufferPointer(rebasing: line[range]))
        return (try? JSONSerialization.jsonObject(with: literal, options: .fragmentsAllowed)) as? String
    }
}
