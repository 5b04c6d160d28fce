import AIUsageCore
import Foundation
import GRDB
import Testing
import _AIUsageTestSupport
@testable import AIUsageReaders
import AIUsageCore

private func read(_ reader: some SessionReader, _ path: String, state: Data? = nil) throws -> (ReadBatch, ReadProgress) {
    var all = ReadBatch()
    let progress = try reader.read(path: path, from: 0, state: state) { batch in
        all.observations += batch.observations
        all.usage += batch.usage
        all.edits += batch.edits
    }
    return (all, progress)
}

private let schema = """
    CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);
    CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL, time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);
    CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, directory TEXT NOT NULL, time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL);
    """

@Suite struct OpenCodeDatabaseReaderTests {
    let reader = OpenCodeDatabaseReader()

    @Test func gitaiSampleDatabase() throws {
        let (batch, progress) = try read(reader, Samples.path("opencode", "gitai-opencode-sqlite_opencode.db"))
        // One assistant message: tokens input 10, output 20 (+ reasoning 0), cache 0/0
        // → total 10 + 20 = 30. Its cost is 0: left to the price table.
        #expect(batch.usage.count == 1)
        let usage = try #require(batch.usage.first)
        #expect(usage.tokens == TokenCounts(input: 10, output: 20))
        #expect(usage.tokens.total == 30)
        #expect(usage.recordedCostUSD == nil)
        #expect(usage.model == "gpt-5")
        #expect(usage.dedupKey == "test-session-123:msg-assistant-sql-001")
        #expect(usage.timestamp == Date(timeIntervalSince1970: 1_706_459_835))
        // prt-sql-003: edit with content `// sqlite path\\nconsole.log("sqlite");` — the
        // fixture's JSON escapes the backslash, so it is ONE line holding a literal `\n`.
        #expect(batch.edits.count == 1)
        let edit = try #require(batch.edits.first)
        #expect(edit.dedupKey == "call-sql-001:0")
        #expect(edit.filePath == "/Users/test/project/index.ts")
        #expect(edit.cwd == "/Users/test/project")
        #expect(edit.addedLines == LineIdentity.significantHashes(ofText: #"// sqlite path\nconsole.log("sqlite");"#))
        #expect(edit.addedLines.count == 1)
        // Session row + two message rows.
        #expect(batch.observations.count == 3)
        #expect(batch.observations.allSatisfy { $0.cwd == "/Users/test/project" && $0.sessionID == "test-session-123" })
        #expect(progress.linesSkipped == 0)

        // Second run with the returned state: nothing new.
        let (again, _) = try read(reader, Samples.path("opencode", "gitai-opencode-sqlite_opencode.db"), state: progress.state)
        #expect(again.isEmpty)
    }

    @Test func emptySampleDatabase() throws {
        let (batch, progress) = try read(reader, Samples.path("opencode", "gitai-opencode-sqlite-empty_opencode.db"))
        #expect(batch.isEmpty)
        #expect(progress.linesSkipped == 0)
    }

