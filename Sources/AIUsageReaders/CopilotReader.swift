import AIUsageCore
import Foundation

extension ToolKind {
    public static let copilot = ToolKind(rawValue: "copilot")
}

/// What GitHub Copilot's edit tools wrote, whatever the client: the CLI's `create` /
/// `edit` (`path`, `file_text`, `old_str` / `new_str`), VS Code's `create_file`
/// (`filePath`, `content`), `replace_string_in_file` / `multi_replace_string_in_file`
/// (`oldString` / `newString`), `insert_edit_into_file` (`code`, with
/// `...existing code...` markers, all of whose other lines count) and `apply_patch`.
enum CopilotEditTools {
    struct Edit {
        var path: String
        var added: [LineHash]
    }

    static let editToolNames: Set<String> = [
        "create", "create_file", "edit", "str_replace", "str_replace_editor", "replace_string_in_file",
        "multi_replace_string_in_file", "insert_edit_into_file", "apply_patch",
    ]

    static func isEditTool(_ name: String) -> Bool { editToolNames.contains(name) }

    static func edits(tool: String, arguments: [String: Any]) -> [Edit] {
        let path = LooseJSON.string(arguments["filePath"]) ?? LooseJSON.string(arguments["path"])
        switch tool {
        case "create", "create_file":
            guard let path, let text = (arguments["file_text"] ?? arguments["content"]) as? String else { return [] }
            return [Edit(path: path, added: LineIdentity.significantHashes(ofText: text))]
        case "edit", "str_replace", "str_replace_editor", "replace_string_in_file":
            guard let path, let new = (arguments["new_str"] ?? arguments["newString"]) as? String else { return [] }
            let old = (arguments["old_str"] ?? arguments["oldString"]) as? String ?? ""
            return [Edit(path: path, added: AddedLines.between(old: old, new: new))]
        case "multi_replace_string_in_file":
            return LooseJSON.array(arguments["replacements"]).flatMap { item -> [Edit] in
                guard let item = LooseJSON.object(item) else { return [] }
                return edits(tool: "replace_string_in_file", arguments: item)
            }
        case "insert_edit_into_file":
            guard let path, let code = arguments["code"] as? String else { return [] }
            let kept = code.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("...existing code...") }.joined(separator: "\n")
            return [Edit(path: path, added: LineIdentity.significantHashes(ofText: kept))]
        case "apply_patch":
            guard let patch = LooseJSON.string(arguments["input"]) ?? LooseJSON.string(arguments["patch"]) else { return [] }
            return ApplyPatchParser.parse(patch).filter { $0.kind != .delete }
                .map { Edit(path: $0.destinationPath, added: $0.addedLines) }
        default:
            return []
        }
    }

    /// Tool arguments recorded as an object or as a JSON string.
    static func arguments(_ value: Any?) -> [String: Any]? {
        if let object = LooseJSON.object(value) { return object }
        guard let text = value as? String else { return nil }
        return LooseJSON.object(LooseJSON.parse(Data(text.utf8)))
    }

    /// The folder a VS Code workspace storage entry stands for (`workspace.json`'s
    /// `folder` URI), when it is local.
    static func workspaceFolder(storageDirectory: String) -> String? {
        guard let data = FileManager.default.contents(atPath: storageDirectory + "/workspace.json"),
            let folder = LooseJSON.string(LooseJSON.object(LooseJSON.parse(data))?["folder"])
        else { return nil }
        return LooseJSON.localPath(fromURI: folder)
    }

    /// `workspaceStorage` folders of the VS Code family on Linux and macOS.
    static func workspaceStorageRoots(in environment: ReaderEnvironment) -> [String] {
        let home = ReaderPaths.trimmed(environment.home)
        let config = ReaderPaths.variable("XDG_CONFIG_HOME", in: environment) ?? home + "/.config"
        let editions = ["Code", "Code - Insiders", "VSCodium"]
        return editions.map { config + "/" + $0 + "/User/workspaceStorage" }
            + editions.map { home + "/Library/Application Support/" + $0 + "/User/workspaceStorage" }
    }

    /// `copilot/gpt-4o` → `gpt-4o`; `auto` is no model.
    static func model(_ identifier: String?) -> String? {
        guard var model = identifier, !model.isEmpty else { return nil }
        if model.hasPrefix("copilot/") { model = String(model.dropFirst("copilot/".count)) }
        return model == "auto" ? nil : model
    }
}

