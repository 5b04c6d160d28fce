import AIUsageCore
import Foundation

extension ToolKind {
    public static let amp = ToolKind(rawValue: "amp")
}

/// Reads Amp (ampcode.com) threads: `${AMP_DATA_DIR:-$XDG_DATA_HOME/amp}/threads/T-*.json`,
/// default `~/.local/share/amp/threads/`, one JSON document per thread that Amp
/// rewrites in place as the thread grows (hence `.rewritten`).
///
/// - Usage: every assistant message carries its own `usage` (Anthropic-style
///   `inputTokens` uncached, `cacheCreationInputTokens`, `cacheReadInputTokens`,
///   `outputTokens`), keyed `"<thread id>:<messageId>"`, so a re-read of the rewritten
///   file yields the same keys. A recorded cost (`costUSD` / `cost`, absent in the
///   samples) becomes `recordedCostUSD`.
/// - Context: the thread's first workspace tree (`env.initial.trees[0]`) gives the
///   working directory (its `file://` URI). Its `repository` (`url`, `ref`, `sha` at
///   thread start) has no place in the model yet and is not handed out.
/// - Edits: `edit_file` (`old_str` / `new_str`) and `create_file` (`content`) tool
///   uses, one `EditEvent` per call keyed by the tool-use id. What was applied is
///   preferred: the result's unified `diff` when present, else the call's input. A
///   call whose result is an error / cancellation, or has no result yet (thread still
///   running: the next rewrite is read again), adds nothing. Added lines follow the
///   exact-text rule (`AddedLines`): a re-indented line was written.
/// - Format drift: a message role, content block type or tool name this reader does
///   not know is counted in the batch (`ReadBatch.drift`), and so is a thread file
///   that is not a JSON object at all. A value nested past Foundation's depth limit in
///   a field not read (a tool output) no longer costs the thread (`JSONDepthLimit`).
public struct AmpReader: SessionReader {
    public let tool: ToolKind = .amp
    public var fileKind: RecordFileKind { .rewritten }

    public init() {}

    /// `$AMP_DATA_DIR`, else `$XDG_DATA_HOME/amp`, else `~/.local/share/amp`.
    static func dataDirectory(in environment: ReaderEnvironment) -> String {
        if let explicit = ReaderPaths.variable("AMP_DATA_DIR", in: environment) { return explicit }
        if let xdg = ReaderPaths.variable("XDG_DATA_HOME", in: environment) { return xdg + "/amp" }
        return ReaderPaths.trimmed(environment.home) + "/.local/share/amp"
    }

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        [Self.dataDirectory(in: environment) + "/threads"]
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        searchRoots(in: environment).flatMap { root in
            RecordFileWalker.files(under: root, maxDepth: 0) { $0.hasPrefix("T-") && $0.hasSuffix(".json") }.files
        }
    }

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        let data = try Self.readWholeFile(path)
        let size = Int64(data.count)
        let document = JSONDocument(data)
        guard let thread = LooseJSON.object(LooseJSON.parse(document.bytes)) else {
            // Empty, or cut off mid-rewrite: nothing now, read again when it changes.
            // Counted, so that a thread format Amp changed is seen, not silently lost.
            if !data.isEmpty {
                var drift = ReadBatch()
                drift.noteUnrecognized(.shape, "thread-not-json-object")
                try sink(drift)
            }
            return ReadProgress(offset: size, state: nil, linesRead: 0, linesSkipped: data.isEmpty ? 0 : 1)
        }
        var parse = AmpThreadParse(thread: thread, fallbackID: Self.threadID(fromPath: path))
        var batch = parse.run()
        let tail = document.noteTrailing("thread", into: &batch)
        if !batch.isEmpty { try sink(batch) }
        return ReadProgress(
            offset: size, state: nil, linesRead: parse.messagesRead, linesSkipped: parse.messagesSkipped + tail)
    }

    /// `T-<uuid>.json` → `T-<uuid>`.
    static func threadID(fromPath path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return name.hasSuffix(".json") ? String(name.dropLast(5)) : name
    }

    /// The whole file; throws (so the ingestor retries) only when it cannot be read.
    static func readWholeFile(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JSONLinesFile.Failure.cannotOpen(path: path, errno: access(path, R_OK) == 0 ? EIO : errno)
        }
        return data
    }
}

