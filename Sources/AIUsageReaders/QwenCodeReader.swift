import AIUsageCore
import Foundation

extension ToolKind {
    public static let qwenCode = ToolKind(rawValue: "qwen-code")
}

/// Reads Qwen Code chat recordings: `<runtime dir>/projects/<sanitised cwd>/chats/<session id>.jsonl`.
///
/// Where: the runtime dir is `$QWEN_RUNTIME_DIR` when set (Qwen Code writes session
/// data there instead of `~/.qwen`), and `~/.qwen` always (sessions recorded before
/// the variable was set stay there). A relative `QWEN_RUNTIME_DIR` is taken relative to
/// the home directory. The `runtimeOutputDir` setting of `settings.json` is not read.
///
/// The file is append-only JSON Lines of Claude-like records: `uuid`, `parentUuid`,
/// `sessionId`, `timestamp`, `type` (`user`, `assistant`, `tool_result`, `system`),
/// `cwd`, `model`, `message` (Gemini `Content`: `role` + `parts`), and on assistant
/// records `usageMetadata` (Gemini API usage). An assistant record may be written
/// twice under one `uuid` (first without usage, then complete).
///
/// What it takes:
/// - **Usage**: one `UsageEvent` per assistant record with `usageMetadata`, keyed
///   `<session id>:<uuid>` (repeats of a uuid land on one row). Tokens per
///   `GeminiStyleUsage`: `promptTokenCount` includes `cachedContentTokenCount`;
///   thoughts are added to output unless the total shows they are already inside
///   the candidates (OpenAI-compatible providers). `ui_telemetry` system records
///   repeat the same numbers and are not counted. No cost is recorded.
/// - **Edits**: one `EditEvent` per `edit` (formerly `replace`) / `write_file`
///   `functionCall` part, keyed `<session id>:<call id>`: new − old, or the written
///   content. The `tool_result` record answering it replaces that version: nothing
///   when its status is an error or cancellation, the exact added lines when its
///   `resultDisplay` carries the whole file before and after (not truncated). Calls
///   still waiting for their result are carried to the next run in the state.
/// - **Rewinds** (`system`/`rewind`, and branches abandoned through `parentUuid`):
///   their requests were billed and their edits made, so both are kept, as for
///   Gemini CLI.
/// - **Format drift**: a record `type`/`subtype` or function-call name this reader does
///   not know is counted in the batch (`ReadBatch.drift`); a line that is JSON but no
///   Qwen record counts as a `.shape`. Added lines follow the exact-text rule
///   (`AddedLines.between`): a re-indented line was written. A value nested past
///   Foundation's depth limit in a field not read no longer costs the line.
public struct QwenCodeReader: SessionReader {
    public init() {}

