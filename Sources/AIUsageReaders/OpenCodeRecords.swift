import AIUsageCore
import Foundation

extension ToolKind {
    /// OpenCode (sst/opencode): SQLite `opencode.db` and the older `storage/` JSON tree.
    public static let opencode = ToolKind(rawValue: "opencode")
}

/// How OpenCode's message and part records become usage and edit events: shared by
/// the `storage/` JSON reader here and the `opencode.db` reader (AIUsageDatabaseReaders),
/// which hold the very same JSON documents, so both give the same dedup keys.
///
/// Tokens are taken once per assistant *message* (`tokens`, `cost`). A message of
/// several model calls has one `step-finish` part per call, and OpenCode overwrites the
/// message's `tokens` with the last call's (sst/opencode `session/processor.ts`,
/// `finish-step`) while it adds up `cost`: readers that can see the parts raise the
/// message's tokens to their sum (`raise(_:toSteps:)`), under the same key. OpenCode
/// stores `tokens.input` without cached tokens and `tokens.output` without reasoning
/// (it subtracts both when it records usage), so `output` here is output + reasoning.
public enum OpenCodeRecords {
    /// What one message record says.
    public struct Message: Sendable {
        public var id: String
        public var sessionID: String
        public var role: String?
        public var timestamp: Date
        public var model: String?
        /// `path.cwd`, where relative edit paths are resolved.
        public var cwd: String?
        /// `path.root` (the project's work tree), else `cwd`: the session's directory.
        public var projectRoot: String?
        public var observation: SessionObservation
        /// Set for assistant messages that carry tokens or a cost.
        public var usage: UsageEvent?
        /// Keys of `tokens` this reader does not know (format drift: their counts are lost).
        public var unknownTokenFields: [String] = []

        /// Counts the message's unknown role and token fields (`ReadBatch.drift`).
        public func noteDrift(into batch: inout ReadBatch) {
            if let role, !OpenCodeRecords.roles.contains(role) { batch.noteUnrecognized(.recordType, "role:\(role)") }
            for field in unknownTokenFields { batch.noteUnrecognized(.shape, "tokens.\(field)") }
        }
    }

    /// The keys of OpenCode's `tokens` object.
    static let tokenFields: Set<String> = ["input", "output", "reasoning", "cache", "total"]

    /// Parses a message document. `id`/`sessionID` fall back to what the caller knows
    /// from the file's path or the database row; nil when neither is known.
    public static func message(
        _ json: [String: Any], fallbackID: String?, fallbackSessionID: String?, fallbackTime: Date
    ) -> Message? {
        guard let id = JSONDict.string(json, "id") ?? fallbackID,
            let sessionID = JSONDict.string(json, "sessionID") ?? fallbackSessionID
        else { return nil }
        let role = JSONDict.string(json, "role")
        let timestamp =
            JSONDict.date(json, "time", "completed") ?? JSONDict.date(json, "time", "created") ?? fallbackTime
        let model = JSONDict.string(json, "modelID") ?? JSONDict.string(json, "model", "modelID")
        let cwd = JSONDict.string(json, "path", "cwd")
        let root = JSONDict.string(json, "path", "root") ?? cwd
        let observation = SessionObservation(
            tool: .opencode, sessionID: sessionID, cwd: root, timestamp: timestamp, model: role == "assistant" ? model : nil)
        var result = Message(
            id: id, sessionID: sessionID, role: role, timestamp: timestamp, model: model, cwd: cwd,
            projectRoot: root, observation: observation, usage: nil)
        guard role == "assistant" else { return result }
        let tokenObject = JSONDict.object(json, "tokens")
        result.unknownTokenFields = (tokenObject?.keys).map { $0.filter { !tokenFields.contains($0) }.sorted() } ?? []
        let tokens = tokenCounts(tokenObject)
        let cost = JSONDict.double(json, "cost")
        guard !tokens.isZero || (cost ?? 0) > 0 else { return result }
        result.usage = UsageEvent(
            tool: .opencode, sessionID: sessionID, timestamp: timestamp, model: model ?? "unknown", tokens: tokens,
            dedupKey: "\(sessionID):\(id)",
            // A zero cost means OpenCode had no price for the model (or a subscription
            // provider): leave it to the price table rather than report $0.
            recordedCostUSD: (cost ?? 0) > 0 ? cost : nil)
        return result
    }

    /// OpenCode's `tokens` object, normalised (see the type's comment).
    public static func tokenCounts(_ tokens: [String: Any]?) -> TokenCounts {
        guard let tokens else { return .zero }
        let reasoning = max(0, JSONDict.int64(tokens, "reasoning") ?? 0)
        return TokenCounts(
            input: max(0, JSONDict.int64(tokens, "input") ?? 0),
            output: max(0, JSONDict.int64(tokens, "output") ?? 0) + reasoning,
            cacheWrite: max(0, JSONDict.int64(tokens, "cache", "write") ?? 0),
            cacheRead: max(0, JSONDict.int64(tokens, "cache", "read") ?? 0),
            reasoning: reasoning)
    }

    /// Raises a message's usage to the sum of its `step-finish` parts (field by field,
    /// never lower), creating it when the message itself recorded none.
    public static func raise(_ message: inout Message, toSteps steps: TokenCounts) {
        guard message.role == "assistant", !steps.isZero else { return }
        if var usage = message.usage {
            usage.tokens = usage.tokens.fieldwiseMax(steps)
            message.usage = usage
        } else {
            message.usage = UsageEvent(
                tool: .opencode, sessionID: message.sessionID, timestamp: message.timestamp,
                model: message.model ?? "unknown", tokens: steps, dedupKey: "\(message.sessionID):\(message.id)")
        }
    }

