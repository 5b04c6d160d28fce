import Foundation

/// An edit a history session must make: the lines a commit added to one file, written
/// by an `Edit` (after `anchor`, the line above the insertion) or a `Write` (a new file).
struct ScriptedEdit: Sendable {
    /// Absolute path of the file (the repository path + its path in the repository).
    var path: String
    /// The line above the inserted lines; nil when they open the file.
    var anchor: String?
    var added: [String]
    /// The file before the edit (empty for a new file).
    var before: [String]
    var created: Bool
    /// When the edit is written (milliseconds since 1970), before its commit.
    var milliseconds: Int64
}

/// Writes one Claude Code transcript in the record shapes of the newest real samples
/// (`/work/shared/samples/claude-code`: 2.1.252 and 2.1.126): `permission-mode`,
/// attachments, `file-history-snapshot`, prompts with `promptId`, assistant messages
/// split one content block per line with the whole usage (`iterations`,
/// `output_tokens_details`, `server_tool_use`, 1-hour cache) repeated on each,
/// `tool_use` with `caller`, tool results with `toolUseResult` and
/// `sourceToolAssistantUUID`, Edit results with `originalFile` and `structuredPatch`,
/// Write results (`create`), `system` `turn_duration`, `last-prompt`.
struct ClaudeSessionWriter {
    let pool: TextPool
    var random: SeededRandom
    let sessionId: String
    let cwd: String
    let model: String
    let version: String
    var clock: Int64
    private var parent: String?
    private var cacheRead = 8000
    private var promptId = ""
    private var lastPrompt = ""
    /// Billed requests written: distinct (message.id, requestId) pairs.
    private(set) var requests = 0

    init(pool: TextPool, seed: UInt64, cwd: String, startMilliseconds: Int64) {
        self.pool = pool
        random = SeededRandom(seed: seed)
        sessionId = random.uuid()
        self.cwd = cwd
        model = random.pick(["claude-opus-4-6", "claude-opus-5", "claude-sonnet-4-5-20250929", "claude-opus-4-6"])
        version = random.pick(["2.1.126", "2.1.201", "2.1.252"])
        clock = startMilliseconds
    }

    /// Claude Code's folder name for a project: every character but letters and digits
    /// becomes `-` (`/home/dev/src/web.app` → `-home-dev-src-web-app`).
    static func projectFolder(for cwd: String) -> String {
        String(
            cwd.unicodeScalars.map { scalar -> Character in
                (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) && scalar.isASCII ? Character(scalar) : "-"
            })
    }

    /// A session of random turns until the file reaches `targetBytes`.
    mutating func write(to file: BufferedFile, targetBytes: Int64) throws {
        try opening(file)
        while file.size < targetBytes { try turn(file, scripted: []) }
        try closing(file)
    }

    /// A session that makes `edits` (in order, each at its own time), with a few ordinary
    /// steps around each, as a session that wrote those commits' lines would.
    mutating func write(to file: BufferedFile, edits: [ScriptedEdit]) throws {
        try opening(file)
        var index = 0
        while index < edits.count {
            // One prompt per edit or two; the clock jumps to just before the edit.
            let count = min(edits.count - index, random.int(1...2))
            let batch = Array(edits[index..<(index + count)])
            clock = max(clock, batch[0].milliseconds - Int64(random.int(60_000...600_000)))
            try turn(file, scripted: batch)
            index += count
        }
        try closing(file)
    }

    // MARK: records

    private mutating func tick(_ low: Int, _ high: Int) -> String {
        clock += Int64(random.int(low...high))
        return ISOTime.string(milliseconds: clock)
    }

    /// The fields every chained record ends with.
    private func tail(_ file: BufferedFile) {
        file.s(",\"userType\":\"external\",\"entrypoint\":\"cli\",\"cwd\":\""); file.e(cwd)
        file.s("\",\"sessionId\":\"\(sessionId)\",\"version\":\"\(version)\",\"gitBranch\":\"main\"}")
    }

    private mutating func link(_ file: BufferedFile) -> String {
        let uuid = random.uuid()
        file.s("{\"parentUuid\":")
        if let parent { file.s("\"\(parent)\"") } else { file.s("null") }
        file.s(",\"isSidechain\":false,")
        parent = uuid
        return uuid
    }