    public var tool: ToolKind { .qwenCode }

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        var roots: [String] = []
        if let configured = environment.variables["QWEN_RUNTIME_DIR"]?.trimmingCharacters(in: .whitespaces),
            !configured.isEmpty
        {
            var base = ReaderPaths.expand(configured, home: environment.home)
            if !base.hasPrefix("/") { base = ReaderPaths.joined(environment.home, base) }
            roots.append(ReaderPaths.joined(base, "projects"))
        }
        let standard = ReaderPaths.joined(environment.home, ".qwen/projects")
        if !roots.contains(standard) { roots.append(standard) }
        return roots
    }

    /// `*.jsonl` under `projects/<project>/chats/` (and folders below it).
    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        var found = Set<String>()
        for root in searchRoots(in: environment) {
            let walk = RecordFileWalker.files(under: root, maxDepth: 4) { $0.hasSuffix(".jsonl") }
            for path in walk.files {
                guard let parts = GeminiPaths.components(of: path, below: root), parts.count >= 3,
                    parts[1] == "chats"
                else { continue }
                found.insert(path)
            }
        }
        return found.sorted()
    }

    /// What a read leaves for the next one: edit calls whose result has not come yet,
    /// and the last model and time (for records that lack them).
    struct State: Codable, Equatable {
        var pending: [QwenPendingEdit] = []
        var lastModel: String?
        var lastTimestamp: Double?
    }

    public func readRecords(
        path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void
    ) throws -> ReadProgress {
        let previous = state.flatMap { try? JSONDecoder().decode(State.self, from: $0) } ?? State()
        var interpreter = QwenInterpreter(
            sessionFallback: GeminiPaths.stem(path), fileTime: GeminiPaths.modificationTime(path), state: previous)
        var builder = GeminiStyleBatch()
        var linesRead = 0
        var linesSkipped = 0
        let decoder = JSONDecoder()
        let outcome = try JSONLinesFile.forEachLine(path: path, from: offset) { line, _ in
            if let record = JSONDepthLimit.decode(QwenRecord.self, from: Data(buffer: line), using: decoder) {
                if record.isRecord {
                    QwenDrift.note(record, into: &builder)
                    interpreter.handle(record, into: &builder)
                    linesRead += 1
                } else {
                    // Well-formed JSON of no Qwen shape: format drift, not a malformed line.
                    builder.noteUnrecognized(.shape, "record")
                    linesRead += 1
                }
            } else {
                linesSkipped += 1
            }
            try builder.flushIfFull(sink)
        }
        try builder.flush(sink)
        let next = interpreter.state
        return ReadProgress(
            offset: outcome.consumedTo, state: next == State() ? nil : try JSONEncoder().encode(next),
            linesRead: linesRead, linesSkipped: linesSkipped + outcome.skippedLines, trailingBytes: outcome.trailingBytes)
    }
}

/// What Qwen Code writes that this reader knows (QwenLM/qwen-code
/// `packages/core/src/services/chatRecordingService.ts` and its tool names), so that
/// anything else is counted as format drift.
enum QwenDrift {
    static let types: Set<String> = ["user", "assistant", "tool_result", "system"]
    static let subtypes: Set<String> = [
        "ui_telemetry", "rewind", "chat_compression", "slash_command", "at_command", "custom_title", "notification",
        "mid_turn_user_message", "session_artifact_snapshot", "session_start", "session_end", "error", "info",
        "warning", "summary",
    ]
    /// Non-edit tools (edits are `GeminiEdits`).
    static let tools: Set<String> = [
        "read_file", "read_many_files", "list_directory", "glob", "search_file_content", "grep_search", "grep",
        "run_shell_command", "web_fetch", "web_search", "google_web_search", "save_memory", "todo_write", "task",
        "exit_plan_mode", "skill", "lsp", "ask_user_question",
    ]

    static func note(_ record: QwenRecord, into builder: inout GeminiStyleBatch) {
        if let type = record.type, !types.contains(type) { builder.noteUnrecognized(.recordType, type) }
        if let subtype = record.subtype, !subtypes.contains(subtype) {
            builder.noteUnrecognized(.recordType, "\(record.type ?? "?"):\(subtype)")
        }
        for call in record.calls {
            guard let name = call.name, !GeminiEdits.isEditTool(name), !tools.contains(name), !name.hasPrefix("mcp__")
            else { continue }
            builder.noteUnrecognized(.toolName, name)
        }
    }
}

/// An edit call seen without its result yet.
struct QwenPendingEdit: Codable, Equatable {
    var callID: String
    var sessionID: String
    var filePath: String
    var cwd: String?
}

struct QwenRecord: Decodable {
    var uuid: String?
    var sessionID: String?
    var timestamp: String?
    var type: String?
    var subtype: String?
    var cwd: String?
    var model: String?
    var usage: GeminiStyleUsage?
    var calls: [QwenFunctionCall] = []
    var responseIDs: [String] = []
    var result: QwenToolCallResult?

    /// A Qwen record names at least its kind, its session or itself.
    var isRecord: Bool { uuid != nil || sessionID != nil || type != nil }

