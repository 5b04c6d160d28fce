import Foundation
import Testing
import _AIUsageTestSupport
@testable import AIUsageReaders
import AIUsageCore

private func read(_ path: String, from offset: Int64 = 0) throws -> (ReadBatch, ReadProgress) {
    var all = ReadBatch()
    let progress = try CursorTranscriptReader().read(path: path, from: offset, state: nil) { batch in
        all.observations += batch.observations
        all.usage += batch.usage
        all.edits += batch.edits
    }
    return (all, progress)
}

@Suite struct CursorTranscriptReaderTests {
    @Test func gitaiSampleGivesTheWriteEdit() throws {
        let path = Samples.path("cursor", "gitai-cursor-session-simple.jsonl")
        let (batch, progress) = try read(path)
        #expect(progress.linesRead == 11)
        #expect(progress.linesSkipped == 0)
        // No tokens in Cursor transcripts.
        #expect(batch.usage.isEmpty)
        // One Write (hbo-shows-1990s.txt); Read / WebSearch / Grep are no edits.
        #expect(batch.edits.count == 1)
        let edit = try #require(batch.edits.first)
        #expect(edit.filePath == "/Users/aidancunniffe/Desktop/testing-gitflows-git-ai/hbo-shows-1990s.txt")
        // 74 significant lines in the Write's `contents` (counted with a python one-off:
        // lines with a letter or digit after trimming).
        #expect(edit.addedLines.count == 74)
        #expect(edit.sessionID == "gitai-cursor-session-simple")
        #expect(batch.observations.count == 1)
        // Re-read: same keys; from the returned offset: nothing new.
        #expect(try read(path).0.edits.map(\.dedupKey) == [edit.dedupKey])
        let (again, p2) = try read(path, from: progress.offset)
        #expect(again.isEmpty && p2.linesRead == 0)
    }

    @Test func agentSessionsSamplesHaveNoEdits() throws {
        for name in ["agentsessions-cursor-agent-transcript.jsonl", "agentsessions-cursor-transcript-large.jsonl"] {
            let (batch, progress) = try read(Samples.path("cursor", name))
            #expect(batch.edits.isEmpty && batch.usage.isEmpty)
            #expect(progress.linesSkipped == 0)
            #expect(progress.linesRead > 0)
        }
    }

    @Test func appendedEditsAndWorkspaceFromSlug() throws {
        let folder = try TemporaryDirectory()
        let workspace = folder.path + "/src/my-app.web"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        let slug = String(workspace.dropFirst()).replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".", with: "-")
        let relative = "home/.cursor/projects/\(slug)/agent-transcripts/abc-123.jsonl"
        let path = try folder.write(
            relative,
            #"{"role":"assistant","message":{"content":[{"type":"tool_use","name":"StrReplace","input":{"path":"a.ts","old_string":"x = 1","new_string":"x = 1\ny = 2"}}]}}"#
                + "\n")
        let environment = ReaderEnvironment(home: folder.path + "/home")
        #expect(CursorTranscriptReader().discoverFiles(in: environment) == [path])
        let (first, p1) = try read(path)
        #expect(first.edits.count == 1)
        #expect(first.edits.first?.cwd == workspace)
        #expect(first.edits.first?.addedLines == LineIdentity.significantHashes(ofText: "y = 2"))
        try folder.append(
            relative,
            Data(
                (#"{"role":"assistant","message":{"model":"gpt-5","usage":{"input_tokens":5,"output_tokens":7},"content":[{"type":"tool_use","id":"tu_1","name":"Write","input":{"path":"b.ts","contents":"one\ntwo"}}]}}"#
                    + "\n{bad json\n{\"role\":\"assistant\"").utf8))
        let (second, p2) = try read(path, from: p1.offset)
        #expect(second.edits.map(\.dedupKey) == ["tu_1:0"])
        #expect(second.usage.map(\.tokens.total) == [12])  // 5 + 7
        #expect(p2.linesSkipped == 1)
        #expect(p2.trailingBytes > 0)  // the unfinished last record waits for the next run
        // An increment gives the keys a whole read gives.
        let whole = try read(path).0.edits.map(\.dedupKey)
        #expect(whole == first.edits.map(\.dedupKey) + ["tu_1:0"])
    }

    @Test func emptyAndMissingFiles() throws {
        let folder = try TemporaryDirectory()
        let empty = try folder.write("e.jsonl", "")
        let (batch, progress) = try read(empty)
        #expect(batch.isEmpty && progress.offset == 0)
        #expect(throws: (any Error).self) { try read(folder.path + "/missing.jsonl") }
    }
}

