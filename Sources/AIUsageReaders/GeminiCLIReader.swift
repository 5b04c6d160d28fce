import AIUsageCore
import Foundation

extension ToolKind {
    public static let geminiCLI = ToolKind(rawValue: "gemini-cli")
}

/// Reads Gemini CLI chat recordings: `<gemini dir>/tmp/<project>/chats/`.
///
/// Where: the Gemini dir is `$GEMINI_CLI_HOME/.gemini` when that variable is set
/// (Gemini CLI treats it as its home directory), else `~/.gemini`. `<project>` is a
/// short name registered in `<gemini dir>/projects.json` (newer versions, with the
/// project's path also in `<project>/.project_root`) or a SHA-256 of the project path
/// (older versions: no cwd can be recovered for those unless the folder was migrated).
///
/// Two file formats, both handled by this one reader:
/// - `session-*.json` (older versions): one JSON document
///   `{sessionId, projectHash, startTime, lastUpdated, messages: [...]}` rewritten in
///   place on every message. Read whole each time it changes.
/// - `session-*.jsonl` (current): a first metadata line `{sessionId, projectHash, ...}`,
///   then message records appended as they change — **the same message id is
///   appended again** whenever its tokens or tool calls are updated, so a later line
///   replaces an earlier one — plus `{"$set": {...}}` metadata updates (which may carry
///   the whole `messages` list again) and `{"$rewindTo": "<message id>"}` records.
///   Subagents write `chats/<parent session id>/<own session id>.jsonl`; their spend
///   and edits are attributed to the parent session (like Claude Code subagents).
///
/// The reader is `.rewritten`: the ingestor calls it with offset 0 on any change. For
/// a `.jsonl` file the returned state remembers how far it got (with the inode and a
/// hash of the head, to notice a replaced file), so only the appended lines are read
/// again; a `.json` document is read whole and the store's upserts absorb repeats.
///
/// What it takes:
/// - **Usage**: one `UsageEvent` per `gemini` message with `tokens`, keyed
///   `<session id>:<message id>`, so every re-appended version of a message, the
///   `$set.messages` copy, and the `.json` → `.jsonl` migration copy of a resumed
///   session all land on one row. Tokens per `GeminiStyleUsage` (`input` includes
///   `cached`; `thoughts` come on top of `output`; `tool` counts as input). Model per
///   message. Gemini CLI records no cost.
/// - **Edits**: one `EditEvent` per `replace` / `write_file` tool call, keyed
///   `<session id>:<call id>`; the last version of the message wins (its call may have
///   gained a status or a diff). A call whose status is `error`/`cancelled` added
///   nothing. A diff display with the whole file before and after, when present,
///   gives the exact added lines.
/// - **Rewinds**: `$rewindTo` drops messages from the conversation, but their tokens
///   were spent and their edits were made (Gemini's rewind may or may not revert the
///   files, and the record does not say which), so **both are kept**. A reverted
///   edit's lines simply never match a commit; dropping them would lose lines of
///   edits the developer kept. This also keeps an incremental read and a full re-read
///   identical.
/// - **Working directory**: from the project folder (above); else the first of the
///   `directories` a metadata line or `$set` records (subagent transcripts list the
///   workspace directories).
/// - **Format drift**: a message `type`, tool name or record shape this reader does not
///   know is counted in the batch (`ReadBatch.drift`); a `.json` document that does not
///   parse is a `.shape`. A value nested past Foundation's depth limit in a field not
///   read (a tool result, say) no longer costs the line or the whole `.json` session
///   (`JSONDepthLimit`). Added lines follow the exact-text rule (`AddedLines`).
public struct GeminiCLIReader: SessionReader {
    public init() {}

    public var tool: ToolKind { .geminiCLI }

    public var fileKind: RecordFileKind { .rewritten }

