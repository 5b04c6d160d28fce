import AIUsageCore
import Foundation

extension ToolKind {
    /// Cline (VS Code extension `saoudrizwan.claude-dev`, and the Cline CLI).
    public static let cline = ToolKind(rawValue: "cline")
    /// Roo Code (VS Code extension `rooveterinaryinc.roo-cline`), a fork of Cline with
    /// the same task files.
    public static let rooCode = ToolKind(rawValue: "roo-code")
}

/// Reads Cline and Roo Code tasks: `<editor>/User/globalStorage/<extension>/tasks/<task id>/`
/// (VS Code, Insiders, Cursor, VSCodium, Windsurf; Linux `~/.config`, macOS
/// `~/Library/Application Support`) and, for Cline, the CLI's `~/.cline/data/tasks/`.
///
/// Per task folder two files matter, both whole JSON arrays rewritten as the task runs
/// (`.rewritten`):
/// - `ui_messages.json`: every `say: "api_req_started"` message (and the
///   `deleted_api_reqs` summary left when history is trimmed) carries a JSON `text`
///   with `tokensIn`, `tokensOut`, `cacheWrites`, `cacheReads`, `cost` — one usage
///   event each, keyed `<task>:<ts>`. Cline's `tokensIn` follows Anthropic's
///   convention (uncached input; cache reads and writes counted apart), so it is taken
///   as uncached input. The model comes from `modelInfo` (newer versions) or
///   `task_metadata.json`'s `model_usage`, else "unknown" (unpriced, cost still kept).
/// - `api_conversation_history.json`: the model's tool calls, as `tool_use` blocks or
///   as XML in the text (`<write_to_file>`, `<replace_in_file>` with SEARCH/REPLACE
///   blocks, Roo's `<apply_diff>`, `<insert_content>`, `<search_and_replace>`). Calls
///   the user denied are dropped. Keys: the tool-use id, or a hash of the call's
///   content and its occurrence, which survives the array being rewritten.
///
/// The working directory is taken from the environment details Cline puts in every
/// request (`# Current Working Directory (/path) Files`), else from the task history.
///
/// Added lines follow the exact-text rule (`AddedLines`): a SEARCH/REPLACE block that
/// only re-indents a line wrote that line. Subagent spend (`say: "subagent_usage"`,
/// Cline 3.x) is counted like a request. Format drift is counted in the batch
/// (`ReadBatch.drift`): an unknown `say`/`ask` or message type, content block type or
/// tool name, and a task file that is not a JSON array. A value nested past
/// Foundation's depth limit in a field not read no longer costs the file
/// (`JSONDepthLimit`).
/// No real Cline/Roo task files were available to test on: the format follows the
/// public source, and the tests write small fixtures.
public struct ClineReader: SessionReader {
    public let tool: ToolKind

    public init() { self.init(tool: .cline) }

    /// `.cline` or `.rooCode`: same file format, different extension folder.
    public init(tool: ToolKind) { self.tool = tool }

    public var fileKind: RecordFileKind { .rewritten }

    var extensionID: String { tool == .rooCode ? "rooveterinaryinc.roo-cline" : "saoudrizwan.claude-dev" }

