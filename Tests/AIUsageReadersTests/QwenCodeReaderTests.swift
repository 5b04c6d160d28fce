import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

private typealias Merged = MergedRead

private func read(_ path: String, from offset: Int64 = 0, state: Data? = nil) throws -> Merged {
    var merged = Merged()
    merged.progress = try QwenCodeReader().read(path: path, from: offset, state: state) { merged.add($0) }
    return merged
}

private func sample(_ file: String) -> String { Samples.path("qwen", file) }

private func hash(_ line: String) -> LineHash { LineIdentity.significantHash(line)! }

private func assistant(uuid: String, parts: String, usage: String? = nil, model: String = "qwen3-coder-plus") -> String {
    let usagePart = usage.map { ",\"usageMetadata\":\($0)" } ?? ""
    return """
        {"uuid":"\(uuid)","parentUuid":null,"sessionId":"q1","timestamp":"2026-05-01T10:00:00Z","type":"assistant",\
        "cwd":"/repo","version":"0.5.0","model":"\(model)","message":{"role":"model","parts":\(parts)}\(usagePart)}

        """
}

private func toolResult(uuid: String, callID: String, status: String, display: String = "\"done\"") -> String {
    """
    {"uuid":"\(uuid)","sessionId":"q1","timestamp":"2026-05-01T10:00:02Z","type":"tool_result","cwd":"/repo",\
    "message":{"role":"user","parts":[{"functionResponse":{"id":"\(callID)","name":"edit","response":{"output":"ok"}}}]},\
    "toolCallResult":{"callId":"\(callID)","status":"\(status)","resultDisplay":\(display)}}

    """
}

private let editCall =
    #"[{"functionCall":{"id":"call-1","name":"edit","args":{"file_path":"/repo/main.py","old_string":"x = 1","new_string":"x = 2\ny = 3"}}}]"#

@Suite struct QwenCodeReaderTests {
    // MARK: Real samples

    @Test func activeChainSampleTokens() throws {
        let merged = try read(sample("agentsessions-qwen-019f0000-0000-7000-8000-000000000004.jsonl"))
        // uuid …046 is written twice: first without usage, then with
        // promptTokenCount 12, candidatesTokenCount 4 (no cache, no thoughts) → (12, 4).
        // The discarded branch's assistant (…042) has no usage.
        let session = "019f0000-0000-7000-8000-000000000004"
        #expect(merged.usage.count == 1)
        let event = try #require(merged.usage["\(session):019f0000-0000-7000-8000-000000000046"])
        #expect(event.tokens == TokenCounts(input: 12, output: 4))
        #expect(event.model == "synthetic-active-model")
        #expect(event.sessionID == session)
        #expect(merged.totals == TokenCounts(input: 12, output: 4))
        // All 9 records are known shapes (user, assistant, system subtypes).
        #expect(merged.progress.linesRead == 9)
        #expect(merged.progress.linesSkipped == 0)
        #expect(Set(merged.observations.compactMap(\.cwd)).contains("/tmp/as-qwen-fixture/new-project"))
        #expect(merged.edits.isEmpty)  // read_file is no edit
    }

    @Test func firstSampleHasNoUsage() throws {
        let merged = try read(sample("agentsessions-qwen-019f0000-0000-7000-8000-000000000001.jsonl"))
        // No record carries usageMetadata; read_file is not an edit.
        #expect(merged.usage.isEmpty)
        #expect(merged.edits.isEmpty)
        #expect(merged.progress.linesRead == 6)
        #expect(merged.observations.contains { $0.model == "synthetic-model" })
        #expect(merged.observations.allSatisfy { $0.sessionID == "019f0000-0000-7000-8000-000000000001" })
    }

    @Test func telemetrySampleCountsNothingTwice() throws {
        let merged = try read(sample("agentsessions-qwen-system_telemetry.jsonl"))
        // The assistant record's usageMetadata is empty and ui_telemetry events are
        // not usage: nothing is counted; every record is a known shape.
        #expect(merged.usage.isEmpty)
        #expect(merged.progress.linesRead == 8)
        #expect(merged.progress.linesSkipped == 0)
    }

    // MARK: Tokens

    @Test func cachedAndThoughtTokens() throws {
        let dir = try TemporaryDirectory()
        // prompt 2000 includes cached 1500; candidates 100 exclude thoughts 40 (total
        // 2140 = 2000 + 100 + 40): input 500, output 140, cache read 1500, reasoning 40.
        // Second: OpenAI-style, thoughts inside candidates (total 660 = 600 + 60):
        // input 600 − 100 = 500, output 60, cache read 100, reasoning 20.
        let path = try dir.write(
            "q1.jsonl",
            assistant(
                uuid: "a1", parts: #"[{"text":"hi"}]"#,
                usage:
                    #"{"promptTokenCount":2000,"candidatesTokenCount":100,"cachedContentTokenCount":1500,"thoughtsTokenCount":40,"totalTokenCount":2140}"#
            )
                + assistant(
                    uuid: "a2", parts: #"[{"text":"hi"}]"#,
                    usage:
                        #"{"promptTokenCount":600,"candidatesTokenCount":60,"cachedContentTokenCount":100,"thoughtsTokenCount":20,"totalTokenCount":660}"#
                ))
        let merged = try read(path)
        #expect(merged.usage["q1:a1"]?.tokens == TokenCounts(input: 500, output: 140, cacheRead: 1500, reasoning: 40))
        #expect(merged.usage["q1:a2"]?.tokens == TokenCounts(input: 500, output: 60, cacheRead: 100, reasoning: 20))
    }