/// Reads GitHub Copilot's event logs: the CLI's
/// `${COPILOT_HOME:-~/.copilot}/session-state/<id>/events.jsonl` (and the older flat
/// `session-state/<id>.jsonl`), and the same event stream VS Code's Copilot Chat
/// writes to `workspaceStorage/<hash>/GitHub.copilot-chat/transcripts/<id>.jsonl`.
/// Only appended to (`.appendOnly`).
///
/// - Context: `session.start` / `session.resume` give `context.cwd` (branch,
///   repository and head commit are recorded too but have no place in the model);
///   VS Code transcripts fall back to the workspace's `workspace.json` folder.
/// - Model: `selectedModel`, `session.model_change`, each message's `model`, and each
///   request's own `usage.model`.
/// - Usage (CLI 1.0.9x): one `session.usage_record` per billed request, with the
///   prompt split into uncached, cache read and cache write (`copilotUsage.tokenDetails`
///   when present) and a 1-hour cache TTL marked (`cacheWrite1h`); keyed by the API
///   call, counted once, and the run's `session.shutdown` totals are then not counted
///   again.
/// - Usage (older CLIs): each `assistant.message` carries only `outputTokens` (an
///   output-only event keyed by its API call, else its event id); `session.shutdown`
///   carries the run's totals: per model in `modelMetrics` (authoritative when it has
///   usage), else session-wide `tokenDetails`, handed out with the output the messages
///   did not already account for. A resumed `events.jsonl` holds one shutdown per run:
///   each counts (keyed by its event id). A run that never shut down has no input
///   counts. No cost is recorded (Copilot bills premium requests, not tokens).
/// - Format drift: an event type or tool name not known here is counted in the batch
///   (`ReadBatch.drift`), as is an event without a type.
/// - Edits: `tool.execution_start` of an edit tool (see `CopilotEditTools`), keyed by
///   its `toolCallId`; a failed `tool.execution_complete` seen in the same read drops it.
public struct CopilotCLIReader: SessionReader {
    public let tool: ToolKind = .copilot

    public init() {}

    static let batchLimit = 5000

    static func copilotHome(in environment: ReaderEnvironment) -> String {
        ReaderPaths.variable("COPILOT_HOME", in: environment) ?? ReaderPaths.trimmed(environment.home) + "/.copilot"
    }

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        [Self.copilotHome(in: environment) + "/session-state"] + CopilotEditTools.workspaceStorageRoots(in: environment)
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        let roots = searchRoots(in: environment)
        var found: [String] = []
        // session-state/<id>/events.jsonl, or the older session-state/<id>.jsonl.
        found += RecordFileWalker.files(under: roots[0], maxDepth: 1) { $0.hasSuffix(".jsonl") }.files
        for storage in roots.dropFirst() {
            found += RecordFileWalker.files(under: storage, maxDepth: 3) { $0.hasSuffix(".jsonl") }.files
                .filter { $0.contains("/GitHub.copilot-chat/transcripts/") }
        }
        return found
    }

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        var parser = CopilotEventParser(path: path, state: CopilotEventState.decode(state))
        let outcome = try JSONLinesFile.forEachLine(path: path, from: offset) { line, end in
            parser.consume(line, end: end)
            if parser.batch.count >= Self.batchLimit {
                try sink(parser.batch)
                parser.batch = ReadBatch()
            }
        }
        parser.finish()
        if !parser.batch.isEmpty { try sink(parser.batch) }
        return ReadProgress(
            offset: outcome.consumedTo, state: parser.state.encoded(), linesRead: parser.linesRead,
            linesSkipped: parser.linesSkipped + outcome.skippedLines, trailingBytes: outcome.trailingBytes)
    }
}