    /// The tool names whose parts write files.
    public static let editTools: Set<String> = ["edit", "write", "patch", "multiedit", "apply_patch"]
    /// Tools that write no file: OpenCode's built-in tools (sst/opencode `src/tool/`).
    public static let otherTools: Set<String> = [
        "read", "bash", "glob", "grep", "list", "ls", "task", "todowrite", "todoread", "webfetch", "websearch",
        "codesearch", "question", "skill", "lsp", "lsp_diagnostics", "lsp_hover", "batch", "invalid", "plan_enter",
        "plan_exit",
    ]
    /// Part types OpenCode writes (`session/message-v2.ts`).
    public static let partTypes: Set<String> = [
        "text", "reasoning", "tool", "step-start", "step-finish", "patch", "file", "agent", "snapshot", "subtask",
        "retry", "compaction",
    ]
    public static let roles: Set<String> = ["user", "assistant"]

    /// Counts a part type or tool name not known here (`ReadBatch.drift`).
    public static func noteDrift(ofPart json: [String: Any], into batch: inout ReadBatch) {
        let type = JSONDict.string(json, "type") ?? "(none)"
        guard partTypes.contains(type) else {
            batch.noteUnrecognized(.recordType, "part:\(type)")
            return
        }
        guard type == "tool", let tool = JSONDict.string(json, "tool") else { return }
        if !editTools.contains(tool), !otherTools.contains(tool), !tool.contains("_mcp"), !tool.hasPrefix("mcp") {
            batch.noteUnrecognized(.toolName, tool)
        }
    }

    /// Sum of the `step-finish` parts among `parts`.
    public static func stepTotals(_ parts: [[String: Any]]) -> TokenCounts {
        parts.filter { JSONDict.string($0, "type") == "step-finish" }
            .reduce(TokenCounts.zero) { $0 + tokenCounts(JSONDict.object($1, "tokens")) }
    }

    /// Whether a part document is a tool call of an edit tool (cheap pre-check before
    /// looking up the session and working directory it needs).
    public static func isEditPart(_ json: [String: Any]) -> Bool {
        JSONDict.string(json, "type") == "tool" && editTools.contains(JSONDict.string(json, "tool") ?? "")
    }

    /// The edits of one tool part: `edit` (oldString → newString, or `content`),
    /// `write` (content), `multiedit` (edits[]), `patch` / `apply_patch` (patchText in
    /// the apply_patch format). One event per file; key `<callID>:<index>`. Calls that
    /// ended in an error, or are still running (their input may be partial; the record
    /// is rewritten when they finish), give nothing.
    public static func edits(
        part json: [String: Any], sessionID: String, cwd: String?, fallbackTime: Date
    ) -> [EditEvent] {
        guard isEditPart(json), let tool = JSONDict.string(json, "tool") else { return [] }
        let status = JSONDict.string(json, "state", "status")
        guard status == nil || status == "completed" else { return [] }
        guard let callID = JSONDict.string(json, "callID") ?? JSONDict.string(json, "id") else { return [] }
        let input = JSONDict.object(json, "state", "input") ?? [:]
        let timestamp =
            JSONDict.date(json, "state", "time", "end") ?? JSONDict.date(json, "state", "time", "start")
            ?? JSONDict.date(json, "time", "end") ?? JSONDict.date(json, "time", "start") ?? fallbackTime
        func event(_ index: Int, _ path: String, _ lines: [LineHash]) -> EditEvent {
            EditEvent(
                tool: .opencode, sessionID: sessionID, timestamp: timestamp, dedupKey: "\(callID):\(index)",
                filePath: path, cwd: cwd, addedLines: lines)
        }
        let filePath =
            JSONDict.string(input, "filePath") ?? JSONDict.string(input, "file_path")
            ?? JSONDict.string(input, "path")
        switch tool {
        case "edit", "write":
            guard let filePath else { return [] }
            if let new = input["newString"] as? String {
                return [event(0, filePath, AddedLines.between(old: input["oldString"] as? String ?? "", new: new))]
            }
            guard let content = input["content"] as? String else { return [] }
            return [event(0, filePath, LineIdentity.significantHashes(ofText: content))]
        case "multiedit":
            guard let filePath, let edits = input["edits"] as? [Any] else { return [] }
            return edits.enumerated().compactMap { index, element in
                guard let edit = element as? [String: Any], let new = edit["newString"] as? String else { return nil }
                let path = JSONDict.string(edit, "filePath") ?? filePath
                return event(index, path, AddedLines.between(old: edit["oldString"] as? String ?? "", new: new))
            }
        default:  // patch, apply_patch
            guard
                let text = JSONDict.string(input, "patchText") ?? JSONDict.string(input, "patch")
                    ?? JSONDict.string(input, "input")
            else { return [] }
            var changes: [ApplyPatchParser.FileChange] = []
            let blocks = ApplyPatchParser.extractPatches(from: text)
            for block in blocks.isEmpty ? [text[...]] : blocks {
                changes.append(contentsOf: ApplyPatchParser.parse(String(block)))
            }
            return changes.enumerated().compactMap { index, change in
                change.kind == .delete ? nil : event(index, change.destinationPath, change.addedLines)
            }
        }
    }
}
