import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

/// Claude Code 2.1 formats: usage with thinking tokens, 1-hour cache writes and
/// `iterations`; the 2.1 record types; `--fork-session` replays; workflow subagents;
/// damaged lines; the added-lines rule. Real transcripts where they exist
/// (`shared/samples/claude-code`); elsewhere records written from the public format,
/// named at each test.
@Suite struct ClaudeCodeFormatsTests {
    struct Read {
        var merged = MergedRead()
        var drift: [FormatDrift: Int] = [:]
        var progress: ReadProgress { merged.progress }
    }

    static func read(_ path: String, from offset: Int64 = 0) throws -> Read {
        var result = Read()
        result.merged.progress = try ClaudeCodeReader().read(path: path, from: offset, state: nil) { batch in
            result.merged.add(batch)
            for (key, count) in batch.drift { result.drift[key, default: 0] += count }
        }
        return result
    }

    private func sample(_ file: String) -> String { Samples.path("claude-code", file) }

    /// An assistant record as Claude Code 2.1 writes it; `usage` is spliced in as is.
    private func assistant(
        id: String, request: String, usage: String, session: String = "s1", content: String = "[]",
        time: String = "2026-09-01T10:00:00Z"
    ) -> String {
        #"{"type":"assistant","sessionId":"\#(session)","cwd":"/repo","timestamp":"\#(time)","requestId":"\#(request)","message":{"id":"\#(id)","model":"claude-opus-5","content":\#(content),"usage":\#(usage)}}"#
    }

    // MARK: Real 2.1 transcripts