/// One pass over a parsed thread document.
struct AmpThreadParse {
    let thread: [String: Any]
    let threadID: String
    let cwd: String?
    let created: Date
    var messagesRead = 0
    var messagesSkipped = 0
    /// Usage on a message without `messageId`: not keyable, so not counted (drift).
    var unkeyedUsage = 0

    /// Tool names whose input says what was written.
    static let editTools: Set<String> = ["edit_file", "create_file"]
    /// Tools known to write no file (or to write through the edit tools above): not
    /// format drift. From Amp's tool list (ampcode.com/manual) and the real threads.
    static let otherTools: Set<String> = [
        "Read", "read_file", "Bash", "bash", "Grep", "grep", "glob", "Glob", "list_directory", "codebase_search_agent",
        "read_web_page", "web_search", "mermaid", "Task", "oracle", "todo_read", "todo_write", "undo_edit",
        "format_file", "get_diagnostics", "read_mcp_resource", "librarian", "find_thread", "read_thread", "look_at",
        "skill", "painter",
    ]
    static let roles: Set<String> = ["user", "assistant", "info"]
    static let blockTypes: Set<String> = [
        "text", "thinking", "redacted_thinking", "tool_use", "tool_result", "image", "summary", "manual_bash_invocation",
    ]

    init(thread: [String: Any], fallbackID: String) {
        self.thread = thread
        threadID = LooseJSON.string(thread["id"]) ?? fallbackID
        let initial = LooseJSON.object(LooseJSON.object(thread["env"])?["initial"])
        var cwd: String?
        for tree in LooseJSON.array(initial?["trees"]) {
            guard let tree = LooseJSON.object(tree), let uri = LooseJSON.string(tree["uri"]) else { continue }
            if let path = LooseJSON.localPath(fromURI: uri) {
                cwd = path
                break
            }
        }
        self.cwd = cwd
        created = LooseJSON.date(thread["created"]) ?? Date(timeIntervalSince1970: 0)
    }

