import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

private typealias Merged = MergedRead

private func read(_ path: String, from offset: Int64 = 0, into merged: inout Merged) throws {
    var local = merged
    local.progress = try ClaudeCodeReader().read(path: path, from: offset, state: nil) { local.add($0) }
    merged = local
}

private func read(_ path: String, from offset: Int64 = 0) throws -> Merged {
    var merged = Merged()
    try read(path, from: offset, into: &merged)
    return merged
}

private func sample(_ file: String) -> String { Samples.path("claude-code", file) }

/// A minimal assistant record with usage; `extra` is spliced into `message`.
private func assistantLine(
    id: String, request: String?, output: Int, session: String = "s1", time: String = "2026-01-01T10:00:00Z",
    model: String = "claude-sonnet-4-5", content: String = "[]"
) -> String {
    let requestPart = request.map { ",\"requestId\":\"\($0)\"" } ?? ""
    return """
        {"type":"assistant","sessionId":"\(session)","cwd":"/repo","timestamp":"\(time)"\(requestPart),\
        "message":{"id":"\(id)","model":"\(model)","content":\(content),\
        "usage":{"input_tokens":3,"output_tokens":\(output),"cache_creation_input_tokens":100,"cache_read_input_tokens":1000}}}
        """
}

@Suite struct ClaudeCodeReaderTests {
    // MARK: Usage on real samples

    @Test func exampleSampleTokenTotalsAfterDedup() throws {
        let merged = try read(sample("gitai-example-claude-code.jsonl"))
        // 23 assistant lines with usage, 13 distinct message.id:requestId keys.
        // Per key (input, output, cache write, cache read), field-wise max:
        //   (4,91,10361,4802) (7,61,605,15163) (7,88,3368,15768) (7,210,2556,19136)
        //   (7,257,1611,21692) (6,1237,550,23303) (5,119,1440,23853) (4,77,360,25293)
        //   (3,331,592,25653) (2,97,635,26245) (2,352,5647,26880) (2,299,605,32527)
        //   (1,87,603,33132)
        // input 4+7+7+7+7+6+5+4+3+2+2+2+1 = 57
        // output 91+61+88+210+257+1237+119+77+331+97+352+299+87 = 3306
        // cache write 10361+605+3368+2556+1611+550+1440+360+592+635+5647+605+603 = 28933
        // cache read 4802+15163+15768+19136+21692+23303+23853+25293+25653+26245+26880+32527+33132 = 293447
        #expect(merged.usage.count == 13)
        #expect(merged.totals == TokenCounts(input: 57, output: 3306, cacheWrite: 28933, cacheRead: 293447))
        #expect(merged.usage.values.allSatisfy { $0.model == "claude-sonnet-4-20250514" && $0.tool == .claudeCode })
        #expect(merged.usage.values.allSatisfy { $0.sessionID == "cb947e5b-246e-4253-a953-631f7e464c6b" })
        #expect(merged.progress.linesSkipped == 0)
        #expect(merged.progress.linesRead == 38)
        #expect(merged.progress.state == nil)
    }

    @Test func thinkingSampleCountsSplitMessageOnce() throws {
        let merged = try read(sample("gitai-claude-code-with-thinking.jsonl"))
        // msg_01HZjNL8...: thinking, text and tool_use on 3 lines, output 8, 8, 407 → one
        //   key (10, 407, 6890, 12861).
        // msg_015DjLVT...: 2 lines, output 1, 77 → (8, 77, 571, 19751).
        // Totals: input 10+8 = 18, output 407+77 = 484, cache write 6890+571 = 7461,
        // cache read 12861+19751 = 32612.
        #expect(merged.usage.count == 2)
        let split = merged.usage["msg_01HZjNL8G7uFnVTmY94Us89M:req_011CW9RqDtCazSHptaGE43a9"]
        #expect(split?.tokens.output == 407)
        #expect(merged.totals == TokenCounts(input: 18, output: 484, cacheWrite: 7461, cacheRead: 32612))
        // summary and file-history-snapshot are known record types, not errors.
        #expect(merged.progress.linesSkipped == 0)
        #expect(merged.progress.linesRead == 10)
    }

    @Test func typelessUsageRecordsCount() throws {
        // ccusage fixture: no "type" field at all. 100+200+300, 50+75+125, 25+50+0, 10+20+40.
        let merged = try read(sample("ccusage-SYNTHETIC-minimal-usage-chat.jsonl"))
        #expect(merged.totals == TokenCounts(input: 600, output: 250, cacheWrite: 75, cacheRead: 70))
        #expect(merged.usage["msg-alpha-2:req-alpha-2"]?.model == "claude-opus-4-20250514")
    }

