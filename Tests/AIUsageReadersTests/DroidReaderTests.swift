import AIUsageCore
import Foundation
import Testing
import _AIUsageTestSupport

@testable import AIUsageReaders

private let sessionID = "052cb8d0-4616-488a-99fe-bfbbbe9429b3"
private let folder = ".factory/sessions/-Users-testuser-projects-testing-git/"

/// Factory Droid: the published session (git-ai's fixture, a real capture) and records
/// written from its shape.
@Suite struct DroidReaderTests {
    /// The sample files placed where Droid writes them, below a fake home.
    private func placeSamples(in dir: TemporaryDirectory) throws -> (transcript: String, settings: String) {
        let transcript = try dir.write(
            folder + sessionID + ".jsonl", try String(contentsOfFile: Samples.path("droid", "gitai-droid-session.jsonl"), encoding: .utf8))
        let settings = try dir.write(
            folder + sessionID + ".settings.json",
            try String(contentsOfFile: Samples.path("droid", "gitai-droid-session.settings.json"), encoding: .utf8))
        return (transcript, settings)
    }

    @Test func theSampleSessionsPatchIsOneEditInItsFolder() throws {
        let dir = try TemporaryDirectory()
        let (transcript, _) = try placeSamples(in: dir)
        let read = try DriftRead.read(DroidReader(), transcript)
        let edit = try #require(read.edits["call_M13Lh2U4N1T8yEvrk9bP4rTk:0"])
        #expect(read.edits.count == 1)
        #expect(edit.filePath == "/Users/testuser/projects/testing-git/index.ts")
        #expect(edit.cwd == "/Users/testuser/projects/testing-git")
        #expect(edit.addedLines == LineIdentity.significantHashes(ofText: "// DROID3"))
        #expect(edit.sessionID == sessionID && edit.timestamp == Timestamps.parse("2026-01-28T16:57:21.992Z"))
        #expect(read.usage.isEmpty)  // the transcript holds no counts
        #expect(read.drift.isEmpty)  // Read, TodoWrite, todo_state: all known
        #expect(read.progress.linesRead == 13 && read.progress.linesSkipped == 0)
    }

    @Test func theSampleSettingsAreTheSessionsTokens() throws {
        let dir = try TemporaryDirectory()
        let (_, settings) = try placeSamples(in: dir)
        let read = try CollectedRead.read(DroidReader(), settings)
        let usage = try #require(read.usage.first)
        #expect(read.usage.count == 1)
        // Thinking (1088) fits inside the output (1450): part of it, not added.
        #expect(usage.tokens == TokenCounts(input: 6743, output: 1450, cacheWrite: 0, cacheRead: 42496, reasoning: 1088))
        #expect(usage.model == "custom:BYOK-GPT-5-MINI-0" && usage.dedupKey == sessionID && usage.sessionID == sessionID)
        #expect(usage.timestamp == Timestamps.parse("2026-01-28T16:57:01.086Z"))
        #expect(read.observations.map(\.model) == ["custom:BYOK-GPT-5-MINI-0"])
    }