/// What an event log's next read needs: the session's id, folder and model, and what
/// the current segment (the run since the last `session.shutdown`) already counted.
struct CopilotEventState: Codable, Equatable {
    var sessionID: String?
    var cwd: String?
    var model: String?
    /// Output tokens that `assistant.message` events of this segment reported, per model.
    var outputByModel: [String: Int64]?
    /// `session.usage_record` events seen in this segment: when there are any, the
    /// segment's requests are counted one by one and its shutdown totals are not.
    var usageRecords: Int?
    /// The session-wide count earlier versions of this reader kept (state written before
    /// the per-model split): moved into `outputByModel` on decode.
    var outputSinceShutdown: Int64?

    static func decode(_ data: Data?) -> CopilotEventState {
        guard let data, var state = try? JSONDecoder().decode(CopilotEventState.self, from: data) else { return CopilotEventState() }
        if let legacy = state.outputSinceShutdown {
            if legacy > 0, state.outputByModel == nil { state.outputByModel = [state.model ?? "unknown": legacy] }
            state.outputSinceShutdown = nil
        }
        return state
    }

    func encoded() -> Data? { try? JSONEncoder().encode(self) }
}

/// Copilot CLI event types (github/copilot-sdk `session-events.schema.json`, and the
/// persisted `session.usage_record` of CLI 1.0.9x): known, so not format drift.
enum CopilotEventTypes {
    static let known: Set<String> = [
        "session.start", "session.resume", "session.remote_steerable_changed", "session.error", "session.idle",
        "session.title_changed", "session.schedule_created", "session.schedule_cancelled", "session.schedule_rearmed",
        "session.autopilot_objective_changed", "session.info", "session.warning", "session.model_change",
        "session.mode_changed", "session.mode_notice_delivered", "session.session_limits_changed",
        "session.permissions_changed", "session.plan_changed", "session.todos_changed",
        "session.workspace_file_changed", "session.handoff", "session.truncation", "session.snapshot_rewind",
        "session.shutdown", "session.usage_checkpoint", "session.usage_record", "session.context_changed",
        "session.usage_info", "session.context_cleared", "session.compaction_start", "session.compaction_complete",
        "session.task_complete", "session.auto_mode_resolved", "session.binary_asset", "session.tools_updated",
        "session.skills_loaded", "session.custom_agents_updated", "session.mcp_servers_loaded",
        "session.extensions_loaded", "session.background_tasks_changed", "session.import_legacy",
        "user.message", "pending_messages.modified", "assistant.turn_start", "assistant.intent",
        "assistant.reasoning", "assistant.reasoning_delta", "assistant.tool_call_delta", "assistant.streaming_delta",
        "assistant.message", "assistant.message_start", "assistant.message_delta", "assistant.turn_end",
        "assistant.idle", "assistant.usage", "assistant.server_tool_progress", "model.call_failure",
        "model.call_finished", "abort", "tool.user_requested", "tool.execution_start",
        "tool.execution_partial_result", "tool.execution_progress", "tool.execution_complete",
        "tool.search_activated", "skill.invoked", "subagent.started", "subagent.configured", "subagent.completed",
        "subagent.failed", "subagent.selected", "subagent.deselected", "hook.start", "hook.end", "hook.progress",
        "system.message", "system.notification", "permission.requested", "permission.completed",
        "user_input.requested", "user_input.completed", "elicitation.requested", "elicitation.completed",
        "sampling.requested", "sampling.completed", "external_tool.requested", "external_tool.completed",
        "command.queued", "command.execute", "command.completed", "exit_plan_mode.requested",
        "exit_plan_mode.completed",
    ]

    /// Tools that write no file (edits are `CopilotEditTools`): the CLI's and VS Code's.
    static let otherTools: Set<String> = [
        "bash", "shell", "powershell", "read_bash", "write_bash", "stop_bash", "list_bash", "read_powershell",
        "write_powershell", "stop_powershell", "list_powershell", "view", "glob", "grep", "rg", "fetch", "web_fetch",
        "web_search", "report_intent", "task", "think", "update_todo", "read_agent", "list_agents", "skill",
        "read_file", "list_dir", "file_search", "grep_search", "semantic_search", "run_in_terminal",
        "get_terminal_output", "get_errors", "create_directory", "manage_todo_list", "fetch_webpage", "runSubagent",
        "run_task", "get_changed_files", "test_failure", "list_code_usages", "think_tool", "open_simple_browser",
        "vscode_searchExtensions_internal", "run_vscode_command", "install_extension", "create_new_workspace",
        "get_project_setup_info", "github_repo", "terminal_last_command", "terminal_selection",
    ]

