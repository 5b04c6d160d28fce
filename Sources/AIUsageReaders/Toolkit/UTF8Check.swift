import AIUsageCore
/// UTF-8 validation of whole lines, fast enough to run on every byte of a transcript.
///
/// Readers skip a line that is not valid UTF-8, as `JSONDecoder` would, so every line
/// is checked before anything is read from it. Most bytes are ASCII: they go 32 at a
/// time (two 16-byte vector compares, one branch), then 8 at a time. A multi-byte sequence is checked against the
/// well-formed byte ranges of the Unicode standard (table 3-7: no overlong forms, no
/// surrogates, nothing above U+10FFFF) without decoding the scalar.
enum UTF8Check {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { scan(bytes, rejectingControls: false) }

    /// Whether `bytes` can be one line of JSON text: valid UTF-8 and no control byte
    /// (below 0x20) other than tab and CR. JSON allows raw control characters nowhere:
    /// inside strings they must be escaped, and between tokens only space, tab, CR and
    /// LF may appear (LF ends the line). A NUL or an escape byte in a record means the
    /// file was damaged; such a line is malformed as a whole, never read in part.
    /// Fused with the UTF-8 check so both cost one pass.
    static func isJSONLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { scan(bytes, rejectingControls: true) }

    @inline(__always)
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, rejectingControls: Bool) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        let highs: UInt64 = 0x8080_8080_8080_8080
        let spaces: UInt64 = 0x2020_2020_2020_2020
        /// Whether a word of ASCII bytes holds one below 0x20 (exact as a yes/no: the
        /// borrow can only mark bytes above one that really is below 0x20).
        @inline(__always) func hasControl(_ word: UInt64) -> Bool { (word &- spaces) & ~word & highs != 0 }
        let floor = SIMD16<Int8>(repeating: rejectingControls ? 0x20 : 0)
        var i = 0
        while i < count {
            // 32 bytes per step as two 16-byte vectors of signed bytes: a non-ASCII byte
            // is negative, a control byte is below 32, so one compare finds both (the
            // byte loop below tells which). As fast as the ASCII-only test it replaces.
            while i + 32 <= count {
                let raw = UnsafeRawPointer(base + i)
                let a = raw.loadUnaligned(as: SIMD16<Int8>.self)
                let b = raw.loadUnaligned(fromByteOffset: 16, as: SIMD16<Int8>.self)
                if any((a .< floor) .| (b .< floor)) { break }
                i &+= 32
            }
            while i + 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if word & highs != 0 || (rejectingControls && hasControl(word)) { break }
                i &+= 8
            }
            // Byte by byte until the next run of plain ASCII (or the end).
            while i < count {
                let lead = base[i]
                if lead < 0x80 {
                    if rejectingControls, lead < 0x20, lead != 0x09, lead != 0x0D { return false }
                    i &+= 1
                    if i & 7 == 0 { break }  // aligned again: back to the word loops
                    continue
                }
                @inline(__always) func continuation(_ k: Int) -> Bool { base[k] & 0xC0 == 0x80 }
                switch lead {
                case 0xC2...0xDF:
                    guard i + 1 < count, continuation(i + 1) else { return false }
                    i &+= 2
                case 0xE0...0xEF:
                    guard i + 2 < count, continuation(i + 2) else { return false }
                    let second = base[i + 1]
                    let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80  // 0xE0 0x80...0x9F is overlong
                    let high: UInt8 = lead == 0xED ? 0x9F : 0xBF  // 0xED 0xA0... are surrogates
                    guard second >= low, second <= high else { return false }
                    i &+= 3
                case 0xF0...0xF4:
                    guard i + 3 < count, continuation(i + 2), continuation(i + 3) else { return false }
                    let second = base[i + 1]
                    let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80  // 0xF0 0x80...0x8F is overlong
                    let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF  // above 0xF4 0x8F is past U+10FFFF
                    guard second >= low, second <= high else { return false }
                    i &+= 4
                default:
                    return false  // a stray continuation byte, 0xC0, 0xC1 or 0xF5 and above
                }
            }
        }
        return true
    }
}