    /// Claude Code 2.1.252: 13 requests over 16 assistant lines. Expected numbers from a
    /// Python one-off (json.loads; per message.id:requestId the field-wise max):
    /// input 26, output 1,566 (157 of it thinking: output_tokens_details.thinking_tokens),
    /// cache write 18,786 (all with a 1-hour TTL: cache_creation.ephemeral_1h_input_tokens),
    /// cache read 204,751. Before: no reasoning, no 1-hour part.
    @Test func bashSessionThinkingTokensAndOneHourCacheWrites() throws {
        let result = try Self.read(sample("thesession-claude-code-bash-session.jsonl"))
        #expect(result.merged.usage.count == 13)
        #expect(
            result.merged.totals
                == TokenCounts(
                    input: 26, output: 1566, cacheWrite: 18_786, cacheRead: 204_751, reasoning: 157, cacheWrite1h: 18_786))
        #expect(result.merged.usage.values.allSatisfy { $0.model == "claude-opus-5" })
        #expect(result.progress.linesSkipped == 0)
        #expect(result.drift.isEmpty, "\(result.drift)")
    }

    /// Claude Code 2.1.126 (Vertex): last-prompt, permission-mode, attachment,
    /// file-history-snapshot and system records are known; two requests.
    @Test func vertexSessionRecordTypesAreKnown() throws {
        let result = try Self.read(sample("sessionbin-1f8cbb82-9ca1-4649-b3d9-b4c0f9754930.jsonl"))
        #expect(result.merged.usage.count == 2)
        #expect(result.merged.totals == TokenCounts(input: 4, output: 154, cacheWrite: 43_385, cacheRead: 43_215))
        #expect(result.progress.linesSkipped == 0)
        #expect(result.progress.linesRead == 15)
        #expect(result.drift.isEmpty, "\(result.drift)")
    }

    /// The 2.1.x record-type zoo (ai-title, custom-title, agent-name, mode, pr-link,
    /// worktree-state, …): every type is known, none is malformed.
    @Test func recordTypeZooHasNoUnknownTypes() throws {
        let result = try Self.read(sample("agentsessions-claude-small.jsonl"))
        #expect(result.progress.linesSkipped == 0)
        #expect(result.drift.keys.filter { $0.kind == .recordType }.isEmpty, "\(result.drift)")
    }

    // MARK: Usage objects

    /// With server-side compaction the API reports one usage per sampling step in
    /// `iterations`; the top level leaves the compaction step out (Anthropic's Messages
    /// API documentation, "Compaction": top level input 23,000 / output 1,000, iterations
    /// [compaction 180,000 / 3,500, message 23,000 / 1,000]). Both steps are billed.
    @Test func iterationsWithACompactionStepAreBilled() throws {
        let dir = try TemporaryDirectory()
        let usage =
            #"{"input_tokens":23000,"output_tokens":1000,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"server_tool_use":{"web_search_requests":1,"web_fetch_requests":0},"iterations":[{"type":"compaction","input_tokens":180000,"output_tokens":3500},{"type":"message","input_tokens":23000,"output_tokens":1000}]}"#
        let path = try dir.write("a.jsonl", assistant(id: "msg_c", request: "req_c", usage: usage) + "\n")
        let result = try Self.read(path)
        #expect(result.merged.usage["msg_c:req_c"]?.tokens == TokenCounts(input: 203_000, output: 4500))
        // The same through the decoder path (an edit line is read by ClaudeEditScan).
        let edit = #"[{"type":"tool_use","id":"toolu_1","name":"Write","input":{"file_path":"/repo/a.txt","content":"hello\n"}}]"#
        let editPath = try dir.write("b.jsonl", assistant(id: "msg_d", request: "req_d", usage: usage, content: edit) + "\n")
        #expect(try Self.read(editPath).merged.usage["msg_d:req_d"]?.tokens == TokenCounts(input: 203_000, output: 4500))
    }

    @Test func thinkingAndOneHourPartsOnEveryPath() throws {
        let dir = try TemporaryDirectory()
        let usage =
            #"{"input_tokens":2,"cache_creation_input_tokens":8171,"cache_read_input_tokens":8144,"output_tokens":95,"output_tokens_details":{"thinking_tokens":40},"cache_creation":{"ephemeral_1h_input_tokens":8000,"ephemeral_5m_input_tokens":171}}"#
        let expected = TokenCounts(input: 2, output: 95, cacheWrite: 8171, cacheRead: 8144, reasoning: 40, cacheWrite1h: 8000)
        try expectOnBothWalks(usage, expected, in: dir)
        // Keys in another order with an escaped key: the JSON decoder's path.
        let odd =
            #"{"message":{"usage":\#(usage),"model":"claude-opus-5","id":"m3","content":[{"type":"tool_use","id":"toolu_3","name":"Edit","input":{"file_path":"/repo/a.txt","old_string":"a","new_\u0073tring":"b"}}]},"requestId":"r3","type":"assistant","sessionId":"s1"}"#
        let decoded = try dir.write("c.jsonl", odd + "\n")
        #expect(try Self.read(decoded).merged.usage["m3:r3"]?.tokens == expected)
    }

    /// A counter given twice counts once, the first time, on the byte walk as on the
    /// decoder's path (which keeps the first): the walk finds each key by its length.
    @Test func aRepeatedUsageKeyCountsItsFirstValueOnEveryPath() throws {
        let dir = try TemporaryDirectory()
        let usage =
            #"{"input_tokens":7,"output_tokens":3,"input_tokens":900,"cache_read_input_tokens":11,"cache_creation":{"ephemeral_1h_input_tokens":4},"cache_creation":{"ephemeral_1h_input_tokens":400},"output_tokens_details":{"thinking_tokens":2},"cache_read_input_tokens":5000,"cache_creation_input_tokens":6,"output_tokens":80}"#
        let expected = TokenCounts(input: 7, output: 3, cacheWrite: 6, cacheRead: 11, reasoning: 2, cacheWrite1h: 4)
        try expectOnBothWalks(usage, expected, in: dir)
    }

    /// `usage` read by the line walk (a plain assistant line) and by the edit scan (the
    /// same line with an Edit call) gives `expected` both times.
    private func expectOnBothWalks(_ usage: String, _ expected: TokenCounts, in dir: TemporaryDirectory) throws {
        let fast = try dir.write("a.jsonl", assistant(id: "m1", request: "r1", usage: usage) + "\n")
        #expect(try Self.read(fast).merged.usage["m1:r1"]?.tokens == expected)
        let edit =
            #"[{"type":"tool_use","id":"toolu_2","name":"Edit","input":{"file_path":"/repo/a.txt","old_string":"a","new_string":"b"}}]"#
        let scanned = try dir.write("b.jsonl", assistant(id: "m2", request: "r2", usage: usage, content: edit) + "\n")
        #expect(try Self.read(scanned).merged.usage["m2:r2"]?.tokens == expected)
    }

    /// A NUL byte inside `output_tokens` made the fast walk miss the key and store the
    /// request with output 0. The damaged line is now skipped and counted as a whole.
    @Test func aLineWithANulByteIsSkippedNotPartlyRead() throws {
        let dir = try TemporaryDirectory()
        var damaged = Data(assistant(id: "msg_n", request: "req_n", usage: #"{"input_tokens":3,"output_tokens":407}"#).utf8)
        let key = try #require(damaged.range(of: Data("output_tokens".utf8)))
        damaged[key.lowerBound + 9] = 0x00
        damaged.append(0x0A)
        let path = try dir.write("a.jsonl", "")
        try dir.append("a.jsonl", damaged)
        try dir.append(
            "a.jsonl", Data((assistant(id: "msg_m", request: "req_m", usage: #"{"input_tokens":1,"output_tokens":2}"#) + "\n").utf8))
        let result = try Self.read(path)
        #expect(Set(result.merged.usage.keys) == ["msg_m:req_m"])
        #expect(result.progress.linesSkipped == 1)
        #expect(result.progress.linesRead == 1)
    }

    // MARK: Forks and subagents

    /// `claude --resume <id> --fork-session` (Claude Code CLI reference) writes a new
    /// transcript under a new session id that starts with the replayed chain: the same
    /// `message.id` and `requestId`. Each request counts once across both files, with
    /// its largest counts (the original was cut off mid-stream at output 10).
    @Test func forkSessionReplayCountsOnce() throws {
        let dir = try TemporaryDirectory()
        let original = [
            assistant(id: "msg_1", request: "req_1", usage: #"{"input_tokens":5,"output_tokens":10}"#, session: "aaaa"),
            assistant(id: "msg_2", request: "req_2", usage: #"{"input_tokens":5,"output_tokens":20}"#, session: "aaaa"),
        ]
        let fork = [
            assistant(id: "msg_1", request: "req_1", usage: #"{"input_tokens":5,"output_tokens":50}"#, session: "bbbb"),
            assistant(id: "msg_2", request: "req_2", usage: #"{"input_tokens":5,"output_tokens":20}"#, session: "bbbb"),
            assistant(id: "msg_3", request: "req_3", usage: #"{"input_tokens":5,"output_tokens":30}"#, session: "bbbb"),
        ]
        let first = try Self.read(try dir.write("projects/-repo/aaaa.jsonl", original.joined(separator: "\n") + "\n"))
        let second = try Self.read(try dir.write("projects/-repo/bbbb.jsonl", fork.joined(separator: "\n") + "\n"))
        var store = first.merged
        for event in second.merged.usage.values {
            if var known = store.usage[event.dedupKey] {
                known.tokens = known.tokens.fieldwiseMax(event.tokens)
                store.usage[event.dedupKey] = known
            } else {
                store.usage[event.dedupKey] = event
            }
        }
        #expect(store.usage.count == 3)
        #expect(store.totals == TokenCounts(input: 15, output: 100))
    }

    /// Workflow subagents live one level deeper: `<session>/subagents/workflows/<id>/
    /// agent-*.jsonl` (laid out like the agent-sessions subagent fixture, whose records
    /// carry the agent's own id). Their spend belongs to the parent session (before:
    /// to the agent id the records carry).
    @Test func workflowSubagentsBelongToTheParentSession() throws {
        let dir = try TemporaryDirectory()
        let text = try String(contentsOfFile: sample("agentsessions-claude-subagent-agent-a0ad4f44468bdf20d.jsonl"), encoding: .utf8)
        let nested = "projects/-tmp/parent-9/subagents/workflows/wf-01/agent-a0ad4f44468bdf20d.jsonl"
        let path = try dir.write(
            nested,
            text
                + assistant(
                    id: "msg_w", request: "req_w", usage: #"{"input_tokens":1,"output_tokens":1}"#, session: "agent-a0ad4f44468bdf20d")
                + "\n")
        let result = try Self.read(path)
        #expect(!result.merged.observations.isEmpty)
        #expect(result.merged.observations.allSatisfy { $0.sessionID == "parent-9" })
        #expect(result.merged.usage["msg_w:req_w"]?.sessionID == "parent-9")
        #expect(ClaudeCodeReader.parentSessionID(forSubagentPath: "/p/s/subagents/agent-1.jsonl") == "s")
        #expect(ClaudeCodeReader.parentSessionID(forSubagentPath: "/p/s/subagents/workflows/w/agent-1.jsonl") == "s")
        #expect(ClaudeCodeReader.parentSessionID(forSubagentPath: "/p/s/subagents/other/agent-1.jsonl") == nil)
        #expect(ClaudeCodeReader.parentSessionID(forSubagentPath: "/p/s/agent-1.jsonl") == nil)
        let environment = ReaderEnvironment(home: dir.path, variables: ["CLAUDE_CONFIG_DIR": dir.path])
        #expect(ClaudeCodeReader().discoverFiles(in: environment) == [path])
    }

    // MARK: Added lines and drift

    /// A line an edit only re-indents was written by it (PRODUCT.md, "Added lines"):
    /// for the call's `old_string`/`new_string` and for the result's `structuredPatch`.
    @Test func reindentedLinesAreAdded() throws {
        let dir = try TemporaryDirectory()
        let call =
            #"[{"type":"tool_use","id":"toolu_r","name":"Edit","input":{"file_path":"/repo/a.py","old_string":"    x = 1\n    y = 2","new_string":"        x = 1\n    y = 2"}}]"#
        let fromCall = try dir.write(
            "a.jsonl", assistant(id: "m", request: "r", usage: #"{"input_tokens":1,"output_tokens":1}"#, content: call) + "\n")
        #expect(try Self.read(fromCall).merged.edits["toolu_r"]?.addedLines == [LineIdentity.significantHash("x = 1")].compactMap { $0 })
        let resultLine =
            #"{"type":"user","sessionId":"s1","cwd":"/repo","timestamp":"2026-09-01T10:00:01Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_r","content":"ok"}]},"toolUseResult":{"filePath":"/repo/a.py","structuredPatch":[{"oldStart":1,"oldLines":2,"newStart":1,"newLines":2,"lines":["-    x = 1","+        x = 1","     y = 2"]}]}}"#
        let fromResult = try dir.write("b.jsonl", resultLine + "\n")
        #expect(try Self.read(fromResult).merged.edits["toolu_r"]?.addedLines == [LineIdentity.significantHash("x = 1")].compactMap { $0 })
        #expect(
            ClaudeEditLines.between(old: "  a()\nb()", new: "    a()\nb()\nc()")
                == ["a()", "c()"].compactMap { LineIdentity.significantHash($0) })
        // Results without a patch: newString − oldString, and a Write's content − originalFile.
        let strings =
            #"{"type":"user","sessionId":"s1","cwd":"/repo","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_s","content":"ok"}]},"toolUseResult":{"filePath":"/repo/a.py","oldString":"    x = 1\n    y = 2","newString":"\tx = 1\n    y = 2"}}"#
        let fromStrings = try dir.write("c.jsonl", strings + "\n")
        #expect(try Self.read(fromStrings).merged.edits["toolu_s"]?.addedLines == [LineIdentity.significantHash("x = 1")].compactMap { $0 })
        let whole =
            #"{"type":"user","sessionId":"s1","cwd":"/repo","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_u","content":"ok"}]},"toolUseResult":{"type":"update","filePath":"/repo/a.py","originalFile":"def f():\n    x = 1\n","content":"def f():\n  x = 1\n"}}"#
        let fromWhole = try dir.write("d.jsonl", whole + "\n")
        #expect(try Self.read(fromWhole).merged.edits["toolu_u"]?.addedLines == [LineIdentity.significantHash("x = 1")].compactMap { $0 })
    }

    @Test func unknownRecordTypesAndToolsAreDrift() throws {
        let dir = try TemporaryDirectory()
        let lines = [
            #"{"type":"hologram","sessionId":"s1","timestamp":"2026-09-01T09:00:00Z"}"#,
            #"{"type":"ai-title","sessionId":"s1","aiTitle":"t"}"#,
            assistant(
                id: "m", request: "r", usage: #"{"input_tokens":1,"output_tokens":1}"#,
                content:
                    #"[{"type":"tool_use","id":"t1","name":"StrReplace","input":{}},{"type":"tool_use","id":"t2","name":"mcp__github__create_issue","input":{}},{"type":"tool_use","id":"t3","name":"Bash","input":{}}]"#
            ),
        ]
        let result = try Self.read(try dir.write("a.jsonl", lines.joined(separator: "\n") + "\n"))
        #expect(
            result.drift == [
                FormatDrift(kind: .recordType, name: "hologram"): 1,
                FormatDrift(kind: .toolName, name: "StrReplace"): 1,
            ])
        #expect(result.progress.linesRead == 3 && result.progress.linesSkipped == 0)
    }
}
