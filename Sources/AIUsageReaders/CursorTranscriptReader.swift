import AIUsageCore
import Foundation

extension ToolKind {
    /// Cursor (editor and `cursor-agent` CLI).
    public static let cursor = ToolKind(rawValue: "cursor")
}

/// Reads Cursor agent transcripts, `~/.cursor/projects/<workspace slug>/agent-transcripts/`:
/// one `{"role", "message": {"content": [...]}}` record per line, content blocks in the
/// Anthropic shape (`text`, `thinking`, `tool_use`), and `{"type": "turn_ended",
/// "status": ...}` closing each turn. Appended to only (`.appendOnly`).
///
/// Layouts: the flat `agent-transcripts/<session>.jsonl` of early 2026, and the nested
/// `agent-transcripts/<session>/<session>.jsonl` of current versions, whose subagents
/// write `<session>/subagents/<agent>.jsonl`: a subagent's edits and usage belong to
/// the parent session (like Claude Code subagents), its keys to its own file.
///
/// What they give: edits (`Write` contents, `StrReplace` / `Edit` / `search_replace`
/// old → new, `MultiEdit`, `edit_file` code edits, `ApplyPatch`), keyed by the block's
/// `id` when it has one, else `<file>:<byte offset of the line's end>:<block>` —
/// deterministic on re-reads and increments, as the file only grows. Added lines
/// follow the exact-text rule (`AddedLines`). Current transcripts carry no tokens or
/// model: usage is taken only if a record has a Claude-style `message.usage`. Times
/// come from the `<timestamp>` Cursor puts in each user query (carried across
/// increments in the state), else the file's modification time. An edit the user
/// rejected cannot be told apart. Record types, roles, block types and tool names not
/// known here are counted as format drift (`ReadBatch.drift`).
///
/// The workspace slug is the folder path with `/` (and `.`) turned into `-`, which is
/// ambiguous; the working directory is recovered by finding the existing folder the
/// slug spells (else left unknown: recorded paths are absolute anyway). Workspace-less
/// CLI sessions (`projects/agent-transcripts/…`, or a numeric slug) have none.
public struct CursorTranscriptReader: SessionReader {
    public let tool: ToolKind = .cursor

    public init() {}

