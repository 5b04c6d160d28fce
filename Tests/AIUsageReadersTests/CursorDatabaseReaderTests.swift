import AIUsageCore
import Foundation
import GRDB
import Testing
import _AIUsageTestSupport
@testable import AIUsageReaders
import AIUsageCore

private func read(_ path: String, state: Data? = nil) throws -> (ReadBatch, ReadProgress) {
    var all = ReadBatch()
    let progress = try CursorDatabaseReader().read(path: path, from: 0, state: state) { batch in
        all.observations += batch.observations
        all.usage += batch.usage
        all.edits += batch.edits
    }
    return (all, progress)
}

// No real state.vscdb or ai-code-tracking.db sample exists: these tests write small
// databases in the shapes public write-ups describe (cursorDiskKV composer / bubble
// JSON, ai_code_hashes columns).
@Suite struct CursorDatabaseReaderTests {
    @Test func cliChatStoreSample() throws {
        let (batch, progress) = try read(Samples.path("cursor", "agentsessions-cursor-cli-chats-store.db"))
        // meta '0' is hex JSON: agentId a1b2…, createdAt 1775522590321 ms, lastUsedModel claude-4-sonnet.
        #expect(batch.observations.count == 1)
        let observation = try #require(batch.observations.first)
        #expect(observation.sessionID == "a1b2c3d4-e5f6-7890-abcd-ef1234567890")
        #expect(observation.model == "claude-4-sonnet")
        #expect(observation.timestamp == Date(timeIntervalSince1970: 1_775_522_590.321))
        #expect(batch.usage.isEmpty && batch.edits.isEmpty)
        #expect(progress.linesSkipped == 0)
    }

    @Test func stateDatabaseComposersBubblesAndEdits() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/state.vscdb"
        let writer = try DatabaseQueue(path: path)
        func put(_ key: String, _ value: String) throws {
            try writer.write { try $0.execute(sql: "INSERT OR REPLACE INTO cursorDiskKV VALUES (?, ?)", arguments: [key, value]) }
        }
        try writer.write { db in
            try db.execute(sql: "CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
            try db.execute(sql: "CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
        }
        try put("composerData:c1", #"{"composerId":"c1","createdAt":1750000000000,"modelConfig":{"modelName":"claude-4-sonnet"}}"#)
        try put("bubbleId:c1:b1", #"{"type":1,"text":"hi","tokenCount":{"inputTokens":0,"outputTokens":0}}"#)
        try put(
            "bubbleId:c1:b2",
            #"{"type":2,"createdAt":"2025-06-15T12:00:00.000Z","modelInfo":{"modelName":"claude-4-sonnet"},"tokenCount":{"inputTokens":1200,"outputTokens":300}}"#
        )
        try put(
            "bubbleId:c1:b3",
            ##"{"type":2,"createdAt":"2025-06-15T12:01:00Z","toolFormerData":{"name":"edit_file","status":"completed","rawArgs":"{\"target_file\":\"/repo/a.py\",\"code_edit\":\"# ... existing code ...\\nprint(1)\\nprint(2)\"}"}}"##
        )
        try put("bubbleId:c1:b4", "{broken")
        try put("checkpointId:c1:x", "{}")
        let (batch, progress) = try read(path)
        // b2: input 1200 + output 300 = 1500 tokens; b1's zeros are "not recorded".
        #expect(batch.usage.map(\.tokens.total) == [1500])
        #expect(batch.usage.first?.dedupKey == "c1:b2")
        #expect(batch.usage.first?.model == "claude-4-sonnet")
        #expect(batch.edits.map(\.dedupKey) == ["c1:b3:0"])
        #expect(batch.edits.first?.addedLines == LineIdentity.significantHashes(ofText: "print(1)\nprint(2)"))
        #expect(batch.observations.contains { $0.sessionID == "c1" && $0.model == "claude-4-sonnet" })
        #expect(progress.linesSkipped == 1)
        // Nothing new on the next run; a replaced bubble (new rowid) is read again.
        #expect(try read(path, state: progress.state).0.isEmpty)
        try put("bubbleId:c1:b1", #"{"type":2,"createdAt":"2025-06-15T12:02:00Z","tokenCount":{"inputTokens":10,"outputTokens":5}}"#)
        let (again, _) = try read(path, state: progress.state)
        #expect(again.usage.map(\.dedupKey) == ["c1:b1"])
        #expect(again.usage.first?.model == "unknown")
    }

    @Test func aiTrackingDatabase() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/ai-code-tracking.db"
        let writer = try DatabaseQueue(path: path)
        try writer.write { db in
            try db.execute(
                sql:
                    "CREATE TABLE ai_code_hashes (hash TEXT PRIMARY KEY, source TEXT, fileExtension TEXT, fileName TEXT, requestId TEXT, conversationId TEXT, timestamp INTEGER, createdAt INTEGER, model TEXT)"
            )
            try db.execute(sql: "CREATE TABLE scored_commits (commitHash TEXT, branchName TEXT, scoredAt INTEGER)")
            try db.execute(
                sql: "INSERT INTO ai_code_hashes VALUES ('h1','composer','ts','a.ts','r1','conv-1',1750000001000,1750000001000,'gpt-5')")
            try db.execute(
                sql: "INSERT INTO ai_code_hashes VALUES ('h2','composer','ts','a.ts','r1','conv-1',1750000000000,1750000000000,'gpt-5')")
            try db.execute(sql: "INSERT INTO ai_code_hashes VALUES ('h3','tab','ts','b.ts',NULL,NULL,1750000002000,1750000002000,NULL)")
            try db.execute(sql: "INSERT INTO scored_commits VALUES ('abc','main',1)")
        }
        let (batch, progress) = try read(path)
        #expect(batch.observations.count == 1)
        #expect(batch.observations.first?.sessionID == "conv-1")
        #expect(batch.observations.first?.timestamp == Date(timeIntervalSince1970: 1_750_000_000))
        #expect(progress.linesRead == 4)  // three hash rows + one scored commit
        #expect(try read(path, state: progress.state).0.isEmpty)
    }

    @Test func unknownShapesGiveNothing() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/state.vscdb"
        let writer = try DatabaseQueue(path: path)
        try writer.write { try $0.execute(sql: "CREATE TABLE ItemTable (key TEXT, value BLOB)") }
        let (batch, progress) = try read(path)
        #expect(batch.isEmpty && progress.linesSkipped == 0)
        let junk = try folder.write("ai-code-tracking.db", "not a database")
        #expect(throws: (any Error).self) { try read(junk) }
    }

    @Test func discoveryLooksInEditorAndCursorHome() throws {
        let folder = try TemporaryDirectory()
        let home = folder.path + "/home"
        try folder.write("home/.cursor/ai-tracking/ai-code-tracking.db", "")
        try folder.write("home/.config/Cursor/User/globalStorage/state.vscdb", "")
        try folder.write("home/.config/Cursor/User/globalStorage/state.vscdb.backup", "")
        try folder.write("home/Library/Application Support/Cursor/User/globalStorage/state.vscdb", "")
        try folder.write("home/.cursor/chats/abc/agent-1/store.db", "")
        let found = CursorDatabaseReader().discoverFiles(in: ReaderEnvironment(home: home))
        #expect(
            found == [
                home + "/.cursor/ai-tracking/ai-code-tracking.db",
                home + "/.config/Cursor/User/globalStorage/state.vscdb",
                home + "/Library/Application Support/Cursor/User/globalStorage/state.vscdb",
                home + "/.cursor/chats/abc/agent-1/store.db",
            ])
    }
}