    /// MCP tools are named after their server (`github-mcp-server-…`, `mcp_…`): not drift.
    static func isKnownTool(_ name: String) -> Bool {
        otherTools.contains(name) || CopilotEditTools.isEditTool(name) || name.contains("mcp")
    }
}

struct CopilotEventParser {
    let path: String
    var state: CopilotEventState
    var batch = ReadBatch()
    var linesRead = 0
    var linesSkipped = 0
    private var pending: [(callID: String, edits: [EditEvent])] = []
    private var lastTime = Date(timeIntervalSince1970: 0)

    init(path: String, state: CopilotEventState) {
        self.path = path
        self.state = state
        if state.cwd == nil, let range = path.range(of: "/GitHub.copilot-chat/transcripts/") {
            self.state.cwd = CopilotEditTools.workspaceFolder(storageDirectory: String(path[..<range.lowerBound]))
        }
    }

    var sessionID: String {
        if let id = state.sessionID { return id }
        var name = (path as NSString).lastPathComponent
        if name == "events.jsonl" { name = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent }
        return name.hasSuffix(".jsonl") ? String(name.dropLast(6)) : name
    }

    /// - Parameter end: the offset just past the line in the file, which names an event
    ///   without an id the same way on every read (a line number within one read did not).
    mutating func consume(_ line: UnsafeBufferPointer<UInt8>, end: Int64) {
        linesRead += 1
        guard let event = LooseJSON.object(LooseJSON.parse(bytes: line)) else {
            linesSkipped += 1
            return
        }
        guard let type = LooseJSON.string(event["type"]) else {
            linesSkipped += 1
            batch.noteUnrecognized(.shape, "event-without-type")
            return
        }
        let data = LooseJSON.object(event["data"]) ?? [:]
        let time = LooseJSON.date(event["timestamp"]) ?? lastTime
        lastTime = time
        let eventID = LooseJSON.string(event["id"]) ?? "at\(end)"
        switch type {
        case "session.start", "session.resume":
            if type == "session.start", let id = LooseJSON.string(data["sessionId"]) { state.sessionID = id }
            if let cwd = LooseJSON.string(LooseJSON.object(data["context"])?["cwd"]), cwd.hasPrefix("/") { state.cwd = cwd }
            if let model = CopilotEditTools.model(LooseJSON.string(data["selectedModel"])) { state.model = model }
            observe(time)
        case "session.model_change":
            if let model = CopilotEditTools.model(LooseJSON.string(data["newModel"])) { state.model = model }
            observe(time)
        case "assistant.message":
            if let model = CopilotEditTools.model(LooseJSON.string(data["model"])) { state.model = model }
            // Output-only usage of CLIs before per-request records. Keyed by the API call
            // when the message names it, so that a `session.usage_record` of the same
            // call lands on the same row; not taken at all once the segment has records.
            if let output = LooseJSON.int(data["outputTokens"]), output > 0, (state.usageRecords ?? 0) == 0 {
                let model = state.model ?? "unknown"
                state.outputByModel = (state.outputByModel ?? [:]).merging([model: output], uniquingKeysWith: TokenBounds.add)
                let key = LooseJSON.string(data["apiCallId"]) ?? eventID
                batch.usage.append(
                    UsageEvent(
                        tool: .copilot, sessionID: sessionID, timestamp: time, model: model,
                        tokens: TokenCounts(output: output), dedupKey: "\(sessionID):\(key)"))
                observe(time)
            }
        case "session.usage_record", "assistant.usage":
            // One billed request (CLI 1.0.9x persists `session.usage_record`; the
            // ephemeral `assistant.usage` has the same fields, taken if it is ever on disk).
            let usage = LooseJSON.object(data["usage"]) ?? data
            usageRecord(usage, eventID: eventID, time: time)
        case "session.shutdown":
            shutdown(data, eventID: eventID, time: time)
        case "tool.execution_start":
            guard let callID = LooseJSON.string(data["toolCallId"]), let name = LooseJSON.string(data["toolName"]) else { return }
            if !CopilotEventTypes.isKnownTool(name) { batch.noteUnrecognized(.toolName, name) }
            guard let arguments = CopilotEditTools.arguments(data["arguments"]) else { return }
            let edits = CopilotEditTools.edits(tool: name, arguments: arguments)
            guard !edits.isEmpty else { return }
            pending.append(
                (
                    callID,
                    edits.enumerated().map { index, edit in
                        EditEvent(
                            tool: .copilot, sessionID: sessionID, timestamp: time,
                            dedupKey: edits.count == 1 ? callID : "\(callID):\(index)", filePath: edit.path, cwd: state.cwd,
                            addedLines: edit.added)
                    }
                ))
        case "tool.execution_complete":
            guard let callID = LooseJSON.string(data["toolCallId"]), let index = pending.firstIndex(where: { $0.callID == callID }) else {
                return
            }
            let result = LooseJSON.object(data["result"])
            let failed =
                (data["success"] as? Bool) == false
                || ["failure", "error", "rejected", "denied"].contains(
                    LooseJSON.string(result?["result_type"]) ?? LooseJSON.string(result?["resultType"]) ?? "")
            let entry = pending.remove(at: index)
            if !failed { batch.edits += entry.edits }
        default:
            // Many other event types: known ones carry nothing to take; unknown ones
            // are counted, so that a new event carrying spend is noticed.
            if !CopilotEventTypes.known.contains(type) { batch.noteUnrecognized(.recordType, type) }
        }
    }

