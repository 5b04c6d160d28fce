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
            #"{"role":"assistant","message":{"content":[{"type":"tool_use","name":"StrReplace","input":{"path":"a.ts","old_string":"x = 1","new_string":"x = 1\ny = 2"}}]}}"# + "\n")
        let environment = ReaderEnvironment(home: folder.path + "/home")
        #expect(CursorTranscriptReader().discoverFiles(in: environment) == [path])
        let (first, p1) = try read(path)
        #expect(first.edits.count == 1)
        #expect(first.edits.first?.cwd == workspace)
        #expect(first.edits.first?.addedLines == LineIdentity.significantHashes(ofText: "y = 2"))
        try folder.append(
            relative,
            Data((#"{"role":"assistant","message":{"model":"gpt-5","usage":{"input_tokens":5,"output_tokens":7},"content":[{"type":"tool_use","id":"tu_1","name":"Write","input":{"path":"b.ts","contents":"one\ntwo"}}]}}"# + "\n{bad json\n{\"role\":\"assistant\"").utf8))
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
