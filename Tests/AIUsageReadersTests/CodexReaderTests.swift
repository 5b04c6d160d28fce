import Foundation
import Testing
@testable import AIUsageReaders
import AIUsageCore
import _AIUsageTestSupport

/// Everything one read produced, flattened.
private struct Collected {
    var observations: [SessionObservation] = []
    var usage: [UsageEvent] = []
    var edits: [EditEvent] = []
    var progress = ReadProgress(offset: 0, state: nil)

    var tokens: TokenCounts { usage.reduce(TokenCounts.zero) { $0 + $1.tokens } }

    static func + (lhs: Collected, rhs: Collected) -> Collected {
        var result = lhs
        result.observations += rhs.observations
        result.usage += rhs.usage
        result.edits += rhs.edits
        result.progress = rhs.progress
        return result
    }
}

private func read(_ path: String, from offset: Int64 = 0, state: Data? = nil) throws -> Collected {
    var collected = Collected()
    collected.progress = try CodexReader().read(path: path, from: offset, state: state) { batch in
        collected.observations += batch.observations
        collected.usage += batch.usage
        collected.edits += batch.edits
    }
    return collected
}

private func hashes(_ lines: String...) -> [LineHash] { lines.compactMap { LineIdentity.significantHash($0) } }

/// Builders for rollout lines in Codex's own key order (`timestamp`, `type`, `payload`
/// with its `type` first), which the reader's byte-level routing relies on.
private enum Rollout {
    static func json(_ value: Any) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]))
            ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func record(_ time: String, _ type: String, payloadType: String?, _ payload: [String: Any]) -> String {
        var body = json(payload)
        if let payloadType {
            let rest = body.dropFirst()  // drop "{"
            body = "{\"type\":\(json(payloadType))" + (rest == "}" ? "}" : "," + rest)
        }
        return "{\"timestamp\":\"2026-03-01T10:00:\(time)Z\",\"type\":\"\(type)\",\"payload\":\(body)}\n"
    }

    static func meta(_ id: String, cwd: String = "/work/repo", time: String = "00.000") -> String {
        record(time, "session_meta", payloadType: nil, ["id": id, "cwd": cwd, "timestamp": "2026-03-01T10:00:00.000Z"])
    }

    static func turn(model: String, cwd: String = "/work/repo", time: String = "01.000") -> String {
        record(time, "turn_context", payloadType: nil, ["model": model, "cwd": cwd])
    }

    static func tokens(_ input: Int, cached: Int, output: Int, reasoning: Int, time: String = "02.000") -> String {
        let usage: [String: Any] = [
            "input_tokens": input, "cached_input_tokens": cached, "output_tokens": output,
            "reasoning_output_tokens": reasoning, "total_tokens": input + output,
        ]
        return record(
            time, "event_msg", payloadType: "token_count",
            ["info": ["total_token_usage": usage, "last_token_usage": usage, "model_context_window": 258_400]])
    }

    static func customPatch(_ callID: String, _ patch: String, time: String = "03.000") -> String {
        record(
            time, "response_item", payloadType: "custom_tool_call",
            ["status": "completed", "call_id": callID, "name": "apply_patch", "input": patch])
    }

    static func functionCall(_ callID: String, name: String, arguments: [String: Any], time: String = "03.000") -> String {
        record(
            time, "response_item", payloadType: "function_call",
            ["name": name, "arguments": json(arguments), "call_id": callID])
    }

    static func customOutput(_ callID: String, _ output: String, time: String = "04.000") -> String {
        record(time, "response_item", payloadType: "custom_tool_call_output", ["call_id": callID, "output": output])
    }
}

private let sessionUUID = "019c0000-aaaa-7bbb-8ccc-0123456789ab"
private let rolloutName = "rollout-2026-03-01T10-00-00-\(sessionUUID).jsonl"

@Suite struct CodexReaderTests {
    // MARK: Real (redacted) rollouts