    enum CodingKeys: String, CodingKey {
        case uuid, sessionId, timestamp, type, subtype, cwd, model, usageMetadata, message, toolCallResult
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        uuid = container.geminiLenient(String.self, .uuid)
        sessionID = container.geminiLenient(String.self, .sessionId)
        timestamp = container.geminiLenient(String.self, .timestamp)
        type = container.geminiLenient(String.self, .type)
        subtype = container.geminiLenient(String.self, .subtype)
        cwd = container.geminiLenient(String.self, .cwd)
        model = container.geminiLenient(String.self, .model)
        usage = container.geminiLenient(QwenUsageMetadata.self, .usageMetadata)?.usage
        if let message = container.geminiLenient(QwenContent.self, .message) {
            calls = message.parts.compactMap(\.functionCall)
            responseIDs = message.parts.compactMap(\.responseID)
        }
        result = container.geminiLenient(QwenToolCallResult.self, .toolCallResult)
    }
}

/// Gemini API `usageMetadata`.
struct QwenUsageMetadata: Decodable {
    var usage = GeminiStyleUsage()

    enum CodingKeys: String, CodingKey {
        case promptTokenCount, candidatesTokenCount, cachedContentTokenCount, thoughtsTokenCount,
            toolUsePromptTokenCount, totalTokenCount
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) -> Int64 { container.geminiLenient(GeminiLenientInt.self, key)?.value ?? 0 }
        usage = GeminiStyleUsage(
            prompt: number(.promptTokenCount), candidates: number(.candidatesTokenCount),
            cached: number(.cachedContentTokenCount), thoughts: number(.thoughtsTokenCount),
            tool: number(.toolUsePromptTokenCount), total: number(.totalTokenCount))
    }
}

struct QwenContent: Decodable {
    var parts: [QwenPart]

    enum CodingKeys: String, CodingKey { case parts }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        parts = container.geminiLenientArray(QwenPart.self, .parts)?.values ?? []
    }
}

struct QwenPart: Decodable {
    var functionCall: QwenFunctionCall?
    var responseID: String?

    enum CodingKeys: String, CodingKey { case functionCall, functionResponse }
    enum ResponseKeys: String, CodingKey { case id }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        functionCall = container.geminiLenient(QwenFunctionCall.self, .functionCall)
        if let response = try? container.nestedContainer(keyedBy: ResponseKeys.self, forKey: .functionResponse) {
            responseID = response.geminiLenient(String.self, .id)
        }
    }
}

struct QwenFunctionCall: Decodable {
    var id: String?
    var name: String?
    var arguments: GeminiEditArguments?

    enum CodingKeys: String, CodingKey { case id, name, args }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = container.geminiLenient(String.self, .id)
        name = container.geminiLenient(String.self, .name)
        if GeminiEdits.isEditTool(name) { arguments = container.geminiLenient(GeminiEditArguments.self, .args) }
    }
}

struct QwenToolCallResult: Decodable {
    var callID: String?
    var status: String?
    var display: GeminiFileDiffDisplay?

    enum CodingKeys: String, CodingKey { case callId, status, resultDisplay }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        callID = container.geminiLenient(String.self, .callId)
        status = container.geminiLenient(String.self, .status)
        display = container.geminiLenient(GeminiFileDiffDisplay.self, .resultDisplay)
    }
}

struct QwenInterpreter {
    let sessionFallback: String
    let fileTime: Date
    private var pending: [String: QwenPendingEdit] = [:]
    private var pendingOrder: [String] = []
    private var lastModel: String?
    private var lastTimestamp: Date?
    /// Calls answered in this read: a late repeat of their call must not undo the result.
    private var resolved: Set<String> = []

    /// Pending calls kept across runs at most; older ones lose their chance of a result.
    static let pendingLimit = 256

    init(sessionFallback: String, fileTime: Date, state: QwenCodeReader.State) {
        self.sessionFallback = sessionFallback
        self.fileTime = fileTime
        for edit in state.pending {
            pending[edit.callID] = edit
            pendingOrder.append(edit.callID)
        }
        lastModel = state.lastModel
        lastTimestamp = state.lastTimestamp.map(Date.init(timeIntervalSince1970:))
    }

