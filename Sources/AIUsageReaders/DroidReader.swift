import AIUsageCore
import Foundation

extension ToolKind {
    /// Factory's Droid (the `droid` CLI).
    public static let droid = ToolKind(rawValue: "droid")
}

/// Reads Factory Droid sessions, `${FACTORY_HOME:-~/.factory}/sessions/<folder slug>/`:
/// per session two files named for its id.
///
/// - `<id>.jsonl`, appended to (`.appendOnly`): a `session_start` record (id, `cwd`),
///   then `message` records whose `message.content` holds Anthropic-shaped blocks
///   (`text`, `tool_use`, `tool_result`), and `todo_state` records. Edits come from the
///   assistant's `Create`, `Edit`, `MultiEdit` and `ApplyPatch` calls (`EditToolCalls`),
///   keyed by the call's id; the working folder is carried to later increments in the
///   state, as only the first record names it.
/// - `<id>.settings.json`, rewritten as the session runs (`.rewritten`): the model and
///   `tokenUsage`, the session's running totals (`inputTokens` uncached, as the cache
///   counts sit beside it; `cacheCreationTokens`, `cacheReadTokens`,
///   `thinkingTokens`). Droid records no per-request counts, so a session's tokens are
///   one usage event keyed by the session id, at the time its provider was chosen
///   (`providerLockTimestamp`, else the file's modification time): the store keeps the
///   largest totals seen, so the event grows with the session. Thinking is taken as
///   part of the output unless it exceeds it.
///
/// Record types, roles, block types and tool names not known here are counted as
/// format drift (`ReadBatch.drift`). A call the user rejected cannot be told apart.
/// Tested on the one published session (git-ai's fixture) and records written from it.
public struct DroidReader: SessionReader {
    public let tool: ToolKind = .droid

    public init() {}

