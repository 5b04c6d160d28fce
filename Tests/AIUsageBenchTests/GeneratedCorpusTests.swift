import AIUsageCore
import AIUsageReaders
import Foundation
import Testing

@testable import aiusage_bench

/// The bench's corpora must be read by aiusage's own readers as the bench says they are
/// written: every billed request counted once, edits seen, scripted edits carrying
/// exactly the lines of their commits. Timings are not tested here (BENCHMARKS.md).
@Suite struct GeneratedCorpusTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "aiusage-bench-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func pool() -> TextPool {
        var random = SeededRandom(seed: 7)
        return TextPool(random: &random, fileCount: 20, fileBytes: (200, 8_000), shellBytes: (100, 4_000))
    }

    /// Every batch a reader gives for one file.
    func read(_ reader: some SessionReader, _ path: String) throws -> ReadBatch {
        var all = ReadBatch()
        _ = try reader.read(path: path, from: 0, state: nil) { batch in
            all.usage += batch.usage
            all.edits += batch.edits
            all.observations += batch.observations
        }
        return all
    }

    @Test func claudeSessionsReadAsWritten() throws {
        var writer = ClaudeSessionWriter(
            pool: pool(), seed: 11, cwd: folder + "/project", startMilliseconds: CorpusClock.endMilliseconds - 86_400_000)
        let path = folder + "/claude.jsonl"
        let file = try BufferedFile(path: path)
        try writer.write(to: file, targetBytes: 400_000)
        try file.close()
        let batch = try read(ClaudeCodeReader(), path)
        #expect(writer.requests > 20)
        #expect(Set(batch.usage.map(\.dedupKey)).count == writer.requests)
        #expect(!batch.edits.isEmpty)
        #expect(batch.edits.allSatisfy { $0.cwd == folder + "/project" })
    }

    @Test func codexRolloutsReadAsWritten() throws {
        var writer = CodexSessionWriter(
            pool: pool(), seed: 12, cwd: folder + "/project", startMilliseconds: CorpusClock.endMilliseconds - 86_400_000)
        let path = folder + "/rollout.jsonl"
        let file = try BufferedFile(path: path)
        try writer.write(to: file, targetBytes: 400_000)
        try file.close()
        let batch = try read(CodexReader(), path)
        #expect(writer.requests > 20)
        #expect(batch.usage.count == writer.requests)
        #expect(!batch.edits.isEmpty)
    }

    @Test func scriptedEditsCarryTheCommitsLines() throws {
        let repo = folder + "/repo"
        let at = CorpusClock.endMilliseconds - 3_600_000
        let edits = [
            ScriptedEdit(
                path: repo + "/src/a.swift", anchor: "let first = 1", added: ["let second = 2", "}", "print(second)"],
                before: ["import Foundation", "let first = 1", "let third = 3"], created: false, milliseconds: at),
            ScriptedEdit(
                path: repo + "/src/b.swift", anchor: nil, added: ["struct Bee {", "    var wings = 4", "}"], before: [], created: true,
                milliseconds: at + 600_000),
        ]
        var writer = ClaudeSessionWriter(pool: pool(), seed: 13, cwd: repo, startMilliseconds: at - 3_600_000)
        let path = folder + "/history.jsonl"
        let file = try BufferedFile(path: path)
        try writer.write(to: file, edits: edits)
        try file.close()
        let batch = try read(ClaudeCodeReader(), path)
        for edit in edits {
            let found = batch.edits.filter { $0.absolutePath == edit.path }
            #expect(found.count == 1, "\(edit.path)")
            let expected = edit.added.compactMap { LineIdentity.significantHash($0) }
            #expect(found.first.map { Set($0.addedLines) } == Set(expected))
            // Written before its commit (a commit comes at least two minutes after `milliseconds`).
            #expect(found.first.map { $0.timestamp.timeIntervalSince1970 * 1000 < Double(edit.milliseconds) + 60_000 } == true)
        }
    }

    @Test func historyStreamIsDeterministic() throws {
        func stream(seed: UInt64) throws -> Data {
            let path = folder + "/stream-\(seed)-\(UUID().uuidString)"
            let output = try BufferedFile(path: path)
            let settings = HistoryGenerator.Settings(
                commits: 600, seed: seed, endSeconds: CorpusClock.endMilliseconds / 1000, secondsPerCommit: 900, longLivedBranches: 2,
                recordLast: 200)
            let result = try HistoryGenerator(settings: settings, output: output).generate()
            try output.close()
            #expect(result.counts.values.reduce(0, +) >= 600)
            #expect(!result.recorded.isEmpty)
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        #expect(try stream(seed: 5) == stream(seed: 5))
        #expect(try stream(seed: 5) != stream(seed: 6))
    }
}
