import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

/// The shared line reader: the two rules every reader gets from it (malformed lines and
/// over-long lines are skipped and counted), and compressed files read the same way.
@Suite struct JSONLinesFileTests {
    /// Every line handed out, with the offset past it.
    private func lines(
        _ path: String, from offset: Int64 = 0, chunkSize: Int = 1 << 18, maxLineBytes: Int = JSONLinesFile.defaultMaxLineBytes
    ) throws -> (lines: [String], ends: [Int64], outcome: JSONLinesFile.Outcome) {
        var lines: [String] = []
        var ends: [Int64] = []
        let outcome = try JSONLinesFile.forEachLine(path: path, from: offset, chunkSize: chunkSize, maxLineBytes: maxLineBytes) {
            lines.append(String(decoding: $0, as: UTF8.self))
            ends.append($1)
        }
        return (lines, ends, outcome)
    }

    @Test func controlBytesMakeALineMalformedButTabAndCRDoNot() throws {
        let dir = try TemporaryDirectory()
        var data = Data(#"{"a":1}"#.utf8 + [0x0A])
        data += Data(#"{"b":"x"#.utf8) + Data([0x00]) + Data(#""}"#.utf8) + Data([0x0A])  // NUL inside a string
        data += Data(#"{"c":"#.utf8) + Data([0x1B]) + Data("1}".utf8) + Data([0x0A])  // ESC between tokens
        data += Data("{\"d\":\t2}\r".utf8) + Data([0x0A])  // tab between tokens, CRLF end: fine
        // A control byte after 40 bytes of ASCII, where the word loops look at it.
        data += Data(String(repeating: "x", count: 40).utf8) + Data([0x01]) + Data("tail".utf8) + Data([0x0A])
        data += Data([0xC3, 0x28, 0x0A])  // not UTF-8
        data += Data(#"{"e":"é"}"#.utf8 + [0x0A])
        let path = try dir.write("a.jsonl", "")
        try dir.append("a.jsonl", data)
        let result = try lines(path)
        #expect(result.lines == [#"{"a":1}"#, "{\"d\":\t2}\r", #"{"e":"é"}"#])
        #expect(result.outcome.malformedLines == 4)
        #expect(result.outcome.overlongLines == 0)
        #expect(result.outcome.skippedLines == 4)
        #expect(result.outcome.consumedTo == Int64(data.count))
    }

    /// The JSON-text rule is for JSON files: Aider's Markdown history keeps the escape
    /// bytes of the terminal output it quotes, and its lines are handed out as they are.
    @Test func otherTextFilesAreNotCheckedAsJSON() throws {
        let dir = try TemporaryDirectory()
        var data = Data("> Applied edit to a.py".utf8) + Data([0x1B]) + Data("[0m\n".utf8)
        data += Data([0xC3, 0x28, 0x0A])
        let path = try dir.write(".aider.chat.history.md", "")
        try dir.append(".aider.chat.history.md", data)
        let result = try lines(path)
        #expect(result.lines.count == 2)
        #expect(result.outcome.malformedLines == 0)
        #expect(JSONLinesFile.holdsJSON("/a/b.jsonl") && JSONLinesFile.holdsJSON("/a/b.jsonl.zst"))
        #expect(JSONLinesFile.holdsJSON("/a/b.json") && !JSONLinesFile.holdsJSON("/a/.aider.llm.history"))
    }

    @Test func jsonLineCheckAgreesWithItsDefinition() {
        // Valid UTF-8 and no byte below 0x20 other than tab and CR, at every position
        // around the 8- and 32-byte word loops.
        for length in [1, 7, 8, 9, 31, 32, 33, 40, 64, 70] {
            for position in 0..<length {
                for control: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1B, 0x1F, 0x20, 0x7F] {
                    var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = control
                    let expected = control >= 0x20 || control == 0x09 || control == 0x0D
                    #expect(bytes.withUnsafeBufferPointer { UTF8Check.isJSONLine($0) } == expected, "\(length) \(position) \(control)")
                }
            }
        }
        let multiByte = Array("é日😀".utf8)
        #expect(multiByte.withUnsafeBufferPointer { UTF8Check.isJSONLine($0) })
        #expect((multiByte + [0x00]).withUnsafeBufferPointer { UTF8Check.isJSONLine($0) } == false)
        #expect([0xC3, 0x28].withUnsafeBufferPointer { UTF8Check.isJSONLine($0) } == false)
    }

    @Test func overlongLinesAreSkippedCountedAndTheOffsetStaysRight() throws {
        let dir = try TemporaryDirectory()
        let long = "{\"big\":\"" + String(repeating: "z", count: 500) + "\"}"
        let text = "{\"n\":1}\n" + long + "\n{\"n\":2}\n" + String(repeating: "y", count: 120) + "\n{\"n\":3}\n"
        let path = try dir.write("a.jsonl", text)
        // Small chunks, so the long lines cross many reads; a 64-byte limit.
        let result = try lines(path, chunkSize: 16, maxLineBytes: 64)
        #expect(result.lines == ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"])
        #expect(result.outcome.overlongLines == 2)
        #expect(result.outcome.malformedLines == 0)
        #expect(result.outcome.consumedTo == Int64(text.utf8.count))
        #expect(result.outcome.trailingBytes == 0)
        // The offsets handed out are those of the file, the skipped lines included.
        #expect(result.ends == [8, Int64(8 + long.utf8.count + 1 + 8), Int64(text.utf8.count)])
        // A line of exactly the limit is handed out; one byte more is not.
        let exact = try dir.write("b.jsonl", String(repeating: "q", count: 64) + "\n" + String(repeating: "r", count: 65) + "\n")
        let edge = try lines(exact, chunkSize: 8, maxLineBytes: 64)
        #expect(edge.lines.map(\.count) == [64])
        #expect(edge.outcome.overlongLines == 1)
        // The same with a chunk larger than the limit (the line is seen whole at once).
        let wide = try lines(path, chunkSize: 4096, maxLineBytes: 64)
        #expect(wide.lines == result.lines && wide.outcome == result.outcome)
    }

    @Test func anOverlongLineStillBeingWrittenIsLeftForTheNextRun() throws {
        let dir = try TemporaryDirectory()
        let head = "{\"n\":1}\n"
        let path = try dir.write("a.jsonl", head + String(repeating: "w", count: 300))
        let first = try lines(path, chunkSize: 32, maxLineBytes: 100)
        #expect(first.lines == ["{\"n\":1}"])
        // Not counted yet (its end is not known), and not consumed: the next run starts
        // at the long line again.
        #expect(first.outcome.overlongLines == 0)
        #expect(first.outcome.consumedTo == Int64(head.utf8.count))
        #expect(first.outcome.trailingBytes == 300)

        try dir.append("a.jsonl", Data((String(repeating: "w", count: 50) + "\n{\"n\":2}\n").utf8))
        let second = try lines(path, from: first.outcome.consumedTo, chunkSize: 32, maxLineBytes: 100)
        #expect(second.lines == ["{\"n\":2}"])
        #expect(second.outcome.overlongLines == 1)
        #expect(second.outcome.consumedTo == Int64(head.utf8.count + 351 + 8))
        #expect(second.outcome.trailingBytes == 0)
    }

    @Test func aLongLineWithinTheLimitStillGrowsTheBuffer() throws {
        let dir = try TemporaryDirectory()
        let long = "{\"s\":\"" + String(repeating: "é", count: 5000) + "\"}"
        let path = try dir.write("a.jsonl", long + "\n" + long + "\n")
        let result = try lines(path, chunkSize: 64)
        #expect(result.lines == [long, long])
        #expect(result.outcome.skippedLines == 0)
    }

    // MARK: Compressed files

    private let sessionbin = "sessionbin-rollout-2026-09-14T10-20-48-01a0a04a-bfb2-7e12-8e42-9bdd2783d9d2.jsonl"

    @Test func aZstdFileGivesTheLinesOfItsPlainForm() throws {
        let plain = try lines(Samples.path("codex", sessionbin))
        let compressed = try lines(Samples.path("codex", sessionbin + ".zst"), chunkSize: 1000)
        #expect(plain.lines.count == 41)
        #expect(compressed.lines == plain.lines)
        // Offsets are positions in the decompressed stream: the same as the plain file's.
        #expect(compressed.ends == plain.ends)
        #expect(compressed.outcome == plain.outcome)
        // Starting at an offset skips that many decompressed bytes.
        let tail = try lines(Samples.path("codex", sessionbin + ".zst"), from: plain.ends[9], chunkSize: 700)
        #expect(tail.lines == Array(plain.lines[10...]))
        #expect(JSONLinesFile.isCompressed("x.jsonl.zst") && !JSONLinesFile.isCompressed("x.jsonl"))
    }

    @Test func damagedAndTruncatedZstdFilesThrowAndAnEmptyOneIsEmpty() throws {
        let dir = try TemporaryDirectory()
        let original = try Data(contentsOf: URL(fileURLWithPath: Samples.path("codex", sessionbin + ".zst")))
        let truncated = dir.path + "/cut.jsonl.zst"
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect(throws: (any Error).self) {
            _ = try JSONLinesFile.forEachLine(path: truncated, from: 0) { _, _ in }
        }
        let garbage = try dir.write("garbage.jsonl.zst", "this is not zstd at all\n")
        do {
            _ = try JSONLinesFile.forEachLine(path: garbage, from: 0) { _, _ in }
            Issue.record("garbage decompressed")
        } catch {
            // One sentence that names the file and libzstd's reason.
            #expect("\(error)".contains("garbage.jsonl.zst"))
            #expect("\(error)".contains("ZSTD_decompressStream"))
        }
        let empty = try dir.write("empty.jsonl.zst", "")
        let result = try lines(empty)
        #expect(result.lines.isEmpty && result.outcome.consumedTo == 0)
    }
}