    /// The Gemini dir: `$GEMINI_CLI_HOME/.gemini` or `~/.gemini`.
    static func geminiDirectory(in environment: ReaderEnvironment) -> String {
        if let override = environment.variables["GEMINI_CLI_HOME"]?.trimmingCharacters(in: .whitespaces),
            !override.isEmpty
        {
            return ReaderPaths.joined(ReaderPaths.expand(override, home: environment.home), ".gemini")
        }
        return ReaderPaths.joined(environment.home, ".gemini")
    }

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        [ReaderPaths.joined(Self.geminiDirectory(in: environment), "tmp")]
    }

    /// `tmp/<project>/chats/session-*.json[l]` and subagent transcripts
    /// `tmp/<project>/chats/<parent>/*.jsonl`. Other files under `tmp` (logs,
    /// checkpoints, tool outputs) are not records.
    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        var found = Set<String>()
        for root in searchRoots(in: environment) {
            let walk = RecordFileWalker.files(under: root, maxDepth: 3) {
                $0.hasSuffix(".json") || $0.hasSuffix(".jsonl")
            }
            for path in walk.files {
                guard let parts = GeminiPaths.components(of: path, below: root) else { continue }
                let name = parts.last ?? ""
                if parts.count == 3, parts[1] == "chats", name.hasPrefix("session-") {
                    found.insert(path)
                } else if parts.count == 4, parts[1] == "chats", name.hasSuffix(".jsonl") {
                    found.insert(path)
                }
            }
        }
        return found.sorted()
    }

    public func readRecords(
        path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void
    ) throws -> ReadProgress {
        let place = GeminiFilePlace(path: path)
        if path.hasSuffix(".json") {
            return try readDocument(path: path, place: place, sink: sink)
        }
        return try readLines(path: path, place: place, from: offset, state: state, sink: sink)
    }

    // MARK: - JSON Lines

    /// What a `.jsonl` read leaves for the next one.
    struct LinesState: Codable, Equatable {
        var offset: Int64
        var identity: GeminiFileIdentity
        /// The conversation's own session id, once its metadata line was read.
        var sessionID: String?
        var lastTimestamp: Double?
        var lastModel: String?
        /// The first recorded workspace directory, when the project folder gave no cwd.
        var recordedDirectory: String?
        /// Whether a message was read already: the session id is then settled (a file
        /// read in two runs must key its records as one read does; found by fuzzing).
        var messagesSeen: Bool?
    }

    private func readLines(
        path: String, place: GeminiFilePlace, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void
    ) throws -> ReadProgress {
        var interpreter = GeminiInterpreter(place: place, fileTime: GeminiPaths.modificationTime(path))
        var start = offset
        if let data = state, let previous = try? JSONDecoder().decode(LinesState.self, from: data),
            previous.offset >= offset, let size = GeminiFileIdentity.size(of: path), size >= previous.offset,
            GeminiFileIdentity.of(path: path, upTo: previous.offset) == previous.identity
        {
            // The same file, only longer: resume after what was read.
            start = previous.offset
            interpreter.resume(previous)
        }
        var builder = GeminiStyleBatch()
        var linesRead = 0
        var linesSkipped = 0
        let decoder = JSONDecoder()
        let outcome = try JSONLinesFile.forEachLine(path: path, from: start) { line, _ in
            if let record = JSONDepthLimit.decode(GeminiRecord.self, from: Data(buffer: line), using: decoder) {
                let dropped = interpreter.handle(record, into: &builder)
                linesRead += 1
                linesSkipped += dropped
            } else {
                linesSkipped += 1
            }
            try builder.flushIfFull(sink)
        }
        try builder.flush(sink)
        let identity = GeminiFileIdentity.of(path: path, upTo: outcome.consumedTo)
        let next = identity.map {
            LinesState(
                offset: outcome.consumedTo, identity: $0, sessionID: interpreter.ownSessionID,
                lastTimestamp: interpreter.lastTimestamp?.timeIntervalSince1970, lastModel: interpreter.lastModel,
                recordedDirectory: interpreter.recordedDirectory, messagesSeen: interpreter.messagesSeen > 0)
        }
        return ReadProgress(
            offset: outcome.consumedTo, state: try next.map { try JSONEncoder().encode($0) }, linesRead: linesRead,
            linesSkipped: linesSkipped + outcome.skippedLines, trailingBytes: outcome.trailingBytes)
    }

    // MARK: - JSON document

    /// Reads a whole `session-*.json`. A document that does not parse (being written,
    /// or cut off) counts as one skipped line; the next change reads it again.
    private func readDocument(path: String, place: GeminiFilePlace, sink: (ReadBatch) throws -> Void) throws
        -> ReadProgress
    {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard !data.isEmpty else { return ReadProgress(offset: 0, state: nil) }
        let file = JSONDocument(data)
        guard let document = JSONDepthLimit.decode(GeminiRecord.self, from: file.bytes, using: JSONDecoder()) else {
            // Cut off while rewritten, or a shape Gemini CLI changed: counted, and read
            // again when the file changes.
            var drift = ReadBatch()
            drift.noteUnrecognized(.shape, "session-json")
            try sink(drift)
            return ReadProgress(offset: Int64(data.count), state: nil, linesRead: 0, linesSkipped: 1)
        }
        guard document.message == nil else {
            // One message at the top level is not a conversation document (a session file
            // holds `messages`): counted as drift, and none of its tokens, so that a file
            // whose first line happens to be a complete message is not counted as one
            // before the rest arrives (found by fuzzing).
            var drift = ReadBatch()
            drift.noteUnrecognized(.shape, "session-json-message")
            try sink(drift)
            return ReadProgress(offset: Int64(data.count), state: nil, linesRead: 1, linesSkipped: 0)
        }
        var interpreter = GeminiInterpreter(place: place, fileTime: GeminiPaths.modificationTime(path))
        var builder = GeminiStyleBatch()
        let dropped = interpreter.handle(document, into: &builder)
        try builder.flush(sink)
        var tail = ReadBatch()
        let skippedTail = file.noteTrailing("session-json", into: &tail)
        if !tail.isEmpty { try sink(tail) }
        return ReadProgress(
            offset: Int64(data.count), state: nil, linesRead: 1 + interpreter.messagesSeen, linesSkipped: dropped + skippedTail)
    }
}

