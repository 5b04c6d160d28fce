import Foundation
import Testing
import _AIUsageTestSupport
@testable import AIUsageReaders
import AIUsageCore

@Suite struct RecordFileWalkerTests {
    @Test func findsNestedFilesAndSkipsNamesThatAreNotUTF8() throws {
        let folder = try TemporaryDirectory()
        try folder.write("a/one.jsonl", "{}\n")
        try folder.write("a/b/two.jsonl", "{}\n")
        try folder.write("a/notes.txt", "x\n")
        // A folder and a file whose names are not UTF-8, beside good ones.
        #expect(rawPath(folder.path + "/a/", [0xFF, 0x2D, 0x70]) { mkdir($0, 0o755) } == 0)
        let fd = rawPath(folder.path + "/a/b/bad-", [0xFE] + Array(".jsonl".utf8)) { open($0, O_CREAT | O_WRONLY, 0o644) }
        #expect(fd >= 0)
        close(fd)
        try folder.write("a/zzz/three.jsonl", "{}\n")

        let result = RecordFileWalker.files(under: folder.path) { $0.hasSuffix(".jsonl") }
        #expect(result.files == [folder.path + "/a/b/two.jsonl", folder.path + "/a/one.jsonl", folder.path + "/a/zzz/three.jsonl"])
        #expect(result.skippedNames == 2)
    }

    /// Calls `body` with the C path `prefix` + raw bytes `tail` (which may be invalid UTF-8).
    func rawPath(_ prefix: String, _ tail: [UInt8], _ body: (UnsafePointer<CChar>) -> Int32) -> Int32 {
        let bytes = Array(prefix.utf8) + tail + [0]
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    @Test func aMissingRootFindsNothing() {
        #expect(RecordFileWalker.files(under: "/nonexistent/aiusage") { _ in true }.files.isEmpty)
    }
}
