import Foundation

// Writers of made-up but realistically shaped AI tool records for `aiusage demo`:
// the same record types, fields and repetitions the real tools write (see the
// readers in AIUsageCore), with code the demo repository then commits.

/// ISO 8601 with milliseconds, as both tools write timestamps.
func demoTimestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}

private func jsonLine(_ object: [String: Any]) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
}

/// Ids for the demo's records (session ids, message and request ids, record uuids) from
/// a fixed seed, so that the same `now` gives the same demo, byte for byte: its outputs
/// can be compared with recorded ones (the golden tests), and two runs show the same
/// session ids.
final class DemoIDs {
    private var state: UInt64

    init(seed: UInt64 = 0x6169_7573_6167_6521) { state = seed }

    /// SplitMix64: small, fast, and good enough for made-up ids.
    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A version-4 UUID in lower case, as both tools write session ids.
    func uuid() -> String {
        let high = next()
        let low = next()
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: low >> (8 * $0)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }

    /// `count` characters of the alphabet Anthropic's and OpenAI's ids use.
    func token(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789")
        return String((0..<count).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] })
    }
}

/// A Claude Code transcript: `~/.claude/projects/<cwd with / as ->/<session>.jsonl`.
///
/// Each model request is written the way Claude Code writes it: one line per content
/// block, every line repeating the message's usage (the first with a partial
/// `output_tokens`), and each edit call answered by a user line whose `toolUseResult`
/// says what was applied.
final class DemoClaudeSession {
    let id: String
    private let ids: DemoIDs
    let cwd: String
    let branch: String
    let model: String
    private(set) var time: Date
    private var lines: [String] = []
    private var parent: String?
    /// Context grows through a conversation, and with it the cached input read back.
    private var context = 12_000

    init(ids: DemoIDs, cwd: String, branch: String, start: Date, model: String = "claude-sonnet-4-5-20250929") {
        self.ids = ids
        id = ids.uuid()
        self.cwd = cwd
        self.branch = branch
        self.model = model
        self.time = start
    }

    private func record(_ type: String, after seconds: TimeInterval) -> [String: Any] {
        time = time.addingTimeInterval(seconds)
        let uuid = ids.uuid()
        defer { parent = uuid }
        return [
            "parentUuid": parent.map { $0 as Any } ?? NSNull(), "isSidechain": false, "userType": "external", "cwd": cwd,
            "sessionId": id, "version": "2.0.14", "gitBranch": branch, "type": type, "uuid": uuid,
            "timestamp": demoTimestamp(time),
        ]
    }

    /// A typed prompt.
    func prompt(_ text: String, after seconds: TimeInterval = 30) throws {
        var line = record("user", after: seconds)
        line["message"] = ["role": "user", "content": text]
        lines.append(try jsonLine(line))
    }

    /// One model request: a text block, then optionally a tool call, as two lines with
    /// the same message id and request id.
    @discardableResult
    private func request(text: String, tool: [String: Any]?, output: Int, after seconds: TimeInterval) throws -> String? {
        let messageID = "msg_01" + ids.token(22)
        let requestID = "req_011C" + ids.token(20)
        let cacheWrite = 600 + output * 2
        func usage(_ outputTokens: Int) -> [String: Any] {
            [
                "input_tokens": 4, "cache_creation_input_tokens": cacheWrite, "cache_read_input_tokens": context,
                "cache_creation": ["ephemeral_5m_input_tokens": cacheWrite, "ephemeral_1h_input_tokens": 0],
                "output_tokens": outputTokens, "service_tier": "standard",
            ]
        }
        func message(_ block: [String: Any], _ outputTokens: Int) -> [String: Any] {
            [
                "id": messageID, "type": "message", "role": "assistant", "model": model, "content": [block],
                "stop_reason": NSNull(), "stop_sequence": NSNull(), "usage": usage(outputTokens),
            ]
        }
        var first = record("assistant", after: seconds)
        first["requestId"] = requestID
        first["message"] = message(["type": "text", "text": text], tool == nil ? output : 3)
        lines.append(try jsonLine(first))
        var toolID: String?
        if var tool {
            let id = "toolu_01" + ids.token(22)
            tool["id"] = id
            tool["type"] = "tool_use"
            var second = record("assistant", after: 2)
            second["requestId"] = requestID
            second["message"] = message(tool, output)
            lines.append(try jsonLine(second))
            toolID = id
        }
        context += cacheWrite + output
        return toolID
    }

