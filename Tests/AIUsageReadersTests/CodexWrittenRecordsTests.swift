import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

/// Codex records no real rollout in `shared/samples` shows (see its README: no
/// continuation page, no `token_count.info.model` from 0.15x, no `functions.` prefix),
/// written here from Codex's public source, openai/codex:
/// - `codex-rs/protocol/src/protocol.rs`: `RolloutLine {timestamp, type, payload}`,
///   `SessionMeta` (`id`, `cwd`, `model`, `history_mode`, `history_base` =
///   `HistoryPosition {thread_id, end_ordinal_exclusive, end_byte_offset}`),
///   `TokenCountEvent.info` (`total_token_usage`, `last_token_usage`, `model`);
/// - `codex-rs/protocol/src/models.rs`: `ResponseItem::FunctionCall {name, arguments,
///   call_id}` and `CustomToolCall {name, input, call_id}`;
/// - `codex-rs/rollout/src/recorder.rs`: `RolloutRecorderParams::Resume` appends to the
///   original file (`codex exec resume`).
/// `multi_tool_use.parallel` is OpenAI's parallel-call wrapper as models write it
/// (`{"tool_uses":[{"recipient_name":"functions.<tool>","parameters":{…}}]}`).
@Suite struct CodexWrittenRecordsTests {
    private typealias Read = CodexRolloutFormatsTests.Read
    private func read(_ path: String, from offset: Int64 = 0, state: Data? = nil) throws -> Read {
        try CodexRolloutFormatsTests.read(path, from: offset, state: state)
    }

    private let id = "019d0000-1111-7222-8333-0123456789ab"
    private var file: String { "rollout-2026-09-20T10-00-00-\(id).jsonl" }

    private static func json(_ value: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// `{"timestamp":…,"type":…,"payload":{"type":…,…}}` in Codex's key order.
    private static func line(_ second: Int, _ type: String, _ payloadType: String? = nil, _ payload: [String: Any]) -> String {
        var body = json(payload)
        if let payloadType {
            body = "{\"type\":\"\(payloadType)\"" + (body == "{}" ? "}" : "," + body.dropFirst())
        }
        return "{\"timestamp\":\"2026-09-20T10:00:\(String(format: "%02d", second)).000Z\",\"type\":\"\(type)\",\"payload\":\(body)}\n"
    }

    private static func usage(_ input: Int, cached: Int = 0, written: Int = 0, output: Int, reasoning: Int = 0) -> [String: Any] {
        [
            "input_tokens": input, "cached_input_tokens": cached, "cache_write_input_tokens": written,
            "output_tokens": output, "reasoning_output_tokens": reasoning, "total_tokens": input + output,
        ]
    }

    private static func tokens(_ second: Int, total: [String: Any], last: [String: Any]? = nil, model: String? = nil) -> String {
        var info: [String: Any] = ["total_token_usage": total, "model_context_window": 258_400]
        if let last { info["last_token_usage"] = last }
        if let model { info["model"] = model }
        return line(second, "event_msg", "token_count", ["info": info, "rate_limits": NSNull()])
    }

    private func meta(_ second: Int = 0, extra: [String: Any] = [:]) -> String {
        var payload: [String: Any] = ["id": id, "timestamp": "2026-09-20T10:00:00.000Z", "cwd": "/work/repo"]
        payload.merge(extra) { $1 }
        return Self.line(second, "session_meta", nil, payload)
    }

    // MARK: Continuation pages, forks, resumes

    /// A continuation page shares the session id; its session_meta names the page it
    /// continues (`history_base`) and its cumulative totals go on from there. Each page
    /// counts its own increases (before: the second page's first event repeated the
    /// whole first page).
    @Test func continuationPageCountsItsOwnIncreases() throws {
        let dir = try TemporaryDirectory()
        let first =
            meta(extra: ["history_mode": "paginated"])
            + Self.line(1, "turn_context", nil, ["model": "gpt-5.6-sol", "cwd": "/work/repo"])
            + Self.tokens(2, total: Self.usage(1000, output: 50), last: Self.usage(1000, output: 50))
            + Self.tokens(3, total: Self.usage(2400, cached: 900, output: 100), last: Self.usage(1400, cached: 900, output: 50))
        let base: [String: Any] = ["thread_id": id, "end_ordinal_exclusive": 4, "end_byte_offset": first.utf8.count]
        let segment = "019d0000-2222-7222-8333-0123456789ab"
        let second =
            meta(extra: ["history_mode": "paginated", "history_base": base])
            + Self.line(1, "turn_context", nil, ["model": "gpt-5.6-sol", "cwd": "/work/repo"])
            + Self.tokens(5, total: Self.usage(4000, cached: 2200, output: 160), last: Self.usage(1600, cached: 1300, output: 60))
            + Self.tokens(6, total: Self.usage(5000, cached: 3100, output: 200), last: Self.usage(1000, cached: 900, output: 40))
        let one = try read(try dir.write(file, first))
        let two = try read(try dir.write("rollout-2026-09-20T11-00-00-\(id)_\(segment).jsonl", second))
        #expect(two.usage.map(\.dedupKey) == ["\(id):4160", "\(id):5200"])
        #expect(
            two.usage.map(\.tokens) == [
                TokenCounts(input: 300, output: 60, cacheRead: 1300),
                TokenCounts(input: 100, output: 40, cacheRead: 900),
            ])
        // Both pages together: the final cumulative total, once.
        var store = one.merged
        for event in two.usage { store.usage[event.dedupKey] = event }
        #expect(store.totals.total == 5200)
        #expect(store.totals == TokenCounts(input: 1900, output: 200, cacheRead: 3100))
    }

