import Foundation

/// Writes one Codex CLI rollout in the record shapes of the newest real samples
/// (`/work/shared/samples/codex`: 0.152.1 and 0.155.0): an `ordinal` on every line,
/// `session_meta` with `session_id` and `history_mode: paginated`, `world_state`,
/// `turn_context` with workspace roots and a permission profile, `item_completed`
/// events (UserMessage, Reasoning, AgentMessage, CommandExecution, FileChange) next to
/// the `response_item`s, `exec_command` function calls, `apply_patch` custom tool calls,
/// `token_usage_record` plus `token_count` with `cache_write_input_tokens` (some
/// repeated unchanged, as Codex does), and `thread_settings_applied` model switches.
struct CodexSessionWriter {
    let pool: TextPool
    var random: SeededRandom
    let sessionId: String
    let cwd: String
    var model: String
    var clock: Int64
    private var ordinal = 0
    private var turnId = ""
    private var totals = (input: 0, cached: 0, write: 0, output: 0, reasoning: 0)
    private var turns = 0
    /// Billed requests written: `token_count` events whose totals moved.
    private(set) var requests = 0

    init(pool: TextPool, seed: UInt64, cwd: String, startMilliseconds: Int64) {
        self.pool = pool
        random = SeededRandom(seed: seed)
        sessionId = Self.uuid7(&random, milliseconds: startMilliseconds)
        self.cwd = cwd
        model = random.pick(["gpt-5.6-sol", "gpt-5.3-codex", "gpt-5.5", "gpt-5.6-sol"])
        clock = startMilliseconds
    }