    @Test func updatedAndNewRowsAreReadIncrementally() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/opencode.db"
        let writer = try DatabaseQueue(path: path)
        try writer.write { db in
            try db.execute(sql: schema)
            try db.execute(sql: "INSERT INTO session VALUES ('s1', 'p', '/repo', 1000, 1000)")
            try db.execute(
                sql: "INSERT INTO message VALUES ('m1', 's1', 2000, 2000, ?)",
                arguments: [
                    #"{"role":"assistant","modelID":"claude-opus-4","tokens":{"input":0,"output":0,"reasoning":0,"cache":{"read":0,"write":0}},"cost":0}"#
                ])
        }
        let (first, p1) = try read(reader, path)
        #expect(first.usage.isEmpty)  // still streaming: no tokens yet
        try writer.write { db in
            // The message completes (updated), a new one and a tool part arrive.
            try db.execute(
                sql: "UPDATE message SET time_updated = 5000, data = ? WHERE id = 'm1'",
                arguments: [
                    #"{"role":"assistant","modelID":"claude-opus-4","time":{"created":2000,"completed":5000},"tokens":{"input":3,"output":40,"reasoning":10,"cache":{"read":500,"write":60}},"cost":0.5}"#
                ])
            try db.execute(
                sql: "INSERT INTO part VALUES ('p1', 'm1', 's1', 3000, 4000, ?)",
                arguments: [
                    #"{"type":"tool","tool":"write","callID":"w1","state":{"status":"completed","input":{"filePath":"a.py","content":"print(1)\nprint(2)"}}}"#
                ])
            try db.execute(
                sql: "INSERT INTO part VALUES ('p2', 'm1', 's1', 3000, 4000, ?)",
                arguments: [
                    #"{"type":"step-finish","tokens":{"input":3,"output":40,"reasoning":10,"cache":{"read":500,"write":60}},"cost":0.5}"#
                ])
        }
        let (second, p2) = try read(reader, path, state: p1.state)
        // input 3, output 40 + reasoning 10 = 50, cacheWrite 60, cacheRead 500 → total 613.
        #expect(second.usage.map(\.tokens.total) == [613])
        #expect(second.usage.first?.recordedCostUSD == 0.5)
        #expect(second.edits.map(\.dedupKey) == ["w1:0"])
        #expect(second.edits.first?.absolutePath == "/repo/a.py")  // cwd from the session row
        #expect(second.observations.count == 1)  // the session row is not read again
        let (third, _) = try read(reader, path, state: p2.state)
        #expect(third.isEmpty)
    }

    @Test func missingTablesAndBadRows() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/opencode.db"
        let writer = try DatabaseQueue(path: path)
        try writer.write { db in
            try db.execute(sql: "CREATE TABLE message (id TEXT, session_id TEXT, data TEXT)")
            try db.execute(sql: "INSERT INTO message VALUES ('m1', 's1', '{broken')")
            try db.execute(sql: "INSERT INTO message VALUES ('m2', 's1', ?)", arguments: [#"{"role":"user"}"#])
        }
        let (batch, progress) = try read(reader, path)
        #expect(progress.linesSkipped == 1)
        #expect(progress.linesRead == 1)
        #expect(batch.observations.count == 1)
        // Not a database at all: throws, the ingestor retries next run.
        let junk = try folder.write("junk.db", "this is not sqlite")
        #expect(throws: (any Error).self) { try read(reader, junk) }
    }

    @Test func discoveryUnderDataHome() throws {
        let folder = try TemporaryDirectory()
        try folder.write("home/.local/share/opencode/opencode.db", "")
        try folder.write("home/.local/share/opencode/opencode.db-wal", "")
        try folder.write("xdg/opencode/opencode-beta.db", "")
        let home = folder.path + "/home"
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: home)) == [home + "/.local/share/opencode/opencode.db"])
        let xdg = ReaderEnvironment(home: home, variables: ["XDG_DATA_HOME": folder.path + "/xdg"])
        #expect(reader.discoverFiles(in: xdg) == [folder.path + "/xdg/opencode/opencode-beta.db"])
    }
}

/// OpenCode 1.16 and later (issue 11): SQLite only, session usage columns, child
/// sessions as subagents of their parent, several model calls per message.
@Suite struct OpenCodeCurrentFormatTests {
    let reader = OpenCodeDatabaseReader()

    @Test func rungraphSampleFoldsChildSessionsIntoTheirRoot() throws {
        // fayzan123/rungraph's 1.18.19-shaped database: ses_fx7a…child01 and child02 are
        // `explore` subagents (parent_id) of ses_fx7…task.
        let read = try DriftRead.read(reader, Samples.path("opencode", "rungraph-opencode.db"))
        let child = try #require(read.usage["ses_fx7a00000000000child01:msg_fx00000024"])
        #expect(child.sessionID == "ses_fx7000000000000000task")
        #expect(child.tokens == TokenCounts(input: 5000, output: 120))
        #expect(read.usage["ses_fx7b00000000000child02:msg_fx00000026"]?.sessionID == "ses_fx7000000000000000task")
        #expect(read.usage["ses_fxe1000000000lanechild:msg_fx00000065"]?.sessionID == "ses_fxe0000000000revertlane")
        let task = read.merged.observations.filter { $0.sessionID == "ses_fx7000000000000000task" }
        #expect(task.count > 2)  // its own rows and both children's
        #expect(!read.merged.observations.contains { $0.sessionID.hasSuffix("child01") || $0.sessionID.hasSuffix("child02") })
        // Every assistant message records usage: no session-column events, each of the
        // 40 assistant messages once.
        #expect(!read.usage.keys.contains { $0.hasSuffix(":session") })
        #expect(read.usage.count == 40)
        // Drift: part types this reader does not know, and a `tokens` field it cannot
        // read (`promptTokens` in the "shape" session).
        #expect(read.count(.recordType, "part:flux-marker") == 1)
        #expect(read.count(.recordType, "part:turn-capsule") == 30)
        #expect(read.count(.shape, "tokens.promptTokens") == 1)
        #expect(read.drift.count == 3)
    }