    private mutating func opening(_ file: BufferedFile) throws {
        file.s("{\"type\":\"permission-mode\",\"permissionMode\":\"default\",\"sessionId\":\"\(sessionId)\"}")
        try file.endLine()
        let uuid = link(file)
        file.s("\"attachment\":{\"type\":\"skill_listing\",\"content\":\"")
        for _ in 0..<random.int(4...12) {
            file.s("- "); file.s(random.pick(TextPool.identifiers)); file.s(": "); file.e(random.pick(pool.prose)); file.s("\\n")
        }
        file.s(
            "\",\"skillCount\":\(random.int(4...30)),\"isInitial\":true},\"type\":\"attachment\",\"uuid\":\"\(uuid)\",\"timestamp\":\"\(tick(1, 20))\""
        )
        tail(file)
        try file.endLine()
    }

    private mutating func closing(_ file: BufferedFile) throws {
        file.s("{\"type\":\"last-prompt\",\"lastPrompt\":\""); file.e(String(lastPrompt.prefix(200)))
        file.s("\",\"leafUuid\":\"\(parent ?? random.uuid())\",\"sessionId\":\"\(sessionId)\"}")
        try file.endLine()
    }

    private mutating func turn(_ file: BufferedFile, scripted: [ScriptedEdit]) throws {
        let started = clock
        let messageId = random.uuid()
        promptId = random.uuid()
        file.s(
            "{\"type\":\"file-history-snapshot\",\"messageId\":\"\(messageId)\",\"snapshot\":{\"messageId\":\"\(messageId)\",\"trackedFileBackups\":{},\"timestamp\":\"\(tick(5_000, 240_000))\"},\"isSnapshotUpdate\":false}"
        )
        try file.endLine()
        var prompt = ""
        for _ in 0..<random.int(1...3) { prompt += random.pick(pool.prose) + " " }
        lastPrompt = prompt
        _ = link(file)
        file.s("\"promptId\":\"\(promptId)\",\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\""); file.e(prompt)
        file.s("\"},\"uuid\":\"\(parent!)\",\"timestamp\":\"\(tick(1, 50))\",\"permissionMode\":\"default\"")
        tail(file)
        try file.endLine()
        if scripted.isEmpty {
            for _ in 0..<random.int(2...12) { try step(file, edit: nil) }
        } else {
            for edit in scripted {
                // Ordinary steps first when there is time for them before the edit.
                let room = edit.milliseconds - clock > 900_000
                for _ in 0..<(room ? random.int(0...2) : 0) { try step(file, edit: nil) }
                // The edit is written at its time even if the steps before ran late (a
                // commit follows at least three minutes after it; the step itself takes
                // under a minute).
                clock = edit.milliseconds - Int64(random.int(2_000...20_000))
                try step(file, edit: edit)
            }
        }
        try assistant(file, blocks: [.text], stop: "end_turn")
        _ = link(file)
        file.s(
            "\"type\":\"system\",\"subtype\":\"turn_duration\",\"durationMs\":\(clock - started),\"messageCount\":\(random.int(3...40)),\"timestamp\":\"\(tick(1, 5))\",\"uuid\":\"\(parent!)\",\"isMeta\":false"
        )
        tail(file)
        try file.endLine()
    }

    enum Block { case thinking, text, tool(String, String) }

    /// What a tool call does, decided before the call is written.
    struct Call {
        var tool: String
        var source: TextPool.SourceFile
        var path: String
        /// For Edit/Write: (old lines, new lines, line number of the first old line, file before).
        var old: [String] = []
        var new: [String] = []
        var start = 0
        var before: [String] = []
    }

    /// One model request with a tool call, and the tool's result.
    private mutating func step(_ file: BufferedFile, edit: ScriptedEdit?) throws {
        let source = random.pick(pool.files)
        var call: Call
        if let edit {
            call = Call(tool: edit.created ? "Write" : "Edit", source: source, path: edit.path, before: edit.before)
            if edit.created {
                call.new = edit.added
            } else {
                let anchorIndex = edit.anchor.flatMap { anchor in edit.before.firstIndex(of: anchor) }
                call.old = edit.anchor.map { [$0] } ?? []
                call.new = call.old + edit.added
                call.start = anchorIndex ?? 0
            }
        } else {
            let roll = random.int(0...99)
            let tool = roll < 35 ? "Read" : roll < 62 ? "Bash" : roll < 80 ? "Edit" : roll < 85 ? "Write" : roll < 94 ? "Grep" : "Glob"
            call = Call(tool: tool, source: source, path: cwd + "/" + source.path)
            if tool == "Edit" {
                let count = min(source.lines.count, random.int(1...8))
                call.start = random.int(0...(source.lines.count - count))
                call.old = Array(source.lines[call.start..<(call.start + count)])
                call.new = call.old.map { $0.isEmpty ? $0 : $0 + " // \(random.pick(TextPool.words))" }
                var depth = 1
                for _ in 0..<random.int(0...8) { call.new.append(TextPool.codeLine(random: &random, depth: &depth)) }
                call.before = source.lines
            } else if tool == "Write" {
                call.path = cwd + "/" + source.path + ".new"
                call.new = source.lines
            }
        }
        let callId = "toolu_01" + random.token(22)
        var blocks: [Block] = []
        if random.chance(0.5) { blocks.append(.thinking) }
        if random.chance(0.6) { blocks.append(.text) }
        blocks.append(.tool(call.tool, callId))
        let toolUUID = try assistant(file, blocks: blocks, stop: "tool_use", call: call)
        try toolResult(file, callId: callId, call: call, assistantUUID: toolUUID)
    }

