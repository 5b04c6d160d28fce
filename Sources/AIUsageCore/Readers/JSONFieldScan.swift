import Foundation

/// Byte-level field lookups in one JSON line, for lines that are not worth a full
/// decode (most lines of a transcript only tell which session was active when).
///
/// They rely on a property of JSON: inside a string value a quote is always escaped,
/// so the bytes `"key"` followed by a colon can only be a key, never string content.
/// They do not track nesting, so they find the first (or last) such key at any depth;
/// callers use them only for fields where a nested match is harmless.
enum JSONFieldScan {
    /// The string value of the first `"key": "..."` pair of `line`, unescaped, or nil
    /// when there is none, the value is not a string, or it is not valid UTF-8.
    static func firstString(_ line: UnsafeBufferPointer<UInt8>, key: StaticString) -> String? {
        guard let range = firstStringValueRange(line, key: key) else { return nil }
        return decodeString(UnsafeBufferPointer(rebasing: line[range]))
    }

    /// Byte range (inside the quotes) of the string value of the first `"key"` pair.
    static func firstStringValueRange(_ line: UnsafeBufferPointer<UInt8>, key: StaticString) -> Range<Int>? {
        var from = 0
        while let keyEnd = indexAfter(line, quotedKey: key, from: from) {
            if let range = stringValue(line, afterKey: keyEnd) { return range }
            from = keyEnd
        }
        return nil
    }

    /// Byte range of the string value of the last `"key"` pair, searching backwards:
    /// Claude writes `timestamp` near the end of a record, after the large `message`.
    static func lastStringValueRange(_ line: UnsafeBufferPointer<UInt8>, key: StaticString) -> Range<Int>? {
        guard let base = line.baseAddress else { return nil }
        let keyCount = key.utf8CodeUnitCount
        let needle = key.utf8Start
        // Pattern: '"' + key + '"'
        let total = keyCount + 2
        guard line.count >= total, keyCount > 0 else { return nil }
        var start = line.count - total
        while start >= 0 {
            if base[start] == 0x22, base[start + total - 1] == 0x22,
                memcmp(base + start + 1, needle, keyCount) == 0,
                let range = stringValue(line, afterKey: start + total)
            {
                return range
            }
            start -= 1
        }
        return nil
    }

    /// Index just past the first `"key"` at or after `from`.
    static func indexAfter(_ line: UnsafeBufferPointer<UInt8>, quotedKey key: StaticString, from: Int) -> Int? {
        guard let base = line.baseAddress else { return nil }
        let keyCount = key.utf8CodeUnitCount
        let total = keyCount + 2
        guard keyCount > 0 else { return nil }
        let firstKeyByte = Int32(key.utf8Start.pointee)
        var position = from + 1  // where the key's first byte may sit
        let lastStart = line.count - total + 1
        while position <= lastStart {
            guard let hit = memchr(base + position, firstKeyByte, lastStart - position + 1) else { return nil }
            let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if base[index - 1] == 0x22, base[index + keyCount] == 0x22,
                memcmp(base + index, key.utf8Start, keyCount) == 0
            {
                return index + keyCount + 1
            }
            position = index + 1
        }
        return nil
    }

    /// The range inside the quotes of a string value following a key that ends just
    /// before `index` (white space, colon, white space, then the opening quote).
    static func stringValue(_ line: UnsafeBufferPointer<UInt8>, afterKey index: Int) -> Range<Int>? {
        var i = index
        while i < line.count, isSpace(line[i]) { i += 1 }
        guard i < line.count, line[i] == 0x3A else { return nil }  // ':'
        i += 1
        while i < line.count, isSpace(line[i]) { i += 1 }
        guard i < line.count, line[i] == 0x22 else { return nil }
        let start = i + 1
        i = start
        while i < line.count {
            switch line[i] {
            case 0x5C: i += 2  // backslash escape
            case 0x22: return start..<i
            default: i += 1
            }
        }
        return nil
    }

    /// A string value's bytes as a String: a plain copy when there are no escapes (the
    /// common case for ids, paths and timestamps), the JSON decoder otherwise.
    static func decodeString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard UTF8Check.isValid(bytes) else { return nil }
        guard bytes.contains(0x5C) else { return String(decoding: bytes, as: UTF8.self) }
        // Rare (Windows paths, quotes in names): let the JSON decoder do it right.
        var literal = [UInt8]()
        literal.reserveCapacity(bytes.count + 2)
        literal.append(0x22)
        literal.append(contentsOf: bytes)
        literal.append(0x22)
        return try? JSONDecoder().decode(String.self, from: Data(literal))
    }

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Whether the line looks like one JSON object: `{` ... `}` around optional space.
    /// Cheap shape check for lines that are not decoded.
    static func looksLikeObject(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        var end = line.count
        while start < end, isSpace(line[start]) { start += 1 }
        while end > start, isSpace(line[end - 1]) { end -= 1 }
        return end - start >= 2 && line[start] == 0x7B && line[end - 1] == 0x7D
    }
}

/// UTF-8 validation with an ASCII fast path (eight bytes at a time), so checking every
/// line of a transcript costs little next to reading it.
enum UTF8Check {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var i = 0
        while i < count {
            // Skip ASCII words quickly.
            while i + 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < count else { return true }
            let lead = base[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F); minimum = 0x80
            case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F); minimum = 0x800
            case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07); minimum = 0x10000
            default: return false
            }
            guard i + length <= count else { return false }
            for k in 1..<length {
                let byte = base[i + k]
                guard byte & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return false }
            i += length
        }
        return true
    }
}