    @Test func bothFilesAreFoundAndTheSettingsAreRewritten() throws {
        let dir = try TemporaryDirectory()
        let (transcript, settings) = try placeSamples(in: dir)
        let reader = DroidReader()
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: dir.path)) == [transcript, settings].sorted())
        #expect(reader.fileKind(for: settings) == .rewritten && reader.fileKind(for: transcript) == .appendOnly)
        let elsewhere = try TemporaryDirectory()
        let moved = try elsewhere.write("sessions/-w/s1.jsonl", "")
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: dir.path, variables: ["FACTORY_HOME": elsewhere.path])) == [moved])
    }

    @Test func aLaterIncrementKeepsTheWorkingFolder() throws {
        let dir = try TemporaryDirectory()
        let (transcript, _) = try placeSamples(in: dir)
        let whole = try DriftRead.read(DroidReader(), transcript)
        // The first run sees the first two records only (session_start names the folder).
        let lines = try String(contentsOfFile: transcript, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let head = lines.prefix(2).joined(separator: "\n") + "\n"
        let partial = try dir.write(folder + "cut.jsonl", head)
        let first = try DriftRead.read(DroidReader(), partial)
        #expect(first.edits.isEmpty)
        try dir.append(folder + "cut.jsonl", Data(lines.dropFirst(2).joined(separator: "\n").utf8))
        let second = try DriftRead.read(DroidReader(), partial, from: first.progress.offset, state: first.progress.state)
        #expect(second.edits.values.map(\.cwd) == whole.edits.values.map(\.cwd))
        #expect(second.edits.values.first?.cwd == "/Users/testuser/projects/testing-git")
    }

    @Test func createEditAndMultiEditCallsAreRead() throws {
        let dir = try TemporaryDirectory()
        func call(_ id: String, _ name: String, _ input: String) -> String {
            #"{"type":"message","id":"m-\#(id)","timestamp":"2026-02-01T10:00:00.000Z","message":{"role":"assistant","content":[{"type":"tool_use","id":"\#(id)","name":"\#(name)","input":\#(input)}]}}"#
        }
        let text =
            [
                #"{"type":"session_start","id":"s2","cwd":"/w"}"#,
                call("c1", "Create", #"{"file_path":"/w/new.py","content":"a = 1\nb = 2\n"}"#),
                call("c2", "Edit", #"{"file_path":"/w/old.py","old_str":"x = 1","new_str":"x = 1\ny = 2"}"#),
                call("c3", "MultiEdit", #"{"file_path":"/w/old.py","edits":[{"old_str":"p","new_str":"q = 3"}]}"#),
                call("c4", "ApplyPatch", #""*** Begin Patch\n*** Add File: rel.txt\n+hello there\n*** End Patch""#),
                call("c5", "Teleport", #"{"to":"mars"}"#),
                #"{"type":"compaction_summary","id":"x","timestamp":"2026-02-01T10:00:01.000Z"}"#,
            ].joined(separator: "\n") + "\n"
        let read = try DriftRead.read(DroidReader(), try dir.write(folder + "s2.jsonl", text))
        #expect(read.edits["c1:0"]?.addedLines == LineIdentity.significantHashes(ofText: "a = 1\nb = 2"))
        #expect(read.edits["c2:0"]?.addedLines == LineIdentity.significantHashes(ofText: "y = 2"))
        #expect(read.edits["c3:0"]?.addedLines == LineIdentity.significantHashes(ofText: "q = 3"))
        #expect(read.edits["c4:0"]?.filePath == "rel.txt" && read.edits["c4:0"]?.absolutePath == "/w/rel.txt")
        #expect(read.edits.count == 4)
        #expect(read.count(.toolName, "Teleport") == 1)
        #expect(read.count(.recordType, "compaction_summary") == 1)
    }

    @Test func thinkingBeyondTheOutputIsAddedAndBadSettingsAreCounted() throws {
        let dir = try TemporaryDirectory()
        let settings = try dir.write(
            folder + "s3.settings.json",
            #"{"model":"claude-sonnet-4-5-20250929","tokenUsage":{"inputTokens":10,"outputTokens":5,"thinkingTokens":20}}"#)
        let read = try CollectedRead.read(DroidReader(), settings)
        #expect(read.usage.first?.tokens == TokenCounts(input: 10, output: 25, reasoning: 20))
        let cut = try DriftRead.read(DroidReader(), try dir.write(folder + "s4.settings.json", #"{"model":"m","tokenUs"#))
        #expect(cut.usage.isEmpty && cut.count(.shape, "settings-not-object") == 1 && cut.progress.linesSkipped == 1)
        let odd = try DriftRead.read(DroidReader(), try dir.write(folder + "s5.settings.json", #"{"tokenUsage":[1,2]}"#))
        #expect(odd.usage.isEmpty && odd.count(.shape, "tokenUsage") == 1)
    }
}
