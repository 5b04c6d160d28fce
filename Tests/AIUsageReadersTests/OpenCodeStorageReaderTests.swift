import Foundation
import Testing
import _AIUsageTestSupport
@testable import AIUsageReaders
import AIUsageCore

/// Everything one or more reads handed out.
private struct Collected {
    var batch = ReadBatch()
    var progress: ReadProgress?
}

private func read(_ reader: some SessionReader, _ path: String, state: Data? = nil) throws -> Collected {
    var collected = Collected()
    collected.progress = try reader.read(path: path, from: 0, state: state) { batch in
        collected.batch.observations += batch.observations
        collected.batch.usage += batch.usage
        collected.batch.edits += batch.edits
    }
    return collected
}

/// Builds `<tmp>/opencode/storage/...` out of symbolic links to the shared samples, so
/// the samples are read in place with the folder layout OpenCode gives them.
private func linkedStorage(_ folder: TemporaryDirectory, _ links: [(String, String)]) throws -> String {
    let storage = folder.path + "/data/opencode/storage"
    for (relative, sample) in links {
        let target = storage + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: Samples.path("opencode", sample))
    }
    return storage
}

@Suite struct OpenCodeStorageReaderTests {
    let reader = OpenCodeStorageReader()

    @Test func gitaiStorageTreeGivesSessionAndEdit() throws {
        let folder = try TemporaryDirectory()
        let storage = try linkedStorage(
            folder,
            [
                (
                    "message/test-session-123/msg-assistant-001.json",
                    "gitai-opencode-storage_message_test-session-123_msg-assistant-001.json"
                ),
                ("message/test-session-123/msg-user-001.json", "gitai-opencode-storage_message_test-session-123_msg-user-001.json"),
                ("part/msg-assistant-001/prt-001.json", "gitai-opencode-storage_part_msg-assistant-001_prt-001.json"),
                ("part/msg-assistant-001/prt-002.json", "gitai-opencode-storage_part_msg-assistant-001_prt-002.json"),
                ("part/msg-assistant-001/prt-003.json", "gitai-opencode-storage_part_msg-assistant-001_prt-003.json"),
                ("part/msg-assistant-001/prt-004.json", "gitai-opencode-storage_part_msg-assistant-001_prt-004.json"),
                ("part/msg-user-001/prt-001.json", "gitai-opencode-storage_part_msg-user-001_prt-001.json"),
            ])
        let environment = ReaderEnvironment(home: folder.path + "/home", variables: ["XDG_DATA_HOME": folder.path + "/data"])
        let files = reader.discoverFiles(in: environment)
        #expect(files.count == 7)
        var all = ReadBatch()
        for file in files {
            let got = try read(reader, file)
            #expect(got.progress?.linesSkipped == 0)
            all.observations += got.batch.observations
            all.usage += got.batch.usage
            all.edits += got.batch.edits
        }
        // The assistant message of this sample records no `tokens`: no usage event.
        #expect(all.usage.isEmpty)
        #expect(all.observations.map(\.sessionID) == ["test-session-123", "test-session-123"])
        #expect(all.observations.contains { $0.model == "claude-3-5-sonnet-20241022" })
        // prt-002: edit with `content` "// Hello World\nconsole.log('test');" → 2 significant lines.
        #expect(all.edits.count == 1)
        let edit = try #require(all.edits.first)
        #expect(edit.sessionID == "test-session-123")  // found through the message file
        #expect(edit.dedupKey == "call-001:0")
        #expect(edit.filePath == "/Users/test/project/index.ts")
        #expect(edit.addedLines == LineIdentity.significantHashes(ofText: "// Hello World\nconsole.log('test');"))
        #expect(edit.addedLines.count == 2)
        #expect(edit.timestamp == Date(timeIntervalSince1970: 1_706_459_833))
        _ = storage
    }

    @Test func agentSessionsSamplesReadInPlace() throws {
        // Session file: directory is the cwd.
        let session = try read(reader, Samples.path("opencode", "agentsessions-storage_v2_session_proj_test_ses_s_stage0_small.json"))
        #expect(session.batch.observations.map(\.cwd) == ["/tmp/repo"])
        #expect(session.batch.observations.first?.sessionID == "s_stage0_small")
        // Message without tokens: observation with the model, no usage.
        let message = try read(reader, Samples.path("opencode", "agentsessions-storage_v2_message_s_stage0_small_msg_0002.json"))
        #expect(message.batch.usage.isEmpty)
        #expect(message.batch.observations.first?.model == "gpt-4o-mini")
        // A bash tool part is read but is no edit.
        let part = try read(reader, Samples.path("opencode", "agentsessions-storage_v2_part_m_assistant_small_001.json"))
        #expect(part.batch.isEmpty)
        #expect(part.progress?.linesRead == 1)
    }