    mutating func run() -> ReadBatch {
        var batch = ReadBatch()
        let messages = LooseJSON.array(thread["messages"])
        batch.observations.append(
            SessionObservation(
                tool: .amp, sessionID: threadID, cwd: cwd, timestamp: created, model: initialModel()))

        // Results first: an edit counts what its result says was applied.
        var results: [String: [String: Any]] = [:]
        for case let message as [String: Any] in messages where LooseJSON.string(message["role"]) == "user" {
            for case let block as [String: Any] in LooseJSON.array(message["content"])
            where LooseJSON.string(block["type"]) == "tool_result" {
                if let id = LooseJSON.string(block["toolUseID"]) ?? LooseJSON.string(block["tool_use_id"]),
                    let run = LooseJSON.object(block["run"])
                {
                    results[id] = run
                }
            }
        }

        var lastTime = created
        for message in messages {
            guard let message = LooseJSON.object(message), let role = LooseJSON.string(message["role"]) else {
                messagesSkipped += 1
                batch.noteUnrecognized(.shape, "message")
                continue
            }
            messagesRead += 1
            if !Self.roles.contains(role) { batch.noteUnrecognized(.recordType, "role:\(role)") }
            for case let block as [String: Any] in LooseJSON.array(message["content"]) {
                let type = LooseJSON.string(block["type"]) ?? "(none)"
                if !Self.blockTypes.contains(type) { batch.noteUnrecognized(.recordType, "block:\(type)") }
            }
            let usage = LooseJSON.object(message["usage"])
            let time = LooseJSON.date(usage?["timestamp"]) ?? LooseJSON.date(LooseJSON.object(message["meta"])?["sentAt"]) ?? lastTime
            lastTime = time
            guard role == "assistant" else { continue }
            let model = LooseJSON.string(usage?["model"])
            if let usage, let event = usageEvent(usage, message: message, time: time, model: model) {
                batch.usage.append(event)
                batch.observations.append(SessionObservation(tool: .amp, sessionID: threadID, cwd: cwd, timestamp: time, model: model))
            }
            for case let block as [String: Any] in LooseJSON.array(message["content"])
            where LooseJSON.string(block["type"]) == "tool_use" {
                guard let name = LooseJSON.string(block["name"]), Self.editTools.contains(name) else {
                    let name = LooseJSON.string(block["name"]) ?? "(none)"
                    if !Self.otherTools.contains(name), !name.hasPrefix("mcp__") { batch.noteUnrecognized(.toolName, name) }
                    continue
                }
                guard let id = LooseJSON.string(block["id"]), let input = LooseJSON.object(block["input"]),
                    let path = LooseJSON.string(input["path"])
                else {
                    messagesSkipped += 1
                    batch.noteUnrecognized(.shape, "\(name)-input")
                    continue
                }
                guard let run = results[id], LooseJSON.string(run["status"]) == "done",
                    let added = addedLines(tool: name, input: input, result: LooseJSON.object(run["result"]))
                else { continue }
                batch.edits.append(
                    EditEvent(
                        tool: .amp, sessionID: threadID, timestamp: time, dedupKey: id, filePath: path, cwd: cwd,
                        addedLines: added))
            }
        }
        for _ in 0..<unkeyedUsage { batch.noteUnrecognized(.shape, "usage-without-messageId") }
        return batch
    }

    /// The model the thread started with: `env.initial.tags` holds `model:<name>`.
    private func initialModel() -> String? {
        let initial = LooseJSON.object(LooseJSON.object(thread["env"])?["initial"])
        for case let tag as String in LooseJSON.array(initial?["tags"]) where tag.hasPrefix("model:") {
            let model = String(tag.dropFirst("model:".count))
            if !model.isEmpty { return model }
        }
        return nil
    }

    private mutating func usageEvent(_ usage: [String: Any], message: [String: Any], time: Date, model: String?) -> UsageEvent? {
        guard let messageID = LooseJSON.int(message["messageId"]) else {
            messagesSkipped += 1
            unkeyedUsage += 1
            return nil
        }
        // `inputTokens` is already uncached: totalInputTokens = input + cache creation + cache read.
        let tokens = TokenCounts(
            input: LooseJSON.int(usage["inputTokens"]) ?? 0,
            output: LooseJSON.int(usage["outputTokens"]) ?? 0,
            cacheWrite: LooseJSON.int(usage["cacheCreationInputTokens"]) ?? 0,
            cacheRead: LooseJSON.int(usage["cacheReadInputTokens"]) ?? 0,
            reasoning: LooseJSON.int(usage["reasoningTokens"]) ?? 0)
        let cost = LooseJSON.double(usage["costUSD"]) ?? LooseJSON.double(usage["cost"])
        guard !tokens.isZero || cost != nil else { return nil }
        return UsageEvent(
            tool: .amp, sessionID: threadID, timestamp: time, model: model ?? "unknown", tokens: tokens,
            dedupKey: "\(threadID):\(messageID)", recordedCostUSD: cost)
    }

    /// What the call added: the applied diff when the result has one, else the input.
    private func addedLines(tool: String, input: [String: Any], result: [String: Any]?) -> [LineHash]? {
        if let diff = LooseJSON.string(result?["diff"]), let added = UnifiedDiffAddedLines.addedLines(in: diff) {
            return added
        }
        if tool == "create_file" {
            guard let content = input["content"] as? String else { return nil }
            return LineIdentity.significantHashes(ofText: content)
        }
        guard let new = input["new_str"] as? String else { return nil }
        return AddedLines.between(old: input["old_str"] as? String ?? "", new: new)
    }
}