/// Where a record file sits: which project folder (for the cwd) and, for a subagent
/// transcript, which parent session.
struct GeminiFilePlace {
    /// `chats/<parent>/<file>.jsonl`: the parent session's id.
    var parentSessionID: String?
    /// The project's working directory, from `.project_root` or `projects.json`.
    var cwd: String?
    /// The file's name without extension: the session id when no record says it.
    var stem: String

    init(path: String) {
        stem = GeminiPaths.stem(path)
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let count = parts.count
        var projectIndex: Int?
        if count >= 4, parts[count - 3] == "chats" {
            parentSessionID = parts[count - 2]
            projectIndex = count - 4
        } else if count >= 3, parts[count - 2] == "chats" {
            projectIndex = count - 3
        }
        guard let index = projectIndex, index >= 1 else { return }
        let project = parts[index]
        let tmp = "/" + parts[..<index].joined(separator: "/")
        let geminiDir = "/" + parts[..<(index - 1)].joined(separator: "/")
        cwd = Self.projectRoot(tmp: tmp, project: project, geminiDir: geminiDir)
    }

    /// `<tmp>/<project>/.project_root` (written by versions with short project names),
    /// else the path that `projects.json` maps to this short name.
    static func projectRoot(tmp: String, project: String, geminiDir: String) -> String? {
        let marker = ReaderPaths.joined(ReaderPaths.joined(tmp, project), ".project_root")
        if let text = try? String(contentsOfFile: marker, encoding: .utf8) {
            let root = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !root.isEmpty { return root }
        }
        let registry = ReaderPaths.joined(geminiDir, "projects.json")
        guard let data = FileManager.default.contents(atPath: registry),
            let object = LooseJSON.object(LooseJSON.parse(data)),
            let projects = object["projects"] as? [String: Any]
        else { return nil }
        return projects.first { ($0.value as? String) == project }?.key
    }
}

/// One record of a Gemini CLI chat file: a message, the metadata line, a `$set`
/// update, a `$rewindTo`, or (for `.json` files) the whole document.
struct GeminiRecord: Decodable {
    var message: GeminiMessage?
    var sessionID: String?
    var set: GeminiSetRecord?
    var rewindTo: String?
    /// Messages of a whole `.json` document.
    var messages: [GeminiMessage]?
    var droppedMessages = 0
    /// Workspace directories of the metadata line or document.
    var directories: [String]?
    /// Whether the record is any of the shapes above (a metadata line names its
    /// session; a message its id).
    var isKnownShape: Bool { message != nil || sessionID != nil || set != nil || rewindTo != nil || messages != nil }