    /// A continuation without `last_token_usage` cannot tell its first request apart
    /// from what came before: its first total is the baseline, later increases count.
    @Test func continuationWithoutLastUsageStartsAtItsFirstTotal() throws {
        let dir = try TemporaryDirectory()
        let text =
            meta(extra: ["history_base": ["thread_id": id, "end_ordinal_exclusive": 9, "end_byte_offset": 512]])
            + Self.tokens(5, total: Self.usage(4000, output: 160))
            + Self.tokens(6, total: Self.usage(5000, output: 200))
        let result = try read(try dir.write(file, text))
        #expect(result.usage.map(\.tokens) == [TokenCounts(input: 1000, output: 40)])
        // A null history_base is no continuation.
        let plain = try read(
            try dir.write("plain/" + file, meta(extra: ["history_base": NSNull()]) + Self.tokens(5, total: Self.usage(4000, output: 160))))
        #expect(plain.usage.map(\.tokens) == [TokenCounts(input: 4000, output: 160)])
    }

    /// `codex exec resume` appends to the original file: a new session_meta of the same
    /// session, the turn's context, and totals that go on. The next run reads the
    /// appended part with the saved state and counts only the new request.
    @Test func execResumeAppendsToTheOriginalFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(
            file, meta() + Self.line(1, "turn_context", nil, ["model": "gpt-5.6-sol"]) + Self.tokens(2, total: Self.usage(1000, output: 50))
        )
        let first = try read(path)
        let resume =
            meta(10) + Self.line(11, "turn_context", nil, ["model": "gpt-6-astra"])
            + Self.tokens(12, total: Self.usage(1800, cached: 600, output: 90))
            + Self.tokens(12, total: Self.usage(1800, cached: 600, output: 90))
        try dir.append(file, Data(resume.utf8))
        let second = try read(path, from: first.progress.offset, state: first.progress.state)
        #expect(second.usage.map(\.dedupKey) == ["\(id):1890"])
        #expect(second.usage.first?.tokens == TokenCounts(input: 200, output: 40, cacheRead: 600))
        #expect(second.usage.first?.model == "gpt-6-astra")
        let whole = try read(path)
        #expect(whole.usage.map(\.dedupKey) == first.usage.map(\.dedupKey) + second.usage.map(\.dedupKey))
    }

    // MARK: Models

    @Test func infoModelAndANullSessionMetaModel() throws {
        let dir = try TemporaryDirectory()
        let text =
            meta(extra: ["model": NSNull()])
            + Self.tokens(1, total: Self.usage(100, output: 10))
            + Self.tokens(2, total: Self.usage(300, written: 150, output: 20), model: "gpt-5.6-luna")
            + Self.line(3, "turn_context", nil, ["model": "gpt-5.6-sol"])
            + Self.tokens(4, total: Self.usage(500, cached: 150, written: 150, output: 30))
        let result = try read(try dir.write(file, text))
        // A null session_meta model is no model ("unknown" until one is named), never "null".
        #expect(result.usage.map(\.model) == ["unknown", "gpt-5.6-luna", "gpt-5.6-sol"])
        #expect(result.usage[1].tokens == TokenCounts(input: 50, output: 10, cacheWrite: 150))
        #expect(result.usage[2].tokens == TokenCounts(input: 50, output: 10, cacheRead: 150))
        let named = try read(
            try dir.write("named/" + file, meta(extra: ["model": "gpt-meta"]) + Self.tokens(1, total: Self.usage(100, output: 10))))
        #expect(named.usage.map(\.model) == ["gpt-meta"])
    }

    // MARK: Call shapes

    private static let patch = "*** Begin Patch\n*** Add File: a.txt\n+alpha line\n*** End Patch"

    @Test func functionsPrefixedApplyPatch() throws {
        let dir = try TemporaryDirectory()
        let call = Self.line(
            1, "response_item", "function_call",
            ["name": "functions.apply_patch", "arguments": Self.json(["input": Self.patch]), "call_id": "call_f"])
        let result = try read(try dir.write(file, meta() + call))
        #expect(result.edits.map(\.dedupKey) == ["call_f:0"])
        #expect(result.edits.first?.addedLines == CodexRolloutFormatsTests.hashes("alpha line"))
    }

    @Test func parallelCallsWrappingApplyPatch() throws {
        let dir = try TemporaryDirectory()
        let second = "*** Begin Patch\n*** Add File: b.txt\n+beta line\n*** End Patch\n"
        let arguments: [String: Any] = [
            "tool_uses": [
                ["recipient_name": "functions.apply_patch", "parameters": ["input": Self.patch]],
                ["recipient_name": "functions.shell", "parameters": ["command": ["apply_patch", second], "workdir": "/work/repo/sub"]],
                ["recipient_name": "functions.shell", "parameters": ["command": ["ls"]]],
            ]
        ]
        let call = Self.line(
            1, "response_item", "function_call",
            ["name": "multi_tool_use.parallel", "arguments": Self.json(arguments), "call_id": "call_p"])
        let output = Self.line(2, "response_item", "function_call_output", ["call_id": "call_p", "output": "Exit code: 0"])
        let result = try read(try dir.write(file, meta() + call + output))
        #expect(result.edits.map(\.dedupKey) == ["call_p:0", "call_p:1"])
        try #require(result.edits.count == 2)
        #expect(result.edits.map(\.filePath) == ["a.txt", "b.txt"])
        #expect(result.edits.map(\.cwd) == ["/work/repo", "/work/repo/sub"])
        #expect(result.drift.isEmpty)
    }

    // MARK: Damaged records and drift

    /// Codex writes each token_count twice. A copy whose `cached_input_tokens` key holds
    /// a NUL byte was read as if nothing were cached — a phantom increase of uncached
    /// input (before: input 1000, cacheRead 0). The damaged line is skipped and counted;
    /// the intact copy gives the request.
    @Test func aTokenCountWithADamagedKeyIsSkippedNotMisread() throws {
        let dir = try TemporaryDirectory()
        let good = Self.tokens(2, total: Self.usage(1000, cached: 200, output: 50))
        var damaged = Data(good.utf8)
        let key = Data("cached_input_tokens".utf8)
        let at = try #require(damaged.range(of: key))
        damaged[at.lowerBound + 6] = 0x00
        let path = try dir.write(file, meta())
        try dir.append(file, damaged)
        try dir.append(file, Data(good.utf8))
        let result = try read(path)
        #expect(result.usage.map(\.tokens) == [TokenCounts(input: 800, output: 50, cacheRead: 200)])
        #expect(result.progress.linesSkipped == 1)
    }

    @Test func unknownTypesToolsAndShapesAreCountedAsDrift() throws {
        let dir = try TemporaryDirectory()
        let text =
            meta()
            + Self.line(1, "brand_new_record", nil, ["x": 1])
            + Self.line(2, "event_msg", "future_event", ["x": 1])
            + Self.line(3, "response_item", "future_item", ["x": 1])
            + Self.line(4, "event_msg", "item_completed", ["item": ["type": "FutureItem", "id": "i1"]])
            + Self.line(5, "event_msg", "item_completed", ["item": ["type": "CommandExecution", "id": "i2"]])
            + Self.line(6, "response_item", "custom_tool_call", ["name": "future_patcher", "call_id": "c9", "input": Self.patch])
            + Self.line(7, "event_msg", "task_started", ["turn_id": "t"])
            + "{\"no_type\":true}\n42\nnot json\n"
        let result = try read(try dir.write(file, text))
        #expect(
            result.drift == [
                FormatDrift(kind: .recordType, name: "brand_new_record"): 1,
                FormatDrift(kind: .recordType, name: "event_msg:future_event"): 1,
                FormatDrift(kind: .recordType, name: "response_item:future_item"): 1,
                FormatDrift(kind: .recordType, name: "item_completed:FutureItem"): 1,
                FormatDrift(kind: .toolName, name: "future_patcher"): 1,
                FormatDrift(kind: .shape, name: "record without a type"): 1,
                FormatDrift(kind: .shape, name: "record that is not an object"): 1,
            ])
        // Only the line that is not JSON at all is malformed.
        #expect(result.progress.linesSkipped == 1)
        #expect(result.edits.isEmpty)
    }

    // MARK: Added lines

    /// A line the patch only re-indents was written by it (PRODUCT.md, "Added lines");
    /// a line removed and written back unchanged was not. For apply_patch and for a
    /// FileChange item's unified diff.
    @Test func reindentedLinesAreAdded() throws {
        let dir = try TemporaryDirectory()
        let patch = "*** Begin Patch\n*** Update File: a.py\n@@ def f():\n-    x = 1\n-    y = 2\n+        x = 1\n+    y = 2\n*** End Patch"
        let call = Self.line(1, "response_item", "custom_tool_call", ["name": "apply_patch", "call_id": "c1", "input": patch])
        let fromCall = try read(try dir.write(file, meta() + call))
        #expect(fromCall.edits.first?.addedLines == CodexRolloutFormatsTests.hashes("x = 1"))

        let item: [String: Any] = [
            "type": "FileChange", "id": "fc1", "status": "completed",
            "changes": [
                "/work/repo/a.py": [
                    "type": "update", "unified_diff": "@@ -1,2 +1,2 @@\n-    x = 1\n-    y = 2\n+        x = 1\n+    y = 2\n",
                    "move_path": NSNull(),
                ]
            ],
        ]
        let fromItem = try read(try dir.write("item/" + file, meta() + Self.line(2, "event_msg", "item_completed", ["item": item])))
        #expect(fromItem.edits.map(\.dedupKey) == ["fc1:0"])
        #expect(fromItem.edits.first?.addedLines == CodexRolloutFormatsTests.hashes("x = 1"))
    }

    /// FileChange items: an added file's lines, a moved file under its new path, a
    /// deleted file with none, a failed change with nothing at all.
    @Test func fileChangeItemKinds() throws {
        let dir = try TemporaryDirectory()
        let changes: [String: Any] = [
            "/work/repo/new.txt": ["type": "add", "content": "one\ntwo\n"],
            "/work/repo/old.txt": ["type": "update", "unified_diff": "@@ -1 +1 @@\n-old\n+new\n", "move_path": "/work/repo/moved.txt"],
            "/work/repo/gone.txt": ["type": "delete", "content": "bye\n"],
        ]
        let applied = Self.line(
            1, "event_msg", "item_completed", ["item": ["type": "FileChange", "id": "fc", "status": "completed", "changes": changes]])
        let failed = Self.line(
            2, "event_msg", "item_completed", ["item": ["type": "FileChange", "id": "bad", "status": "failed", "changes": changes]])
        let result = try read(try dir.write(file, meta() + applied + failed))
        let byPath = Dictionary(uniqueKeysWithValues: result.edits.map { ($0.filePath, $0) })
        #expect(Set(byPath.keys) == ["/work/repo/new.txt", "/work/repo/moved.txt", "/work/repo/gone.txt"])
        #expect(byPath["/work/repo/new.txt"]?.addedLines == CodexRolloutFormatsTests.hashes("one", "two"))
        #expect(byPath["/work/repo/moved.txt"]?.addedLines == CodexRolloutFormatsTests.hashes("new"))
        #expect(byPath["/work/repo/gone.txt"]?.addedLines == [])
        #expect(result.edits.allSatisfy { $0.dedupKey.hasPrefix("fc:") })
    }
}