    mutating func finish() {
        for entry in pending { batch.edits += entry.edits }
        pending.removeAll()
    }

    private mutating func observe(_ time: Date) {
        batch.observations.append(
            SessionObservation(tool: .copilot, sessionID: sessionID, cwd: state.cwd, timestamp: time, model: state.model))
    }

    /// One request's usage. Copilot's `inputTokens` include the cached and the
    /// cache-written prompt (25721 = 4 + 25717 in the real CLI 1.0.94 sample), so
    /// uncached input is what is left; the itemised `copilotUsage.tokenDetails`, when
    /// present, say the same per kind and are preferred.
    private mutating func usageRecord(_ usage: [String: Any], eventID: String, time: Date) {
        state.usageRecords = (state.usageRecords ?? 0) + 1
        if let model = CopilotEditTools.model(LooseJSON.string(usage["model"])) { state.model = model }
        var tokens = Self.tokens(usage)
        if let details = LooseJSON.object(usage["copilotUsage"])?["tokenDetails"] as? [Any], !details.isEmpty {
            var byType: [String: Int64] = [:]
            for case let detail as [String: Any] in details {
                guard let kind = LooseJSON.string(detail["tokenType"]), let count = LooseJSON.int(detail["tokenCount"]) else { continue }
                byType[kind] = TokenBounds.add(byType[kind] ?? 0, max(0, count))
            }
            if !byType.isEmpty {
                tokens.input = byType["input"] ?? 0
                tokens.cacheRead = byType["cache_read"] ?? 0
                tokens.cacheWrite = byType["cache_write"] ?? 0
                tokens.output = byType["output"] ?? tokens.output
                tokens.reasoning = min(tokens.reasoning, tokens.output)
            }
        }
        // A cache written for an hour is priced apart (`cacheTtlSeconds`, 300 or 3600).
        if let ttl = LooseJSON.int(usage["cacheTtlSeconds"]), ttl >= 3600 { tokens.cacheWrite1h = tokens.cacheWrite }
        observe(time)
        guard !tokens.isZero else { return }
        let callID = LooseJSON.string(usage["apiCallId"]) ?? LooseJSON.string(LooseJSON.object(usage["accounting"])?["usageId"])
        batch.usage.append(
            UsageEvent(
                tool: .copilot, sessionID: sessionID, timestamp: time, model: state.model ?? "unknown", tokens: tokens,
                dedupKey: "\(sessionID):\(callID ?? eventID)"))
    }

