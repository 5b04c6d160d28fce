import Foundation
import Testing

import CJSONScan

@testable import AIUsageReaders

/// `JSONStringScan.end` reads sixteen bytes at a time between the bytes that matter; it
/// must judge every string exactly as a plain byte-by-byte reading of RFC 8259 does,
/// wherever the quote, the escape or the control byte falls in a word.
@Suite struct JSONStringScanTests {
    /// RFC 8259's string grammar, one byte at a time: the reference.
    static func reference(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case 0x22: return i
            case 0x5C:
                guard i + 1 < bytes.count else { return nil }
                switch bytes[i + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 2
                case 0x75:
                    guard i + 5 < bytes.count,
                        bytes[(i + 2)...(i + 5)].allSatisfy({
                            UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0
                                || UInt8(ascii: "A")...UInt8(ascii: "F") ~= $0
                        })
                    else { return nil }
                    i += 6
                default: return nil
                }
            case 0x00..<0x20: return nil
            default: i += 1
            }
        }
        return nil
    }

    static func scan(_ bytes: [UInt8], from start: Int = 0) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return JSONStringScan.end(base, from: start, count: buffer.count)
        }
    }

    @Test func judgesTheCasesThatMatter() {
        func end(_ text: String) -> Int? { Self.scan(Array(text.utf8)) }
        #expect(end(#"abc" tail"#) == 3)
        #expect(end(#"a long string of more than eight bytes before its end" x"#) == 53)
        #expect(end(#"escaped \" quote and \\" x"#) == 23)
        #expect(end(#"\\\"" x"#) == 4)
        #expect(end(#"unicode \u00e9 and \uD83D\uDE00 ok""#) == 34)
        #expect(end(#"bad \q escape""#) == nil)
        #expect(end(#"short \u12 escape""#) == nil)
        #expect(end(#"cut \u00"#) == nil)
        #expect(end("raw\ttab\"") == nil)
        #expect(end("raw\rcarriage return\"") == nil)
        #expect(end("raw\nnewline\"") == nil)
        #expect(end("nul\u{0}byte\"") == nil)
        #expect(end("no end") == nil)
        #expect(end("ends with a backslash \\") == nil)
        #expect(end("héllo wörld — ünïcode bytes above 0x7F\"") == Array("héllo wörld — ünïcode bytes above 0x7F".utf8).count)
        #expect(end("\"") == 0)
        #expect(end("") == nil)
    }

    /// Random strings over an alphabet of the bytes that matter, each special byte at
    /// every position of a block: the scan and the reference agree on every one.
    @Test func agreesWithTheReferenceOnRandomStrings() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("ab u01fF\"\\/nrtq".utf8) + [0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x7F, 0x80, 0xC3, 0xA9, 0xFF]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...80, using: &generator)
            // Mostly plain letters, so that whole words are skipped too.
            let bytes = (0..<length).map { _ in
                Int.random(in: 0..<4, using: &generator) == 0
                    ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0x61...0x7A, using: &generator)
            }
            let start = length == 0 ? 0 : Int.random(in: 0..<length, using: &generator)
            #expect(Self.scan(bytes, from: start) == Self.reference(bytes, from: start), "\(bytes) from \(start)")
        }
    }

    /// The vector loop stops at the first quote, backslash or control byte wherever it
    /// falls in or after a block of sixteen, and at the end when there is none.
    @Test func theStopLoopFindsTheFirstSpecialByteAtEveryPosition() {
        for length in [0, 1, 15, 16, 17, 31, 32, 33, 47, 70] {
            let plain = [UInt8](repeating: 0x61, count: length)
            let none = plain.withUnsafeBufferPointer { Int(aiusage_json_string_stop($0.baseAddress, 0, length)) }
            #expect(none == length, "no special byte in \(length)")
            for special: UInt8 in [0x22, 0x5C] + Array(0x00..<0x20) {
                for position in 0..<length {
                    for start in [0, 1, 5].filter({ $0 <= position }) {
                        var bytes = plain
                        bytes[position] = special
                        // A second one later: the first is the answer.
                        if position + 3 < length { bytes[position + 3] = 0x22 }
                        let stop = bytes.withUnsafeBufferPointer { Int(aiusage_json_string_stop($0.baseAddress, start, length)) }
                        #expect(stop == position, "byte \(special) at \(position) of \(length) from \(start)")
                    }
                }
            }
        }
        // Bytes that are none of them, the high ones included (signed compares would
        // take them for control bytes).
        let plain: [UInt8] = Array(repeating: [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF], count: 5).flatMap { $0 }
        let stop = plain.withUnsafeBufferPointer { Int(aiusage_json_string_stop($0.baseAddress, 0, plain.count)) }
        #expect(stop == plain.count)
    }
}