    // MARK: Edits on real samples

    @Test func exampleSampleEdits() throws {
        let merged = try read(sample("gitai-example-claude-code.jsonl"))
        // Edit (globals.css): 2 added lines (--green, --yellow).
        // MultiEdit (globals.css): 21 '+' lines in the applied patch.
        // Edit (HistoryLog.tsx): 2 lines.
        #expect(merged.edits.count == 3)
        let css = "/Users/aidancunniffe/Desktop/ghq/src/app/globals.css"
        #expect(merged.edits["toolu_01Sq3QikthL6hZC6Hpk6wrAs"]?.filePath == css)
        #expect(merged.edits["toolu_01Sq3QikthL6hZC6Hpk6wrAs"]?.addedLines.count == 2)
        #expect(merged.edits["toolu_01WjJZBWBwRe4EMgwU4AWMLh"]?.filePath == css)
        #expect(merged.edits["toolu_01WjJZBWBwRe4EMgwU4AWMLh"]?.addedLines.count == 21)
        #expect(
            merged.edits["toolu_01A4gL6DmbUmYMWtEHy8mYjy"]?.filePath
                == "/Users/aidancunniffe/Desktop/ghq/src/game/HistoryLog.tsx")
        #expect(merged.edits["toolu_01A4gL6DmbUmYMWtEHy8mYjy"]?.addedLines.count == 2)
        #expect(merged.edits.values.allSatisfy { $0.cwd == "/Users/aidancunniffe/Desktop/ghq" })
        let green = LineIdentity.significantHash("--green: #7cff7c;")
        #expect(merged.edits["toolu_01Sq3QikthL6hZC6Hpk6wrAs"]?.addedLines.contains { $0 == green } == true)
    }

    @Test func planSampleWriteAndEdits() throws {
        let merged = try read(sample("gitai-claude-code-with-plan.jsonl"))
        // No toolUseResult objects here: the calls' inputs stand.
        // Write: 11 significant lines of content; Edit of the plan: 2; Edit of main.rs:
        // "fn main() {" and println → 2 ("}" is not significant).
        #expect(merged.edits.count == 3)
        #expect(merged.edits["toolu_plan_write"]?.addedLines.count == 11)
        #expect(merged.edits["toolu_plan_edit"]?.addedLines.count == 2)
        #expect(merged.edits["toolu_code_edit"]?.filePath == "/Users/dev/myproject/src/main.rs")
        #expect(merged.edits["toolu_code_edit"]?.addedLines.count == 2)
        #expect(merged.edits.values.allSatisfy { $0.sessionID == "test-session-plan" })
        // 6 requests: outputs 15+200+20+100+50+20 = 405, input 6×10 = 60.
        #expect(merged.totals == TokenCounts(input: 60, output: 405))
    }

    @Test func relativePathEditWithIDs() throws {
        let merged = try read(sample("gitai-claude_with_ids.jsonl"))
        let edit = try #require(merged.edits["toolu_01AbCdEfGhIjKlMnOp"])
        #expect(merged.edits.count == 1)
        #expect(edit.filePath == "src/main.rs")
        #expect(edit.sessionID == "sess-parent-abc")
        // "fn main() -> Result<()>" replaces "fn main()": one new line.
        #expect(edit.addedLines == [LineIdentity.significantHash("fn main() -> Result<()>")].compactMap { $0 })
        // No usage in this fixture, so no usage events.
        #expect(merged.usage.isEmpty)
    }

    // MARK: Subagents and record zoo

    @Test func subagentTranscriptBelongsToParentSession() throws {
        let merged = try read(sample("gitai-claude_subagent-agent-a1b2c3d4e5f6.jsonl"))
        #expect(merged.observations.allSatisfy { $0.sessionID == "sess-parent-abc" })
        #expect(!merged.observations.isEmpty)
        #expect(merged.edits.isEmpty)

        // Laid out as Claude does, the parent folder names the session even when the
        // records carry an agent id (as in the agent-sessions fixture).
        let dir = try TemporaryDirectory()
        let text = try String(
            contentsOfFile: sample("agentsessions-claude-subagent-agent-a0ad4f44468bdf20d.jsonl"), encoding: .utf8)
        let path = try dir.write("projects/-tmp/parent-123/subagents/agent-a0ad4f44468bdf20d.jsonl", text)
        let nested = try read(path)
        #expect(!nested.observations.isEmpty)
        #expect(nested.observations.allSatisfy { $0.sessionID == "parent-123" })
        #expect(nested.progress.linesSkipped == 0)
    }

    @Test func recordZooSkipsNothingValid() throws {
        let merged = try read(sample("agentsessions-claude-small.jsonl"))
        #expect(merged.progress.linesSkipped == 0)
        #expect(merged.progress.linesRead == 89)
        // One real request (10 in, 5 out); zero-usage and <synthetic> lines are dropped.
        #expect(merged.totals == TokenCounts(input: 10, output: 5))
        #expect(merged.usage.values.allSatisfy { $0.model != "<synthetic>" })
    }

    @Test func oddLinesAreCountedAsDriftNotMalformed() throws {
        var drift: [FormatDrift: Int] = [:]
        var merged = Merged()
        merged.progress = try ClaudeCodeReader().read(
            path: sample("claudecodelog-SYNTHETIC-edge_cases-malformed-lines.jsonl"), from: 0, state: nil
        ) { batch in
            merged.add(batch)
            for (key, count) in batch.drift { drift[key, default: 0] += count }
        }
        // 19 lines. "massive error" (a JSON string), 42 and [1] are well-formed JSON but
        // not records, {"silly": "this"} a record without a type: all four are read and
        // counted as drift, none is malformed. The rest (including a "timesstamp" typo)
        // are read — except the last line (a summary), which has no newline and so is
        // left as trailing bytes. A call of a tool Claude Code does not have
        // ("FailingTool") is counted too: it could be an edit tool the reader misses.
        #expect(merged.progress.linesSkipped == 0)
        #expect(merged.progress.linesRead == 18)
        #expect(
            drift == [
                FormatDrift(kind: .shape, name: "record that is not an object"): 3,
                FormatDrift(kind: .shape, name: "record without a type"): 1,
                FormatDrift(kind: .toolName, name: "FailingTool"): 1,
            ])
        let summary =
            #"{"type": "summary", "summary": "Tested various edge cases including markdown formatting, long text, tool errors, system messages, command outputs, special characters and emojis. All message types render correctly in the transcript viewer.", "leafUuid": "edge_011"}"#
        #expect(merged.progress.trailingBytes == summary.utf8.count)
        #expect(!merged.usage.isEmpty)
    }

    // MARK: Small hand-written files

    @Test func repeatedUsageLinesKeepOneKeyWithMax() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "a.jsonl",
            [8, 8, 407].map { assistantLine(id: "msg_1", request: "req_1", output: $0) }.joined(separator: "\n") + "\n")
        let merged = try read(path)
        #expect(merged.usage.count == 1)
        #expect(merged.usage["msg_1:req_1"]?.tokens == TokenCounts(input: 3, output: 407, cacheWrite: 100, cacheRead: 1000))
        // De-duplicated inside the batch too: one usage row handed out.
        var raw: [UsageEvent] = []
        _ = try ClaudeCodeReader().read(path: path, from: 0, state: nil) { raw += $0.usage }
        #expect(raw.count == 1)
    }

    /// A file that starts with records without a timestamp (`permission-mode`, `mode`)
    /// must not place its session at the file's modification time: a copied or restored
    /// folder made every session "active" on the day of the copy.
    @Test func recordsWithoutTimestampsDoNotStretchTheSessionToTheFileTime() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            "a.jsonl",
            #"{"type":"permission-mode","permissionMode":"default","sessionId":"s1"}"# + "\n"
                + assistantLine(id: "msg_1", request: "req_1", output: 5, time: "2026-01-01T10:00:00Z") + "\n"
                + assistantLine(id: "msg_2", request: "req_2", output: 5, time: "2026-01-01T10:05:00Z") + "\n")
        let copied = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09, the day of a copy
        try FileManager.default.setAttributes([.modificationDate: copied], ofItemAtPath: path)
        var times: [Date] = []
        _ = try ClaudeCodeReader().read(path: path, from: 0, state: nil) { batch in
            times += batch.observations.filter { $0.sessionID == "s1" }.map(\.timestamp)
        }
        let first = try #require(Timestamps.parse("2026-01-01T10:00:00Z"))
        let last = try #require(Timestamps.parse("2026-01-01T10:05:00Z"))
        #expect(times.min() == first)
        #expect(times.max() == last)

        // A file of untimed records only still names its session, at the file's time.
        let untimed = try dir.write("b.jsonl", #"{"type":"permission-mode","permissionMode":"default","sessionId":"s2"}"# + "\n")
        try FileManager.default.setAttributes([.modificationDate: copied], ofItemAtPath: untimed)
        var seen: [SessionObservation] = []
        _ = try ClaudeCodeReader().read(path: untimed, from: 0, state: nil) { seen += $0.observations }
        #expect(seen.map(\.sessionID) == ["s2"])
        #expect(seen.first.map { abs($0.timestamp.timeIntervalSince(copied)) < 1 } == true)
    }

    @Test func differentRequestIDsAreDifferentKeys() throws {
        let dir = try TemporaryDirectory()
        let lines = [
            assistantLine(id: "msg_1", request: "req_a", output: 10),
            assistantLine(id: "msg_1", request: "req_b", output: 20),
            assistantLine(id: "msg_2", request: nil, output: 30),
        ]
        let path = try dir.write("a.jsonl", lines.joined(separator: "\n") + "\n")
        let merged = try read(path)
        #expect(Set(merged.usage.keys) == ["msg_1:req_a", "msg_1:req_b", "msg_2"])
        #expect(merged.totals.output == 60)
    }

    @Test func truncatedLastLineIsLeftForNextRun() throws {
        let dir = try TemporaryDirectory()
        let first = assistantLine(id: "msg_1", request: "r1", output: 10) + "\n"
        let second = assistantLine(id: "msg_2", request: "r2", output: 20, time: "2026-01-01T11:00:00Z")
        let cut = second.utf8.count / 2
        let path = try dir.write("a.jsonl", first + String(decoding: Array(second.utf8)[..<cut], as: UTF8.self))

        var merged = Merged()
        try read(path, into: &merged)
        #expect(merged.progress.offset == Int64(first.utf8.count))
        #expect(merged.progress.trailingBytes == cut)
        #expect(merged.progress.linesSkipped == 0)
        #expect(merged.usage.count == 1)

        // The writer finishes the line; the next run starts at the returned offset.
        try dir.append("a.jsonl", Data(Array(second.utf8)[cut...]) + Data("\n".utf8))
        try read(path, from: merged.progress.offset, into: &merged)
        #expect(merged.progress.offset == Int64(first.utf8.count + second.utf8.count + 1))
        #expect(merged.progress.trailingBytes == 0)
        #expect(merged.progress.linesRead == 1)
        #expect(merged.usage.count == 2)
        #expect(merged.totals.output == 30)
    }

    @Test func nonUTF8LinesAreSkipped() throws {
        let dir = try TemporaryDirectory()
        let good = assistantLine(id: "msg_1", request: "r1", output: 10) + "\n"
        var bad = Data(#"{"type":"user","sessionId":"s1","cwd":"/repo","message":{"content":"caf"#.utf8)
        bad.append(contentsOf: [0xC3, 0x28, 0xFF])
        bad.append(Data(#""},"timestamp":"2026-01-01T10:00:01Z"}"#.utf8) + Data("\n".utf8))
        var badUsage = Data(assistantLine(id: "msg_2", request: "r2", output: 5).utf8)
        badUsage.insert(0xFE, at: 40)
        badUsage.append(0x0A)
        let path = try dir.write("a.jsonl", good)
        try dir.append("a.jsonl", bad)
        try dir.append("a.jsonl", badUsage)
        let merged = try read(path)
        #expect(merged.progress.linesSkipped == 2)
        #expect(merged.progress.linesRead == 1)
        #expect(merged.usage.count == 1)
    }

    @Test func emptyFileReadsNothing() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("empty.jsonl", "")
        let merged = try read(path)
        #expect(merged.batches == 0)
        #expect(merged.progress == ReadProgress(offset: 0, state: nil))
        #expect(throws: (any Error).self) { try read(dir.path + "/missing.jsonl") }
    }

    @Test func unknownRecordTypesAreReadNotSkipped() throws {
        let dir = try TemporaryDirectory()
        let lines = [
            #"{"type":"brand-new-kind","sessionId":"s1","cwd":"/repo","timestamp":"2026-01-01T09:00:00Z","payload":{"x":1}}"#,
            #"{"type":"summary","summary":"s","leafUuid":"u"}"#,
            assistantLine(id: "msg_1", request: "r1", output: 10),
        ]
        let path = try dir.write("a.jsonl", lines.joined(separator: "\n") + "\n")
        let merged = try read(path)
        #expect(merged.progress.linesRead == 3)
        #expect(merged.progress.linesSkipped == 0)
        // The unknown record still dates the session.
        let start = merged.observations.map(\.timestamp).min()
        #expect(start == Timestamps.parse("2026-01-01T09:00:00Z"))
        #expect(merged.observations.contains { $0.model == "claude-sonnet-4-5" && $0.cwd == "/repo" })
    }

    @Test func recordWithoutTimestampUsesLastSeen() throws {
        let dir = try TemporaryDirectory()
        let lines = [
            assistantLine(id: "msg_1", request: "r1", output: 10, time: "2026-02-02T10:00:00Z"),
            #"{"type":"assistant","sessionId":"s1","requestId":"r2","message":{"id":"msg_2","model":"m","usage":{"input_tokens":1,"output_tokens":2}}}"#,
        ]
        let path = try dir.write("a.jsonl", lines.joined(separator: "\n") + "\n")
        let merged = try read(path)
        #expect(merged.usage["msg_2:r2"]?.timestamp == Timestamps.parse("2026-02-02T10:00:00Z"))
    }

    @Test func readingFromMidFileOffsetGivesOnlyLaterRecords() throws {
        let dir = try TemporaryDirectory()
        let first = assistantLine(id: "msg_1", request: "r1", output: 10) + "\n"
        let second = assistantLine(id: "msg_2", request: "r2", output: 20) + "\n"
        let third = assistantLine(id: "msg_3", request: "r3", output: 40) + "\n"
        let path = try dir.write("a.jsonl", first + second + third)
        let merged = try read(path, from: Int64(first.utf8.count))
        #expect(Set(merged.usage.keys) == ["msg_2:r2", "msg_3:r3"])
        #expect(merged.progress.linesRead == 2)
        #expect(merged.progress.offset == Int64((first + second + third).utf8.count))
    }

    @Test func editResultReplacesCallAndFailedCallAddsNothing() throws {
        let dir = try TemporaryDirectory()
        let call =
            #"[{"type":"tool_use","id":"toolu_w","name":"Write","input":{"file_path":"/repo/a.swift","content":"let a = 1\nlet b = 2\n}\n"}},{"type":"tool_use","id":"toolu_e","name":"Edit","input":{"file_path":"/repo/b.swift","old_string":"x","new_string":"y = 1"}}]"#
        let lines = [
            assistantLine(id: "msg_1", request: "r1", output: 10, content: call),
            // Write result: the file existed, and only one line is new.
            #"{"type":"user","sessionId":"s1","cwd":"/repo","timestamp":"2026-01-01T10:00:02Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_w","content":"ok"}]},"toolUseResult":{"type":"update","filePath":"/repo/a.swift","content":"let a = 1\nlet b = 2\n}\n","structuredPatch":[{"oldStart":1,"oldLines":1,"newStart":1,"newLines":2,"lines":[" let a = 1","+let b = 2"]}],"originalFile":"let a = 1\n}\n"}}"#,
            // Edit rejected by the user.
            #"{"type":"user","sessionId":"s1","cwd":"/repo","timestamp":"2026-01-01T10:00:03Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_e","is_error":true,"content":"rejected"}]},"toolUseResult":"User rejected tool use"}"#,
        ]
        let path = try dir.write("a.jsonl", lines.joined(separator: "\n") + "\n")
        let merged = try read(path)
        #expect(merged.edits["toolu_w"]?.addedLines == [LineIdentity.significantHash("let b = 2")].compactMap { $0 })
        #expect(merged.edits["toolu_e"]?.addedLines == [])
        #expect(merged.edits["toolu_e"]?.filePath == "/repo/b.swift")

        // Read from the result line on (the call was ingested by an earlier run):
        // the result alone still gives the applied edit, under the same key.
        let offset = Int64((lines[0] + "\n").utf8.count)
        let later = try read(path, from: offset)
        #expect(later.edits["toolu_w"]?.addedLines.count == 1)
        #expect(later.edits["toolu_w"]?.filePath == "/repo/a.swift")
    }

    @Test func multiEditUnionsItsEdits() throws {
        let dir = try TemporaryDirectory()
        let call =
            #"[{"type":"tool_use","id":"toolu_m","name":"MultiEdit","input":{"file_path":"/repo/c.swift","edits":[{"old_string":"a","new_string":"alpha()"},{"old_string":"b","new_string":"beta()\ngamma()"}]}},{"type":"tool_use","id":"toolu_n","name":"NotebookEdit","input":{"notebook_path":"/repo/n.ipynb","new_source":"x = 1"}}]"#
        let path = try dir.write("a.jsonl", assistantLine(id: "msg_1", request: "r1", output: 10, content: call) + "\n")
        let merged = try read(path)
        #expect(merged.edits.count == 1)
        #expect(merged.edits["toolu_m"]?.addedLines.count == 3)
    }

    @Test func batchesStayBounded() throws {
        let dir = try TemporaryDirectory()
        let text = (0..<12_000).map { assistantLine(id: "msg_\($0)", request: "r", output: 1) }.joined(separator: "\n")
        let path = try dir.write("big.jsonl", text + "\n")
        var sizes: [Int] = []
        var keys = Set<String>()
        _ = try ClaudeCodeReader().read(path: path, from: 0, state: nil) { batch in
            sizes.append(batch.count)
            keys.formUnion(batch.usage.map(\.dedupKey))
        }
        #expect(sizes.count >= 3)
        #expect(sizes.allSatisfy { $0 <= 5002 })
        #expect(keys.count == 12_000)
    }

    @Test func nestedUsageIsNotTopLevelUsage() throws {
        let dir = try TemporaryDirectory()
        let lines = [
            // A progress record embedding a subagent's message: that spend is read from
            // the subagent's own transcript, not here.
            #"{"type":"progress","sessionId":"s1","timestamp":"2026-01-01T10:00:00Z","data":{"message":{"type":"assistant","message":{"id":"msg_sub","model":"m","usage":{"input_tokens":5,"output_tokens":5}}}}}"#,
            // Keys in another order, spaces, and a tool input that looks like usage.
            #"{ "message" : { "usage" : { "output_tokens" : 7 , "input_tokens" : 2, "cache_creation" : {"ephemeral_5m_input_tokens": 99} }, "content": [{"type":"tool_use","id":"t1","name":"Bash","input":{"usage":{"output_tokens":1000}}}], "model" : "claude-x", "id" : "msg_9" }, "requestId" : "r9", "type" : "assistant", "sessionId" : "s1", "timestamp" : "2026-01-01T10:00:01Z" }"#,
        ]
        let path = try dir.write("a.jsonl", lines.joined(separator: "\n") + "\n")
        let merged = try read(path)
        #expect(Set(merged.usage.keys) == ["msg_9:r9"])
        #expect(merged.usage["msg_9:r9"]?.tokens == TokenCounts(input: 2, output: 7))
        #expect(merged.usage["msg_9:r9"]?.model == "claude-x")
        #expect(merged.progress.linesRead == 2)
    }

    @Test func crlfEditTextIsSplitIntoLines() throws {
        #expect(ClaudeEditLines.significantHashes("let a = 1\r\nlet b = 2\r\n}\r\n").count == 2)
        #expect(
            ClaudeEditLines.significantHashes("  x = 1 \n\n}\n")
                == LineIdentity.significantHashes(ofText: "  x = 1 \n\n}\n"))
    }

    // MARK: Discovery

    @Test func discoversFilesUnderConfigDirsIncludingSubagents() throws {
        let dir = try TemporaryDirectory()
        let a = try dir.write("one/projects/-repo/s1.jsonl", "")
        let sub = try dir.write("one/projects/-repo/s1/subagents/agent-abc.jsonl", "")
        _ = try dir.write("one/projects/-repo/s1/subagents/agent-abc.meta.json", "{}")
        let b = try dir.write("two/projects/-other/s2.jsonl", "")
        _ = try dir.write("home/.claude/projects/-ignored/s3.jsonl", "")

        let reader = ClaudeCodeReader()
        let environment = ReaderEnvironment(
            home: dir.path + "/home", variables: ["CLAUDE_CONFIG_DIR": "\(dir.path)/one, \(dir.path)/two"])
        #expect(reader.searchRoots(in: environment) == ["\(dir.path)/one/projects", "\(dir.path)/two/projects"])
        let files = reader.discoverFiles(in: environment)
        #expect(files == [a, sub, b].sorted())
        #expect(files.allSatisfy { $0.hasPrefix("/") })

        let defaults = ReaderEnvironment(home: dir.path + "/home")
        #expect(
            reader.searchRoots(in: defaults) == [
                "\(dir.path)/home/.claude/projects", "\(dir.path)/home/.config/claude/projects",
            ])
        #expect(reader.discoverFiles(in: defaults).count == 1)
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: dir.path + "/nowhere")).isEmpty)
        #expect(reader.tool == .claudeCode)
    }
}