    /// Written from sst/opencode's migration `20260510033149_session_usage` (the usage
    /// columns) and `session/processor.ts` (`finish-step`: message tokens are the last
    /// step's, `step-finish` parts carry each step's).
    @Test func sessionColumnsAndStepSums() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/opencode.db"
        let writer = try DatabaseQueue(path: path)
        try writer.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT, parent_id TEXT, directory TEXT,
                      time_created INTEGER NOT NULL, time_updated INTEGER, model TEXT, cost REAL DEFAULT 0 NOT NULL,
                      tokens_input INTEGER DEFAULT 0 NOT NULL, tokens_output INTEGER DEFAULT 0 NOT NULL,
                      tokens_reasoning INTEGER DEFAULT 0 NOT NULL, tokens_cache_read INTEGER DEFAULT 0 NOT NULL,
                      tokens_cache_write INTEGER DEFAULT 0 NOT NULL);
                    CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER NOT NULL, time_updated INTEGER, data TEXT NOT NULL);
                    CREATE TABLE part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL, time_created INTEGER NOT NULL, time_updated INTEGER, data TEXT NOT NULL);
                    CREATE INDEX part_message_idx ON part (message_id, id);
                    CREATE INDEX message_session_idx ON message (session_id, time_created, id);
                    """)
            // s1: its messages carry no usage; the session columns do.
            try db.execute(
                sql: """
                    INSERT INTO session VALUES ('s1', 'p', NULL, '/repo', 1000, 9000, '{"id":"claude-sonnet-4-5","providerID":"anthropic"}',
                      0.25, 300, 40, 10, 5000, 700)
                    """)
            try db.execute(sql: "INSERT INTO message VALUES ('m1', 's1', 2000, 2000, ?)", arguments: [#"{"role":"user"}"#])
            try db.execute(
                sql: "INSERT INTO message VALUES ('m2', 's1', 3000, 3000, ?)",
                arguments: [#"{"role":"assistant","modelID":"claude-sonnet-4-5"}"#])
            // s2: one assistant message of two model calls.
            try db.execute(sql: "INSERT INTO session VALUES ('s2', 'p', NULL, '/repo', 1000, 9000, NULL, 0.3, 30, 60, 0, 200, 0)")
            try db.execute(
                sql: "INSERT INTO message VALUES ('m3', 's2', 4000, 8000, ?)",
                arguments: [
                    #"{"role":"assistant","modelID":"gpt-5","tokens":{"input":20,"output":35,"reasoning":0,"cache":{"read":150,"write":0}},"cost":0.3}"#
                ])
            try db.execute(
                sql: "INSERT INTO part VALUES ('p1', 'm3', 's2', 5000, 5000, ?)",
                arguments: [
                    #"{"type":"step-finish","tokens":{"input":10,"output":25,"reasoning":0,"cache":{"read":50,"write":0}},"cost":0.1}"#
                ])
            try db.execute(
                sql: "INSERT INTO part VALUES ('p2', 'm3', 's2', 8000, 8000, ?)",
                arguments: [
                    #"{"type":"step-finish","tokens":{"input":20,"output":35,"reasoning":0,"cache":{"read":150,"write":0}},"cost":0.2}"#
                ])
        }
        let read = try DriftRead.read(reader, path)
        // s1: input 300, output 40 + reasoning 10, cache read 5000, write 700, cost recorded.
        let session = try #require(read.usage["s1:session"])
        #expect(session.tokens == TokenCounts(input: 300, output: 50, cacheWrite: 700, cacheRead: 5000, reasoning: 10))
        #expect(session.recordedCostUSD == 0.25)
        #expect(session.model == "claude-sonnet-4-5")
        // s2: its message counts (the session columns do not, again): the two steps'
        // sum, not the last step's tokens only.
        #expect(read.usage["s2:session"] == nil)
        #expect(read.usage["s2:m3"]?.tokens == TokenCounts(input: 30, output: 60, cacheRead: 200))
        #expect(read.usage.count == 2)
        #expect(read.drift.isEmpty)
    }
}
