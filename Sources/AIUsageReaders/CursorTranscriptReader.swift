import AIUsageCore
import Foundation

extension ToolKind {
    /// Cursor (editor and `cursor-agent` CLI).
    public static let cursor = ToolKind(rawValue: "cursor")
}

/// Reads Cursor agent transcripts, `~/.cursor/projects/<workspace slug>/agent-transcripts/**/*.jsonl`:
/// one `{"role", "message": {"content": [...]}}` record per line, content blocks in the
/// Anthropic shape (`text`, `thinking`, `tool_use`). Appended to only (`.appendOnly`).
///
/// What they give: edits (`Write` contents, `StrReplace` / `Edit` / `search_replace`
/// old → new, `MultiEdit`, `edit_file` code edits, `ApplyPatch`), keyed by the block's
/// `id` when it has one, else `<session>:<byte offset of the line's end>:<block>` —
/// deterministic on re-reads and increments, as the file only grows. Current
/// transcripts carry no tokens, model, timestamps or tool results: usage is taken only
/// if a record has a Claude-style `message.usage`, times fall back to the file's
/// modification time, and an edit the user rejected cannot be told apart.
///
/// The workspace slug is the folder path with `/` (and `.`) turned into `-`, which is
/// ambiguous; the working directory is recovered by finding the existing folder the
/// slug spells (else left unknown: recorded paths are absolute anyway).
public struct CursorTranscriptReader: SessionReader {
    public let tool: ToolKind = .cursor

    public init() {}

    static let batchLimit = 2000

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        [OpenCodeStorageReader.trimmingSlash(environment.home) + "/.cursor/projects"]
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        searchRoots(in: environment).flatMap { root in
            RecordFileWalker.files(under: root, maxDepth: 4) { $0.hasSuffix(".jsonl") }.files
                .filter { $0.contains("/agent-transcripts/") }
        }
    }

    public func read(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        var name = (path as NSString).lastPathComponent
        if name.hasSuffix(".jsonl") { name = String(name.dropLast(6)) }
        let sessionID = name
        let fileTime = OpenCodeStorageReader.modificationTime(path) ?? Date(timeIntervalSince1970: 0)
        let cwd = Self.workspace(ofTranscript: path)
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
            let time = JSONDict.date(record, "timestamp") ?? JSONDict.date(message, "timestamp")
            if firstTime == nil { firstTime = time }
            if let named = JSONDict.string(record, "model") ?? JSONDict.string(message, "model") { model = named }
            let at = time ?? fileTime
            if let usage = JSONDict.object(message, "usage") {
                let tokens = TokenCounts(
                    input: JSONDict.int64(usage, "input_tokens") ?? 0, output: JSONDict.int64(usage, "output_tokens") ?? 0,
                    cacheWrite: JSONDict.int64(usage, "cache_creation_input_tokens") ?? 0,
                    cacheRead: JSONDict.int64(usage, "cache_read_input_tokens") ?? 0)
                if !tokens.isZero {
                    batch.usage.append(
                        UsageEvent(
                            tool: .cursor, sessionID: sessionID, timestamp: at, model: model ?? "unknown", tokens: tokens,
                            dedupKey: JSONDict.string(message, "id") ?? "\(sessionID):\(end)"))
                }
            }
            if JSONDict.string(record, "role") == "assistant" || JSONDict.string(message, "role") == "assistant" {
                for (index, element) in (JSONDict.array(message, "content") ?? []).enumerated() {
                    guard let block = element as? [String: Any], JSONDict.string(block, "type") == "tool_use",
                        let toolName = JSONDict.string(block, "name"), let input = JSONDict.object(block, "input")
                    else { continue }
                    let key = JSONDict.string(block, "id") ?? "\(sessionID):\(end):\(index)"
                    for (fileIndex, change) in Self.edits(tool: toolName, input).enumerated() {
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
        return ReadProgress(
            offset: outcome.consumedTo, state: nil, linesRead: read, linesSkipped: skipped, trailingBytes: outcome.trailingBytes)
    }

    /// The files and added lines of one Cursor edit tool call.
    public static func edits(tool name: String, _ input: [String: Any]) -> [(path: String, added: [LineHash])] {
        let path = JSONDict.string(input, "path") ?? JSONDict.string(input, "file_path")
            ?? JSONDict.string(input, "target_file") ?? JSONDict.string(input, "filePath")
        switch name.lowercased() {
        case "write", "create_file", "write_file":
            guard let path, let content = (input["contents"] ?? input["content"] ?? input["file_text"]) as? String else { return [] }
            return [(path, LineIdentity.significantHashes(ofText: content))]
        case "strreplace", "str_replace", "edit", "search_replace", "replace":
            guard let path, let new = (input["new_string"] ?? input["newString"] ?? input["new_str"]) as? String else { return [] }
            let old = (input["old_string"] ?? input["oldString"] ?? input["old_str"]) as? String ?? ""
            return [(path, AddedLines.between(old: old, new: new))]
        case "multiedit":
            guard let path, let list = input["edits"] as? [Any] else { return [] }
            let added = list.compactMap { $0 as? [String: Any] }.flatMap { edit -> [LineHash] in
                guard let new = edit["new_string"] as? String else { return [] }
                return AddedLines.between(old: edit["old_string"] as? String ?? "", new: new)
            }
            return [(path, added)]
        case "edit_file":
            // Cursor's sketch edits: the new code with `// ... existing code ...` markers.
            guard let path, let edit = input["code_edit"] as? String else { return [] }
            let lines = edit.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("... existing code ...") }
            return [(path, LineIdentity.significantHashes(ofText: lines.joined(separator: "\n")))]
        case "applypatch", "apply_patch":
            guard let text = (input["patch"] ?? input["input"] ?? input["patchText"]) as? String else { return [] }
            return ApplyPatchParser.extractPatches(from: text).flatMap { ApplyPatchParser.parse(String($0)) }
                .filter { $0.kind != .delete }.map { ($0.destinationPath, $0.addedLines) }
        default: return []
        }
    }

    /// The workspace folder a transcript belongs to, from the slug folder after
    /// `projects/`: each `-` may stand for `/`, `.` or itself; the existing folder wins.
    static func workspace(ofTranscript path: String) -> String? {
        let components = path.split(separator: "/").map(String.init)
        guard let index = components.lastIndex(of: "projects"), index + 1 < components.count - 1 else { return nil }
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
            guard group.count > 1, group.count <= 5 else { return [group.joined(separator: "-")] }
            var result = [group.first!]
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
