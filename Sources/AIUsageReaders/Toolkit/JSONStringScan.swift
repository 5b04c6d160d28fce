/// The end of a JSON string, found and judged in one pass: what every byte walk of the
/// toolkit (`JSONWalker`, `JSONWalk`) does for each key and each string value.
///
/// Strings are most of a transcript's bytes, and most strings are short keys. Jumping
/// from quote to quote with `memchr`, then checking the escapes and the control bytes
/// with three more `memchr` passes, cost four library calls per string and one more per
/// escaped quote: profiled on 1 GB of transcripts, those calls were a tenth of a first
/// ingest. Here one loop reads eight bytes at a time while none of them is a quote, a
/// backslash or a control byte, and looks at the bytes one by one only around those.
enum JSONStringScan {
    /// The index of the quote that ends the string whose contents start at `start` (just
    /// past its opening quote) in `p[0..<count]`; nil when the string is not closed, or
    /// holds what RFC 8259 forbids in a string: a control byte (U+0000 to U+001F, raw
    /// tab and CR included), or a backslash that does not start `\"`, `\\`, `\/`, `\b`,
    /// `\f`, `\n`, `\r`, `\t` or `\u` with four hex digits. A walk that accepted `"\q"`
    /// would count a line that JSON rejects.
    @inline(__always)
    static func end(_ p: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int? {
        var i = start
        while true {
            while i + 8 <= count, !mayHoldSpecial(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) { i += 8 }
            guard i < count else { return nil }
            let byte = p[i]
            if byte == quote { return i }
            if byte == backslash {
                guard i + 1 < count else { return nil }
                switch p[i + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                    i += 2
                case 0x75:  // u
                    guard i + 5 < count, isHex(p[i + 2]), isHex(p[i + 3]), isHex(p[i + 4]), isHex(p[i + 5]) else { return nil }
                    i += 6
                default:
                    return nil
                }
            } else if byte < 0x20 {
                return nil
            } else {
                i += 1
            }
        }
    }

    private static let quote: UInt8 = 0x22
    private static let backslash: UInt8 = 0x5C
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `word` is a quote, a backslash or below 0x20. Exact in that
    /// direction (no such byte is ever missed); a word where it says yes is read byte by
    /// byte up to the first such byte.
    @inline(__always)
    static func mayHoldSpecial(_ word: UInt64) -> Bool {
        // A byte is zero in `x` when (x - 1) borrows into its high bit and x's own high
        // bit is clear; below 0x20 the same way with 0x20 in place of 1.
        let quotes = word ^ (ones &* UInt64(quote))
        let slashes = word ^ (ones &* UInt64(backslash))
        let zeroQuote = (quotes &- ones) & ~quotes
        let zeroSlash = (slashes &- ones) & ~slashes
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroSlash | control) & highs != 0
    }

    @inline(__always)
    static func isHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
}