    /// A time-ordered id like Codex's (`01a0d095-5bd9-7d73-871a-b6756ea97139`).
    static func uuid7(_ random: inout SeededRandom, milliseconds: Int64) -> String {
        let time = String(UInt64(milliseconds), radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - time.count)) + time
        let t = Array(padded.suffix(12))
        return String(t[0..<8]) + "-" + String(t[8..<12]) + "-7" + random.hex(3) + "-a" + random.hex(3) + "-" + random.hex(12)
    }

    /// The rollout's path under `~/.codex/sessions`, named as Codex names it.
    var relativePath: String {
        let start = Int64(clockAtStart)
        let (y, m, d) = ISOTime.civil(days: Int(start / 86_400_000))
        let stamp = ISOTime.string(milliseconds: start).prefix(19).replacingOccurrences(of: ":", with: "-")
        return "\(y)/\(ISOTime.pad(m, 2))/\(ISOTime.pad(d, 2))/rollout-\(stamp)-\(sessionId).jsonl"
    }

    private var clockAtStart: Int64 = 0

    mutating func write(to file: BufferedFile, targetBytes: Int64) throws {
        clockAtStart = clock
        open(file, "session_meta")
        file.s(
            "\"session_id\":\"\(sessionId)\",\"id\":\"\(sessionId)\",\"timestamp\":\"\(ISOTime.string(milliseconds: clock))\",\"cwd\":\"");
        file.e(cwd)
        file.s(
            "\",\"originator\":\"codex_cli_rs\",\"cli_version\":\"0.155.0\",\"source\":\"cli\",\"thread_source\":\"user\",\"model_provider\":\"openai\",\"base_instructions\":{\"text\":\""
        )
        for _ in 0..<40 { file.e(random.pick(pool.prose)); file.s("\\n") }
        file.s(
            "\",\"provenance\":{\"type\":\"model\",\"model\":\"\(model)\"}},\"history_mode\":\"paginated\",\"context_window\":{\"window_id\":\"\(Self.uuid7(&random, milliseconds: clock))\"},\"git\":{\"commit_hash\":\"\(random.hex(40))\",\"branch\":\"main\",\"repository_url\":\"git@github.com:example/\(cwd.split(separator: "/").last ?? "repo").git\"}}}"
        )
        try file.endLine()
        while file.size < targetBytes { try turn(file) }
    }

    // MARK: records

    private mutating func tick(_ low: Int, _ high: Int) -> String {
        clock += Int64(random.int(low...high))
        return ISOTime.string(milliseconds: clock)
    }

    private mutating func open(_ file: BufferedFile, _ type: String, _ payloadType: String? = nil) {
        file.s("{\"timestamp\":\"\(tick(1, 300))\",\"ordinal\":\(ordinal),\"type\":\"\(type)\",\"payload\":{")
        ordinal += 1
        if let payloadType { file.s("\"type\":\"\(payloadType)\",") }
    }

    private mutating func itemCompleted(_ file: BufferedFile, _ itemType: String, id: String) {
        open(file, "event_msg", "item_completed")
        file.s("\"thread_id\":\"\(sessionId)\",\"turn_id\":\"\(turnId)\",\"item\":{\"type\":\"\(itemType)\",\"id\":\"\(id)\",")
    }

    private func itemTimes(_ file: BufferedFile) {
        file.s("},\"started_at_ms\":\(clock - 40),\"completed_at_ms\":\(clock)}}")
    }

    private mutating func turn(_ file: BufferedFile) throws {
        turnId = Self.uuid7(&random, milliseconds: clock)
        turns += 1
        if turns > 1, random.chance(0.05) {
            model = random.pick(["gpt-5.6-sol", "gpt-5.3-codex", "gpt-5.5"])
            open(file, "event_msg", "thread_settings_applied")
            file.s(
                "\"thread_id\":\"\(sessionId)\",\"thread_settings\":{\"model\":\"\(model)\",\"model_provider_id\":\"openai\",\"approval_policy\":\"on-request\",\"approvals_reviewer\":\"user\",\"reasoning_effort\":\"high\"}}}"
            )
            try file.endLine()
        }
        open(file, "event_msg", "task_started")
        file.s(
            "\"turn_id\":\"\(turnId)\",\"root_turn_id\":\"\(turnId)\",\"started_at\":\(clock / 1000),\"model_context_window\":258400,\"collaboration_mode_kind\":\"default\"}}"
        )
        try file.endLine()
        open(file, "world_state")
        if turns == 1 {
            file.s(
                "\"full\":true,\"state\":{\"agents_md\":{},\"apps_instructions\":false,\"collaboration_mode\":{\"mode\":\"default\",\"model\":\"\(model)\"},\"environments\":{\"environments\":{\"local\":{\"cwd\":\""
            ); file.e(cwd)
            file.s(
                "\",\"status\":\"available\",\"shell\":\"bash\"}},\"current_date\":\"\(ISOTime.string(milliseconds: clock).prefix(10))\",\"timezone\":\"UTC\"},\"model\":\"\(model)\",\"personality\":{\"model\":\"\(model)\"}}}}"
            )
        } else {
            file.s("\"full\":false,\"state\":{\"collaboration_mode\":{\"model\":\"\(model)\"},\"model\":\"\(model)\"}}}")
        }
        try file.endLine()
        open(file, "turn_context")
        file.s("\"turn_id\":\"\(turnId)\",\"root_turn_id\":\"\(turnId)\",\"cwd\":\""); file.e(cwd)
        file.s("\",\"workspace_roots\":[\""); file.e(cwd)
        file.s(
            "\"],\"current_date\":\"\(ISOTime.string(milliseconds: clock).prefix(10))\",\"timezone\":\"UTC\",\"approval_policy\":\"on-request\",\"approvals_reviewer\":\"user\",\"sandbox_policy\":{\"type\":\"workspace-write\",\"writable_roots\":[\""
        ); file.e(cwd)
        file.s(
            "\"],\"network_access\":false,\"exclude_tmpdir_env_var\":false,\"exclude_slash_tmp\":false},\"permission_profile\":{\"type\":\"managed\",\"file_system\":{\"type\":\"restricted\",\"entries\":[{\"path\":{\"type\":\"special\",\"value\":{\"kind\":\"root\"}},\"access\":\"read\"},{\"path\":{\"type\":\"path\",\"path\":\""
        ); file.e(cwd)
        file.s(
            "\"},\"access\":\"write\"},{\"path\":{\"type\":\"special\",\"value\":{\"kind\":\"slash_tmp\"}},\"access\":\"write\"}]}},\"model\":\"\(model)\",\"personality\":\"pragmatic\",\"collaboration_mode\":{\"mode\":\"default\",\"settings\":{\"model\":\"\(model)\",\"reasoning_effort\":\"high\",\"developer_instructions\":null}},\"effort\":\"high\",\"summary\":\"auto\",\"truncation_policy\":{\"mode\":\"tokens\",\"limit\":10000}}}"
        )
        try file.endLine()
        var prompt = ""
        for _ in 0..<random.int(1...3) { prompt += random.pick(pool.prose) + " " }
        open(file, "response_item", "message")
        file.s(
            "\"id\":\"msg_\(Self.uuid7(&random, milliseconds: clock))\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\""
        ); file.e(prompt)
        file.s(
            "\"}],\"internal_chat_message_metadata_passthrough\":{\"turn_id\":\"\(turnId)\",\"create_time\":\(clock / 1000).\(random.int(100_000...999_999)),\"content_item_kinds\":[\"user.text\"]}}}"
        )
        try file.endLine()
        itemCompleted(file, "UserMessage", id: Self.uuid7(&random, milliseconds: clock))
        file.s("\"content\":[{\"type\":\"text\",\"text\":\""); file.e(prompt); file.s("\",\"text_elements\":[]}]")
        itemTimes(file)
        try file.endLine()
        for _ in 0..<random.int(2...12) { try step(file) }
        let message = random.pick(pool.prose) + " " + random.pick(pool.prose)
        try agentMessage(file, message, phase: "final_answer")
        try usage(file)
        open(file, "event_msg", "task_complete")
        file.s("\"turn_id\":\"\(turnId)\",\"last_agent_message\":\""); file.e(message)
        file.s(
            "\",\"started_at\":\(clock / 1000 - 60),\"completed_at\":\(clock / 1000),\"duration_ms\":\(random.int(2_000...600_000)),\"time_to_first_token_ms\":\(random.int(300...9_000))}}"
        )
        try file.endLine()
    }

    private mutating func agentMessage(_ file: BufferedFile, _ message: String, phase: String) throws {
        let id = "msg_0" + random.hex(49)
        itemCompleted(file, "AgentMessage", id: id)
        file.s("\"content\":[{\"type\":\"Text\",\"text\":\""); file.e(message); file.s("\"}],\"phase\":\"\(phase)\"")
        itemTimes(file)
        try file.endLine()
        open(file, "response_item", "message")
        file.s("\"id\":\"\(id)\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\""); file.e(message)
        file.s(
            "\"}],\"phase\":\"\(phase)\",\"internal_chat_message_metadata_passthrough\":{\"turn_id\":\"\(turnId)\",\"content_item_kinds\":[\"unknown\"]}}}"
        )
        try file.endLine()
    }

    /// One model request: reasoning, perhaps a commentary, one tool call with its
    /// outcome, then the usage records.
    private mutating func step(_ file: BufferedFile) throws {
        let reasoningId = "rs_0" + random.hex(49)
        itemCompleted(file, "Reasoning", id: reasoningId)
        file.s("\"summary_text\":[],\"raw_content\":[]")
        itemTimes(file)
        try file.endLine()
        open(file, "response_item", "reasoning")
        file.s("\"id\":\"\(reasoningId)\",\"summary\":[],\"encrypted_content\":\"gAAAAA"); file.b(random.base64(random.int(500...2400)))
        file.s("\",\"internal_chat_message_metadata_passthrough\":{\"turn_id\":\"\(turnId)\"}}}")
        try file.endLine()
        if random.chance(0.3) { try agentMessage(file, random.pick(pool.prose), phase: "commentary") }
        let callId = "call_" + random.token(24)
        let source = random.pick(pool.files)
        if random.chance(0.2) {
            try applyPatch(file, callId: callId, source: source)
        } else {
            let command = random.chance(0.5) ? "sed -n '1,200p' \(source.path)" : "rg -n \(random.pick(TextPool.identifiers)) src"
            let output = command.hasPrefix("sed") ? source.head : random.pick(pool.shellOutputs)
            open(file, "response_item", "function_call")
            file.s("\"id\":\"fc_0\(random.hex(49))\",\"name\":\"exec_command\",\"arguments\":\"")
            file.e("{\"cmd\":\"\(command)\",\"workdir\":\"\(cwd)\",\"yield_time_ms\":10000,\"max_output_tokens\":6000}")
            file.s("\",\"call_id\":\"\(callId)\",\"internal_chat_message_metadata_passthrough\":{\"turn_id\":\"\(turnId)\"}}}")
            try file.endLine()
            itemCompleted(file, "CommandExecution", id: "exec-" + random.uuid())
            file.s("\"process_id\":\"\(random.int(1000...99999))\",\"command\":[\"/usr/bin/bash\",\"-lc\",\""); file.e(command)
            file.s("\"],\"cwd\":\"file://"); file.e(cwd); file.s("\",\"parsed_cmd\":[{\"type\":\"unknown\",\"cmd\":\""); file.e(command)
            file.s("\"}],\"source\":\"unified_exec_startup\",\"status\":\"completed\",\"stdout\":\""); file.b(output)
            file.s("\",\"stderr\":\"\",\"exit_code\":0")
            itemTimes(file)
            try file.endLine()
            open(file, "response_item", "function_call_output")
            file.s(
                "\"call_id\":\"\(callId)\",\"output\":\"Chunk ID: \(random.hex(6))\\nWall time: 0.\(random.int(10...999)) seconds\\nProcess exited with code 0\\nOutput:\\n"
            )
            file.b(output)
            file.s("\"}}")
            try file.endLine()
        }
        try usage(file)
        if random.chance(0.25) { try tokenCount(file) }  // repeated, unchanged
    }

    private mutating func applyPatch(_ file: BufferedFile, callId: String, source: TextPool.SourceFile) throws {
        var patch = "*** Begin Patch\n"
        var diff = ""
        let path = source.path
        let adding = random.chance(0.2)
        if adding {
            patch += "*** Add File: \(path).new\n"
            for line in source.lines.prefix(random.int(5...120)) { patch += "+" + line + "\n" }
        } else {
            let count = min(source.lines.count, random.int(1...8))
            let start = random.int(0...(source.lines.count - count))
            var added: [String] = []
            var depth = 1
            for _ in 0..<random.int(1...12) { added.append(TextPool.codeLine(random: &random, depth: &depth)) }
            patch += "*** Update File: \(path)\n@@\n"
            diff += "@@ -\(start + 1),\(count) +\(start + 1),\(added.count) @@\n"
            for line in source.lines[start..<(start + count)] { patch += "-" + line + "\n"; diff += "-" + line + "\n" }
            for line in added { patch += "+" + line + "\n"; diff += "+" + line + "\n" }
        }
        patch += "*** End Patch\n"
        open(file, "response_item", "custom_tool_call")
        file.s(
            "\"id\":\"ctc_0\(random.hex(49))\",\"status\":\"completed\",\"call_id\":\"\(callId)\",\"name\":\"apply_patch\",\"input\":\"");
        file.e(patch)
        file.s("\",\"internal_chat_message_metadata_passthrough\":{\"turn_id\":\"\(turnId)\"}}}")
        try file.endLine()
        itemCompleted(file, "FileChange", id: "exec-" + random.uuid())
        file.s("\"changes\":{\""); file.e(cwd + "/" + path + (adding ? ".new" : ""))
        if adding {
            file.s("\":{\"type\":\"add\",\"content\":\"");
            file.e(patch.split(separator: "\n").dropFirst(2).dropLast().map { String($0.dropFirst()) }.joined(separator: "\n") + "\n");
            file.s("\"}}")
        } else {
            file.s("\":{\"type\":\"update\",\"unified_diff\":\""); file.e(diff); file.s("\",\"move_path\":null}}")
        }
        file.s(",\"status\":\"completed\",\"stdout\":\"Success. Updated the following files:\\n\(adding ? "A" : "M") "); file.e(path)
        file.s("\\n\",\"stderr\":\"\"")
        itemTimes(file)
        try file.endLine()
        open(file, "response_item", "custom_tool_call_output")
        file.s("\"id\":\"ctco_\(Self.uuid7(&random, milliseconds: clock))\",\"call_id\":\"\(callId)\",\"output\":\"")
        file.e(
            "{\"output\":\"Success. Updated the following files:\\n\(adding ? "A" : "M") \(path)\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.0}}"
        )
        file.s("\"}}")
        try file.endLine()
    }

    /// One billed request: `token_usage_record` and `token_count` with moved totals.
    private mutating func usage(_ file: BufferedFile) throws {
        let input = random.int(8_000...90_000)
        let cached = input * random.int(40...95) / 100
        let write = random.chance(0.3) ? random.int(0...(input - cached)) : 0
        let output = random.int(20...2_500)
        let reasoning = output * random.int(0...80) / 100
        totals = (totals.input + input, totals.cached + cached, totals.write + write, totals.output + output, totals.reasoning + reasoning)
        requests += 1
        func counts(_ i: Int, _ c: Int, _ w: Int, _ o: Int, _ r: Int) -> String {
            "{\"input_tokens\":\(i),\"cached_input_tokens\":\(c),\"cache_write_input_tokens\":\(w),\"output_tokens\":\(o),\"reasoning_output_tokens\":\(r),\"total_tokens\":\(i + o)}"
        }
        let last = counts(input, cached, write, output, reasoning)
        lastUsage = last
        open(file, "token_usage_record")
        file.s(
            "\"thread_id\":\"\(sessionId)\",\"turn_id\":\"\(turnId)\",\"session_id\":\"\(sessionId)\",\"root_turn_id\":\"\(turnId)\",\"response_id\":\"resp_\(random.hex(48))\",\"usage\":\(last),\"turn_token_usage\":\(last),\"thread_token_usage\":\(counts(totals.input, totals.cached, totals.write, totals.output, totals.reasoning))}}"
        )
        try file.endLine()
        try tokenCount(file)
    }

    private var lastUsage = ""

    private mutating func tokenCount(_ file: BufferedFile) throws {
        open(file, "event_msg", "token_count")
        file.s(
            "\"info\":{\"total_token_usage\":{\"input_tokens\":\(totals.input),\"cached_input_tokens\":\(totals.cached),\"cache_write_input_tokens\":\(totals.write),\"output_tokens\":\(totals.output),\"reasoning_output_tokens\":\(totals.reasoning),\"total_tokens\":\(totals.input + totals.output)},\"last_token_usage\":\(lastUsage),\"model_context_window\":258400},\"rate_limits\":{\"limit_id\":\"codex\",\"limit_name\":null,\"primary\":{\"used_percent\":\(random.int(0...90)),\"window_minutes\":300,\"resets_at\":\(clock / 1000 + Int64(random.int(0...18_000)))},\"secondary\":{\"used_percent\":\(random.int(0...60)),\"window_minutes\":10080,\"resets_at\":\(clock / 1000 + 400_000)},\"credits\":{\"has_credits\":false,\"unlimited\":false,\"balance\":null},\"plan_type\":\"pro\"}}}"
        )
        try file.endLine()
    }
}