    @Test func assistantTokensAndCostPerMessage() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.write(
            "opencode/storage/message/ses_1/msg_1.json",
            #"{"id":"msg_1","sessionID":"ses_1","role":"assistant","time":{"created":1730000000000,"completed":1730000005000},"modelID":"claude-sonnet-4","providerID":"anthropic","path":{"cwd":"/repo/sub","root":"/repo"},"cost":0.0123,"tokens":{"input":100,"output":50,"reasoning":20,"cache":{"read":1000,"write":200}}}"#
        )
        let got = try read(reader, path)
        let usage = try #require(got.batch.usage.first)
        // input 100 (uncached), output 50 + reasoning 20 = 70, cacheWrite 200, cacheRead 1000
        // total = 100 + 70 + 200 + 1000 = 1370
        #expect(usage.tokens == TokenCounts(input: 100, output: 70, cacheWrite: 200, cacheRead: 1000, reasoning: 20))
        #expect(usage.tokens.total == 1370)
        #expect(usage.recordedCostUSD == 0.0123)
        #expect(usage.dedupKey == "ses_1:msg_1")
        #expect(usage.model == "claude-sonnet-4")
        #expect(usage.timestamp == Date(timeIntervalSince1970: 1_730_000_005))
        #expect(got.batch.observations.first?.cwd == "/repo")
        // Re-reading the rewritten file gives the same key (the store absorbs it).
        #expect(try read(reader, path).batch.usage.map(\.dedupKey) == ["ses_1:msg_1"])
        // Zero cost is left to the price table.
        let free = try folder.write(
            "opencode/storage/message/ses_1/msg_2.json",
            #"{"id":"msg_2","sessionID":"ses_1","role":"assistant","modelID":"m","cost":0,"tokens":{"input":1,"output":2,"reasoning":0,"cache":{"read":0,"write":0}}}"#
        )
        #expect(try read(reader, free).batch.usage.first?.recordedCostUSD == nil)
    }

    @Test func editWriteMultieditPatchParts() throws {
        let folder = try TemporaryDirectory()
        try folder.write(
            "opencode/storage/message/ses_9/msg_9.json",
            #"{"id":"msg_9","sessionID":"ses_9","role":"assistant","time":{"created":1730000000000},"modelID":"gpt-5","path":{"cwd":"/work/repo","root":"/work/repo"}}"#
        )
        let edit = try folder.write(
            "opencode/storage/part/msg_9/prt_1.json",
            #"{"id":"prt_1","messageID":"msg_9","type":"tool","tool":"edit","callID":"c1","state":{"status":"completed","input":{"filePath":"src/a.ts","oldString":"let a = 1\nlet b = 2","newString":"let a = 1\nlet b = 3\nlet c = 4"},"time":{"start":1730000001000,"end":1730000002000}}}"#
        )
        let write = try folder.write(
            "opencode/storage/part/msg_9/prt_2.json",
            #"{"id":"prt_2","sessionID":"ses_9","messageID":"msg_9","type":"tool","tool":"write","callID":"c2","state":{"status":"completed","input":{"filePath":"/work/repo/b.ts","content":"one\n}\ntwo\n"}}}"#
        )
        let multi = try folder.write(
            "opencode/storage/part/msg_9/prt_3.json",
            #"{"id":"prt_3","sessionID":"ses_9","messageID":"msg_9","type":"tool","tool":"multiedit","callID":"c3","state":{"status":"completed","input":{"filePath":"c.ts","edits":[{"oldString":"x","newString":"x\ny"},{"oldString":"","newString":"z"}]}}}"#
        )
        let patch = try folder.write(
            "opencode/storage/part/msg_9/prt_4.json",
            #"{"id":"prt_4","sessionID":"ses_9","messageID":"msg_9","type":"tool","tool":"patch","callID":"c4","state":{"status":"completed","input":{"patchText":"*** Begin Patch\n*** Add File: d.txt\n+alpha\n+beta\n*** Update File: e.txt\n@@\n-old\n+new\n*** End Patch"}}}"#
        )
        let failed = try folder.write(
            "opencode/storage/part/msg_9/prt_5.json",
            #"{"id":"prt_5","sessionID":"ses_9","messageID":"msg_9","type":"tool","tool":"write","callID":"c5","state":{"status":"error","input":{"filePath":"f.ts","content":"nope"}}}"#
        )
        let stepFinish = try folder.write(
            "opencode/storage/part/msg_9/prt_6.json",
            #"{"id":"prt_6","sessionID":"ses_9","messageID":"msg_9","type":"step-finish","tokens":{"input":5,"output":5,"reasoning":0,"cache":{"read":0,"write":0}},"cost":1}"#
        )

        let e1 = try read(reader, edit).batch.edits
        #expect(e1.count == 1)
        #expect(e1.first?.sessionID == "ses_9")  // from the message file's folder
        #expect(e1.first?.cwd == "/work/repo")
        #expect(e1.first?.absolutePath == "/work/repo/src/a.ts")
        #expect(e1.first?.addedLines == LineIdentity.significantHashes(ofText: "let b = 3\nlet c = 4"))
        #expect(try read(reader, write).batch.edits.first?.addedLines.count == 2)  // "}" is not significant
        let e3 = try read(reader, multi).batch.edits
        #expect(e3.map(\.dedupKey) == ["c3:0", "c3:1"])
        #expect(e3.map(\.addedLines.count) == [1, 1])
        let e4 = try read(reader, patch).batch.edits
        #expect(e4.map(\.filePath) == ["d.txt", "e.txt"])
        #expect(e4.map(\.addedLines.count) == [2, 1])
        #expect(try read(reader, failed).batch.edits.isEmpty)
        // Step-finish parts repeat the message's spend: never counted.
        #expect(try read(reader, stepFinish).batch.isEmpty)
    }

    @Test func malformedAndEmptyFiles() throws {
        let folder = try TemporaryDirectory()
        let bad = try folder.write("opencode/storage/message/s/m.json", "{not json")
        let got = try read(reader, bad)
        #expect(got.batch.isEmpty)
        #expect(got.progress?.linesSkipped == 1)
        let empty = try folder.write("opencode/storage/message/s/e.json", "")
        #expect(try read(reader, empty).batch.isEmpty)
        let array = try folder.write("opencode/storage/message/s/a.json", "[1,2]")
        #expect(try read(reader, array).progress?.linesSkipped == 1)
        let unknown = try folder.write("opencode/storage/message/s/u.json", #"{"something":"else"}"#)
        let u = try read(reader, unknown)
        #expect(u.batch.isEmpty && u.progress?.linesSkipped == 0)
        #expect(throws: (any Error).self) { try read(reader, folder.path + "/missing.json") }
    }

    @Test func discoveryHonoursXDGDataHomeAndDefault() throws {
        let folder = try TemporaryDirectory()
        try folder.write("home/.local/share/opencode/storage/session/p/s.json", "{}")
        try folder.write("home/.local/share/opencode/storage/snapshot/p/x.json", "{}")
        try folder.write("xdg/opencode/storage/part/m/p.json", "{}")
        let home = folder.path + "/home"
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: home)) == [home + "/.local/share/opencode/storage/session/p/s.json"])
        let xdg = ReaderEnvironment(home: home, variables: ["XDG_DATA_HOME": folder.path + "/xdg/"])
        #expect(reader.searchRoots(in: xdg) == [folder.path + "/xdg/opencode/storage"])
        #expect(reader.discoverFiles(in: xdg) == [folder.path + "/xdg/opencode/storage/part/m/p.json"])
    }
}

