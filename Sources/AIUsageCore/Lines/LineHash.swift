/// The content part of a line's identity: a 64-bit FNV-1a hash of the line trimmed of
/// surrounding white space.
///
/// FNV-1a is stable across runs, platforms and Swift versions (unlike `Hasher`), which
/// matters because hashes are stored and compared across runs of the hook and backfill.
public struct LineHash: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: UInt64
    public init(value: UInt64) { self.value = value }

    /// Bit pattern as a signed integer, for SQLite's INTEGER column.
    public var storageValue: Int64 { Int64(bitPattern: value) }
    public init(storageValue: Int64) { self.value = UInt64(bitPattern: storageValue) }

    public static func < (lhs: LineHash, rhs: LineHash) -> Bool { lhs.value < rhs.value }
    public var description: String { String(value, radix: 16) }
}

/// Significance and hashing of single lines (PRODUCT.md, "Significant line").
public enum LineIdentity {
    /// Whether the trimmed line has at least one letter or digit. Blank lines and
    /// lone punctuation such as `}` or `});` are never counted on either side.
    public static func isSignificant<S: StringProtocol>(_ line: S) -> Bool {
        for scalar in line.unicodeScalars where scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
            return true
        }
        return false
    }

    /// Hash of the line trimmed of surrounding white space, or nil when the line is
    /// not significant.
    public static func significantHash<S: StringProtocol>(_ line: S) -> LineHash? {
        var utf8 = Array(line.utf8)
        // Trim ASCII white space (and a stray CR from CRLF files) at both ends.
        var start = 0
        var end = utf8.count
        while start < end, isSpace(utf8[start]) { start += 1 }
        while end > start, isSpace(utf8[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        if start > 0 || end < utf8.count { utf8 = Array(utf8[start..<end]) }
        guard isSignificantBytes(utf8) else { return nil }
        return LineHash(value: fnv1a(utf8))
    }

    /// Hashes of the significant lines of `text`, in order, with repeats.
    public static func significantHashes<S: StringProtocol>(ofText text: S) -> [LineHash] {
        // Split on the newline byte, not on Characters: Swift treats "\r\n" as one
        // Character, so splitting a CRLF text on "\n" would not split it at all.
        var result: [LineHash] = []
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { all in
            var start = 0
            for index in 0...all.count where index == all.count || all[index] == 0x0A {
                if index > start, let hash = significantHash(bytes: UnsafeBufferPointer(rebasing: all[start..<index])) {
                    result.append(hash)
                }
                start = index + 1
            }
        }
        return result
    }

    /// Hash of a line given as raw bytes (what libgit2 hands out), trimmed and checked
    /// for significance; invalid UTF-8 is hashed as it is, never a crash.
    public static func significantHash(bytes: UnsafeBufferPointer<UInt8>) -> LineHash? {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
        guard isSignificantBytes(slice) else { return nil }
        return LineHash(value: fnv1a(slice))
    }

    @inline(__always) public static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// Fast path for ASCII; any non-ASCII byte falls back to Unicode properties.
    static func isSignificantBytes<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var sawNonASCII = false
        for byte in bytes {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
            case 0x80...: sawNonASCII = true
            default: continue
            }
        }
        guard sawNonASCII else { return false }
        return isSignificant(String(decoding: Array(bytes), as: UTF8.self))
    }

    /// 64-bit FNV-1a: stable across runs, platforms and Swift versions.
    public static func fnv1a<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