    // MARK: Edits

    @Test func editCallAndSuccessfulResult() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "q1.jsonl", assistant(uuid: "a1", parts: editCall) + toolResult(uuid: "t1", callID: "call-1", status: "success"))
        let merged = try read(path)
        // new "x = 2", "y = 3" minus old "x = 1": 2 lines; a plain-text result keeps them.
        let edit = try #require(merged.edits["q1:call-1"])
        #expect(edit.addedLines == [hash("x = 2"), hash("y = 3")])
        #expect(edit.filePath == "/repo/main.py")
        #expect(edit.cwd == "/repo")
        #expect(edit.sessionID == "q1")
    }

    @Test func failedResultAddsNothingAndDiffResultIsExact() throws {
        let dir = try TemporaryDirectory()
        let write =
            #"[{"functionCall":{"id":"call-2","name":"write_file","args":{"file_path":"notes.md","content":"old line\nnew line\n"}}}]"#
        let diff = #"{"fileDiff":"@@","fileName":"notes.md","originalContent":"old line\n","newContent":"old line\nnew line\n"}"#
        let path = try dir.write(
            "q1.jsonl",
            assistant(uuid: "a1", parts: editCall) + toolResult(uuid: "t1", callID: "call-1", status: "error")
                + assistant(uuid: "a2", parts: write) + toolResult(uuid: "t2", callID: "call-2", status: "success", display: diff))
        let merged = try read(path)
        #expect(merged.edits["q1:call-1"]?.addedLines == [])
        // The file already held "old line": only "new line" was added.
        #expect(merged.edits["q1:call-2"]?.addedLines == [hash("new line")])
        #expect(merged.edits["q1:call-2"]?.filePath == "notes.md")
    }

    @Test func resultInALaterRunUsesPendingCallFromState() throws {
        let dir = try TemporaryDirectory()
        let head = assistant(uuid: "a1", parts: editCall)
        let path = try dir.write("q1.jsonl", head)
        let first = try read(path)
        #expect(first.edits["q1:call-1"]?.addedLines.count == 2)
        #expect(first.progress.offset == Int64(head.utf8.count))

        // Nothing new: nothing out.
        let again = try read(path, from: first.progress.offset, state: first.progress.state)
        #expect(again.usage.isEmpty && again.edits.isEmpty && again.progress.linesRead == 0)

        // The failed result arrives later: the call from the state is undone.
        try dir.append("q1.jsonl", Data(toolResult(uuid: "t1", callID: "call-1", status: "cancelled").utf8))
        let second = try read(path, from: again.progress.offset, state: again.progress.state)
        #expect(second.edits["q1:call-1"]?.addedLines == [])
        #expect(second.edits["q1:call-1"]?.filePath == "/repo/main.py")
        #expect(second.progress.linesRead == 1)
    }

    // MARK: Incremental and malformed

    @Test func appendedRecordsOnly() throws {
        let dir = try TemporaryDirectory()
        let usage = #"{"promptTokenCount":10,"candidatesTokenCount":2,"totalTokenCount":12}"#
        let head = assistant(uuid: "a1", parts: #"[{"text":"one"}]"#, usage: usage)
        let path = try dir.write("q1.jsonl", head)
        let first = try read(path)
        #expect(first.usage.keys.sorted() == ["q1:a1"])
        try dir.append("q1.jsonl", Data(assistant(uuid: "a2", parts: #"[{"text":"two"}]"#, usage: usage).utf8))
        let second = try read(path, from: first.progress.offset, state: first.progress.state)
        #expect(second.usage.keys.sorted() == ["q1:a2"])
        #expect(second.progress.linesRead == 1)
    }

    @Test func malformedLinesAreSkippedAndCounted() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "q1.jsonl",
            "{broken\n"
                + "42\n"
                + #"{"hello":"world"}"# + "\n"
                + #"{"uuid":"a1","sessionId":"q1","type":"assistant","message":"text","usageMetadata":{"promptTokenCount":"7","candidatesTokenCount":1}}"#
                + "\n"
                + #"{"uuid":"x","sessionId":"q1","type":"brand_new_type","payload":[1]}"# + "\n"
                + #"{"uuid":"a2","sessionId":"q1","type":"assistant","#)
        let merged = try read(path)
        // Broken JSON and a number are skipped; an object of no Qwen shape is format
        // drift (read, and counted as such); an odd message and an unknown type are
        // read; the cut last line waits.
        #expect(merged.progress.linesSkipped == 2)
        #expect(merged.progress.linesRead == 3)
        let drift = try DriftRead.read(QwenCodeReader(), path)
        #expect(drift.count(.shape, "record") == 1)
        #expect(drift.count(.recordType, "brand_new_type") == 1)
        #expect(merged.progress.trailingBytes > 0)
        #expect(merged.totals == TokenCounts(input: 7, output: 1))
        #expect(merged.usage["q1:a1"]?.model == "unknown")

        let empty = try dir.write("empty.jsonl", "")
        #expect(try read(empty).progress == ReadProgress(offset: 0, state: nil))
        #expect(throws: (any Error).self) { try read(dir.path + "/missing.jsonl") }
    }

    // MARK: Discovery

    @Test func discoversChatsUnderHomeAndRuntimeDir() throws {
        let dir = try TemporaryDirectory()
        let home = dir.path + "/home"
        let a = try dir.write("home/.qwen/projects/-repo-one/chats/s1.jsonl", "")
        let b = try dir.write("home/.qwen/projects/-repo-two/chats/s2.jsonl", "")
        try dir.write("home/.qwen/projects/-repo-one/other/x.jsonl", "")
        try dir.write("home/.qwen/projects/-repo-one/chats/notes.json", "{}")
        let reader = QwenCodeReader()
        let plain = ReaderEnvironment(home: home)
        #expect(reader.searchRoots(in: plain) == [home + "/.qwen/projects"])
        #expect(reader.discoverFiles(in: plain) == [a, b])
        #expect(reader.fileKind == .appendOnly)

        let c = try dir.write("runtime/projects/-repo-three/chats/s3.jsonl", "")
        let runtime = ReaderEnvironment(home: home, variables: ["QWEN_RUNTIME_DIR": dir.path + "/runtime"])
        #expect(reader.searchRoots(in: runtime) == [dir.path + "/runtime/projects", home + "/.qwen/projects"])
        #expect(reader.discoverFiles(in: runtime) == [a, b, c].sorted())
        let tilde = ReaderEnvironment(home: home, variables: ["QWEN_RUNTIME_DIR": "~/rt"])
        #expect(reader.searchRoots(in: tilde).first == home + "/rt/projects")
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: dir.path + "/nobody")).isEmpty)
    }
}