    enum CodingKeys: String, CodingKey {
        case id, sessionId, messages, directories
        case set = "$set"
        case rewindTo = "$rewindTo"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.geminiLenient(String.self, .id) != nil {
            message = try GeminiMessage(from: decoder)
        }
        sessionID = container.geminiLenient(String.self, .sessionId)
        set = container.geminiLenient(GeminiSetRecord.self, .set)
        rewindTo = container.geminiLenient(String.self, .rewindTo)
        if let list = container.geminiLenientArray(GeminiMessage.self, .messages) {
            messages = list.values
            droppedMessages = list.dropped
        }
        directories = container.geminiLenient([String].self, .directories)
    }
}

struct GeminiSetRecord: Decodable {
    var sessionID: String?
    var messages: [GeminiMessage]?
    var droppedMessages = 0
    var directories: [String]?

    enum CodingKeys: String, CodingKey { case sessionId, messages, directories }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sessionID = container.geminiLenient(String.self, .sessionId)
        directories = container.geminiLenient([String].self, .directories)
        if let list = container.geminiLenientArray(GeminiMessage.self, .messages) {
            messages = list.values
            droppedMessages = list.dropped
        }
    }
}

struct GeminiMessage: Decodable {
    var id: String
    var timestamp: String?
    var type: String?
    var model: String?
    var tokens: GeminiStyleUsage?
    var toolCalls: [GeminiToolCall]

    enum CodingKeys: String, CodingKey { case id, timestamp, type, model, tokens, toolCalls }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        timestamp = container.geminiLenient(String.self, .timestamp)
        type = container.geminiLenient(String.self, .type)
        model = container.geminiLenient(String.self, .model)
        tokens = container.geminiLenient(GeminiTokens.self, .tokens)?.usage
        toolCalls = container.geminiLenientArray(GeminiToolCall.self, .toolCalls)?.values ?? []
    }
}

/// Gemini CLI's `tokens` summary of a response's `usageMetadata`.
struct GeminiTokens: Decodable {
    var usage = GeminiStyleUsage()

    enum CodingKeys: String, CodingKey { case input, output, cached, thoughts, tool, total }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) -> Int64 { container.geminiLenient(GeminiLenientInt.self, key)?.value ?? 0 }
        usage = GeminiStyleUsage(
            prompt: number(.input), candidates: number(.output), cached: number(.cached), thoughts: number(.thoughts),
            tool: number(.tool), total: number(.total))
    }
}

struct GeminiToolCall: Decodable {
    var id: String?
    var name: String?
    var arguments: GeminiEditArguments?
    var status: String?
    var timestamp: String?
    var display: GeminiFileDiffDisplay?

    enum CodingKeys: String, CodingKey { case id, name, args, status, timestamp, resultDisplay }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = container.geminiLenient(String.self, .id)
        name = container.geminiLenient(String.self, .name)
        // Only edit calls need their arguments decoded.
        if GeminiEdits.isEditTool(name) {
            arguments = container.geminiLenient(GeminiEditArguments.self, .args)
            display = container.geminiLenient(GeminiFileDiffDisplay.self, .resultDisplay)
        }
        status = container.geminiLenient(String.self, .status)
        timestamp = container.geminiLenient(String.self, .timestamp)
    }
}

/// Turns records into events; holds what carries from record to record.
struct GeminiInterpreter {
    let place: GeminiFilePlace
    let fileTime: Date
    /// The conversation's own session id, from its metadata once seen.
    private(set) var ownSessionID: String?
    private(set) var lastTimestamp: Date?
    private(set) var lastModel: String?
    private(set) var messagesSeen = 0
    /// The first workspace directory a record named (cwd when the folder gives none).
    private(set) var recordedDirectory: String?

    /// Message types Gemini CLI writes (`chatRecordingTypes.ts`).
    static let messageTypes: Set<String> = ["user", "gemini", "model", "info", "error", "warning"]
    /// Tools that write no file (edits are `GeminiEdits`): Gemini CLI's built-in tools.
    static let otherTools: Set<String> = [
        "read_file", "read_many_files", "list_directory", "glob", "search_file_content", "grep_search",
        "run_shell_command", "web_fetch", "google_web_search", "save_memory", "write_todos", "delegate_to_agent",
        "activate_skill", "codebase_investigator", "get_internal_docs", "ask_user", "enter_plan_mode",
        "exit_plan_mode", "complete_task", "cli_help",
    ]

    init(place: GeminiFilePlace, fileTime: Date) {
        self.place = place
        self.fileTime = fileTime
    }