    /// `inputTokens` (all prompt tokens), `cacheReadTokens`, `cacheWriteTokens`,
    /// `outputTokens` (reasoning included), `reasoningTokens`, normalised.
    static func tokens(_ usage: [String: Any]) -> TokenCounts {
        let cacheRead = max(0, LooseJSON.int(usage["cacheReadTokens"]) ?? 0)
        let cacheWrite = max(0, LooseJSON.int(usage["cacheWriteTokens"]) ?? 0)
        let prompt = max(0, LooseJSON.int(usage["inputTokens"]) ?? 0)
        let output = max(0, LooseJSON.int(usage["outputTokens"]) ?? 0)
        let reasoning = max(0, LooseJSON.int(usage["reasoningTokens"]) ?? 0)
        return TokenCounts(
            input: max(0, prompt - cacheRead - cacheWrite), output: output, cacheWrite: cacheWrite, cacheRead: cacheRead,
            reasoning: min(reasoning, output))
    }

    /// The end of one run of the CLI. A resumed `events.jsonl` holds one shutdown per
    /// run, each with that run's totals, so every shutdown counts (keyed by its event).
    /// A run whose requests were counted one by one (`session.usage_record`) adds
    /// nothing here. Otherwise `modelMetrics` (per model) is authoritative where it
    /// carries usage, else the session-wide `tokenDetails`; output that the run's
    /// messages already reported is taken away.
    private mutating func shutdown(_ data: [String: Any], eventID: String, time: Date) {
        defer {
            state.usageRecords = nil
            state.outputByModel = nil
        }
        if let model = CopilotEditTools.model(LooseJSON.string(data["currentModel"])) { state.model = model }
        observe(time)
        guard (state.usageRecords ?? 0) == 0 else { return }
        var alreadyOutput = state.outputByModel ?? [:]
        var perModel: [(model: String, tokens: TokenCounts)] = []
        for (name, value) in LooseJSON.object(data["modelMetrics"]) ?? [:] {
            guard let metric = LooseJSON.object(value), let usage = LooseJSON.object(metric["usage"]) else { continue }
            var tokens = Self.tokens(usage)
            if let details = LooseJSON.object(metric["tokenDetails"]), !details.isEmpty {
                func count(_ key: String) -> Int64? { LooseJSON.int(LooseJSON.object(details[key])?["tokenCount"]) }
                tokens.input = count("input") ?? tokens.input
                tokens.cacheRead = count("cache_read") ?? tokens.cacheRead
                tokens.cacheWrite = count("cache_write") ?? tokens.cacheWrite
                tokens.output = count("output") ?? tokens.output
            }
            let model = CopilotEditTools.model(name) ?? name
            tokens.output = max(0, tokens.output - (alreadyOutput.removeValue(forKey: model) ?? 0))
            tokens.reasoning = min(tokens.reasoning, tokens.output)
            perModel.append((model, tokens))
        }
        if !perModel.isEmpty {
            for entry in perModel.sorted(by: { $0.model < $1.model }) where !entry.tokens.isZero {
                batch.usage.append(
                    UsageEvent(
                        tool: .copilot, sessionID: sessionID, timestamp: time, model: entry.model, tokens: entry.tokens,
                        dedupKey: "\(sessionID):\(eventID):\(entry.model)"))
            }
            return
        }
        let details = LooseJSON.object(data["tokenDetails"]) ?? [:]
        func count(_ key: String) -> Int64 { LooseJSON.int(LooseJSON.object(details[key])?["tokenCount"]) ?? 0 }
        let output = max(0, count("output") - alreadyOutput.values.reduce(0, +))
        let tokens = TokenCounts(input: count("input"), output: output, cacheWrite: count("cache_write"), cacheRead: count("cache_read"))
        guard !tokens.isZero else { return }
        batch.usage.append(
            UsageEvent(
                tool: .copilot, sessionID: sessionID, timestamp: time, model: state.model ?? "unknown", tokens: tokens,
                dedupKey: "\(sessionID):\(eventID)"))
    }
}

