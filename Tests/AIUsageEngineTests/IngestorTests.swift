import AIUsageCore
import AIUsageEngine
import AIUsageReaders
@testable import AIUsageStore
import Foundation
import GRDB
import Testing
import _AIUsageTestSupport

/// Incremental ingest: a second run reads only new bytes, and appending, rotating or
/// deleting a transcript loses and double-counts nothing.
@Suite struct IngestorTests {
    struct Setup {
        let home: TemporaryDirectory
        let storeDirectory: TemporaryDirectory
        let store: Store
        let transcripts: TranscriptWriter
        let ingestor: Ingestor

        init() throws {
            home = try TemporaryDirectory(prefix: "aiusage-home")
            storeDirectory = try TemporaryDirectory(prefix: "aiusage-store")
            store = try Store(location: StoreLocation(directory: storeDirectory.path))
            transcripts = TranscriptWriter(home: home.path)
            ingestor = Ingestor(
                store: store, readers: [ClaudeCodeReader(), CodexReader()], environment: ReaderEnvironment(home: home.path))
        }

        func totals() throws -> TokenCounts { try store.usage().reduce(TokenCounts()) { $0 + $1.tokens } }
    }

    @Test func aSecondRunReadsOnlyNewBytes() throws {
        let s = try Setup()
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1000, input: 10, output: 1)
        let first = try s.ingestor.run()
        let size = try FileManager.default.attributesOfItem(atPath: s.transcripts.claudePath(session: "a"))[.size] as! Int
        #expect(first.bytesRead == Int64(size))
        let idle = try s.ingestor.run()
        #expect(idle.filesRead == 0)
        #expect(idle.bytesRead == 0)
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1001, input: 20, output: 2)
        let grown = try FileManager.default.attributesOfItem(atPath: s.transcripts.claudePath(session: "a"))[.size] as! Int
        let second = try s.ingestor.run()
        #expect(second.bytesRead == Int64(grown - size))
        #expect(try s.totals() == TokenCounts(input: 30, output: 3))
    }

    @Test func aTruncatedLastLineIsReadOnceItIsComplete() throws {
        let s = try Setup()
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1000, input: 10, output: 1)
        let path = s.transcripts.claudePath(session: "a")
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        // Write a second record without its end, as a tool mid-write would.
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1001, input: 20, output: 2)
        let both = try Data(contentsOf: URL(fileURLWithPath: path))
        let second = both.suffix(from: full.count)
        try (full + second.prefix(25)).write(to: URL(fileURLWithPath: path))
        _ = try s.ingestor.run()
        #expect(try s.totals() == TokenCounts(input: 10, output: 1))
        try both.write(to: URL(fileURLWithPath: path))
        _ = try s.ingestor.run()
        #expect(try s.totals() == TokenCounts(input: 30, output: 3))
    }

    @Test func aRotatedFileIsReadAgainWithoutDoubleCounting() throws {
        let s = try Setup()
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1000, input: 10, output: 1)
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1001, input: 20, output: 2)
        _ = try s.ingestor.run()
        // Replace the file (new inode) with the same records plus one: a rotation or a
        // rewrite by the tool. Everything is read again; nothing counts twice.
        let path = s.transcripts.claudePath(session: "a")
        let old = try Data(contentsOf: URL(fileURLWithPath: path))
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")  // kept, so the new file gets a new inode
        try old.write(to: URL(fileURLWithPath: path))
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1002, input: 40, output: 4)
        let summary = try s.ingestor.run()
        #expect(summary.filesRestarted == 1)
        #expect(try s.totals() == TokenCounts(input: 70, output: 7))
    }

    /// Issue 10: a file rewritten with other content replaces what its earlier version
    /// gave (it used to be added to it).
    @Test func aFileRewrittenInPlaceWithOtherContentIsReadFromTheStart() throws {
        let s = try Setup()
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1000, input: 10, output: 1)
        _ = try s.ingestor.run()
        let path = s.transcripts.claudePath(session: "a")
        // Same inode, different head: truncate and write other records.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.close()
        try s.transcripts.claudeUsage(session: "b", cwd: "/w", at: 2000, input: 100, output: 10)
        try s.transcripts.claudeUsage(session: "b", cwd: "/w", at: 2001, input: 100, output: 10)
        _ = try s.ingestor.run()
        #expect(try s.totals() == TokenCounts(input: 200, output: 20))
    }

    /// Totals of a store that reads `home`'s files for the first time.
    func freshTotals(_ s: Setup) throws -> TokenCounts {
        let store = try Store(location: StoreLocation(directory: try TemporaryDirectory(prefix: "aiusage-fresh").path))
        _ = try Ingestor(store: store, readers: [ClaudeCodeReader(), CodexReader()], environment: ReaderEnvironment(home: s.home.path))
            .run()
        return try store.usage().reduce(TokenCounts()) { $0 + $1.tokens }
    }

    /// A Codex rollout in two versions with the same first bytes and the same size, but
    /// other token counts after them (issue 10: a rewrite with the same size and head was
    /// never read again).
    func codexVersions(_ s: Setup, session: String) throws -> (Data, Data) {
        try s.transcripts.codexStart(session: session, cwd: "/w", at: 1000)
        let head = try Data(contentsOf: URL(fileURLWithPath: s.transcripts.codexPath(session: session)))
        let padding = String(repeating: "x", count: 5000)
        func tail(_ input: Int, _ output: Int) -> Data {
            Data(
                (#"{"timestamp":"2024-01-01T00:00:10Z","type":"event_msg","payload":{"type":"agent_message","message":"\#(padding)"}}"#
                    + "\n"
                    + #"{"timestamp":"2024-01-01T00:00:20Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":\#(input),"cached_input_tokens":0,"output_tokens":\#(output),"reasoning_output_tokens":0,"total_tokens":\#(input + output)}}}}"#
                    + "\n").utf8)
        }
        return (head + tail(1000, 200), head + tail(9000, 800))
    }

    @Test func aRewriteWithTheSameSizeAndHeadIsReadAgain() throws {
        let s = try Setup()
        let (first, second) = try codexVersions(s, session: "c1")
        #expect(first.count == second.count)
        let url = URL(fileURLWithPath: s.transcripts.codexPath(session: "c1"))
        try first.write(to: url)
        _ = try s.ingestor.run()
        #expect(try s.totals().input == 1000)
        // Rewritten in place (same inode), same size, same first 4 KB.
        let handle = try FileHandle(forWritingTo: url)
        try handle.write(contentsOf: second)
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: url.path)
        _ = try s.ingestor.run()
        #expect(try s.totals() == (try freshTotals(s)))
        #expect(try s.totals().input == 9000)
    }

    @Test func aReplacedVersionReplacesItsRows() throws {
        let s = try Setup()
        let (first, second) = try codexVersions(s, session: "c2")
        let path = s.transcripts.codexPath(session: "c2")
        try first.write(to: URL(fileURLWithPath: path))
        _ = try s.ingestor.run()
        // Another version of the file takes its place (new inode, as an editor's save does).
        try second.write(to: URL(fileURLWithPath: path + ".tmp"))
        _ = rename(path + ".tmp", path)
        _ = try s.ingestor.run()
        #expect(try s.totals() == (try freshTotals(s)))
        #expect(try s.totals().input == 9000)
    }

    @Test func aRenamedFileKeepsItsRowsOnceAndFollowsItsNewName() throws {
        let s = try Setup()
        let (first, second) = try codexVersions(s, session: "c3")
        let path = s.transcripts.codexPath(session: "c3")
        try first.write(to: URL(fileURLWithPath: path))
        _ = try s.ingestor.run()
        let renamed = (path as NSString).deletingLastPathComponent + "/rollout-2024-01-01T00-00-00-c3-renamed.jsonl"
        try FileManager.default.moveItem(atPath: path, toPath: renamed)
        let afterRename = try s.ingestor.run()
        #expect(afterRename.bytesRead == 0)
        #expect(try s.totals() == (try freshTotals(s)))
        // The renamed file is then rewritten: its rows follow it.
        try second.write(to: URL(fileURLWithPath: renamed))
        _ = try s.ingestor.run()
        #expect(try s.totals() == (try freshTotals(s)))
    }

    /// Two copies of one session (an archive): when one is rewritten without some
    /// records, the other copy still counts them.
    @Test func aRewrittenFileDoesNotTakeItsCopysRecordsWithIt() throws {
        let s = try Setup()
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1000, input: 10, output: 1)
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1001, input: 20, output: 2)
        let path = s.transcripts.claudePath(session: "a")
        let copy = (path as NSString).deletingLastPathComponent + "/a-copy.jsonl"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        _ = try s.ingestor.run()
        #expect(try s.totals() == TokenCounts(input: 30, output: 3))
        // The original is rewritten with its first record only.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        try (lines[0] + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        _ = try s.ingestor.run()
        #expect(try s.totals() == (try freshTotals(s)))
        #expect(try s.totals() == TokenCounts(input: 30, output: 3))
    }

    @Test func aDeletedFileKeepsWhatWasIngested() throws {
        let s = try Setup()
        try s.transcripts.claudeUsage(session: "a", cwd: "/w", at: 1000, input: 10, output: 1)
        _ = try s.ingestor.run()
        try FileManager.default.removeItem(atPath: s.transcripts.claudePath(session: "a"))
        let summary = try s.ingestor.run()
        #expect(summary.errors.isEmpty)
        #expect(try s.totals() == TokenCounts(input: 10, output: 1))
        #expect(try s.store.sessions().count == 1)
    }

    @Test func codexStateCarriesAcrossRuns() throws {
        let s = try Setup()
        try s.transcripts.codexStart(session: "c1", cwd: "/w", at: 1000)
        try s.transcripts.codexTokens(session: "c1", at: 1001, input: 100, cached: 40, output: 10, reasoning: 5)
        _ = try s.ingestor.run()
        try s.transcripts.codexTokens(session: "c1", at: 1002, input: 100, cached: 40, output: 10, reasoning: 5)
        try s.transcripts.codexTokens(session: "c1", at: 1003, input: 250, cached: 140, output: 30, reasoning: 9)
        _ = try s.ingestor.run()
        #expect(try s.totals() == TokenCounts(input: 110, output: 30, cacheWrite: 0, cacheRead: 140, reasoning: 9))
    }

    @Test func anArchivedCopyOfACodexSessionIsNotCountedTwice() throws {
        let s = try Setup()
        try s.transcripts.codexStart(session: "c1", cwd: "/w", at: 1000)
        try s.transcripts.codexTokens(session: "c1", at: 1001, input: 100, cached: 40, output: 10, reasoning: 5)
        let archived = s.home.path + "/.codex/archived_sessions/rollout-2024-01-01T00-00-00-c1.jsonl"
        try FileManager.default.createDirectory(atPath: s.home.path + "/.codex/archived_sessions", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: s.transcripts.codexPath(session: "c1"), toPath: archived)
        _ = try s.ingestor.run()
        #expect(try s.totals() == TokenCounts(input: 60, output: 10, cacheWrite: 0, cacheRead: 40, reasoning: 5))
    }

    @Test func claudeStreamingRepeatsKeepTheLargestCountsAcrossRuns() throws {
        let s = try Setup()
        let path = s.transcripts.claudePath(session: "a")
        func line(_ output: Int) -> String {
            #"{"type":"assistant","sessionId":"a","cwd":"/w","timestamp":"2024-01-01T00:00:00Z","requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-5","usage":{"input_tokens":5,"output_tokens":\#(output),"cache_creation_input_tokens":0,"cache_read_input_tokens":100},"content":[{"type":"text","text":"x"}]}}"#
                + "\n"
        }
        try s.home.write(".claude/projects/test-project/a.jsonl", line(1) + line(8))
        _ = try s.ingestor.run()
        try s.home.append(".claude/projects/test-project/a.jsonl", Data((line(407) + line(8)).utf8))
        _ = try s.ingestor.run()
        #expect(try s.totals() == TokenCounts(input: 5, output: 407, cacheRead: 100))
        #expect(FileManager.default.fileExists(atPath: path))
    }

    /// The writer commits several files' batches together; when that fails, only the
    /// file whose rows were refused keeps its old cursor, and the next run reads it again.
    @Test func aRefusedWriteHoldsBackOnlyItsOwnFile() throws {
        let s = try Setup()
        for index in 0..<6 {
            try s.transcripts.claudeUsage(session: "s\(index)", cwd: "/w", at: 1000 + index, input: 10, output: 1)
        }
        try s.transcripts.claudeUsage(session: "bad", cwd: "/w", at: 2000, input: 500, output: 50)
        try s.store.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse BEFORE INSERT ON usage WHEN NEW.session_id = 'bad'
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """)
        }
        let first = try s.ingestor.run()
        #expect(first.errors.count == 1)
        #expect(first.errors.first?.contains("refused by the test") == true)
        #expect(try s.totals() == TokenCounts(input: 60, output: 6))
        let cursors = try s.store.cursors()
        #expect(cursors[s.transcripts.claudePath(session: "bad")] == nil)
        #expect(cursors[s.transcripts.claudePath(session: "s0")] != nil)

        try s.store.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
        let second = try s.ingestor.run()
        #expect(second.errors.isEmpty)
        #expect(second.filesRead == 1)
        #expect(try s.totals() == TokenCounts(input: 560, output: 56))
    }

    @Test func concurrentIngestsIntoOneStoreLoseNothing() throws {
        let s = try Setup()
        for index in 0..<20 {
            try s.transcripts.claudeUsage(session: "s\(index)", cwd: "/w", at: 1000 + index, input: 10, output: 1)
        }
        // Two stores on one file, as two hook processes would have.
        let other = try Store(location: StoreLocation(directory: s.storeDirectory.path))
        let second = Ingestor(store: other, readers: [ClaudeCodeReader()], environment: ReaderEnvironment(home: s.home.path))
        let failures = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do { _ = try (index == 0 ? s.ingestor : second).run() } catch { failures.add(error) }
        }
        #expect(failures.errors.isEmpty)
        #expect(try s.totals() == TokenCounts(input: 200, output: 20))
    }
}

final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var errors: [Error] = []
    func add(_ error: Error) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }
}
