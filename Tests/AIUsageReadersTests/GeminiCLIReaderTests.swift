import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

private typealias Merged = MergedRead

private func read(_ path: String, from offset: Int64 = 0, state: Data? = nil, into merged: Merged = Merged()) throws
    -> Merged
{
    var local = merged
    local.progress = try GeminiCLIReader().read(path: path, from: offset, state: state) { local.add($0) }
    return local
}

private func sample(_ file: String) -> String { Samples.path("gemini", file) }

private func hash(_ line: String) -> LineHash { LineIdentity.significantHash(line)! }

/// A `gemini` message line; `tokens` and `calls` are JSON spliced in when given.
private func geminiLine(
    id: String, time: String = "2026-03-01T10:00:00Z", model: String = "gemini-2.5-pro", tokens: String? = nil,
    calls: String? = nil
) -> String {
    var fields = "\"id\":\"\(id)\",\"timestamp\":\"\(time)\",\"type\":\"gemini\",\"content\":\"\",\"model\":\"\(model)\""
    if let tokens { fields += ",\"tokens\":\(tokens)" }
    if let calls { fields += ",\"toolCalls\":\(calls)" }
    return "{\(fields)}\n"
}

private func metadataLine(_ session: String) -> String {
    "{\"sessionId\":\"\(session)\",\"projectHash\":\"abc\",\"startTime\":\"2026-03-01T09:59:00Z\",\"lastUpdated\":\"2026-03-01T09:59:00Z\",\"kind\":\"main\"}\n"
}

private let replaceCall =
    #"[{"id":"replace-a","name":"replace","args":{"file_path":"/repo/a.swift","old_string":"let a = 1","new_string":"let a = 2\nlet b = 3"}}]"#

@Suite struct GeminiCLIReaderTests {
    // MARK: Real samples

    @Test func jsonlSampleTokenTotals() throws {
        let merged = try read(sample("agentsessions-gemini-jsonl_v040.jsonl"))
        // g-assistant-1: input 11855, output 81, cached 0 → input 11855, output 81.
        // g-assistant-2: input 12069 includes cached 11502 → input 12069 − 11502 = 567,
        //   cache read 11502, output 147. (thoughts and tool are 0 in both.)
        // Totals: input 11855 + 567 = 12422, output 81 + 147 = 228, cache read 11502.
        #expect(merged.usage.count == 2)
        #expect(merged.totals == TokenCounts(input: 12422, output: 228, cacheWrite: 0, cacheRead: 11502))
        let second = try #require(merged.usage["gemini_stage0_jsonl:g-assistant-2"])
        #expect(second.tokens == TokenCounts(input: 567, output: 147, cacheRead: 11502))
        #expect(merged.usage.values.allSatisfy { $0.model == "gemini-3-flash-preview" && $0.tool == .geminiCLI })
        #expect(merged.usage.values.allSatisfy { $0.sessionID == "gemini_stage0_jsonl" })
        // Metadata, user, $set, two gemini messages: all understood.
        #expect(merged.progress.linesRead == 5)
        #expect(merged.progress.linesSkipped == 0)
        #expect(merged.edits.isEmpty)  // run_shell_command is no edit
    }

    @Test func gitaiSampleReplaceEdits() throws {
        let merged = try read(sample("gitai-gemini-session-simple.jsonl"))
        // No metadata line: the session is named after the file.
        let session = "gitai-gemini-session-simple"
        // replace-1: "hello world" → "hello world" + "hello bob": 1 added line.
        // replace-2: "hello world" ×2 → "hello world" + "hello bob": 1 added line.
        #expect(merged.edits.count == 2)
        let first = try #require(merged.edits["\(session):replace-1"])
        let second = try #require(merged.edits["\(session):replace-2"])
        #expect(first.filePath == "/Users/svarlamov/projects/testing-git/index.ts")
        #expect(first.addedLines == [hash("console.log('hello bob');")])
        #expect(second.addedLines == [hash("console.log('hello bob');")])
        #expect(first.sessionID == session)
        // This capture records no tokens.
        #expect(merged.usage.isEmpty)
        #expect(merged.observations.contains { $0.model == "gemini-2.5-flash" })
        #expect(merged.progress.linesRead == 7)
        #expect(merged.progress.linesSkipped == 0)
    }