/// Issue 11 in the legacy `storage/` tree: a message's tokens raised to the sum of its
/// `step-finish` parts (sst/opencode `session/processor.ts` keeps only the last step's
/// tokens on the message), and drift counted.
@Suite struct OpenCodeStorageCurrentFormatTests {
    @Test func stepSumsAndDrift() throws {
        let folder = try TemporaryDirectory()
        let message = try folder.write(
            "opencode/storage/message/ses_1/msg_1.json",
            #"{"id":"msg_1","sessionID":"ses_1","role":"assistant","modelID":"gpt-5","time":{"created":1700000000000},"tokens":{"input":20,"output":35,"reasoning":0,"cache":{"read":150,"write":0}},"cost":0.3}"#
        )
        try folder.write(
            "opencode/storage/part/msg_1/prt_1.json",
            #"{"id":"prt_1","messageID":"msg_1","type":"step-finish","tokens":{"input":10,"output":25,"reasoning":0,"cache":{"read":50,"write":0}},"cost":0.1}"#
        )
        try folder.write(
            "opencode/storage/part/msg_1/prt_2.json",
            #"{"id":"prt_2","messageID":"msg_1","type":"step-finish","tokens":{"input":20,"output":35,"reasoning":0,"cache":{"read":150,"write":0}},"cost":0.2}"#
        )
        let unknownPart = try folder.write(
            "opencode/storage/part/msg_1/prt_3.json", #"{"id":"prt_3","messageID":"msg_1","type":"hologram"}"#)
        let read = try DriftRead.read(OpenCodeStorageReader(), message)
        #expect(read.usage["ses_1:msg_1"]?.tokens == TokenCounts(input: 30, output: 60, cacheRead: 200))
        #expect(try DriftRead.read(OpenCodeStorageReader(), unknownPart).count(.recordType, "part:hologram") == 1)
        let stray = try folder.write("opencode/storage/message/ses_1/odd.json", #"{"something":"else"}"#)
        #expect(try DriftRead.read(OpenCodeStorageReader(), stray).count(.shape, "storage-record") == 1)
    }
}