    static let batchLimit = 2000

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        [OpenCodeStorageReader.trimmingSlash(environment.home) + "/.cursor/projects"]
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        searchRoots(in: environment).flatMap { root in
            RecordFileWalker.files(under: root, maxDepth: 5) { $0.hasSuffix(".jsonl") }.files
                .filter { $0.contains("/agent-transcripts/") }
        }
    }

    /// Which session a transcript belongs to and what scopes its keys.
    struct Place: Equatable {
        /// The session the events belong to: the parent for a subagent.
        var sessionID: String
        /// The file's own id, scoping keys that have no id of their own.
        var keyScope: String

        init(path: String) {
            let parts = path.split(separator: "/").map(String.init)
            var stem = parts.last ?? path
            if stem.hasSuffix(".jsonl") { stem = String(stem.dropLast(6)) }
            keyScope = stem
            if parts.count >= 3, parts[parts.count - 2] == "subagents" {
                sessionID = parts[parts.count - 3]
            } else {
                sessionID = stem
            }
        }
    }

    /// Carried to the next increment: the last time a user query named.
    struct State: Codable, Equatable {
        var lastTimestamp: Double?
    }

    static let roles: Set<String> = ["user", "assistant", "system"]
    static let recordTypes: Set<String> = ["turn_ended", "turn_started"]
    static let blockTypes: Set<String> = ["text", "thinking", "redacted_thinking", "tool_use", "tool_result", "image"]
    /// Tools that write no file (Cursor agent's tool names, lower-cased).
    static let otherTools: Set<String> = [
        "read", "read_file", "shell", "run_terminal_cmd", "grep", "glob", "glob_file_search", "ls", "list_dir",
        "websearch", "web_search", "webfetch", "web_fetch", "todowrite", "todo_write", "task", "codebase_search",
        "semanticsearch", "semantic_search", "delete", "delete_file", "readlints", "read_lints", "fetch_rules",
        "askquestion", "ask_question", "createplan", "create_plan", "switchmode", "mcp", "callmcptool",
        "listmcpresources", "fetchmcpresource", "generateimage", "editnotebook", "edit_notebook", "awaitshell",
        "killshell", "readshell", "subagent", "update_memory", "grep_search", "file_search", "create_diagram",
        "reapply", "parallel_apply", "read_file_v2", "run_terminal_command_v2", "list_dir_v2",
    ]

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        let place = Place(path: path)
        let sessionID = place.sessionID
        let scope = place.keyScope
        let fileTime = OpenCodeStorageReader.modificationTime(path) ?? Date(timeIntervalSince1970: 0)
        let cwd = Self.workspace(ofTranscript: path)
        let previous = state.flatMap { try? JSONDecoder().decode(State.self, from: $0) } ?? State()
        var lastTime = previous.lastTimestamp.map(Date.init(timeIntervalSince1970:))
        var batch = ReadBatch()
        var read = 0
        var skipped = 0
        var firstTime: Date?
        var model: String?
        let outcome = try JSONLinesFile.forEachLine(path: path, from: offset) { line, end in
            guard let record = JSONDict.object(Data(buffer: line)) else {
                skipped += 1
                return
            }
            read += 1
            let message = JSONDict.object(record, "message")
            let role = JSONDict.string(record, "role") ?? JSONDict.string(message, "role")
            if let type = JSONDict.string(record, "type"), role == nil {
                if !Self.recordTypes.contains(type) { batch.noteUnrecognized(.recordType, type) }
                return
            }
            guard let role else {
                batch.noteUnrecognized(.shape, "record")
                return
            }
            if !Self.roles.contains(role) { batch.noteUnrecognized(.recordType, "role:\(role)") }
            let blocks = (JSONDict.array(message, "content") ?? []).compactMap { $0 as? [String: Any] }
            for block in blocks {
                let type = JSONDict.string(block, "type") ?? "(none)"
                if !Self.blockTypes.contains(type) { batch.noteUnrecognized(.recordType, "block:\(type)") }
            }
            if role == "user", let stamped = Self.queryTimestamp(blocks) { lastTime = stamped }
            let time = JSONDict.date(record, "timestamp") ?? JSONDict.date(message, "timestamp")
            if let time { lastTime = time }
            if firstTime == nil { firstTime = time ?? lastTime }
            if let named = JSONDict.string(record, "model") ?? JSONDict.string(message, "model") { model = named }
            let at = time ?? lastTime ?? fileTime
            if let usage = JSONDict.object(message, "usage") {
                let tokens = TokenCounts(
                    input: JSONDict.int64(usage, "input_tokens") ?? 0, output: JSONDict.int64(usage, "output_tokens") ?? 0,
                    cacheWrite: JSONDict.int64(usage, "cache_creation_input_tokens") ?? 0,
                    cacheRead: JSONDict.int64(usage, "cache_read_input_tokens") ?? 0)
                if !tokens.isZero {
                    batch.usage.append(
                        UsageEvent(
                            tool: .cursor, sessionID: sessionID, timestamp: at, model: model ?? "unknown", tokens: tokens,
                            dedupKey: JSONDict.string(message, "id") ?? "\(scope):\(end)"))
                }
            }
            if role == "assistant" {
                for (index, block) in blocks.enumerated() {
                    guard JSONDict.string(block, "type") == "tool_use", let toolName = JSONDict.string(block, "name") else {
                        continue
                    }
                    guard Self.isEditTool(toolName) else {
                        if !Self.otherTools.contains(toolName.lowercased()), !toolName.lowercased().hasPrefix("mcp") {
                            batch.noteUnrecognized(.toolName, toolName)
                        }
                        continue
                    }
                    guard let input = JSONDict.object(block, "input") else {
                        batch.noteUnrecognized(.shape, "\(toolName)-input")
                        continue
                    }
                    let key = JSONDict.string(block, "id") ?? "\(scope):\(end):\(index)"
                    for (fileIndex, change) in EditToolCalls.files(tool: toolName, input).enumerated() {
                        batch.edits.append(
                            EditEvent(
                                tool: .cursor, sessionID: sessionID, timestamp: at, dedupKey: "\(key):\(fileIndex)",
                                filePath: change.path, cwd: cwd, addedLines: change.added))
                    }
                }
            }
            if batch.count >= Self.batchLimit {
                try sink(batch)
                batch = ReadBatch()
            }
        }
        if read > 0 {
            batch.observations.append(
                SessionObservation(tool: .cursor, sessionID: sessionID, cwd: cwd, timestamp: firstTime ?? fileTime, model: model))
        }
        if !batch.isEmpty { try sink(batch) }
        let next = State(lastTimestamp: lastTime?.timeIntervalSince1970)
        return ReadProgress(
            offset: outcome.consumedTo, state: next == State() ? nil : try JSONEncoder().encode(next), linesRead: read,
            linesSkipped: skipped + outcome.skippedLines, trailingBytes: outcome.trailingBytes)
    }

    /// The `<timestamp>…</timestamp>` Cursor writes at the head of a user query (ISO
    /// 8601). Only the time is taken from the text.
    static func queryTimestamp(_ blocks: [[String: Any]]) -> Date? {
        for block in blocks where JSONDict.string(block, "type") == "text" {
            guard let text = JSONDict.string(block, "text"), let open = text.range(of: "<timestamp>"),
                let close = text.range(of: "</timestamp>", range: open.upperBound..<text.endIndex),
                text.distance(from: open.upperBound, to: close.lowerBound) <= 64
            else { continue }
            if let date = Timestamps.parse(
                String(text[open.upperBound..<close.lowerBound])
                    .trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return date
            }
        }
        return nil
    }

    static let editToolNames: Set<String> = [
        "write", "create_file", "write_file", "strreplace", "str_replace", "edit", "search_replace", "replace",
        "multiedit", "edit_file", "applypatch", "apply_patch",
    ]

    static func isEditTool(_ name: String) -> Bool { editToolNames.contains(name.lowercased()) }

    /// The workspace folder a transcript belongs to, from the slug folder after
    /// `projects/`: each `-` may stand for `/`, `.` or itself; the existing folder wins.
    static func workspace(ofTranscript path: String) -> String? {
        let components = path.split(separator: "/").map(String.init)
        guard let index = components.lastIndex(of: "projects"), index + 1 < components.count - 1,
            components[index + 1] != "agent-transcripts"
        else { return nil }
        let tokens = components[index + 1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard !tokens.isEmpty, !tokens[0].isEmpty else { return nil }
        var budget = 2000  // directory probes: a pathological slug must not stall a scan
        func isDirectory(_ path: String) -> Bool {
            budget -= 1
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
        }
        /// The folder names a run of tokens may spell: every mix of `-` and `.` for
        /// short runs, plain `-` for long ones (UUIDs).
        func names(_ group: ArraySlice<String>) -> [String] {
            guard group.count > 1, group.count <= 5, let first = group.first else { return [group.joined(separator: "-")] }
            var result = [first]
            for token in group.dropFirst() {
                result = result.flatMap { [$0 + "-" + token, $0 + "." + token] }
            }
            return result
        }
        func resolve(_ prefix: String, _ start: Int) -> String? {
            guard budget > 0 else { return nil }
            if start == tokens.count { return prefix }
            for end in start..<tokens.count {
                for name in names(tokens[start...end]) {
                    let candidate = prefix + "/" + name
                    if isDirectory(candidate), let found = resolve(candidate, end + 1) { return found }
                }
            }
            return nil
        }
        return resolve("", 0)
    }
}
