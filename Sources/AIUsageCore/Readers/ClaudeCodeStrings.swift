import Foundation

/// String values found by the fast walk (`ClaudeLineScan`), turned into Swift strings.
enum JSONFieldScan {
    /// A string value's bytes (inside the quotes) as a String, or nil when they are not
    /// valid UTF-8 or not a valid JSON string: a plain copy when there are no escapes
    /// (the common case for ids, paths and timestamps), the JSON decoder otherwise.
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