    /// A request that only talks (reads, plans, answers).
    func say(_ text: String, output: Int, after seconds: TimeInterval = 20) throws {
        try request(text: text, tool: nil, output: output, after: seconds)
    }

    /// A `Write` call creating `path` with `content`, and its result.
    func write(_ path: String, _ content: String, output: Int, after seconds: TimeInterval = 40) throws {
        let id = try request(
            text: "I'll create \((path as NSString).lastPathComponent).",
            tool: ["name": "Write", "input": ["file_path": path, "content": content]], output: output, after: seconds)
        var result = record("user", after: 3)
        result["message"] = [
            "role": "user",
            "content": [["tool_use_id": id ?? "", "type": "tool_result", "content": "File created successfully at: \(path)"]],
        ]
        result["toolUseResult"] = ["type": "create", "filePath": path, "content": content, "structuredPatch": [Any]()]
        lines.append(try jsonLine(result))
    }

    /// An `Edit` call replacing `old` by `new` in `path` (whose content was `original`),
    /// and its result with the structured patch.
    func edit(_ path: String, original: String, old: String, new: String, output: Int, after seconds: TimeInterval = 40) throws {
        let id = try request(
            text: "Now I'll update \((path as NSString).lastPathComponent).",
            tool: ["name": "Edit", "input": ["file_path": path, "old_string": old, "new_string": new]], output: output,
            after: seconds)
        var result = record("user", after: 3)
        result["message"] = [
            "role": "user",
            "content": [
                [
                    "tool_use_id": id ?? "", "type": "tool_result",
                    "content": "The file \(path) has been updated. Here's the result of running `cat -n` on a snippet of the edited file:",
                ]
            ],
        ]
        result["toolUseResult"] = [
            "filePath": path, "oldString": old, "newString": new, "originalFile": original,
            "structuredPatch": Self.structuredPatch(original: original, old: old, new: new), "userModified": false,
            "replaceAll": false,
        ]
        lines.append(try jsonLine(result))
    }

    /// Writes the transcript where Claude Code keeps it under `home`.
    func save(home: String) throws {
        let project = cwd.map { $0 == "/" || $0 == "." ? "-" : $0 }
        let folder = home + "/.claude/projects/" + String(project)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/\(id).jsonl"))
    }

    /// One hunk: the changed lines with the unchanged head and tail of the edit as context.
    static func structuredPatch(original: String, old: String, new: String) -> [[String: Any]] {
        guard let range = original.range(of: old) else { return [] }
        let start = original[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        let oldLines = old.components(separatedBy: "\n")
        let newLines = new.components(separatedBy: "\n")
        var head = 0
        while head < min(oldLines.count, newLines.count), oldLines[head] == newLines[head] { head += 1 }
        var tail = 0
        while tail < min(oldLines.count, newLines.count) - head,
            oldLines[oldLines.count - 1 - tail] == newLines[newLines.count - 1 - tail]
        {
            tail += 1
        }
        let lines =
            oldLines[..<head].map { " " + $0 }
            + oldLines[head..<(oldLines.count - tail)].map { "-" + $0 }
            + newLines[head..<(newLines.count - tail)].map { "+" + $0 }
            + oldLines[(oldLines.count - tail)...].map { " " + $0 }
        return [["oldStart": start, "oldLines": oldLines.count, "newStart": start, "newLines": newLines.count, "lines": lines]]
    }
}

/// A Codex CLI rollout: `~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`, with
/// `session_meta`, `turn_context`, `apply_patch` custom tool calls and their outputs,
/// and cumulative `token_count` events written twice each, as Codex does.
final class DemoCodexSession {
    let id: String
    private let ids: DemoIDs
    let cwd: String
    let branch: String
    let model: String
    let start: Date
    private(set) var time: Date
    private var lines: [String] = []
    private var totals = (input: 0, cached: 0, output: 0, reasoning: 0)