    /// Expected numbers computed independently with a Python one-off over the sample
    /// (json.loads each line; for `token_count` events with non-null info, keep
    /// `total_token_usage` whenever `total_tokens` grows). The sum of the emitted deltas
    /// must equal the session's final `total_token_usage`, split as:
    ///   input (uncached) = input_tokens − cached_input_tokens
    ///   cacheRead        = cached_input_tokens
    ///   output           = output_tokens (includes reasoning)
    ///   reasoning        = reasoning_output_tokens
    @Test(arguments: [
        // 162 token_count lines (each repeated; 1 with info:null) → 81 increases.
        // final: input 7,204,025, cached 6,836,352, output 36,075, reasoning 17,896, total 7,240,100
        // uncached = 7,204,025 − 6,836,352 = 367,673
        (
            "localpush-redacted-real-rollout-2026-02-23T12-40-23-019c8a4c-ed82-79a1-aa28-7738fc5ab61a.jsonl",
            "019c8a4c-ed82-79a1-aa28-7738fc5ab61a", 81, Int64(367_673), Int64(6_836_352), Int64(36_075), Int64(17_896), Int64(7_240_100)
        ),
        // 2 token_count lines (1 with info:null) → 1 increase.
        // final: input 34,469, cached 3,456, output 431, reasoning 264, total 34,900; uncached = 31,013
        (
            "localpush-redacted-real-rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl",
            "019c8a70-dda7-7f33-98ea-f30553347322", 1, Int64(31_013), Int64(3_456), Int64(431), Int64(264), Int64(34_900)
        ),
        // 12 token_count lines → 6 increases.
        // final: input 298,373, cached 238,848, output 1,123, reasoning 483, total 299,496; uncached = 59,525
        (
            "localpush-redacted-real-rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl",
            "019c8bfe-ec25-79e0-97d7-bda6a9c575ff", 6, Int64(59_525), Int64(238_848), Int64(1_123), Int64(483), Int64(299_496)
        ),
    ])
    func realRolloutTokenTotalsAfterDedup(
        file: String, session: String, events: Int, input: Int64, cached: Int64, output: Int64, reasoning: Int64,
        total: Int64
    ) throws {
        let result = try read(Samples.path("codex", file))
        #expect(result.usage.count == events)
        #expect(Set(result.usage.map(\.dedupKey)).count == events)
        #expect(result.usage.allSatisfy { $0.sessionID == session && $0.model == "gpt-5.3-codex" && $0.tool == .codex })
        #expect(result.usage.last?.dedupKey == "\(session):\(total)")
        let tokens = result.tokens
        #expect(tokens.input == input)
        #expect(tokens.cacheRead == cached)
        #expect(tokens.output == output)
        #expect(tokens.reasoning == reasoning)
        #expect(tokens.cacheWrite == 0)
        #expect(tokens.total == total)
        #expect(result.progress.linesSkipped == 0)
        #expect(result.progress.trailingBytes == 0)
        #expect(result.observations.allSatisfy { $0.sessionID == session && $0.cwd?.hasPrefix("/redacted/path/") == true })
        // The real apply_patch inputs are redacted ("[REDACTED_INPUT len=…]"): no patch
        // text, hence no edits — and no crash.
        #expect(result.edits.isEmpty)
    }

    @Test func realRolloutReadTwiceGivesSameKeys() throws {
        let path = Samples.path(
            "codex", "localpush-redacted-real-rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl")
        let first = try read(path)
        let second = try read(path)
        #expect(first.usage == second.usage)
        // Reading on from the end with the returned state adds nothing.
        let again = try read(path, from: first.progress.offset, state: first.progress.state)
        #expect(again.usage.isEmpty && again.edits.isEmpty)
    }

    // MARK: Other samples

    @Test func gitaiFunctionCallApplyPatch() throws {
        for file in ["gitai-codex-session-simple.jsonl", "gitai-codex-session-updated.jsonl"] {
            let result = try read(Samples.path("codex", file))
            #expect(result.edits.count == 1)
            let edit = try #require(result.edits.first)
            #expect(edit.dedupKey == "call_abc123:0")
            #expect(edit.sessionID == "019c4b43-1451-7af3-be4c-5576369bf1ba")
            #expect(edit.filePath == "src/main.rs")
            #expect(edit.cwd == "/Users/test/projects/git-ai")
            #expect(edit.absolutePath == "/Users/test/projects/git-ai/src/main.rs")
            #expect(edit.addedLines == hashes("fn greet() { println!(\"hello\"); }", "fn main() { greet(); }"))
            #expect(result.usage.isEmpty)
            #expect(result.progress.linesSkipped == 0)
        }
        let updated = try read(Samples.path("codex", "gitai-codex-session-updated.jsonl"))
        #expect(updated.observations.contains { $0.model == "gpt-5.1-codex" })
    }