/// Reads VS Code Copilot Chat sessions: `workspaceStorage/<hash>/chatSessions/<id>.json`
/// (a whole document) and `<id>.jsonl` (a mutation log: `kind` 0 sets the document,
/// 1 sets the value at key path `k`, 2 appends `v` to the array at `k`, truncating
/// it to `i` first when given). Both are re-read whole (`.rewritten`): the JSON is
/// rewritten in place, and replaying the log from the start is the only safe way to
/// know a request's final state.
///
/// - Context: the workspace folder from `workspace.json` beside `chatSessions/`.
/// - Model: the request's `modelId`; for `copilot/auto` the model it resolved to
///   (`result.metadata.resolvedModel`); else the input state's selected model.
/// - Usage: `result.usage` (`promptTokens` as input — VS Code does not split out
///   cached tokens — and `completionTokens`), keyed by `requestId`; older sessions
///   record none. No cost.
/// - Edits: edit tool calls in `result.metadata.toolCallRounds[].toolCalls[]`
///   (see `CopilotEditTools`), keyed by the call id.
/// - Format drift: unknown tool names and mutation-log kinds, and a document that is
///   not a JSON object, are counted (`ReadBatch.drift`). A value nested past
///   Foundation's depth limit in a field not read no longer costs the session.
public struct CopilotChatReader: SessionReader {
    public let tool: ToolKind = .copilot
    public var fileKind: RecordFileKind { .rewritten }

    public init() {}

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        CopilotEditTools.workspaceStorageRoots(in: environment)
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        searchRoots(in: environment).flatMap { root in
            RecordFileWalker.files(under: root, maxDepth: 2) { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }.files
                .filter { ($0 as NSString).deletingLastPathComponent.hasSuffix("/chatSessions") }
        }
    }

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JSONLinesFile.Failure.cannotOpen(path: path, errno: access(path, R_OK) == 0 ? EIO : errno)
        }
        var linesRead = 0
        var linesSkipped = 0
        var document: Any?
        var drift = ReadBatch()
        if path.hasSuffix(".jsonl") {
            var log = CopilotMutationLog()
            let outcome = try JSONLinesFile.forEachLine(path: path, from: 0) { line, _ in
                linesRead += 1
                if !log.apply(LooseJSON.parse(bytes: line)) { linesSkipped += 1 }
            }
            // Lines the line reader refused (not UTF-8, a control byte) are read and skipped.
            linesRead += outcome.skippedLines
            linesSkipped += outcome.skippedLines
            document = log.document
            for kind in log.unknownKinds.sorted() { drift.noteUnrecognized(.recordType, "kind:\(kind)") }
        } else {
            let file = JSONDocument(data)
            document = LooseJSON.parse(file.bytes)
            linesRead = document == nil ? 0 : 1
            if document == nil, !data.isEmpty { linesSkipped = 1 }
            if document != nil { linesSkipped += file.noteTrailing("chat-session", into: &drift) }
        }
        if let session = LooseJSON.object(document) {
            let storage = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            var batch = Self.batch(
                session: session, fallbackID: ((path as NSString).lastPathComponent as NSString).deletingPathExtension,
                cwd: CopilotEditTools.workspaceFolder(storageDirectory: storage))
            batch.drift.merge(drift.drift, uniquingKeysWith: +)
            if !batch.isEmpty { try sink(batch) }
        } else if !data.isEmpty {
            // Cut off while written, or a shape VS Code changed: counted, read again on change.
            drift.noteUnrecognized(.shape, "chat-session-not-object")
            try sink(drift)
        }
        return ReadProgress(offset: Int64(data.count), state: nil, linesRead: linesRead, linesSkipped: linesSkipped)
    }

    static func batch(session: [String: Any], fallbackID: String, cwd: String?) -> ReadBatch {
        var batch = ReadBatch()
        let sessionID = LooseJSON.string(session["sessionId"]) ?? fallbackID
        let selected = CopilotEditTools.model(
            LooseJSON.string(
                LooseJSON.object(LooseJSON.object(session["inputState"])?["selectedModel"])?["identifier"]))
        let created = LooseJSON.date(session["creationDate"])
        if let created {
            batch.observations.append(
                SessionObservation(tool: .copilot, sessionID: sessionID, cwd: cwd, timestamp: created, model: selected))
        }
        for case let request as [String: Any] in LooseJSON.array(session["requests"]) {
            guard let time = LooseJSON.date(request["timestamp"]) ?? created else { continue }
            let result = LooseJSON.object(request["result"])
            // `copilot/auto` names no model: the one it chose is `result.metadata.resolvedModel`.
            let resolved = CopilotEditTools.model(LooseJSON.string(LooseJSON.object(result?["metadata"])?["resolvedModel"]))
            let model = CopilotEditTools.model(LooseJSON.string(request["modelId"])) ?? resolved ?? selected
            batch.observations.append(SessionObservation(tool: .copilot, sessionID: sessionID, cwd: cwd, timestamp: time, model: model))
            if let usage = LooseJSON.object(result?["usage"]), let requestID = LooseJSON.string(request["requestId"]) {
                let tokens = TokenCounts(
                    input: LooseJSON.int(usage["promptTokens"]) ?? 0, output: LooseJSON.int(usage["completionTokens"]) ?? 0)
                if !tokens.isZero {
                    batch.usage.append(
                        UsageEvent(
                            tool: .copilot, sessionID: sessionID, timestamp: time, model: model ?? "unknown", tokens: tokens,
                            dedupKey: "\(sessionID):\(requestID)"))
                }
            }
            let rounds = LooseJSON.array(LooseJSON.object(result?["metadata"])?["toolCallRounds"])
            for case let round as [String: Any] in rounds {
                for case let call as [String: Any] in LooseJSON.array(round["toolCalls"]) {
                    guard let name = LooseJSON.string(call["name"]), let id = LooseJSON.string(call["id"]) else { continue }
                    if !CopilotEventTypes.isKnownTool(name) { batch.noteUnrecognized(.toolName, name) }
                    guard let arguments = CopilotEditTools.arguments(call["arguments"]) else { continue }
                    let edits = CopilotEditTools.edits(tool: name, arguments: arguments)
                    for (index, edit) in edits.enumerated() {
                        batch.edits.append(
                            EditEvent(
                                tool: .copilot, sessionID: sessionID, timestamp: time,
                                dedupKey: edits.count == 1 ? id : "\(id):\(index)", filePath: edit.path, cwd: cwd,
                                addedLines: edit.added))
                    }
                }
            }
        }
        return batch
    }
}