    static let batchLimit = 2000
    static let settingsSuffix = ".settings.json"

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        let home = OpenCodeStorageReader.trimmingSlash(environment.home)
        var base = environment.variables["FACTORY_HOME"] ?? ""
        if !base.hasPrefix("/") { base = home + "/.factory" }
        return [OpenCodeStorageReader.trimmingSlash(base) + "/sessions"]
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        searchRoots(in: environment).flatMap { root in
            RecordFileWalker.files(under: root, maxDepth: 2) { $0.hasSuffix(".jsonl") || $0.hasSuffix(Self.settingsSuffix) }.files
        }
    }

    public func fileKind(for path: String) -> RecordFileKind { path.hasSuffix(Self.settingsSuffix) ? .rewritten : .appendOnly }

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        path.hasSuffix(Self.settingsSuffix)
            ? try readSettings(path: path, sink: sink) : try readTranscript(path: path, from: offset, state: state, sink: sink)
    }

    /// The session id a file belongs to: its name without `.jsonl` / `.settings.json`.
    static func sessionID(ofPath path: String) -> String {
        let name = (path as NSString).lastPathComponent
        for suffix in [settingsSuffix, ".jsonl"] where name.hasSuffix(suffix) { return String(name.dropLast(suffix.count)) }
        return name
    }

    // MARK: - <id>.settings.json

    func readSettings(path: String, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        let data = try AmpReader.readWholeFile(path)
        let size = Int64(data.count)
        guard !data.isEmpty else { return ReadProgress(offset: 0, state: nil) }
        let document = JSONDocument(data)
        var batch = ReadBatch()
        guard let settings = JSONDict.object(document.bytes) else {
            // Cut off mid-rewrite, or a shape Droid changed: counted, read again on change.
            batch.noteUnrecognized(.shape, "settings-not-object")
            try sink(batch)
            return ReadProgress(offset: size, state: nil, linesSkipped: 1)
        }
        let skipped = document.noteTrailing("settings", into: &batch)
        let sessionID = Self.sessionID(ofPath: path)
        let time =
            JSONDict.date(settings, "providerLockTimestamp") ?? OpenCodeStorageReader.modificationTime(path)
            ?? Date(timeIntervalSince1970: 0)
        let model = JSONDict.string(settings, "model")
        batch.observations.append(SessionObservation(tool: .droid, sessionID: sessionID, cwd: nil, timestamp: time, model: model))
        if let usage = settings["tokenUsage"] {
            if let counts = usage as? [String: Any] {
                let tokens = Self.tokens(counts)
                if !tokens.isZero {
                    batch.usage.append(
                        UsageEvent(
                            tool: .droid, sessionID: sessionID, timestamp: time, model: model ?? "unknown", tokens: tokens,
                            dedupKey: sessionID))
                }
            } else {
                batch.noteUnrecognized(.shape, "tokenUsage")
            }
        }
        try sink(batch)
        return ReadProgress(offset: size, state: nil, linesRead: 1, linesSkipped: skipped)
    }

    /// Droid's session totals, normalised (`TokenCounts`: output includes reasoning).
    static func tokens(_ usage: [String: Any]) -> TokenCounts {
        func count(_ key: String) -> Int64 { max(0, JSONDict.int64(usage, key) ?? 0) }
        let output = count("outputTokens")
        let thinking = count("thinkingTokens")
        let (sum, overflow) = output.addingReportingOverflow(thinking)
        return TokenCounts(
            input: count("inputTokens"), output: thinking > output && !overflow ? sum : output,
            cacheWrite: count("cacheCreationTokens"), cacheRead: count("cacheReadTokens"), reasoning: thinking)
    }

    // MARK: - <id>.jsonl

    /// Carried to the next increment: the working folder `session_start` named.
    struct State: Codable, Equatable {
        var cwd: String?
    }

    static let recordTypes: Set<String> = ["session_start", "message", "todo_state"]
    static let roles: Set<String> = ["user", "assistant", "system"]
    static let blockTypes: Set<String> = ["text", "thinking", "redacted_thinking", "tool_use", "tool_result", "image"]
    static let editTools: Set<String> = ["create", "edit", "multiedit", "applypatch"]
    /// Droid's tools that write no file (lower-cased).
    static let otherTools: Set<String> = [
        "read", "ls", "grep", "glob", "execute", "todowrite", "websearch", "fetchurl", "task", "exitspecmode",
        "generatedroid", "skill", "killprocess", "pipeprocessinput", "askuser",
    ]

    func readTranscript(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws
        -> ReadProgress
    {
        let sessionID = Self.sessionID(ofPath: path)
        var current = state.flatMap { try? JSONDecoder().decode(State.self, from: $0) } ?? State()
        var batch = ReadBatch()
        var read = 0
        var skipped = 0
        var firstTime: Date?
        var lastTime: Date?
        let fileTime = OpenCodeStorageReader.modificationTime(path) ?? Date(timeIntervalSince1970: 0)
        let outcome = try JSONLinesFile.forEachLine(path: path, from: offset) { line, _ in
            guard let record = JSONDict.object(Data(buffer: line)) else {
                skipped += 1
                return
            }
            read += 1
            let type = JSONDict.string(record, "type") ?? "(none)"
            if !Self.recordTypes.contains(type) { batch.noteUnrecognized(.recordType, type) }
            let time = JSONDict.date(record, "timestamp")
            if let time {
                if firstTime == nil { firstTime = time }
                lastTime = time
            }
            if type == "session_start", let cwd = JSONDict.string(record, "cwd") { current.cwd = cwd }
            guard type == "message" else { return }
            let message = JSONDict.object(record, "message")
            let role = JSONDict.string(message, "role") ?? "(none)"
            if !Self.roles.contains(role) { batch.noteUnrecognized(.recordType, "role:\(role)") }
            let blocks = (JSONDict.array(message, "content") ?? []).compactMap { $0 as? [String: Any] }
            for block in blocks {
                let blockType = JSONDict.string(block, "type") ?? "(none)"
                if !Self.blockTypes.contains(blockType) { batch.noteUnrecognized(.recordType, "block:\(blockType)") }
            }
            guard role == "assistant" else { return }
            for block in blocks where JSONDict.string(block, "type") == "tool_use" {
                guard let name = JSONDict.string(block, "name") else { continue }
                guard Self.editTools.contains(name.lowercased()) else {
                    if !Self.otherTools.contains(name.lowercased()), !name.lowercased().hasPrefix("mcp") {
                        batch.noteUnrecognized(.toolName, name)
                    }
                    continue
                }
                guard let id = JSONDict.string(block, "id") else {
                    batch.noteUnrecognized(.shape, "\(name)-without-id")
                    continue
                }
                let files: [(path: String, added: [LineHash])]
                if let input = JSONDict.object(block, "input") {
                    files = EditToolCalls.files(tool: name, input)
                } else if name.lowercased() == "applypatch", let text = JSONDict.string(block, "input") {
                    files = EditToolCalls.patchFiles(text)  // the patch text as the whole input
                } else {
                    batch.noteUnrecognized(.shape, "\(name)-input")
                    continue
                }
                for (index, file) in files.enumerated() {
                    batch.edits.append(
                        EditEvent(
                            tool: .droid, sessionID: sessionID, timestamp: time ?? lastTime ?? fileTime,
                            dedupKey: "\(id):\(index)", filePath: file.path, cwd: current.cwd, addedLines: file.added))
                }
            }
            if batch.count >= Self.batchLimit {
                try sink(batch)
                batch = ReadBatch()
            }
        }
        if read > 0 {
            batch.observations.append(
                SessionObservation(tool: .droid, sessionID: sessionID, cwd: current.cwd, timestamp: firstTime ?? fileTime))
        }
        if !batch.isEmpty { try sink(batch) }
        return ReadProgress(
            offset: outcome.consumedTo, state: current == State() ? nil : try JSONEncoder().encode(current), linesRead: read,
            linesSkipped: skipped + outcome.skippedLines, trailingBytes: outcome.trailingBytes)
    }
}
