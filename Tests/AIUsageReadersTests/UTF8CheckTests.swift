@testable import AIUsageReaders
import AIUsageCore
import Testing

/// Lines are skipped when they are not UTF-8, so the fast check must agree with the
/// standard library's decoder on every input, valid or not.
@Suite struct UTF8CheckTests {
    func check(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { UTF8Check.isValid($0) } }
    func reference(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }

    @Test func edgeCasesOfTheStandard() {
        let cases: [[UInt8]] = [
            [], Array("plain ascii text that is longer than thirty-two bytes, to use the word loop".utf8),
            Array("é — 日本 😀 \u{10FFFF} \u{FFFD}".utf8),
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xE0, 0xA0, 0x80],
            [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xEE, 0x80, 0x80],
            [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
            [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x80], [0xBF, 0x41], [0xC3], [0xE6, 0x97], [0xF0, 0x9F, 0x98],
            [0xC3, 0x41], [0xE6, 0x41, 0xA5], [0xF0, 0x9F, 0x41, 0x80],
        ]
        for bytes in cases {
            #expect(check(bytes) == reference(bytes), "\(bytes)")
            // The same bytes after a long ASCII run and before one, crossing the word loops.
            let padded = Array(repeating: UInt8(ascii: "a"), count: 37) + bytes + Array(repeating: UInt8(ascii: "b"), count: 41)
            #expect(check(padded) == reference(padded), "padded \(bytes)")
        }
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var generator = SplitMix(seed: 42)
        let pieces: [[UInt8]] = [
            Array("ascii ".utf8), Array("é".utf8), Array("日".utf8), Array("😀".utf8), [0x80], [0xC3], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xE0, 0x80, 0x80], Array("{\"k\": \"v\"}".utf8),
        ]
        var invalid = 0
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(generator.next() % 40) {
                // Mostly valid pieces, with an occasional invalid one or a random byte.
                let roll = generator.next() % 10
                if roll < 7 {
                    bytes += pieces[Int(generator.next() % 4)] + pieces[9]
                } else if roll < 9 {
                    bytes += pieces[Int(generator.next() % UInt64(pieces.count))]
                } else {
                    bytes.append(UInt8(truncatingIfNeeded: generator.next()))
                }
            }
            let expected = reference(bytes)
            if !expected { invalid += 1 }
            #expect(check(bytes) == expected, "\(bytes)")
        }
        #expect(invalid > 300 && invalid < 2700, "the generator should give both kinds: \(invalid) invalid")
    }
}

/// A small deterministic generator, so a failure can be replayed.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