    @Test func legacyJSONDocuments() throws {
        let small = try read(sample("agentsessions-gemini-small.json"))
        // m2: input 10, output 5, no cache, no thoughts.
        #expect(small.usage.count == 1)
        let m2 = try #require(small.usage["session-2026-01-16T18-34-3739ef95:m2"])
        #expect(m2.tokens == TokenCounts(input: 10, output: 5))
        #expect(m2.model == "gemini-3-flash-preview")
        // The document and its two messages.
        #expect(small.progress.linesRead == 3)
        #expect(small.progress.state == nil)

        let large = try read(sample("agentsessions-gemini-large.json"))
        // Only m2 has tokens: input 100, output 10. m2b, m4, m6 ("model" type) have none.
        #expect(large.totals == TokenCounts(input: 100, output: 10))
        #expect(large.usage.keys.sorted() == ["session-2025-12-16T23-47-b4f17607:m2"])
        #expect(large.progress.linesRead == 8)
        #expect(large.progress.linesSkipped == 0)
    }

    // MARK: Token rules

    @Test func thoughtsAndToolTokens() throws {
        let dir = try TemporaryDirectory()
        // total 1100 = input 1000 + output 50 + thoughts 30 + tool 20: thoughts are
        // outside output. Normalised: input 1000 − 400 cached + 20 tool = 620,
        // output 50 + 30 = 80, reasoning 30, cache read 400.
        let path = try dir.write(
            "session-t.jsonl",
            metadataLine("s-t")
                + geminiLine(
                    id: "g1", tokens: #"{"input":1000,"output":50,"cached":400,"thoughts":30,"tool":20,"total":1100}"#))
        let merged = try read(path)
        #expect(merged.usage["s-t:g1"]?.tokens == TokenCounts(input: 620, output: 80, cacheWrite: 0, cacheRead: 400, reasoning: 30))
    }

    @Test func usageNormalisationWhenThoughtsInsideCandidates() {
        // An OpenAI-style translation: total = prompt + candidates, thoughts inside.
        let usage = GeminiStyleUsage(prompt: 100, candidates: 40, cached: 10, thoughts: 15, tool: 0, total: 140)
        #expect(usage.tokens == TokenCounts(input: 90, output: 40, cacheRead: 10, reasoning: 15))
        // Gemini's own: total = prompt + candidates + thoughts.
        let native = GeminiStyleUsage(prompt: 100, candidates: 40, cached: 10, thoughts: 15, tool: 0, total: 155)
        #expect(native.tokens == TokenCounts(input: 90, output: 55, cacheRead: 10, reasoning: 15))
    }

    // MARK: Re-appended messages, $set, $rewindTo

    @Test func reappendedMessageKeepsLastVersion() throws {
        let dir = try TemporaryDirectory()
        let failed =
            #"[{"id":"replace-a","name":"replace","status":"error","args":{"file_path":"/repo/a.swift","old_string":"let a = 1","new_string":"let a = 2\nlet b = 3"}}]"#
        let path = try dir.write(
            "session-r.jsonl",
            metadataLine("s-r")
                // First version: the call, no tokens yet.
                + geminiLine(id: "g1", calls: replaceCall)
                // Same id again, with tokens and the call's failed status.
                + geminiLine(id: "g1", tokens: #"{"input":10,"output":2,"cached":0,"thoughts":0,"tool":0,"total":12}"#, calls: failed)
                // A $set carrying the whole message list again: same keys.
                + #"{"$set":{"messages":[{"id":"g1","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":10,"output":2,"total":12}}],"lastUpdated":"2026-03-01T10:00:05Z"}}"#
                + "\n")
        let merged = try read(path)
        #expect(merged.usage.count == 1)
        #expect(merged.usage["s-r:g1"]?.tokens == TokenCounts(input: 10, output: 2))
        #expect(merged.edits.count == 1)
        #expect(merged.edits["s-r:replace-a"]?.addedLines == [])
        #expect(merged.progress.linesRead == 4)
    }

    @Test func successfulReplaceAddsNewMinusOld() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("session-e.jsonl", metadataLine("s-e") + geminiLine(id: "g1", calls: replaceCall))
        let merged = try read(path)
        // new "let a = 2", "let b = 3" minus old "let a = 1": both new lines.
        #expect(merged.edits["s-e:replace-a"]?.addedLines == [hash("let a = 2"), hash("let b = 3")])
    }

    @Test func writeFileUsesDiffDisplayWhenPresent() throws {
        let dir = try TemporaryDirectory()
        let calls =
            #"[{"id":"write-1","name":"write_file","status":"success","args":{"file_path":"new.txt","content":"alpha\nbeta\n"}},"#
            + #"{"id":"write-2","name":"write_file","status":"success","args":{"file_path":"/repo/old.txt","content":"keep\nfresh\n"},"#
            + #""resultDisplay":{"fileDiff":"...","fileName":"old.txt","originalContent":"keep\n","newContent":"keep\nfresh\n"}}]"#
        let path = try dir.write("session-w.jsonl", metadataLine("s-w") + geminiLine(id: "g1", calls: calls))
        let merged = try read(path)
        #expect(merged.edits["s-w:write-1"]?.addedLines == [hash("alpha"), hash("beta")])
        #expect(merged.edits["s-w:write-1"]?.filePath == "new.txt")
        // The display knows the file held "keep" already.
        #expect(merged.edits["s-w:write-2"]?.addedLines == [hash("fresh")])
    }

    @Test func rewindKeepsSpendAndEdits() throws {
        let dir = try TemporaryDirectory()
        let tokens = #"{"input":100,"output":10,"cached":0,"thoughts":0,"tool":0,"total":110}"#
        let path = try dir.write(
            "session-w.jsonl",
            metadataLine("s-rw")
                + #"{"id":"u1","timestamp":"2026-03-01T10:00:00Z","type":"user","content":[{"text":"go"}]}"# + "\n"
                + geminiLine(id: "g1", tokens: tokens, calls: replaceCall)
                + #"{"$rewindTo":"u1"}"# + "\n"
                + #"{"id":"u2","timestamp":"2026-03-01T10:01:00Z","type":"user","content":"again"}"# + "\n"
                + geminiLine(id: "g2", time: "2026-03-01T10:01:05Z", tokens: tokens))
        let merged = try read(path)
        // Both requests were billed: 2 × (100, 10).
        #expect(merged.totals == TokenCounts(input: 200, output: 20))
        // The rewound message's edit stands.
        #expect(merged.edits["s-rw:replace-a"]?.addedLines.count == 2)
        #expect(merged.progress.linesRead == 6)
        #expect(merged.progress.linesSkipped == 0)
    }

    // MARK: Incremental

    @Test func secondReadWithStateGivesNothingNew() throws {
        let dir = try TemporaryDirectory()
        let tokens = #"{"input":10,"output":1,"cached":0,"thoughts":0,"tool":0,"total":11}"#
        let head = metadataLine("s-inc") + geminiLine(id: "g1", tokens: tokens, calls: replaceCall)
        let path = try dir.write("session-i.jsonl", head)
        let first = try read(path)
        #expect(first.usage.count == 1)
        #expect(first.progress.offset == Int64(head.utf8.count))
        let state = try #require(first.progress.state)

        // As the ingestor calls a .rewritten reader: offset 0, last state.
        let again = try read(path, from: 0, state: state)
        #expect(again.usage.isEmpty && again.edits.isEmpty && again.observations.isEmpty)
        #expect(again.progress.linesRead == 0)
        #expect(again.progress.offset == Int64(head.utf8.count))

        // Appended lines only; the session id comes from the state, not the file's head.
        try dir.append("session-i.jsonl", Data(geminiLine(id: "g2", tokens: tokens).utf8))
        let third = try read(path, from: 0, state: again.progress.state)
        #expect(third.usage.keys.sorted() == ["s-inc:g2"])
        #expect(third.progress.linesRead == 1)
    }

    @Test func replacedFileIsReadFromTheStart() throws {
        let dir = try TemporaryDirectory()
        let tokens = #"{"input":10,"output":1,"cached":0,"thoughts":0,"tool":0,"total":11}"#
        let path = try dir.write("session-x.jsonl", metadataLine("s-x") + geminiLine(id: "g1", tokens: tokens))
        let first = try read(path)
        // Rewritten with another head (and longer): the state no longer fits.
        try dir.write(
            "session-x.jsonl",
            metadataLine("s-y") + geminiLine(id: "g1", tokens: tokens) + geminiLine(id: "g2", tokens: tokens))
        let second = try read(path, from: 0, state: first.progress.state)
        #expect(second.usage.keys.sorted() == ["s-y:g1", "s-y:g2"])
    }

    @Test func truncatedLastLineWaitsForTheNextRun() throws {
        let dir = try TemporaryDirectory()
        let complete = metadataLine("s-t") + geminiLine(id: "g1", tokens: #"{"input":5,"output":1}"#)
        let path = try dir.write("session-p.jsonl", complete + #"{"id":"g2","type":"gem"#)
        let first = try read(path)
        #expect(first.progress.offset == Int64(complete.utf8.count))
        #expect(first.progress.trailingBytes > 0)
        #expect(first.usage.count == 1)
        try dir.write("session-p.jsonl", complete + geminiLine(id: "g2", tokens: #"{"input":7,"output":1}"#))
        let second = try read(path, from: 0, state: first.progress.state)
        #expect(second.usage.keys.sorted() == ["s-t:g2"])
    }

    @Test func migratedCopyOfResumedSessionHasTheSameKeys() throws {
        // Resuming a legacy session-*.json copies it into session-*.jsonl.
        let dir = try TemporaryDirectory()
        let json = try dir.write(
            "session-m.json",
            #"{"sessionId":"s-m","projectHash":"h","messages":[{"id":"g1","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":3,"output":4}}]}"#
        )
        let jsonl = try dir.write(
            "session-m.jsonl",
            metadataLine("s-m") + geminiLine(id: "g1", tokens: #"{"input":3,"output":4}"#))
        let both = try read(jsonl, into: try read(json))
        #expect(both.usage.count == 1)
        #expect(both.totals == TokenCounts(input: 3, output: 4))
    }

    // MARK: Malformed input

    @Test func malformedLinesAreSkippedAndCounted() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "session-bad.jsonl",
            metadataLine("s-bad")
                + "not json at all\n"
                + "[1,2,3]\n"
                + #"{"id":"g1","type":"gemini","tokens":"many","toolCalls":"none"}"# + "\n"
                + #"{"kind":"something-new","payload":{}}"# + "\n"
                + #"{"id":"g2","type":"gemini","model":"m","tokens":{"input":"12","output":3.0}}"# + "\n")
        let merged = try read(path)
        // Bad JSON and a top-level array are skipped; odd field types and unknown
        // records are read. g2's numeric string and float still count: (12, 3).
        #expect(merged.progress.linesSkipped == 2)
        #expect(merged.progress.linesRead == 4)
        #expect(merged.totals == TokenCounts(input: 12, output: 3))
    }

    @Test func emptyAndBrokenFiles() throws {
        let dir = try TemporaryDirectory()
        let empty = try dir.write("session-empty.jsonl", "")
        let emptyRead = try read(empty)
        #expect(emptyRead.progress.offset == 0 && emptyRead.usage.isEmpty)

        let emptyJSON = try dir.write("session-empty.json", "")
        #expect(try read(emptyJSON).progress.linesSkipped == 0)

        let cut = try dir.write("session-cut.json", #"{"sessionId":"s","messages":[{"id":"g1","#)
        let cutRead = try read(cut)
        #expect(cutRead.progress.linesSkipped == 1)
        #expect(cutRead.usage.isEmpty)

        #expect(throws: (any Error).self) { try read(dir.path + "/missing.jsonl") }
        #expect(throws: (any Error).self) { try read(dir.path + "/missing.json") }
    }

    // MARK: Discovery, project map, subagents

    @Test func discoversChatFilesUnderHomeAndGeminiCLIHome() throws {
        let dir = try TemporaryDirectory()
        let home = dir.path + "/home"
        let a = try dir.write("home/.gemini/tmp/proj/chats/session-2026-01-01T10-00-aaaaaaaa.jsonl", "")
        let b = try dir.write("home/.gemini/tmp/proj/chats/session-2025-12-01T10-00-bbbbbbbb.json", "{}")
        let sub = try dir.write("home/.gemini/tmp/proj/chats/parent-session/sub-1.jsonl", "")
        try dir.write("home/.gemini/tmp/proj/logs.json", "[]")
        try dir.write("home/.gemini/tmp/proj/chats/notes.json", "{}")
        try dir.write("home/.gemini/tmp/proj/checkpoints/session-x.json", "{}")
        try dir.write("home/.gemini/projects.json", "{}")
        let reader = GeminiCLIReader()
        let environment = ReaderEnvironment(home: home)
        #expect(reader.searchRoots(in: environment) == [home + "/.gemini/tmp"])
        #expect(reader.discoverFiles(in: environment) == [a, b, sub].sorted())
        #expect(reader.fileKind == .rewritten)

        // GEMINI_CLI_HOME stands for the home directory: records in $GEMINI_CLI_HOME/.gemini.
        let other = try dir.write("alt/.gemini/tmp/p2/chats/session-c.jsonl", "")
        let overridden = ReaderEnvironment(home: home, variables: ["GEMINI_CLI_HOME": dir.path + "/alt"])
        #expect(reader.searchRoots(in: overridden) == [dir.path + "/alt/.gemini/tmp"])
        #expect(reader.discoverFiles(in: overridden) == [other])
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: dir.path + "/nobody")).isEmpty)
    }

    @Test func cwdFromProjectRootMarkerOrRegistry() throws {
        let dir = try TemporaryDirectory()
        let body = metadataLine("s-c") + geminiLine(id: "g1", tokens: #"{"input":1,"output":1}"#, calls: replaceCall)
        try dir.write(".gemini/tmp/marked/.project_root", "/work/marked-repo\n")
        let marked = try dir.write(".gemini/tmp/marked/chats/session-1.jsonl", body)
        try dir.write(".gemini/projects.json", #"{"projects":{"/work/registered-repo":"registered"}}"#)
        let registered = try dir.write(".gemini/tmp/registered/chats/session-2.jsonl", body)
        let unknown = try dir.write(".gemini/tmp/0123abcd/chats/session-3.jsonl", body)
        #expect(try read(marked).observations.allSatisfy { $0.cwd == "/work/marked-repo" })
        #expect(try read(marked).edits.values.first?.cwd == "/work/marked-repo")
        #expect(try read(registered).observations.allSatisfy { $0.cwd == "/work/registered-repo" })
        #expect(try read(unknown).observations.allSatisfy { $0.cwd == nil })
    }

    @Test func subagentSpendBelongsToParentSession() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            ".gemini/tmp/p/chats/parent-123/sub-9.jsonl",
            #"{"sessionId":"sub-9","projectHash":"h","kind":"subagent","directories":["/w"]}"# + "\n"
                + geminiLine(id: "g1", tokens: #"{"input":4,"output":2}"#, calls: replaceCall))
        let merged = try read(path)
        let event = try #require(merged.usage["sub-9:g1"])
        #expect(event.sessionID == "parent-123")
        #expect(merged.edits["sub-9:replace-a"]?.sessionID == "parent-123")
    }
}

/// The formats Gemini CLI writes today (issue 11): per-session subfolders for subagents
/// (`chats/<parent session id>/<id>.jsonl`), `$set` records mixed with bare message
/// records, format drift, deep nesting, re-indentation.
@Suite struct GeminiCurrentFormatTests {
    private func toktrack(_ file: String) throws -> String {
        try String(contentsOfFile: Samples.path("gemini", file), encoding: .utf8)
    }

    @Test func mainSessionAndSubagentFolderFromTheToktrackPair() throws {
        // mag123c/toktrack's pair, laid out as Gemini CLI does (google-gemini/gemini-cli
        // `chatRecordingService.ts`: subagents nest under the full parent session id).
        let dir = try TemporaryDirectory()
        let main = try dir.write(
            "home/.gemini/tmp/proj/chats/session-2026-04-20T10-00-00-abc12345.jsonl",
            try toktrack("toktrack-tmp_jsonl_chats_session-2026-04-20T10-00-00-abc12345.jsonl"))
        let sub = try dir.write(
            "home/.gemini/tmp/proj/chats/abc12345-9999-4d2e-8a1f-000000000001/sub-abc.jsonl",
            try toktrack("toktrack-tmp_jsonl_chats_parent-session-xyz_sub-abc.jsonl"))
        #expect(GeminiCLIReader().discoverFiles(in: ReaderEnvironment(home: dir.path + "/home")) == [main, sub].sorted())

        let session = "abc12345-9999-4d2e-8a1f-000000000001"
        let mainRead = try DriftRead.read(GeminiCLIReader(), main)
        // m2: input 100 with 20 cached, tool 10 → input 90, cache read 20; output 50 +
        // thoughts 30. m4 (after the rewind, which keeps spend): input 250 − 50 = 200,
        // cache read 50, output 150 + 100.
        #expect(mainRead.usage["\(session):m2"]?.tokens == TokenCounts(input: 90, output: 80, cacheRead: 20, reasoning: 30))
        #expect(mainRead.usage["\(session):m4"]?.tokens == TokenCounts(input: 200, output: 250, cacheRead: 50, reasoning: 100))
        #expect(mainRead.usage["\(session):m4"]?.model == "gemini-2.5-flash")
        // No project map here: the header's `directories` gives the working directory.
        #expect(mainRead.merged.observations.allSatisfy { $0.cwd == "/tmp/project" && $0.sessionID == session })
        // `$set`, `$rewindTo`, user and error messages: all known.
        #expect(mainRead.drift.isEmpty)
        #expect(mainRead.progress.linesSkipped == 0)

        let subRead = try DriftRead.read(GeminiCLIReader(), sub)
        let subUsage = try #require(subRead.usage["sub-abc-0000-4d2e-8a1f-000000000002:sm2"])
        #expect(subUsage.sessionID == session)  // the subagent's spend is the parent session's
        #expect(subUsage.tokens == TokenCounts(input: 35, output: 15, cacheRead: 5))
        #expect(subRead.drift.isEmpty)
    }

    @Test func setBatchOfMessagesMixedWithBareRecordsCountsEachRequestOnce() throws {
        // `updateMessagesFromHistory` appends `{"$set":{"messages":[…]}}` with copies of the
        // messages already written as bare records (google-gemini/gemini-cli).
        let dir = try TemporaryDirectory()
        let g1 =
            #"{"id":"g1","timestamp":"2026-05-01T10:00:00Z","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":10,"output":2,"cached":0,"total":12}}"#
        let g2 =
            #"{"id":"g2","timestamp":"2026-05-01T10:01:00Z","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":20,"output":4,"cached":5,"total":24}}"#
        let body =
            #"{"sessionId":"s-set","projectHash":"h","startTime":"2026-05-01T09:59:00Z","lastUpdated":"2026-05-01T09:59:00Z","kind":"main"}"#
            + "\n"
            + g1 + "\n"
            + #"{"$set":{"lastUpdated":"2026-05-01T10:00:01Z"}}"# + "\n"
            + #"{"$set":{"messages":[{"id":"u1","type":"user","content":[{"text":"hi"}]},"# + g1 + "," + g2
            + #"],"lastUpdated":"2026-05-01T10:01:01Z"}}"# + "\n"
            + g2 + "\n"
        let read = try DriftRead.read(GeminiCLIReader(), try dir.write("session-set.jsonl", body))
        #expect(read.usage.count == 2)
        #expect(read.merged.totals == TokenCounts(input: 25, output: 6, cacheRead: 5))
        #expect(read.drift.isEmpty)
    }

    @Test func deepValueInAFieldNotReadKeepsTheSession() throws {
        let dir = try TemporaryDirectory()
        let deepCall = #"[{"id":"read-1","name":"read_file","args":{"file_path":"/r/x.json"},"result":"# + deeplyNested(100_000) + "}]"
        // A whole `.json` session (older versions): one deep tool result used to cost it all.
        let document =
            #"{"sessionId":"s-deep","projectHash":"h","messages":["#
            + #"{"id":"g1","timestamp":"2026-05-01T10:00:00Z","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":7,"output":3},"toolCalls":"#
            + deepCall + "}]}"
        let json = try DriftRead.read(GeminiCLIReader(), try dir.write("session-deep.json", document))
        #expect(json.usage["s-deep:g1"]?.tokens == TokenCounts(input: 7, output: 3))
        // The same message as a `.jsonl` line.
        let lines =
            metadataLineForDepth("s-deep2")
            + #"{"id":"g1","timestamp":"2026-05-01T10:00:00Z","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":7,"output":3},"toolCalls":"#
            + deepCall + "}\n"
        let jsonl = try DriftRead.read(GeminiCLIReader(), try dir.write("session-deep2.jsonl", lines))
        #expect(jsonl.usage["s-deep2:g1"]?.tokens == TokenCounts(input: 7, output: 3))
        #expect(jsonl.progress.linesSkipped == 0)
        // A document that is no JSON at all is counted as drift, not dropped silently.
        let cut = try DriftRead.read(GeminiCLIReader(), try dir.write("session-cut.json", #"{"sessionId":"s","mess"#))
        #expect(cut.count(.shape, "session-json") == 1)
    }

    @Test func unknownTypesToolsAndShapesAreCounted() throws {
        let dir = try TemporaryDirectory()
        let body =
            metadataLineForDepth("s-drift")
            + #"{"id":"x1","timestamp":"2026-05-01T10:00:00Z","type":"hologram","content":"?"}"# + "\n"
            + #"{"id":"g1","timestamp":"2026-05-01T10:00:01Z","type":"gemini","model":"m","toolCalls":[{"id":"c1","name":"teleport","args":{}},{"id":"c2","name":"read_file","args":{"file_path":"/a"}}]}"#
            + "\n"
            + #"{"kind":"something-new","payload":{}}"# + "\n"
        let read = try DriftRead.read(GeminiCLIReader(), try dir.write("session-drift.jsonl", body))
        #expect(read.count(.recordType, "hologram") == 1)
        #expect(read.count(.toolName, "teleport") == 1)
        #expect(read.count(.shape, "record") == 1)
        #expect(read.drift.count == 3)  // read_file is known
        #expect(read.progress.linesSkipped == 0)  // well-formed: drift, not malformed
    }

    @Test func reindentedLineIsWritten() throws {
        let dir = try TemporaryDirectory()
        let call =
            #"[{"id":"r1","name":"replace","args":{"file_path":"/r/a.py","old_string":"if x:\n  run()","new_string":"if x:\n    run()"}}]"#
        let body =
            metadataLineForDepth("s-indent")
            + #"{"id":"g1","timestamp":"2026-05-01T10:00:00Z","type":"gemini","model":"m","toolCalls":"# + call + "}\n"
        let read = try DriftRead.read(GeminiCLIReader(), try dir.write("session-indent.jsonl", body))
        #expect(read.edits["s-indent:r1"]?.addedLines == [LineIdentity.significantHash("run()")!])
    }

    private func metadataLineForDepth(_ session: String) -> String {
        #"{"sessionId":"\#(session)","projectHash":"abc","startTime":"2026-05-01T09:59:00Z","lastUpdated":"2026-05-01T09:59:00Z","kind":"main"}"#
            + "\n"
    }
}