/// The layout Cursor writes today (issue 11): `agent-transcripts/<uuid>/<uuid>.jsonl`,
/// subagents in `<uuid>/subagents/`, `turn_ended` records.
@Suite struct CursorCurrentFormatTests {
    @Test func nestedSampleIsOneSessionWithoutDrift() throws {
        // getagentseal/codeburn's 2-line transcript from the nested layout.
        let file =
            "codeburn-workspace-less_projects_agent-transcripts_1031d227-0c67-4e17-8954-0b6e2b3322f0_1031d227-0c67-4e17-8954-0b6e2b3322f0.jsonl"
        let dir = try TemporaryDirectory()
        let uuid = "1031d227-0c67-4e17-8954-0b6e2b3322f0"
        let path = try dir.write(
            "home/.cursor/projects/agent-transcripts/\(uuid)/\(uuid).jsonl",
            try String(contentsOfFile: Samples.path("cursor", file), encoding: .utf8))
        #expect(CursorTranscriptReader().discoverFiles(in: ReaderEnvironment(home: dir.path + "/home")) == [path])
        let read = try DriftRead.read(CursorTranscriptReader(), path)
        #expect(read.merged.observations.map(\.sessionID) == [uuid])
        #expect(read.merged.observations.first?.cwd == nil)  // workspace-less
        #expect(read.progress.linesRead == 2 && read.progress.linesSkipped == 0)
        #expect(read.drift.isEmpty)
    }

    /// Records as Cursor writes them (shape of the real gitai/codeburn transcripts; the
    /// `turn_ended` record and the `<timestamp>` of a user query as seen in public
    /// parsers of Cursor transcripts, e.g. getagentseal/codeburn `cursor-agent.ts`).
    @Test func subagentBelongsToItsParentAndTurnsEnd() throws {
        let dir = try TemporaryDirectory()
        let parent = "11111111-1111-1111-1111-111111111111"
        let child = "22222222-2222-2222-2222-222222222222"
        let base = "home/.cursor/projects/agent-transcripts/\(parent)"
        let user =
            #"{"role":"user","message":{"content":[{"type":"text","text":"<timestamp>2026-03-04T05:06:07.000Z</timestamp>\n<user_query>\nadd b\n</user_query>"}]}}"#
        let edit =
            #"{"role":"assistant","message":{"content":[{"type":"tool_use","name":"StrReplace","input":{"path":"/w/a.ts","old_string":"a()","new_string":"a()\nb()"}}]}}"#
        let ended = #"{"type":"turn_ended","status":"success"}"#
        let main = try dir.write("\(base)/\(parent).jsonl", [user, edit, ended].joined(separator: "\n") + "\n")
        let sub = try dir.write("\(base)/subagents/\(child).jsonl", [edit, ended].joined(separator: "\n") + "\n")
        #expect(CursorTranscriptReader().discoverFiles(in: ReaderEnvironment(home: dir.path + "/home")) == [main, sub].sorted())

        let mainRead = try DriftRead.read(CursorTranscriptReader(), main)
        let subRead = try DriftRead.read(CursorTranscriptReader(), sub)
        #expect(mainRead.drift.isEmpty && subRead.drift.isEmpty)  // turn_ended is known
        let mainEdit = try #require(mainRead.edits.values.first)
        let subEdit = try #require(subRead.edits.values.first)
        // The subagent's edit is the parent session's, under a key of its own file.
        #expect(mainEdit.sessionID == parent && subEdit.sessionID == parent)
        #expect(mainEdit.dedupKey != subEdit.dedupKey)
        #expect(subEdit.dedupKey.hasPrefix(child + ":"))
        // The edit happened after the query stamped 2026-03-04T05:06:07Z.
        #expect(mainEdit.timestamp == Timestamps.parse("2026-03-04T05:06:07.000Z"))
        // An increment after the query keeps that time.
        let more =
            #"{"role":"assistant","message":{"content":[{"type":"tool_use","id":"t9","name":"Write","input":{"path":"/w/c.ts","contents":"c()"}}]}}"#
        try dir.append("\(base)/\(parent).jsonl", Data((more + "\n").utf8))
        let next = try DriftRead.read(CursorTranscriptReader(), main, from: mainRead.progress.offset, state: mainRead.progress.state)
        #expect(next.edits["t9:0"]?.timestamp == Timestamps.parse("2026-03-04T05:06:07.000Z"))
    }

    @Test func unknownRecordsAndToolsAreCounted() throws {
        let dir = try TemporaryDirectory()
        let body =
            [
                #"{"type":"turn_paused","status":"x"}"#,
                #"{"role":"assistant","message":{"content":[{"type":"hologram"},{"type":"tool_use","name":"Teleport","input":{}},{"type":"tool_use","name":"Read","input":{"path":"/a"}}]}}"#,
                #"{"something":"else"}"#,
            ].joined(separator: "\n") + "\n"
        let read = try DriftRead.read(CursorTranscriptReader(), try dir.write("t.jsonl", body))
        #expect(read.count(.recordType, "turn_paused") == 1)
        #expect(read.count(.recordType, "block:hologram") == 1)
        #expect(read.count(.toolName, "Teleport") == 1)
        #expect(read.count(.shape, "record") == 1)
        #expect(read.drift.count == 4)
    }

    @Test func reindentedLineIsWritten() throws {
        let changes = EditToolCalls.files(
            tool: "StrReplace", ["path": "/w/a.py", "old_string": "if x:\n  run()", "new_string": "if x:\n    run()"])
        #expect(changes.map(\.added) == [[LineIdentity.significantHash("run()")!]])
    }
}