    @Test func schemaCoverageZooDoesNotCrash() throws {
        let result = try read(Samples.path("codex", "agentsessions-codex-small-schema-coverage.jsonl"))
        #expect(result.progress.linesSkipped == 0)
        #expect(result.progress.trailingBytes == 0)
        // One real token_count (16,341 in / 3,584 cached / 81 out / 63 reasoning); a later
        // all-zero total is a reset to a fresh baseline and emits nothing.
        #expect(result.usage.count == 1)
        let usage = try #require(result.usage.first)
        #expect(usage.dedupKey == "019fc8be-3658-7ca3-9e29-000000000000:16422")
        #expect(usage.tokens == TokenCounts(input: 12_757, output: 81, cacheWrite: 0, cacheRead: 3_584, reasoning: 63))
        #expect(usage.model == "gpt-5.6-luna")  // from the turn_context before it
        // The zoo's apply_patch calls carry no patch text (trimmed): no edits.
        #expect(result.edits.isEmpty)
        #expect(result.observations.contains { $0.cwd == "/tmp/repo" })
    }

    @Test func legacySamplesAreRead() throws {
        // 0.50: token_count info {prompt, completion} → one event; info:null ignored.
        let legacy = try read(Samples.path("codex", "agentsessions-codex_050_legacy.jsonl"))
        #expect(legacy.usage.map(\.tokens) == [TokenCounts(input: 1420, output: 910)])
        #expect(legacy.usage.first?.dedupKey == "test-legacy-session:2330")
        #expect(legacy.usage.first?.model == "unknown")

        // 0.51: turn.completed usage, cumulative: 1420/380/910 then 2840/1420/1520.
        let usage = try read(Samples.path("codex", "agentsessions-codex_051_usage.jsonl"))
        #expect(usage.usage.count == 2)
        #expect(usage.tokens == TokenCounts(input: 2840 - 1420, output: 1520, cacheRead: 1420))

        // 0.52: raw items are skipped as unknown; two turn.completed usages.
        let raw = try read(Samples.path("codex", "agentsessions-codex_052_raw.jsonl"))
        #expect(raw.usage.count == 2)
        #expect(raw.progress.linesSkipped == 0)

        // 0.53: one token_count with totals, one info:null, an error record.
        let limits = try read(Samples.path("codex", "agentsessions-codex_053_rate_limit.jsonl"))
        #expect(limits.usage.map(\.tokens) == [TokenCounts(input: 1211, output: 182, cacheRead: 10_880, reasoning: 128)])

        // ccusage: no session_meta (id from the file name), model inside info.
        let minimal = try read(Samples.path("codex", "ccusage-SYNTHETIC-minimal-token_count.jsonl"))
        #expect(minimal.usage.map(\.model) == ["gpt-5.2-codex", "gpt-5.3-codex"])
        #expect(
            minimal.usage.map(\.dedupKey) == ["ccusage-SYNTHETIC-minimal-token_count:1200", "ccusage-SYNTHETIC-minimal-token_count:4200"])
        #expect(minimal.usage.last?.tokens == TokenCounts(input: 2000, output: 300, cacheRead: 500, reasoning: 200))
    }

    // MARK: Usage semantics on small written files

    @Test func repeatedIdenticalTokenCountGivesOneEvent() throws {
        let dir = try TemporaryDirectory()
        let line = Rollout.tokens(1000, cached: 200, output: 50, reasoning: 10)
        let path = try dir.write(rolloutName, Rollout.meta(sessionUUID) + Rollout.turn(model: "gpt-5-codex") + line + line + line)
        let result = try read(path)
        #expect(result.usage.count == 1)
        #expect(result.usage.first?.tokens == TokenCounts(input: 800, output: 50, cacheRead: 200, reasoning: 10))
        #expect(result.usage.first?.dedupKey == "\(sessionUUID):1050")
        #expect(result.usage.first?.model == "gpt-5-codex")
        #expect(result.progress.linesRead == 5)
    }

    @Test func increaseGivesDeltaAndResetStartsFreshBaseline() throws {
        let dir = try TemporaryDirectory()
        let text =
            Rollout.meta(sessionUUID) + Rollout.turn(model: "gpt-5")
            + Rollout.tokens(1000, cached: 200, output: 50, reasoning: 10)
            + Rollout.tokens(3000, cached: 1200, output: 150, reasoning: 40, time: "05.000")
            + Rollout.tokens(500, cached: 0, output: 20, reasoning: 0, time: "06.000")  // counters reset
        let result = try read(try dir.write(rolloutName, text))
        #expect(
            result.usage.map(\.tokens) == [
                TokenCounts(input: 800, output: 50, cacheRead: 200, reasoning: 10),
                // (3000−1200) − (1000−200) = 1000 uncached; 1200−200 cached; 100 out; 30 reasoning
                TokenCounts(input: 1000, output: 100, cacheRead: 1000, reasoning: 30),
                TokenCounts(input: 500, output: 20),
            ])
        try #require(result.usage.count == 3)
        #expect(result.usage.map(\.dedupKey) == ["\(sessionUUID):1050", "\(sessionUUID):3150", "\(sessionUUID):1:520"])
        #expect(result.usage[1].timestamp == Timestamps.parse("2026-03-01T10:00:05.000Z"))
    }

    @Test func twoIncrementsEqualOneRead() throws {
        let dir = try TemporaryDirectory()
        let head =
            Rollout.meta(sessionUUID) + Rollout.turn(model: "gpt-5-codex")
            + Rollout.tokens(1000, cached: 200, output: 50, reasoning: 10)
        let tail =
            Rollout.tokens(1000, cached: 200, output: 50, reasoning: 10)
            + Rollout.turn(model: "gpt-5.1-codex", cwd: "/work/other", time: "07.000")
            + Rollout.customPatch("call_1", "*** Begin Patch\n*** Add File: a.txt\n+hello\n*** End Patch")
            + Rollout.tokens(2000, cached: 900, output: 80, reasoning: 20, time: "08.000")
        let whole = try read(try dir.write("whole/" + rolloutName, head + tail))

        let partPath = try dir.write("part/" + rolloutName, head)
        let first = try read(partPath)
        #expect(first.progress.offset == Int64(head.utf8.count))
        try dir.append("part/" + rolloutName, Data(tail.utf8))
        let second = try read(partPath, from: first.progress.offset, state: first.progress.state)
        let combined = first + second

        #expect(combined.usage == whole.usage)
        #expect(combined.edits == whole.edits)
        #expect(whole.usage.count == 2)
        #expect(whole.usage.last?.model == "gpt-5.1-codex")
        #expect(second.edits.first?.cwd == "/work/other")
        #expect(second.progress.offset == Int64((head + tail).utf8.count))
    }

    @Test func archivedCopyGivesSameDedupKeys() throws {
        let dir = try TemporaryDirectory()
        let text =
            Rollout.meta(sessionUUID) + Rollout.turn(model: "gpt-5-codex")
            + Rollout.tokens(1000, cached: 200, output: 50, reasoning: 10)
            + Rollout.customPatch("call_9", "*** Begin Patch\n*** Add File: a.txt\n+hello\n*** End Patch")
            + Rollout.tokens(2000, cached: 900, output: 80, reasoning: 20, time: "08.000")
        let live = try read(try dir.write("sessions/2026/03/01/" + rolloutName, text))
        let archived = try read(try dir.write("archived_sessions/" + rolloutName, text))
        #expect(live.usage.map(\.dedupKey) == archived.usage.map(\.dedupKey))
        #expect(live.edits.map(\.dedupKey) == archived.edits.map(\.dedupKey))
        #expect(live.usage == archived.usage)
        #expect(live.edits == archived.edits)
    }

    // MARK: Tolerance

    @Test func truncatedLastLineIsLeftForTheNextRun() throws {
        let dir = try TemporaryDirectory()
        let complete = Rollout.meta(sessionUUID) + Rollout.tokens(1000, cached: 0, output: 10, reasoning: 0)
        let last = Rollout.tokens(2000, cached: 0, output: 20, reasoning: 0, time: "09.000")
        let cut = last.utf8.count / 2
        let path = try dir.write(rolloutName, complete + String(last.prefix(cut)))
        let first = try read(path)
        #expect(first.usage.count == 1)
        #expect(first.progress.offset == Int64(complete.utf8.count))
        #expect(first.progress.trailingBytes == cut)
        #expect(first.progress.linesSkipped == 0)

        try dir.append(rolloutName, Data(last.dropFirst(cut).utf8))
        let second = try read(path, from: first.progress.offset, state: first.progress.state)
        #expect(second.usage.map(\.dedupKey) == ["\(sessionUUID):2020"])
        #expect(second.usage.first?.tokens == TokenCounts(input: 1000, output: 10))
        #expect(second.progress.trailingBytes == 0)
    }

    @Test func badJSONAndNonUTF8AreSkippedAndCounted() throws {
        let dir = try TemporaryDirectory()
        try dir.append(rolloutName, Data(Rollout.meta(sessionUUID).utf8))
        try dir.append(
            rolloutName, Data("{\"timestamp\":\"x\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{\"total\n".utf8))
        try dir.append(rolloutName, Data("not json at all\n".utf8))
        try dir.append(rolloutName, Data([0xFF, 0xFE, 0x7B, 0x80, 0x0A]))  // raw garbage
        // A token_count line with invalid UTF-8 inside a string.
        var broken = Array(
            "{\"timestamp\":\"2026-03-01T10:00:00Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"x\":\"".utf8)
        broken += [0xC3, 0x28, 0xFF]
        broken += Array("\",\"info\":null}}\n".utf8)
        try dir.append(rolloutName, Data(broken))
        try dir.append(rolloutName, Data("{\"timestamp\":\"2026-03-01T10:00:00Z\",\"type\":\"brand_new_type\",\"payload\":{}}\n".utf8))
        try dir.append(rolloutName, Data(Rollout.tokens(100, cached: 0, output: 1, reasoning: 0).utf8))
        let path = dir.path + "/" + rolloutName
        let result = try read(path)
        #expect(result.progress.linesRead == 7)
        // Truncated JSON, plain text, raw garbage and invalid UTF-8 (even inside a field
        // the reader does not use: a line that is not UTF-8 is not JSON) are skipped and
        // counted; the record of an unknown type is read (and counted as drift).
        #expect(result.progress.linesSkipped == 4)
        #expect(result.usage.count == 1)
    }

    @Test func emptyFileAndMissingFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(rolloutName, "")
        let result = try read(path)
        #expect(result.progress.offset == 0)
        #expect(result.progress.linesRead == 0)
        #expect(result.usage.isEmpty && result.edits.isEmpty && result.observations.isEmpty)
        #expect(throws: (any Error).self) { _ = try read(dir.path + "/missing.jsonl") }
        // Garbage state is ignored, not fatal.
        _ = try read(path, from: 0, state: Data("nonsense".utf8))
    }

    @Test func sessionIDComesFromFileNameWithoutMeta() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(rolloutName, Rollout.tokens(10, cached: 0, output: 1, reasoning: 0))
        #expect(try read(path).usage.first?.sessionID == sessionUUID)
        #expect(CodexReader.sessionID(fromPath: "/x/other-name.jsonl") == "other-name")
    }

    @Test func keysOutOfCodexOrderStillRoute() throws {
        let dir = try TemporaryDirectory()
        // Sorted keys: payload (with its type) before the record type.
        let line =
            "{\"payload\":{\"info\":{\"total_token_usage\":{\"input_tokens\":10,\"output_tokens\":2,\"total_tokens\":12}},\"type\":\"token_count\"},\"timestamp\":\"2026-03-01T10:00:00Z\",\"type\":\"event_msg\"}\n"
        let result = try read(try dir.write(rolloutName, line))
        #expect(result.usage.map(\.tokens) == [TokenCounts(input: 10, output: 2)])
    }

    @Test func turnContextAndOutputsWithSortedKeysStillRoute() throws {
        let dir = try TemporaryDirectory()
        // Sorted keys: the first "type" of the line is sandbox_policy's, not the record's.
        let turn =
            #"{"payload":{"cwd":"/work/sorted","model":"gpt-sorted","sandbox_policy":{"type":"workspace-write"}},"timestamp":"2026-03-01T10:00:01Z","type":"turn_context"}"#
            + "\n"
        let call =
            #"{"payload":{"call_id":"s1","input":"*** Begin Patch\n*** Add File: s.txt\n+sorted\n*** End Patch","name":"apply_patch","status":"completed","type":"custom_tool_call"},"timestamp":"2026-03-01T10:00:02Z","type":"response_item"}"#
            + "\n"
        let failedCall = call.replacingOccurrences(of: "s1", with: "s2")
        // The first "type" is an output item's: before, the failure went unseen.
        let failed =
            #"{"payload":{"call_id":"s2","output":[{"text":"Exit code: 1","type":"input_text"}],"type":"function_call_output"},"timestamp":"2026-03-01T10:00:03Z","type":"response_item"}"#
            + "\n"
        let result = try read(try dir.write(rolloutName, Rollout.meta(sessionUUID) + turn + call + failedCall + failed))
        #expect(result.observations.last?.model == "gpt-sorted")
        #expect(result.observations.last?.cwd == "/work/sorted")
        #expect(result.edits.map(\.dedupKey) == ["s1:0"])
        #expect(result.edits.first?.cwd == "/work/sorted")
        #expect(result.edits.first?.addedLines == hashes("sorted"))
        #expect(result.progress.linesSkipped == 0)
    }

    @Test func escapedPatchStringsGiveTheSameEdits() throws {
        let dir = try TemporaryDirectory()
        let plain =
            "*** Begin Patch\r\n*** Add File: caf\u{E9}.txt\r\n+let s = \"\u{E9}t\u{E9} \u{1F600}\"\r\n+\ttab\\slash/\r\n*** End Patch"
        // Written by a JSON encoder that escapes everything non-ASCII.
        let escaped =
            #"*** Begin Patch\r\n*** Add File: caf\u00e9.txt\r\n+let s = \"\u00e9t\u00e9 \ud83d\ude00\"\r\n+\ttab\\slash\/\r\n*** End Patch"#
        let line =
            #"{"timestamp":"2026-03-01T10:00:03Z","type":"response_item","payload":{"type":"custom_tool_call","call_id":"e1","name":"apply_patch","input":""#
            + escaped + "\"}}\n"
        let result = try read(try dir.write(rolloutName, Rollout.meta(sessionUUID) + line + Rollout.customPatch("e2", plain)))
        try #require(result.edits.count == 2)
        #expect(result.edits.map(\.filePath) == ["caf\u{E9}.txt", "caf\u{E9}.txt"])
        #expect(result.edits[0].addedLines == hashes("let s = \"\u{E9}t\u{E9} \u{1F600}\"", "tab\\slash/"))
        #expect(result.edits[0].addedLines == result.edits[1].addedLines)
    }

    @Test func oddToolCallLinesFallBackToTheDecoder() throws {
        let dir = try TemporaryDirectory()
        func call(_ id: String, _ input: String, extra: String = "") -> String {
            #"{"timestamp":"2026-03-01T10:00:03Z","type":"response_item","payload":{"type":"custom_tool_call","call_id":"\#(id)",\#(extra)"name":"apply_patch","input":"\#(input)"}}"#
                + "\n"
        }
        let text =
            Rollout.meta(sessionUUID)
            // Invalid escape: the lenient decoder reads the input as absent, so no edit.
            + call("bad", #"*** Begin Patch\q*** Add File: q.txt\n+q\n*** End Patch"#)
            + call("lone", #"*** Begin Patch\n*** Add File: l.txt\n+\ud800x\n*** End Patch"#)
            + call("dup", #"*** Begin Patch\n*** Add File: d.txt\n+d\n*** End Patch"#, extra: #""call_id":"second","#)
            + call("c\\u0031", #"*** Begin Patch\n*** Add File: u.txt\n+u\n*** End Patch"#)
        let result = try read(try dir.write(rolloutName, text))
        #expect(!result.edits.contains { $0.filePath == "q.txt" })
        #expect(result.edits.contains { $0.filePath == "d.txt" })
        #expect(result.edits.contains { $0.filePath == "u.txt" })
        #expect(result.edits.first { $0.filePath == "d.txt" }?.dedupKey == "dup:0")  // first key wins, as before
        #expect(result.edits.first { $0.filePath == "u.txt" }?.dedupKey == "c1:0")
    }

    // MARK: apply_patch forms

    @Test func applyPatchAddUpdateMoveDelete() throws {
        let dir = try TemporaryDirectory()
        let patch = """
            *** Begin Patch
            *** Add File: new.txt
            +first line
            +second line
            *** Update File: src/app.swift
            *** Move to: src/App.swift
            @@ struct App {
            -    let name = "old"
            +    let name = "new"
            +    let unchanged = true
            *** Delete File: obsolete.txt
            *** End Patch
            """
        let text =
            Rollout.meta(sessionUUID) + Rollout.customPatch("call_p", patch)
            + Rollout.customOutput("call_p", "Exit code: 0\nOutput:\nSuccess.")
        let result = try read(try dir.write(rolloutName, text))
        #expect(result.edits.map(\.dedupKey) == ["call_p:0", "call_p:1", "call_p:2"])
        try #require(result.edits.count == 3)
        #expect(result.edits.map(\.filePath) == ["new.txt", "src/App.swift", "obsolete.txt"])
        #expect(result.edits.allSatisfy { $0.cwd == "/work/repo" && $0.sessionID == sessionUUID && $0.tool == .codex })
        #expect(result.edits[0].addedLines == hashes("first line", "second line"))
        #expect(result.edits[1].addedLines == hashes("let name = \"new\"", "let unchanged = true"))
        #expect(result.edits[2].addedLines.isEmpty)
        #expect(result.edits[0].timestamp == Timestamps.parse("2026-03-01T10:00:03.000Z"))
    }

    @Test func applyPatchInsideShellCalls() throws {
        let dir = try TemporaryDirectory()
        let heredoc = "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: h.txt\n+from heredoc\n*** End Patch\nEOF\n"
        let text =
            Rollout.meta(sessionUUID)
            + Rollout.functionCall("c1", name: "shell", arguments: ["command": ["bash", "-lc", heredoc], "workdir": "/work/repo/sub"])
            + Rollout.functionCall(
                "c2", name: "shell",
                arguments: ["command": ["apply_patch", "*** Begin Patch\n*** Add File: argv.txt\n+from argv\n*** End Patch\n"]])
            + Rollout.functionCall("c3", name: "exec_command", arguments: ["cmd": heredoc.replacingOccurrences(of: "h.txt", with: "e.txt")])
            + Rollout.functionCall(
                "c4", name: "apply_patch", arguments: ["input": "*** Begin Patch\n*** Add File: f.txt\n+from function\n*** End Patch"])
            // Writing a patch into a file is not applying it.
            + Rollout.functionCall(
                "c5", name: "shell",
                arguments: [
                    "command": ["bash", "-lc", "cat > x.patch <<'EOF'\n*** Begin Patch\n*** Add File: no.txt\n+no\n*** End Patch\nEOF"]
                ])
        let result = try read(try dir.write(rolloutName, text))
        #expect(result.edits.map(\.dedupKey) == ["c1:0", "c2:0", "c3:0", "c4:0"])
        try #require(result.edits.count == 4)
        #expect(result.edits.map(\.filePath) == ["h.txt", "argv.txt", "e.txt", "f.txt"])
        #expect(result.edits[0].cwd == "/work/repo/sub")
        #expect(result.edits[1].cwd == "/work/repo")
        #expect(result.edits[0].addedLines == hashes("from heredoc"))
        #expect(result.edits[1].addedLines == hashes("from argv"))
    }

    @Test func failedPatchesAreNotCounted() throws {
        let dir = try TemporaryDirectory()
        let patch = "*** Begin Patch\n*** Add File: a.txt\n+hello\n*** End Patch"
        let failedEnd = Rollout.record(
            "05.000", "event_msg", payloadType: "patch_apply_end", ["call_id": "c2", "success": false, "stdout": "", "stderr": "boom"])
        let text =
            Rollout.meta(sessionUUID)
            + Rollout.customPatch("c1", patch) + Rollout.customOutput("c1", "apply_patch verification failed: context not found")
            + Rollout.customPatch("c2", patch) + failedEnd
            + Rollout.customPatch("c3", patch) + Rollout.customOutput("c3", "{\"output\":\"boom\",\"metadata\":{\"exit_code\":1}}")
            + Rollout.customPatch("c4", patch) + Rollout.customOutput("c4", "{\"output\":\"Success\",\"metadata\":{\"exit_code\":0}}")
            + Rollout.customPatch("c5", patch)  // outcome not written yet: counted
        let result = try read(try dir.write(rolloutName, text))
        #expect(result.edits.map(\.dedupKey) == ["c4:0", "c5:0"])
    }

    // MARK: Discovery

    @Test func discoversSessionsAndArchivedUnderCodexHome() throws {
        let dir = try TemporaryDirectory()
        let home = dir.path + "/codex-home"
        let a = try dir.write("codex-home/sessions/2026/03/01/" + rolloutName, "")
        let b = try dir.write("codex-home/archived_sessions/rollout-2026-02-01T00-00-00-\(sessionUUID).jsonl", "")
        let c = try dir.write("codex-home/archived_sessions/2026/01/rollout-x.jsonl", "")
        try dir.write("codex-home/sessions/2026/03/01/notes.jsonl", "")
        try dir.write("codex-home/history.jsonl", "")
        let reader = CodexReader()
        let environment = ReaderEnvironment(home: dir.path + "/nohome", variables: ["CODEX_HOME": home])
        #expect(reader.searchRoots(in: environment) == [home + "/sessions", home + "/archived_sessions"])
        #expect(reader.discoverFiles(in: environment) == [a, b, c].sorted())

        // Without CODEX_HOME: ~/.codex of the injected home, never the real one.
        let userHome = dir.path + "/user"
        let d = try dir.write("user/.codex/sessions/2026/03/01/" + rolloutName, "")
        let plain = ReaderEnvironment(home: userHome, variables: [:])
        #expect(reader.searchRoots(in: plain) == [userHome + "/.codex/sessions", userHome + "/.codex/archived_sessions"])
        #expect(reader.discoverFiles(in: plain) == [d])
        #expect(reader.discoverFiles(in: ReaderEnvironment(home: dir.path + "/empty")).isEmpty)
        #expect(reader.tool == .codex)
    }

    // MARK: Byte-level helpers

    @Test func jsonWalkFindsTopLevelMembersOnly() {
        let text =
            #"{"timestamp":"2026-01-01T00:00:00Z", "type" : "turn_context","payload":{"settings":{"model":"nested","cwd":"/no"},"list":[{"cwd":"x"},"]}"],"cwd":"/a \"quoted\" dir","model":"gpt-5","n":-42,"f":1.5,"z":null}}"#
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { line in
            guard let payload = JSONWalk.member(line, "payload") else {
                Issue.record("payload not found")
                return
            }
            #expect(JSONWalk.member(line, "type").flatMap { JSONWalk.string(line, $0) } == "turn_context")
            #expect(JSONWalk.member(line, of: payload.lowerBound, "model").flatMap { JSONWalk.string(line, $0) } == "gpt-5")
            #expect(JSONWalk.member(line, of: payload.lowerBound, "cwd").flatMap { JSONWalk.string(line, $0) } == #"/a "quoted" dir"#)
            #expect(JSONWalk.member(line, of: payload.lowerBound, "n").flatMap { JSONWalk.int64(line, $0) } == -42)
            #expect(JSONWalk.member(line, of: payload.lowerBound, "f").flatMap { JSONWalk.int64(line, $0) } == nil)
            #expect(JSONWalk.member(line, of: payload.lowerBound, "z").map { JSONWalk.isNull(line, $0) } == true)
            #expect(JSONWalk.member(line, of: payload.lowerBound, "missing") == nil)
            #expect(JSONByteScan.stringValue(ofKey: "type", in: line).map { JSONByteScan.equals(line, $0, "turn_context") } == true)
        }
        let broken = Array(#"{"payload":{"model":"gpt"#.utf8)
        broken.withUnsafeBufferPointer { line in
            #expect(JSONWalk.member(line, "payload") == nil)
        }
    }

    @Test func turnContextWithEscapedCwdGoesThroughFastPath() throws {
        let dir = try TemporaryDirectory()
        let line =
            #"{"timestamp":"2026-03-01T10:00:01Z","type":"turn_context","payload":{"cwd":"C:\\work\\repo","collaboration_mode":{"settings":{"model":"inner"}},"model":"gpt-5.2"}}"#
            + "\n"
        let result = try read(try dir.write(rolloutName, Rollout.meta(sessionUUID) + line))
        #expect(result.observations.last?.cwd == #"C:\work\repo"#)
        #expect(result.observations.last?.model == "gpt-5.2")
    }
}