    init(ids: DemoIDs, cwd: String, branch: String, start: Date, model: String = "gpt-5-codex") throws {
        self.ids = ids
        id = ids.uuid()
        self.cwd = cwd
        self.branch = branch
        self.model = model
        self.start = start
        self.time = start
        try add(
            "session_meta",
            [
                "id": id, "timestamp": demoTimestamp(start), "cwd": cwd, "originator": "codex_cli_rs", "cli_version": "0.46.0",
                "instructions": NSNull(), "source": "cli", "model_provider": "openai", "git": ["branch": branch],
            ])
    }

    private func add(_ type: String, _ payload: [String: Any], after seconds: TimeInterval = 0) throws {
        time = time.addingTimeInterval(seconds)
        // Envelope keys in Codex's own order (timestamp, type, payload): the reader's
        // fast path routes on the first "type" of a line.
        // A payload's own "type" comes first too, as Codex writes it.
        var rest = payload
        var body = try jsonLine(rest)
        if let payloadType = rest.removeValue(forKey: "type") as? String {
            body = rest.isEmpty ? "{\"type\":\"\(payloadType)\"}" : "{\"type\":\"\(payloadType)\"," + (try jsonLine(rest)).dropFirst()
        }
        lines.append("{\"timestamp\":\"\(demoTimestamp(time))\",\"type\":\"\(type)\",\"payload\":\(body)}")
    }

    /// A user turn: the prompt and the turn's context (model, cwd).
    func prompt(_ text: String, after seconds: TimeInterval = 20) throws {
        try add("response_item", ["type": "message", "role": "user", "content": [["type": "input_text", "text": text]]], after: seconds)
        try add("event_msg", ["type": "user_message", "message": text, "images": [Any]()])
        try add(
            "turn_context",
            [
                "cwd": cwd, "approval_policy": "on-request",
                "sandbox_policy": ["type": "workspace-write", "network_access": false], "model": model, "effort": "medium",
                "summary": "auto",
            ])
        try add("event_msg", ["type": "token_count", "info": NSNull()], after: 1)
    }

    /// A model request's usage: the cumulative totals grow, and the event is repeated.
    func usage(input: Int, cached: Int, output: Int, reasoning: Int, after seconds: TimeInterval = 15) throws {
        totals.input += input
        totals.cached += cached
        totals.output += output
        totals.reasoning += reasoning
        func counts(_ i: Int, _ c: Int, _ o: Int, _ r: Int) -> [String: Any] {
            ["input_tokens": i, "cached_input_tokens": c, "output_tokens": o, "reasoning_output_tokens": r, "total_tokens": i + o]
        }
        let info: [String: Any] = [
            "total_token_usage": counts(totals.input, totals.cached, totals.output, totals.reasoning),
            "last_token_usage": counts(input, cached, output, reasoning), "model_context_window": 272_000,
        ]
        try add("event_msg", ["type": "token_count", "info": info], after: seconds)
        try add("event_msg", ["type": "token_count", "info": info])
    }

    /// An `apply_patch` call (freeform custom tool) and its successful output.
    func applyPatch(_ patch: String, summary: String, after seconds: TimeInterval = 20) throws {
        let callID = "call_" + ids.token(24)
        try add(
            "response_item", ["type": "custom_tool_call", "status": "completed", "call_id": callID, "name": "apply_patch", "input": patch],
            after: seconds)
        let output = try jsonLine([
            "output": "Success. Updated the following files:\n\(summary)\n", "metadata": ["exit_code": 0, "duration_seconds": 0.1],
        ])
        try add("response_item", ["type": "custom_tool_call_output", "call_id": callID, "output": output], after: 1)
    }

    /// The model's closing message of a turn.
    func answer(_ text: String, after seconds: TimeInterval = 5) throws {
        try add("event_msg", ["type": "agent_message", "message": text], after: seconds)
        try add("response_item", ["type": "message", "role": "assistant", "content": [["type": "output_text", "text": text]]])
    }

    /// Writes the rollout where Codex keeps it under `home`.
    func save(home: String) throws {
        let calendar = { () -> Calendar in
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
            return calendar
        }()
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: start)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        let folder = home + "/.codex/sessions/\(parts.year ?? 1970)/\(two(parts.month))/\(two(parts.day))"
        let name =
            "rollout-\(parts.year ?? 1970)-\(two(parts.month))-\(two(parts.day))T\(two(parts.hour))-\(two(parts.minute))-\(two(parts.second))-\(id).jsonl"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
    }
}