    var state: QwenCodeReader.State {
        QwenCodeReader.State(
            pending: pendingOrder.suffix(Self.pendingLimit).compactMap { pending[$0] }, lastModel: lastModel,
            lastTimestamp: lastTimestamp?.timeIntervalSince1970)
    }

    mutating func handle(_ record: QwenRecord, into builder: inout GeminiStyleBatch) {
        let sessionID = record.sessionID.flatMap { $0.isEmpty ? nil : $0 } ?? sessionFallback
        let time = resolve(record.timestamp)
        let isAssistant = record.type == "assistant" || (record.type == nil && record.usage != nil)
        var model: String?
        if isAssistant {
            if let recorded = record.model, !recorded.isEmpty { lastModel = recorded }
            model = record.model.flatMap { $0.isEmpty ? nil : $0 } ?? lastModel
        }
        if record.sessionID != nil {
            builder.observe(
                SessionObservation(tool: .qwenCode, sessionID: sessionID, cwd: record.cwd, timestamp: time, model: model))
        }
        if isAssistant, let usage = record.usage, !usage.tokens.isZero, let uuid = record.uuid, !uuid.isEmpty {
            builder.add(
                usage: UsageEvent(
                    tool: .qwenCode, sessionID: sessionID, timestamp: time, model: model ?? "unknown",
                    tokens: usage.tokens, dedupKey: "\(sessionID):\(uuid)"))
        }
        if isAssistant {
            for (index, call) in record.calls.enumerated() {
                guard let name = call.name, GeminiEdits.isEditTool(name), let arguments = call.arguments,
                    let filePath = arguments.filePath, !filePath.isEmpty
                else { continue }
                let callID = call.id.flatMap { $0.isEmpty ? nil : $0 } ?? "\(record.uuid ?? "?"):\(index)"
                guard !resolved.contains(callID) else { continue }
                builder.add(
                    edit: EditEvent(
                        tool: .qwenCode, sessionID: sessionID, timestamp: time, dedupKey: "\(sessionID):\(callID)",
                        filePath: filePath, cwd: record.cwd,
                        addedLines: GeminiEdits.addedLines(tool: name, arguments, display: nil)))
                if pending[callID] == nil { pendingOrder.append(callID) }
                pending[callID] = QwenPendingEdit(callID: callID, sessionID: sessionID, filePath: filePath, cwd: record.cwd)
            }
        }
        if record.type == "tool_result" || record.result != nil {
            handleResult(record, time: time, into: &builder)
        }
    }

    /// A tool result replaces its edit call's version: nothing written on failure, the
    /// exact lines when the whole file before and after is recorded.
    private mutating func handleResult(_ record: QwenRecord, time: Date, into builder: inout GeminiStyleBatch) {
        let ids = ([record.result?.callID].compactMap { $0 } + record.responseIDs)
        guard let callID = ids.first(where: { pending[$0] != nil }), let edit = pending.removeValue(forKey: callID)
        else { return }
        pendingOrder.removeAll { $0 == callID }
        resolved.insert(callID)
        let added: [LineHash]
        if GeminiEdits.failed(status: record.result?.status) {
            added = []
        } else if let exact = record.result?.display?.addedLines {
            added = exact
        } else {
            return  // the call's version stands
        }
        builder.add(
            edit: EditEvent(
                tool: .qwenCode, sessionID: edit.sessionID, timestamp: time, dedupKey: "\(edit.sessionID):\(callID)",
                filePath: edit.filePath, cwd: edit.cwd, addedLines: added))
    }

    private mutating func resolve(_ text: String?) -> Date {
        if let text, let time = Timestamps.parse(text) {
            lastTimestamp = time
            return time
        }
        return lastTimestamp ?? fileTime
    }
}
