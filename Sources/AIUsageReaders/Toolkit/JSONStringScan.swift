import CJSONScan

/// The end of a JSON string, found and judged in one pass: what every byte walk of the
/// toolkit (`JSONWalker`, `JSONWalk`) does for each key and each string value.
///
/// Strings are most of a transcript's bytes, and most strings are short keys. Jumping
/// from quote to quote with `memchr`, then checking the escapes and the control bytes
/// with three more `memchr` passes, cost four library calls per string and one more per
/// escaped quote: profiled on 1 GB of transcripts, those calls were a tenth of a first
/// ingest. Here one loop (`aiusage_json_string_stop`, sixteen bytes at a time in C with
/// SSE2) runs to the next quote, backslash or control byte, and only those are looked
/// at one by one. Eight bytes at a time in Swift had cost 15 % of a first ingest.
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
            i = aiusage_json_string_stop(p, i, count)
            guard i < count else { return nil }
            let byte = p[i]
            if byte == quote { return i }
            // Not a quote: a backslash or a control byte.
            guard byte == backslash, i + 1 < count else { return nil }
            switch p[i + 1] {
            case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                i += 2
            case 0x75:  // u
                guard i + 5 < count, isHex(p[i + 2]), isHex(p[i + 3]), isHex(p[i + 4]), isHex(p[i + 5]) else { return nil }
                i += 6
            default:
                return nil
            }
        }
    }

    private static let quote: UInt8 = 0x22
    private static let backslash: UInt8 = 0x5C

    @inline(__always)
    static func isHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
}