/// Issue 11: format drift, deep nesting and the added-lines rule in Qwen Code records.
@Suite struct QwenCurrentFormatTests {
    @Test func realSamplesShowOnlyTheirTrimmedToolName() throws {
        // agent-sessions' Qwen fixtures: every type and subtype is known; one tool name
        // was trimmed by the fixture's author and is counted as unknown.
        var drift: [FormatDrift: Int] = [:]
        for file in [
            "agentsessions-qwen-019f0000-0000-7000-8000-000000000001.jsonl",
            "agentsessions-qwen-019f0000-0000-7000-8000-000000000004.jsonl", "agentsessions-qwen-system_telemetry.jsonl",
        ] {
            drift.merge(try DriftRead.read(QwenCodeReader(), sample(file)).drift, uniquingKeysWith: +)
        }
        #expect(drift == [FormatDrift(kind: .toolName, name: "[trimmed for fixture]"): 1])
    }

    @Test func unknownSubtypesAndToolsAreCounted() throws {
        let dir = try TemporaryDirectory()
        let body =
            #"{"uuid":"s1","sessionId":"q1","type":"system","subtype":"quantum_sync"}"# + "\n"
            + assistant(uuid: "a1", parts: #"[{"functionCall":{"id":"c1","name":"teleport","args":{}}}]"#)
        let read = try DriftRead.read(QwenCodeReader(), try dir.write("q1.jsonl", body))
        #expect(read.count(.recordType, "system:quantum_sync") == 1)
        #expect(read.count(.toolName, "teleport") == 1)
    }

    @Test func deepValueInAFieldNotReadKeepsTheRecord() throws {
        let dir = try TemporaryDirectory()
        let line =
            #"{"uuid":"a1","sessionId":"q1","timestamp":"2026-05-01T10:00:00Z","type":"assistant","model":"qwen3-coder-plus","debug":"#
            + deeplyNested(100_000) + #","usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":4}}"# + "\n"
        let read = try DriftRead.read(QwenCodeReader(), try dir.write("q1.jsonl", line))
        #expect(read.usage["q1:a1"]?.tokens == TokenCounts(input: 9, output: 4))
        #expect(read.progress.linesSkipped == 0)
    }

    @Test func reindentedLineIsWritten() throws {
        let dir = try TemporaryDirectory()
        let call =
            #"[{"functionCall":{"id":"c1","name":"edit","args":{"file_path":"/repo/a.py","old_string":"if x:\n  run()","new_string":"if x:\n    run()"}}}]"#
        let read = try DriftRead.read(QwenCodeReader(), try dir.write("q1.jsonl", assistant(uuid: "a1", parts: call)))
        #expect(read.edits["q1:c1"]?.addedLines == [hash("run()")])
    }
}