    /// One request: one line per content block, each with the request's usage. Returns
    /// the last line's uuid.
    @discardableResult
    private mutating func assistant(_ file: BufferedFile, blocks: [Block], stop: String, call: Call? = nil) throws -> String {
        let messageId = "msg_01" + random.token(22)
        let requestId = "req_011" + random.token(21)
        requests += 1
        let input = random.int(1...6)
        let cacheWrite = random.int(0...6000)
        cacheRead = min(cacheRead + random.int(100...3000), 180_000)
        let output = random.int(20...1500)
        let thinking = blocks.contains { if case .thinking = $0 { true } else { false } } ? random.int(10...output) : 0
        var uuid = ""
        for (index, block) in blocks.enumerated() {
            let last = index == blocks.count - 1
            uuid = link(file)
            file.s("\"message\":{\"model\":\"\(model)\",\"id\":\"\(messageId)\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[")
            switch block {
            case .thinking:
                file.s("{\"type\":\"thinking\",\"thinking\":\"")
                for _ in 0..<random.int(1...6) { file.e(random.pick(pool.prose)); file.s("\\n") }
                file.s("\",\"signature\":\""); file.b(random.base64(random.int(300...1600))); file.s("\"}")
            case .text:
                file.s("{\"type\":\"text\",\"text\":\"")
                for _ in 0..<random.int(1...4) { file.e(random.pick(pool.prose)); file.s(" ") }
                file.s("\"}")
            case .tool(let name, let callId):
                file.s("{\"type\":\"tool_use\",\"id\":\"\(callId)\",\"name\":\"\(name)\",\"input\":{")
                let path = call?.path ?? cwd + "/README.md"
                switch name {
                case "Read": file.s("\"file_path\":\""); file.e(path); file.s("\"")
                case "Bash":
                    file.s(
                        "\"command\":\"swift test --filter \(random.pick(TextPool.identifiers)) 2>&1 | tail -n 80\",\"description\":\"Run the \(random.pick(TextPool.identifiers)) tests\""
                    )
                case "Edit":
                    file.s("\"file_path\":\""); file.e(path); file.s("\",\"old_string\":\""); file.e(call!.old.joined(separator: "\n"))
                    file.s("\",\"new_string\":\""); file.e(call!.new.joined(separator: "\n")); file.s("\",\"replace_all\":false")
                case "Write":
                    file.s("\"file_path\":\""); file.e(path); file.s("\",\"content\":\""); file.e(call!.new.joined(separator: "\n") + "\n");
                    file.s("\"")
                case "Grep": file.s("\"pattern\":\"\(random.pick(TextPool.identifiers))\\\\(\",\"output_mode\":\"content\",\"-n\":true")
                default: file.s("\"pattern\":\"**/*.swift\"")
                }
                file.s("},\"caller\":{\"type\":\"direct\"}}")
            }
            file.s("],\"stop_reason\":\(last ? "\"\(stop)\"" : "\"tool_use\""),\"stop_sequence\":null,\"stop_details\":null,\"usage\":{")
            file.s(
                "\"input_tokens\":\(input),\"cache_creation_input_tokens\":\(cacheWrite),\"cache_read_input_tokens\":\(cacheRead),\"output_tokens\":\(output),\"output_tokens_details\":{\"thinking_tokens\":\(thinking)},\"server_tool_use\":{\"web_search_requests\":0,\"web_fetch_requests\":0},\"service_tier\":\"standard\",\"cache_creation\":{\"ephemeral_1h_input_tokens\":\(cacheWrite),\"ephemeral_5m_input_tokens\":0},\"inference_geo\":\"not_available\",\"iterations\":[{\"input_tokens\":\(input),\"output_tokens\":\(output),\"cache_read_input_tokens\":\(cacheRead),\"cache_creation_input_tokens\":\(cacheWrite),\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":\(cacheWrite)},\"type\":\"message\"}],\"speed\":\"standard\"},\"diagnostics\":null}"
            )
            file.s(
                ",\"requestId\":\"\(requestId)\",\"type\":\"assistant\",\"uuid\":\"\(uuid)\",\"timestamp\":\"\(tick(300, 9_000))\",\"effort\":\"high\""
            )
            tail(file)
            try file.endLine()
        }
        return uuid
    }

    private mutating func toolResult(_ file: BufferedFile, callId: String, call: Call, assistantUUID: String) throws {
        let uuid = link(file)
        let source = call.source
        file.s(
            "\"promptId\":\"\(promptId)\",\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":[{\"tool_use_id\":\"\(callId)\",\"type\":\"tool_result\",\"content\":\""
        )
        let shell = random.pick(pool.shellOutputs)
        switch call.tool {
        case "Read": file.b(source.numbered)
        case "Bash": file.b(shell)
        case "Edit":
            file.s("The file "); file.e(call.path);
            file.s(" has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\\n")
            let snippet = Array(call.before.prefix(call.start)).suffix(3) + call.new
            for (offset, line) in snippet.prefix(16).enumerated() {
                let label = String(max(1, call.start - 2) + offset)
                file.e(String(repeating: " ", count: max(0, 6 - label.count)) + label + "→" + line + "\n")
            }
        case "Write": file.s("File created successfully at: "); file.e(call.path)
        case "Grep":
            for _ in 0..<random.int(3...60) {
                file.e(cwd); file.s("/src/\(random.pick(TextPool.identifiers)).swift:\(random.int(1...900)):");
                file.e(random.pick(source.lines)); file.s("\\n")
            }
        default:
            for _ in 0..<random.int(3...80) {
                file.e(cwd); file.s("/src/\(random.pick(TextPool.identifiers))/\(random.pick(TextPool.identifiers)).swift\\n")
            }
        }
        file.s("\",\"is_error\":false}]},\"uuid\":\"\(uuid)\",\"timestamp\":\"\(tick(20, 30_000))\",\"toolUseResult\":")
        switch call.tool {
        case "Read":
            file.s("{\"type\":\"text\",\"file\":{\"filePath\":\""); file.e(call.path); file.s("\",\"content\":\""); file.b(source.escaped)
            file.s("\",\"numLines\":\(source.lines.count),\"startLine\":1,\"totalLines\":\(source.lines.count)}}")
        case "Bash":
            file.s("{\"stdout\":\""); file.b(shell);
            file.s("\",\"stderr\":\"\",\"interrupted\":false,\"isImage\":false,\"noOutputExpected\":false}")
        case "Edit":
            file.s("{\"filePath\":\""); file.e(call.path); file.s("\",\"oldString\":\""); file.e(call.old.joined(separator: "\n"))
            file.s("\",\"newString\":\""); file.e(call.new.joined(separator: "\n"))
            file.s("\",\"originalFile\":\""); file.e(call.before.joined(separator: "\n") + "\n")
            file.s(
                "\",\"structuredPatch\":[{\"oldStart\":\(call.start + 1),\"oldLines\":\(call.old.count),\"newStart\":\(call.start + 1),\"newLines\":\(call.new.count),\"lines\":["
            )
            // Lines both sides open with are context, as in Claude Code's own patches.
            let common = zip(call.old, call.new).prefix { $0 == $1 }.count
            var first = true
            for (marker, lines) in [(" ", call.old.prefix(common)), ("-", call.old.dropFirst(common)), ("+", call.new.dropFirst(common))] {
                for line in lines {
                    file.s(first ? "\"" + marker : ",\"" + marker); file.e(line); file.s("\""); first = false
                }
            }
            file.s("]}],\"userModified\":false,\"replaceAll\":false}")
        case "Write":
            file.s("{\"type\":\"create\",\"filePath\":\""); file.e(call.path); file.s("\",\"content\":\"");
            file.e(call.new.joined(separator: "\n") + "\n")
            file.s("\",\"structuredPatch\":[],\"originalFile\":null,\"userModified\":false}")
        case "Grep":
            file.s(
                "{\"mode\":\"content\",\"numFiles\":\(random.int(1...40)),\"filenames\":[],\"content\":\"\",\"numLines\":\(random.int(1...300))}"
            )
        default:
            file.s("{\"filenames\":[],\"durationMs\":\(random.int(1...90)),\"numFiles\":\(random.int(1...300)),\"truncated\":false}")
        }
        file.s(",\"sourceToolAssistantUUID\":\"\(assistantUUID)\"")
        tail(file)
        try file.endLine()
    }
}