    mutating func resume(_ state: GeminiCLIReader.LinesState) {
        ownSessionID = state.sessionID
        lastTimestamp = state.lastTimestamp.map(Date.init(timeIntervalSince1970:))
        lastModel = state.lastModel
        recordedDirectory = state.recordedDirectory
        if state.messagesSeen == true { messagesSeen = max(messagesSeen, 1) }
    }

    /// The session's working directory: the project folder's, else a recorded one.
    private var cwd: String? { place.cwd ?? recordedDirectory }

    /// Scope of every dedup key: the conversation's own id.
    private var keyScope: String { ownSessionID ?? place.stem }
    /// Session the events belong to: the parent for a subagent.
    private var sessionID: String { place.parentSessionID ?? keyScope }

    /// Handles a record; returns how many messages inside it were malformed.
    mutating func handle(_ record: GeminiRecord, into builder: inout GeminiStyleBatch) -> Int {
        if let message = record.message {
            handle(message, into: &builder)
            return 0
        }
        guard record.isKnownShape else {
            // Well-formed JSON of a shape not known here: format drift, not a malformed line.
            builder.noteUnrecognized(.shape, "record")
            return 0
        }
        if recordedDirectory == nil,
            let directory = (record.directories ?? record.set?.directories)?.first(where: { $0.hasPrefix("/") })
        {
            recordedDirectory = directory
        }
        var dropped = record.droppedMessages
        // The metadata line (or document) names the session: only before any message,
        // so that every key of a file has one scope.
        if let id = record.sessionID ?? record.set?.sessionID, !id.isEmpty, ownSessionID == nil, messagesSeen == 0 {
            ownSessionID = id
        }
        for message in record.messages ?? [] { handle(message, into: &builder) }
        if let set = record.set {
            dropped += set.droppedMessages
            for message in set.messages ?? [] { handle(message, into: &builder) }
        }
        // `$rewindTo`: messages after the point leave the conversation, but their
        // spend and edits stand (see the reader's documentation).
        return dropped
    }

    private mutating func handle(_ message: GeminiMessage, into builder: inout GeminiStyleBatch) {
        messagesSeen += 1
        if let type = message.type, !Self.messageTypes.contains(type) { builder.noteUnrecognized(.recordType, type) }
        for call in message.toolCalls {
            guard let name = call.name, !GeminiEdits.isEditTool(name), !Self.otherTools.contains(name) else { continue }
            builder.noteUnrecognized(.toolName, name)
        }
        let time = resolve(message.timestamp)
        let isModel = message.type == "gemini" || message.type == "model"
        var model: String?
        if isModel, let recorded = message.model, !recorded.isEmpty {
            lastModel = recorded
            model = recorded
        } else if isModel || message.tokens != nil {
            model = lastModel
        }
        builder.observe(
            SessionObservation(tool: .geminiCLI, sessionID: sessionID, cwd: cwd, timestamp: time, model: model))
        if let usage = message.tokens, !usage.tokens.isZero {
            builder.add(
                usage: UsageEvent(
                    tool: .geminiCLI, sessionID: sessionID, timestamp: time, model: model ?? "unknown",
                    tokens: usage.tokens, dedupKey: "\(keyScope):\(message.id)"))
        }
        for (index, call) in message.toolCalls.enumerated() {
            guard let name = call.name, GeminiEdits.isEditTool(name), let arguments = call.arguments,
                let filePath = arguments.filePath, !filePath.isEmpty
            else { continue }
            let callKey = call.id.flatMap { $0.isEmpty ? nil : $0 } ?? "\(message.id):\(index)"
            let added =
                GeminiEdits.failed(status: call.status)
                ? [] : GeminiEdits.addedLines(tool: name, arguments, display: call.display)
            builder.add(
                edit: EditEvent(
                    tool: .geminiCLI, sessionID: sessionID,
                    timestamp: call.timestamp.flatMap(Timestamps.parse) ?? time, dedupKey: "\(keyScope):\(callKey)",
                    filePath: filePath, cwd: cwd, addedLines: added))
        }
    }

    private mutating func resolve(_ text: String?) -> Date {
        if let text, let time = Timestamps.parse(text) {
            lastTimestamp = time
            return time
        }
        return lastTimestamp ?? fileTime
    }
}