/// Replays VS Code's chat session mutation log into the session document.
struct CopilotMutationLog {
    var document: Any?
    /// Record kinds newer than this reader knows (applied as no-ops, counted as drift).
    var unknownKinds: [Int64] = []

    /// Applies one record; false when it is not a record of a known shape.
    mutating func apply(_ record: Any?) -> Bool {
        guard let record = LooseJSON.object(record), let kind = LooseJSON.int(record["kind"]) else { return false }
        switch kind {
        case 0:
            document = record["v"]
            return true
        case 1, 2:
            guard let keys = record["k"] as? [Any], document != nil else { return false }
            let value = record["v"]
            let truncate = LooseJSON.int(record["i"])
            return Self.update(&document, keys[...]) { target in
                if kind == 1 {
                    target = value
                } else {
                    var array = target as? [Any] ?? []
                    if let truncate, truncate >= 0, truncate < array.count { array.removeSubrange(Int(truncate)...) }
                    if let items = value as? [Any] { array += items } else if let value { array.append(value) }
                    target = array
                }
            }
        default:
            unknownKinds.append(kind)  // a newer kind: valid JSON, nothing known to take
            return true
        }
    }

    private static func update(_ node: inout Any?, _ keys: ArraySlice<Any>, _ change: (inout Any?) -> Void) -> Bool {
        guard let key = keys.first else {
            change(&node)
            return true
        }
        if let name = key as? String {
            var object = node as? [String: Any] ?? [:]
            var child = object[name]
            let ok = update(&child, keys.dropFirst(), change)
            object[name] = child
            node = object
            return ok
        }
        if let index = LooseJSON.int(key), var array = node as? [Any], index >= 0, index < array.count {
            var child: Any? = array[Int(index)]
            let ok = update(&child, keys.dropFirst(), change)
            array[Int(index)] = child ?? NSNull()
            node = array
            return ok
        }
        return false
    }
}