    static let editors = ["Code", "Code - Insiders", "Cursor", "VSCodium", "Windsurf"]

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        let home = OpenCodeStorageReader.trimmingSlash(environment.home)
        var roots: [String] = []
        var configBase = environment.variables["XDG_CONFIG_HOME"] ?? ""
        if !configBase.hasPrefix("/") { configBase = home + "/.config" }
        for base in [OpenCodeStorageReader.trimmingSlash(configBase), home + "/Library/Application Support"] {
            for editor in Self.editors {
                roots.append("\(base)/\(editor)/User/globalStorage/\(extensionID)/tasks")
            }
        }
        if tool == .cline { roots.append(home + "/.cline/data/tasks") }
        return roots
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        searchRoots(in: environment).flatMap { root in
            RecordFileWalker.files(under: root, maxDepth: 1) { $0 == "ui_messages.json" || $0 == "api_conversation_history.json" }
                .files
        }
    }

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JSONLinesFile.Failure.cannotOpen(path: path, errno: errno)
        }
        let size = Int64(data.count)
        if data.isEmpty { return ReadProgress(offset: 0, state: nil) }
        let document = JSONDocument(data)
        guard StrictLine.isJSON(document.bytes), let array = JSONDepthLimit.jsonObject(document.bytes) as? [Any] else {
            // Cut off mid-rewrite, or a shape Cline changed: counted, read again on change.
            var drift = ReadBatch()
            drift.noteUnrecognized(.shape, "\((path as NSString).lastPathComponent)-not-array")
            try sink(drift)
            return ReadProgress(offset: size, state: nil, linesSkipped: 1)
        }
        let taskFolder = (path as NSString).deletingLastPathComponent
        let taskID = (taskFolder as NSString).lastPathComponent
        let task = TaskContext(folder: taskFolder, taskID: taskID, fileTime: Self.modificationTime(path))
        var batch = ReadBatch()
        var counts = (read: 0, skipped: document.noteTrailing((path as NSString).lastPathComponent, into: &batch))
        if (path as NSString).lastPathComponent == "api_conversation_history.json" {
            readHistory(array, task: task, counts: &counts, batch: &batch)
        } else {
            readUIMessages(array, task: task, counts: &counts, batch: &batch)
        }
        if !batch.isEmpty { try sink(batch) }
        return ReadProgress(offset: size, state: nil, linesRead: counts.read, linesSkipped: counts.skipped)
    }

    // MARK: ui_messages.json

    func readUIMessages(_ messages: [Any], task: TaskContext, counts: inout (read: Int, skipped: Int), batch: inout ReadBatch) {
        var cwd: String?
        var firstTime: Date?
        var lastModel: String?
        for element in messages {
            guard let message = element as? [String: Any] else {
                counts.skipped += 1
                batch.noteUnrecognized(.shape, "ui-message")
                continue
            }
            counts.read += 1
            Self.noteDrift(ofUIMessage: message, into: &batch)
            let time = JSONDict.date(message, "ts")
            if firstTime == nil { firstTime = time }
            if let model = JSONDict.string(message, "modelInfo", "modelId") { lastModel = model }
            let say = JSONDict.string(message, "say")
            guard say == "api_req_started" || say == "deleted_api_reqs" || say == "subagent_usage" else { continue }
            guard let text = JSONDict.string(message, "text"), let info = JSONDict.object(text) else {
                if JSONDict.string(message, "text") != nil { counts.skipped += 1 }
                continue
            }
            if cwd == nil, let request = JSONDict.string(info, "request") { cwd = Self.workingDirectory(in: request) }
            let tokens = TokenCounts(
                input: max(0, JSONDict.int64(info, "tokensIn") ?? 0), output: max(0, JSONDict.int64(info, "tokensOut") ?? 0),
                cacheWrite: max(0, JSONDict.int64(info, "cacheWrites") ?? 0),
                cacheRead: max(0, JSONDict.int64(info, "cacheReads") ?? 0))
            let cost = JSONDict.double(info, "cost")
            // A request still streaming has no counts yet; the rewritten file brings them.
            guard !tokens.isZero || (cost ?? 0) > 0, let time else { continue }
            let model = JSONDict.string(message, "modelInfo", "modelId") ?? task.model(at: time) ?? lastModel ?? "unknown"
            batch.usage.append(
                UsageEvent(
                    tool: tool, sessionID: task.taskID, timestamp: time, model: model, tokens: tokens,
                    dedupKey: "\(task.taskID):\(JSONDict.int64(message, "ts") ?? 0)",
                    recordedCostUSD: (cost ?? 0) > 0 ? cost : nil))
        }
        let start = firstTime ?? task.startTime
        batch.observations.append(
            SessionObservation(
                tool: tool, sessionID: task.taskID, cwd: cwd ?? task.historyWorkingDirectory, timestamp: start,
                model: batch.usage.last?.model ?? lastModel))
    }

    // MARK: api_conversation_history.json

    func readHistory(_ messages: [Any], task: TaskContext, counts: inout (read: Int, skipped: Int), batch: inout ReadBatch) {
        var cwd: String?
        var denied = Set<String>()
        var deniedAfter = Set<Int>()  // indexes of assistant messages whose XML calls were denied
        // First pass: the working directory and the denials (they follow the calls).
        for (index, element) in messages.enumerated() {
            guard let message = element as? [String: Any], JSONDict.string(message, "role") == "user" else { continue }
            for block in Self.blocks(message) {
                let text = Self.text(of: block)
                if cwd == nil, let text { cwd = Self.workingDirectory(in: text) }
                if let text, text.contains("denied this operation") {
                    if let id = JSONDict.string(block, "tool_use_id") { denied.insert(id) } else { deniedAfter.insert(index - 1) }
                }
            }
        }
        cwd = cwd ?? task.historyWorkingDirectory
        var occurrences: [String: Int] = [:]
        for (index, element) in messages.enumerated() {
            guard let message = element as? [String: Any] else {
                counts.skipped += 1
                batch.noteUnrecognized(.shape, "history-message")
                continue
            }
            counts.read += 1
            let role = JSONDict.string(message, "role") ?? "(none)"
            if role != "assistant" && role != "user" { batch.noteUnrecognized(.recordType, "role:\(role)") }
            for block in Self.blocks(message) {
                let type = JSONDict.string(block, "type") ?? "(none)"
                if !Self.blockTypes.contains(type) { batch.noteUnrecognized(.recordType, "block:\(type)") }
            }
            guard role == "assistant" else { continue }
            let time = JSONDict.date(message, "ts") ?? task.startTime
            for block in Self.blocks(message) {
                if JSONDict.string(block, "type") == "tool_use" {
                    guard let name = JSONDict.string(block, "name") else { continue }
                    guard Self.editTools.contains(name) else {
                        if !Self.otherTools.contains(name), !name.hasPrefix("mcp") { batch.noteUnrecognized(.toolName, name) }
                        continue
                    }
                    guard let input = JSONDict.object(block, "input") else {
                        batch.noteUnrecognized(.shape, "\(name)-input")
                        continue
                    }
                    let id = JSONDict.string(block, "id")
                    if let id, denied.contains(id) { continue }
                    for (fileIndex, call) in Self.edits(tool: name, input).enumerated() {
                        let key = id.map { "\($0):\(fileIndex)" } ?? contentKey(task.taskID, name, call, &occurrences)
                        batch.edits.append(event(task, time, key, call, cwd))
                    }
                } else if let text = Self.text(of: block), !deniedAfter.contains(index) {
                    for (name, input) in Self.xmlToolCalls(in: text) {
                        for call in Self.edits(tool: name, input) {
                            batch.edits.append(event(task, time, contentKey(task.taskID, name, call, &occurrences), call, cwd))
                        }
                    }
                }
            }
        }
        batch.observations.append(SessionObservation(tool: tool, sessionID: task.taskID, cwd: cwd, timestamp: task.startTime))
    }

    private func event(_ task: TaskContext, _ time: Date, _ key: String, _ call: EditCall, _ cwd: String?) -> EditEvent {
        EditEvent(
            tool: tool, sessionID: task.taskID, timestamp: time, dedupKey: key, filePath: call.path, cwd: cwd,
            addedLines: call.added)
    }

    /// `<task>:<hash of tool, path and added lines>:<occurrence>`: stable when the file
    /// is rewritten, and two identical calls still count twice.
    private func contentKey(_ taskID: String, _ name: String, _ call: EditCall, _ occurrences: inout [String: Int]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
        }
        mix(name.utf8)
        mix([0])
        mix(call.path.utf8)
        for line in call.added { withUnsafeBytes(of: line.value.littleEndian) { mix($0) } }
        let base = String(hash, radix: 16)
        let seen = occurrences[base, default: 0]
        occurrences[base] = seen + 1
        return "\(taskID):\(base):\(seen)"
    }

    struct EditCall {
        var path: String
        var added: [LineHash]
    }

    /// Tool names whose calls write files (Cline's and Roo Code's).
    static let editTools: Set<String> = [
        "write_to_file", "insert_content", "new_file", "replace_in_file", "apply_diff", "search_and_replace", "apply_patch",
    ]
    /// Tools known to write no file: not format drift. From Cline's and Roo Code's
    /// tool definitions (cline/cline `src/core/prompts`, RooCodeInc/Roo-Code `src/shared/tools.ts`).
    static let otherTools: Set<String> = [
        "execute_command", "read_file", "search_files", "list_files", "list_code_definition_names", "browser_action",
        "use_mcp_tool", "access_mcp_resource", "ask_followup_question", "plan_mode_respond", "act_mode_respond",
        "attempt_completion", "new_task", "load_mcp_documentation", "web_fetch", "web_search", "condense",
        "summarize_task", "report_bug", "new_rule", "focus_chain", "use_skill", "use_subagents", "codebase_search",
        "fetch_instructions", "switch_mode", "update_todo_list", "run_slash_command", "generate_image", "read_many_files",
    ]
    /// Content block types of Anthropic-style messages.
    static let blockTypes: Set<String> = [
        "text", "image", "tool_use", "tool_result", "thinking", "redacted_thinking", "document",
    ]
    /// `ClineSay` and `ClineAsk` values (cline/cline `src/shared/ExtensionMessage.ts`), plus Roo Code's.
    static let knownSays: Set<String> = [
        "task", "error", "error_retry", "api_req_started", "api_req_finished", "text", "reasoning", "completion_result",
        "user_feedback", "user_feedback_diff", "api_req_retried", "command", "command_output", "tool",
        "shell_integration_warning", "shell_integration_warning_with_suggestion", "browser_action_launch",
        "browser_action", "browser_action_result", "mcp_server_request_started", "mcp_server_response",
        "mcp_notification", "use_mcp_server", "diff_error", "deleted_api_reqs", "clineignore_error",
        "command_permission_denied", "checkpoint_created", "load_mcp_documentation", "generate_explanation", "info",
        "task_progress", "hook_status", "hook_output_stream", "subagent", "use_subagents", "subagent_usage",
        "conditional_rules_applied", "rooignore_error", "codebase_search_result", "condense_context",
        "condense_context_error", "api_req_retry_delayed", "api_req_deleted", "subtask_result", "user_edit_todos",
        "too_many_tools_warning", "image",
    ]
    static let knownAsks: Set<String> = [
        "followup", "plan_mode_respond", "act_mode_respond", "command", "command_output", "completion_result", "tool",
        "api_req_failed", "resume_task", "resume_completed_task", "mistake_limit_reached", "browser_action_launch",
        "use_mcp_server", "new_task", "condense", "summarize_task", "report_bug", "use_subagents",
        "auto_approval_max_req_reached",
    ]

    static func noteDrift(ofUIMessage message: [String: Any], into batch: inout ReadBatch) {
        switch JSONDict.string(message, "type") {
        case "say":
            let say = JSONDict.string(message, "say") ?? "(none)"
            if !knownSays.contains(say) { batch.noteUnrecognized(.recordType, "say:\(say)") }
        case "ask":
            let ask = JSONDict.string(message, "ask") ?? "(none)"
            if !knownAsks.contains(ask) { batch.noteUnrecognized(.recordType, "ask:\(ask)") }
        case let other:
            batch.noteUnrecognized(.recordType, "type:\(other ?? "(none)")")
        }
    }

    /// The files and added lines of one edit tool call; `apply_patch` (Cline's tool for
    /// GPT-5-class models, Codex's patch format in `input`) may touch several files.
    static func edits(tool name: String, _ input: [String: Any]) -> [EditCall] {
        if name == "apply_patch" {
            guard let patch = JSONDict.string(input, "input") ?? JSONDict.string(input, "patch") else { return [] }
            let blocks = ApplyPatchParser.extractPatches(from: patch)
            return (blocks.isEmpty ? [patch[...]] : blocks).flatMap { ApplyPatchParser.parse(String($0)) }
                .filter { $0.kind != .delete }.map { EditCall(path: $0.destinationPath, added: $0.addedLines) }
        }
        return edit(tool: name, input).map { [$0] } ?? []
    }

    /// The lines an edit tool call adds, by tool name (Cline and Roo Code names).
    static func edit(tool name: String, _ input: [String: Any]) -> EditCall? {
        guard
            let path = JSONDict.string(input, "path") ?? JSONDict.string(input, "absolutePath")
                ?? JSONDict.string(input, "file_path")
        else { return nil }
        switch name {
        case "write_to_file", "insert_content", "new_file":
            guard let content = input["content"] as? String else { return nil }
            return EditCall(path: path, added: LineIdentity.significantHashes(ofText: content))
        case "replace_in_file", "apply_diff":
            guard let diff = input["diff"] as? String else { return nil }
            return EditCall(path: path, added: searchReplaceAddedLines(diff))
        case "search_and_replace":
            guard let replace = input["replace"] as? String else { return nil }
            return EditCall(path: path, added: AddedLines.between(old: input["search"] as? String ?? "", new: replace))
        default: return nil
        }
    }

    /// Added lines of SEARCH/REPLACE blocks: Cline's `------- SEARCH` / `=======` /
    /// `+++++++ REPLACE` and the older (and Roo's) `<<<<<<< SEARCH` / `>>>>>>> REPLACE`,
    /// with Roo's `:start_line:` / `-------` header lines skipped.
    static func searchReplaceAddedLines(_ diff: String) -> [LineHash] {
        enum Mode { case outside, search, replace }
        var mode = Mode.outside
        var search: [Substring] = []
        var replace: [Substring] = []
        var added: [LineHash] = []
        func marker(_ line: Substring, _ fill: Set<Character>, _ word: String) -> Bool {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasSuffix(word) else { return false }
            let prefix = trimmed.dropLast(word.count).trimmingCharacters(in: .whitespaces)
            return prefix.count >= 3 && prefix.allSatisfy { fill.contains($0) }
        }
        func finish() {
            added += AddedLines.between(old: search.joined(separator: "\n"), new: replace.joined(separator: "\n"))
            search = []
            replace = []
        }
        for line in diff.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if marker(line, ["-", "<"], "SEARCH") {
                if mode == .replace { finish() }
                mode = .search
            } else if mode == .search, trimmed.count >= 3, trimmed.allSatisfy({ $0 == "=" }) {
                mode = .replace
            } else if marker(line, ["+", ">"], "REPLACE") {
                finish()
                mode = .outside
            } else if mode == .search {
                if search.isEmpty,
                    trimmed.hasPrefix(":start_line:") || trimmed.hasPrefix(":end_line:")
                        || (trimmed.count >= 3 && trimmed.allSatisfy { $0 == "-" })
                {
                    continue
                }
                search.append(line)
            } else if mode == .replace {
                replace.append(line)
            }
        }
        if mode == .replace { finish() }  // a block cut off before its REPLACE marker
        return added
    }

    static let xmlTools = ["write_to_file", "replace_in_file", "apply_diff", "insert_content", "search_and_replace"]
    static let xmlParameters = ["path", "content", "diff", "search", "replace"]

    /// Tool calls written as XML in assistant text (Cline's and Roo's classic format).
    static func xmlToolCalls(in text: String) -> [(String, [String: Any])] {
        var calls: [(Int, String, [String: Any])] = []
        for name in xmlTools {
            var start = text.startIndex
            while let open = text.range(of: "<\(name)>", range: start..<text.endIndex) {
                let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
                let body = text[open.upperBound..<(close?.lowerBound ?? text.endIndex)]
                var input: [String: Any] = [:]
                for parameter in xmlParameters {
                    guard let p = body.range(of: "<\(parameter)>") else { continue }
                    let end = body.range(of: "</\(parameter)>", range: p.upperBound..<body.endIndex)?.lowerBound ?? body.endIndex
                    var value = String(body[p.upperBound..<end])
                    if parameter == "path" { value = value.trimmingCharacters(in: .whitespacesAndNewlines) }
                    input[parameter] = value
                }
                calls.append((text.distance(from: text.startIndex, to: open.lowerBound), name, input))
                start = close?.upperBound ?? text.endIndex
            }
        }
        return calls.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
    }

    static func blocks(_ message: [String: Any]) -> [[String: Any]] {
        if let text = message["content"] as? String { return [["type": "text", "text": text]] }
        return (message["content"] as? [Any])?.compactMap { $0 as? [String: Any] } ?? []
    }

    /// The text of a text block or a tool_result block (string or text-block array).
    static func text(of block: [String: Any]) -> String? {
        if let text = block["text"] as? String { return text }
        if let content = block["content"] as? String { return content }
        if let content = block["content"] as? [Any] {
            let texts = content.compactMap { ($0 as? [String: Any])?["text"] as? String }
            return texts.isEmpty ? nil : texts.joined(separator: "\n")
        }
        return nil
    }

    /// `/path` from `# Current Working Directory (/path) Files` (Cline) or
    /// `# Current Workspace Directory (/path) Files` (Roo Code).
    static func workingDirectory(in text: String) -> String? {
        for heading in ["# Current Working Directory (", "# Current Workspace Directory ("] {
            guard let open = text.range(of: heading),
                let close = text.range(of: ") Files", range: open.upperBound..<text.endIndex)
            else { continue }
            let path = String(text[open.upperBound..<close.lowerBound])
            if !path.isEmpty, !path.contains("\n") { return path }
        }
        return nil
    }

    static func modificationTime(_ path: String) -> Date? {
        FileModificationTime.of(path)
    }

    /// What the task folder's side files say: start time, models used, history cwd.
    struct TaskContext {
        let taskID: String
        let startTime: Date
        let historyWorkingDirectory: String?
        /// `task_metadata.json` `model_usage`: (time, model id), oldest first.
        let models: [(Date, String)]

        init(folder: String, taskID: String, fileTime: Date?) {
            self.taskID = taskID
            let metadata = FileManager.default.contents(atPath: folder + "/task_metadata.json").flatMap(JSONDict.object)
            models = (JSONDict.array(metadata, "model_usage") ?? []).compactMap { entry in
                guard let entry = entry as? [String: Any], let time = JSONDict.date(entry, "ts"),
                    let model = JSONDict.string(entry, "model_id")
                else { return nil }
                return (time, model)
            }.sorted { $0.0 < $1.0 }
            // Roo Code writes history_item.json beside the task; Cline keeps
            // state/taskHistory.json beside tasks/ (newer versions and the CLI).
            var item = FileManager.default.contents(atPath: folder + "/history_item.json").flatMap(JSONDict.object)
            if item == nil {
                let stateFile =
                    ((folder as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
                    + "/state/taskHistory.json"
                if let data = FileManager.default.contents(atPath: stateFile),
                    let items = JSONDepthLimit.jsonObject(data) as? [Any]
                {
                    item = items.lazy.compactMap { $0 as? [String: Any] }.first { JSONDict.string($0, "id") == taskID }
                }
            }
            historyWorkingDirectory = JSONDict.string(item, "cwdOnTaskInitialization") ?? JSONDict.string(item, "workspace")
            // Cline's task ids are the creation time in ms; Roo's are UUIDs.
            startTime =
                JSONDict.date(item, "ts") ?? Int64(taskID).flatMap { JSONDict.date(NSNumber(value: $0)) }
                ?? models.first?.0 ?? fileTime ?? Date(timeIntervalSince1970: 0)
        }

        /// The model in use at `time`: the last `model_usage` entry not after it.
        func model(at time: Date) -> String? {
            models.last { $0.0 <= time }?.1 ?? models.first?.1
        }
    }
}
