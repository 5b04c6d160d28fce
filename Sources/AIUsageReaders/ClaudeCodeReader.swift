import AIUsageCore
import Foundation

/// Reads Claude Code transcripts: `<config>/projects/<project>/<session>.jsonl`, plus
/// subagent transcripts in `<session>/subagents/agent-*.jsonl` and workflow subagents
/// in `<session>/subagents/workflows/<workflow>/agent-*.jsonl`.
///
/// What it takes from them:
/// - **Usage**: one `UsageEvent` per assistant line with `message.usage`, keyed
///   `message.id:requestId`. Claude writes one line per content block, each repeating
///   the usage (sometimes with growing `output_tokens`): every line is emitted under
///   the same key, and the store keeps the field-wise max per key. A subagent's
///   replay of an already-counted message has the same key, so it is not counted
///   twice; subagent requests of their own are real spend and count. A
///   `--fork-session` transcript replays the chain it forked under a new session id:
///   the replayed requests keep their keys, so they count once across both files.
/// - **Edits**: one `EditEvent` per `Edit`/`MultiEdit`/`Write` call, keyed by the
///   tool_use id. It is emitted twice: from the call's input as soon as the call is
///   seen, and again from the `toolUseResult` of the user line that reports what was
///   really applied (or with no lines when the call failed or was rejected). **The
///   result line wins because it comes later**: the store must keep the last written
///   version of an edit key. A call whose result never came keeps its input version.
/// - **Sessions**: observations of (session, cwd, model) with first and last times.
///
/// Speed: most bytes of a transcript are tool output that cannot matter. Every line
/// gets one allocation-free structural walk (`ClaudeLineScan`) that yields session id,
/// cwd, timestamp and `message.usage`; lines that carry an edit call or an edit
/// result are read by `ClaudeEditScan` into the small lenient structs `ClaudeRecord`
/// (decoding only the strings used), and by `JSONDecoder` only for odd shapes.
public struct ClaudeCodeReader: SessionReader {
    public init() {}

    public var tool: ToolKind { .claudeCode }

    /// `$CLAUDE_CONFIG_DIR/projects` for every comma-separated entry when the variable
    /// is set (as Claude Code does), else `~/.claude/projects` and
    /// `~/.config/claude/projects` (newer versions use the XDG location).
    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        if let configured = environment.variables["CLAUDE_CONFIG_DIR"] {
            let entries = configured.split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            if !entries.isEmpty {
                return entries.map { ReaderPaths.joined(ReaderPaths.expand($0, home: environment.home), "projects") }
            }
        }
        return [
            ReaderPaths.joined(environment.home, ".claude/projects"),
            ReaderPaths.joined(environment.home, ".config/claude/projects"),
        ]
    }

    /// Every `*.jsonl` under the roots, recursively (so subagent transcripts too),
    /// sorted and without duplicates. Missing roots give nothing.
    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        var found = Set<String>()
        for root in searchRoots(in: environment) {
            found.formUnion(RecordFileWalker.files(under: root) { $0.hasSuffix(".jsonl") }.files)
        }
        return found.sorted()
    }

    /// Streams complete lines from `offset`. Claude needs no state across runs:
    /// de-duplication is by key in the store. Returns `state: nil`.
    ///
    /// `linesRead` counts lines that were read (including record types that carry
    /// nothing for us, like `summary`, and well-formed records of a type or shape the
    /// reader does not know, which are counted as format drift in the batches);
    /// `linesSkipped` counts malformed lines: not JSON, not UTF-8, a control byte JSON
    /// forbids, or over the line limit. The two are disjoint.
    public func readRecords(
        path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void
    ) throws -> ReadProgress {
        var interpreter = ClaudeCodeLineInterpreter(
            sessionFallback: Self.sessionFallback(forPath: path),
            sessionOverride: Self.parentSessionID(forSubagentPath: path),
            fileTime: Self.modificationTime(path))
        var builder = ClaudeCodeBatchBuilder()
        var linesRead = 0
        var linesSkipped = 0
        let outcome = try JSONLinesFile.forEachLine(path: path, from: offset) { line, _ in
            if interpreter.interpret(line, into: &builder) {
                linesRead += 1
            } else {
                linesSkipped += 1
            }
            try builder.flushIfFull(sink)
        }
        interpreter.finish(into: &builder)
        try builder.flush(sink)
        return ReadProgress(
            offset: outcome.consumedTo, state: nil, linesRead: linesRead, linesSkipped: linesSkipped + outcome.skippedLines,
            trailingBytes: outcome.trailingBytes)
    }

    // MARK: - Paths

    /// The parent session of a subagent transcript — `<session>/subagents/agent-*.jsonl`,
    /// or a workflow's `<session>/subagents/workflows/<workflow>/agent-*.jsonl`: its spend
    /// belongs to the session that spawned it, whatever id the file carries.
    static func parentSessionID(forSubagentPath path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[parts.count - 1].hasPrefix("agent-"),
            let marker = parts[..<(parts.count - 1)].lastIndex(of: "subagents"), marker >= 1
        else { return nil }
        let between = parts[(marker + 1)..<(parts.count - 1)]
        // Directly under subagents/, or under subagents/workflows/<workflow>/.
        guard between.isEmpty || (between.count == 2 && between.first == "workflows") else { return nil }
        return String(parts[marker - 1])
    }

    /// Claude names a transcript after its session; used for records without `sessionId`.
    static func sessionFallback(forPath path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasSuffix(".jsonl") ? String(name.dropLast(6)) : name
    }

    /// Time for records when no record so far carried a timestamp.
    static func modificationTime(_ path: String) -> Date {
        FileModificationTime.of(path) ?? Date(timeIntervalSince1970: 0)
    }
}

/// Turns one line into events; holds what must survive from line to line within a
/// read (last timestamp, edit calls still waiting for their result).
struct ClaudeCodeLineInterpreter {
    let sessionFallback: String
    let sessionOverride: String?
    let fileTime: Date

    /// Last timestamp seen in this read, for records that carry none.
    private var lastTimestamp: Date?
    /// Sessions seen on records read before any timestamp (Claude starts a file with
    /// `permission-mode` and `mode` records that carry none): observed at the first
    /// timestamp that follows, or at the file's time when none does. Observing them at
    /// the file's modification time made every session of a copied or restored folder
    /// "active" on the day of the copy.
    private var untimed: [(sessionID: String, cwd: String?, model: String?)] = []
    /// Edit calls seen in this read whose result has not come yet, by tool_use id.
    private var pendingEdits: [String: PendingEdit] = [:]
    private let decoder = JSONDecoder()
    /// `ClaudeEditScan`'s buffer for unescaped texts, reused from line to line.
    private var scratch: [UInt8] = []

    private struct PendingEdit {
        var filePath: String
        var sessionID: String
        var cwd: String?
    }

    init(sessionFallback: String, sessionOverride: String?, fileTime: Date) {
        self.sessionFallback = sessionFallback
        self.sessionOverride = sessionOverride
        self.fileTime = fileTime
    }

    /// Interprets a line; false when it was skipped as malformed (not JSON). The line
    /// reader has already skipped lines that are not UTF-8 or hold a control byte.
    mutating func interpret(_ line: UnsafeBufferPointer<UInt8>, into builder: inout ClaudeCodeBatchBuilder) -> Bool {
        guard let scan = ClaudeLineScan.scan(line) else {
            // Not what the fast walk understands: let the JSON decoder judge it.
            return decodeFully(line, into: &builder)
        }
        // Should the decoder reject what the walk accepted, the walk's usage still counts.
        if needsFullDecoding(scan.flags), decodeEdits(line, usage: scan.usage, into: &builder) { return true }
        return handle(scan, line, into: &builder)
    }

    /// An edit line: read from its bytes by `ClaudeEditScan` (same record as the
    /// decoder, without materialising the texts that are not used); `JSONDecoder` only
    /// for the shapes it leaves to it.
    private mutating func decodeEdits(
        _ line: UnsafeBufferPointer<UInt8>, usage: TokenCounts?, into builder: inout ClaudeCodeBatchBuilder
    ) -> Bool {
        if let record = ClaudeEditScan.record(line, usage: usage, scratch: &scratch) {
            handle(record, into: &builder)
            return true
        }
        return decodeFully(line, into: &builder)
    }

    private mutating func decodeFully(_ line: UnsafeBufferPointer<UInt8>, into builder: inout ClaudeCodeBatchBuilder) -> Bool {
        // The decoder reads only the fields it needs: the line as a whole must be JSON.
        guard StrictLine.isJSON(line) else { return false }
        guard let record = try? decoder.decode(ClaudeRecord.self, from: Data(buffer: line)) else {
            // Well-formed JSON that is not an object (`42`, `[1]`) is not malformed: it is
            // a record of a shape the reader does not know.
            guard (try? JSONSerialization.jsonObject(with: Data(buffer: line), options: .fragmentsAllowed)) != nil else {
                return false
            }
            builder.noteUnrecognized(.shape, "record that is not an object")
            return true
        }
        handle(record, into: &builder)
        return true
    }

    /// Whether the line may carry an edit call or an edit's result (or a failure of a
    /// call still waiting for one): only those need the content blocks decoded.
    private func needsFullDecoding(_ flags: ClaudeLineScan.Flags) -> Bool {
        if flags.contains(.toolUse), flags.contains(.editToolName) { return true }
        if flags.contains(.toolUseResult), flags.contains(.editResultHint) { return true }
        if !pendingEdits.isEmpty, !flags.isDisjoint(with: [.toolUseResult, .isError]) { return true }
        return false
    }

    /// A line without edits: session bookkeeping and, for assistant lines, usage —
    /// the same rules as `handle(_ record:)`, from the fast walk's fields.
    private mutating func handle(
        _ scan: ClaudeLineScan, _ line: UnsafeBufferPointer<UInt8>, into builder: inout ClaudeCodeBatchBuilder
    ) -> Bool {
        func text(_ range: Range<Int>?) -> String? {
            range.flatMap { JSONFieldScan.decodeString(UnsafeBufferPointer(rebasing: line[$0])) }
        }
        func isType(_ name: StaticString) -> Bool {
            guard let range = scan.type, range.count == name.utf8CodeUnitCount, let base = line.baseAddress else {
                return false
            }
            return memcmp(base + range.lowerBound, name.utf8Start, range.count) == 0
        }
        // A valid object that is none of Claude's records (no type, session or message).
        guard scan.type != nil || scan.sessionId != nil || scan.hasMessage else {
            builder.noteUnrecognized(.shape, "record without a type")
            return true
        }
        if let type = scan.type, !ClaudeRecordTypes.isKnown(line, type) {
            builder.noteUnrecognized(.recordType, text(type) ?? "(undecodable)")
        }
        for name in scan.toolNames where !ClaudeRecordTypes.isKnownTool(line, name) {
            builder.noteUnrecognized(.toolName, text(name) ?? "(undecodable)")
        }
        let own = scan.timestamp.flatMap { Timestamps.parse(bytes: UnsafeBufferPointer(rebasing: line[$0])) }
        let time = resolve(own)
        let recordedSession = cachedSession(scan.sessionId, line)
        let sessionID = sessionOverride ?? recordedSession ?? sessionFallback
        let isAssistant = isType("assistant") || (scan.type == nil && scan.usage != nil)
        let model = isAssistant ? cachedModel(scan.model, line) : nil
        if recordedSession != nil || sessionOverride != nil || scan.usage != nil {
            observe(
                sessionID: sessionID, cwd: cachedCwd(scan.cwd, line), model: model, time: time, timed: own != nil || scan.usage != nil,
                into: &builder)
        }
        if isAssistant, let tokens = scan.usage, model != "<synthetic>", !tokens.isZero,
            let key = Self.usageKey(messageID: text(scan.messageID), requestID: text(scan.requestId), uuid: text(scan.uuid))
        {
            builder.add(
                usage: UsageEvent(
                    tool: .claudeCode, sessionID: sessionID, timestamp: time, model: model ?? "unknown",
                    tokens: tokens, dedupKey: key))
        }
        return true
    }

    // Session id, cwd and model repeat on nearly every line: reuse the last String
    // when the bytes are the same instead of allocating one per line.
    private var sessionCache = StringCache()
    private var cwdCache = StringCache()
    private var modelCache = StringCache()

    private mutating func cachedSession(_ range: Range<Int>?, _ line: UnsafeBufferPointer<UInt8>) -> String? {
        range.flatMap { sessionCache.string(UnsafeBufferPointer(rebasing: line[$0])) }
    }

    private mutating func cachedCwd(_ range: Range<Int>?, _ line: UnsafeBufferPointer<UInt8>) -> String? {
        range.flatMap { cwdCache.string(UnsafeBufferPointer(rebasing: line[$0])) }
    }

    private mutating func cachedModel(_ range: Range<Int>?, _ line: UnsafeBufferPointer<UInt8>) -> String? {
        range.flatMap { modelCache.string(UnsafeBufferPointer(rebasing: line[$0])) }
    }

    /// Records a session's presence at `time`, or (no timestamp seen yet in this read)
    /// keeps it for the first timestamp to come.
    private mutating func observe(
        sessionID: String, cwd: String?, model: String?, time: Date, timed: Bool, into builder: inout ClaudeCodeBatchBuilder
    ) {
        guard timed || lastTimestamp != nil else {
            untimed.append((sessionID, cwd, model))
            return
        }
        builder.observe(sessionID: sessionID, cwd: cwd, timestamp: time, model: model)
        settleUntimed(at: time, into: &builder)
    }

    /// Observes the sessions kept by `observe` at `time`.
    mutating func settleUntimed(at time: Date, into builder: inout ClaudeCodeBatchBuilder) {
        guard !untimed.isEmpty else { return }
        for entry in untimed { builder.observe(sessionID: entry.sessionID, cwd: entry.cwd, timestamp: time, model: entry.model) }
        untimed.removeAll()
    }

    /// At the end of a read: sessions only untimed records named get the file's time.
    mutating func finish(into builder: inout ClaudeCodeBatchBuilder) { settleUntimed(at: lastTimestamp ?? fileTime, into: &builder) }

    /// The record's time: its own, else the last one seen, else the file's.
    private mutating func resolve(_ timestamp: Date?) -> Date {
        if let timestamp {
            lastTimestamp = timestamp
            return timestamp
        }
        return lastTimestamp ?? fileTime
    }

    private mutating func handle(_ record: ClaudeRecord, into builder: inout ClaudeCodeBatchBuilder) {
        guard record.type != nil || record.sessionId != nil || record.message != nil else {
            builder.noteUnrecognized(.shape, "record without a type")
            return
        }
        if let type = record.type, !ClaudeRecordTypes.isKnown(type) { builder.noteUnrecognized(.recordType, type) }
        for block in record.message?.content ?? [] where block.type == "tool_use" {
            if let name = block.name, !ClaudeRecordTypes.isKnownTool(name) { builder.noteUnrecognized(.toolName, name) }
        }
        let own = record.timestamp.flatMap(Timestamps.parse)
        let time = resolve(own)
        let sessionID = sessionOverride ?? record.sessionId ?? sessionFallback
        let isAssistant = record.type == "assistant" || (record.type == nil && record.message?.usage != nil)
        let model = isAssistant ? record.message?.model : nil
        if record.sessionId != nil || sessionOverride != nil || record.message?.usage != nil {
            observe(
                sessionID: sessionID, cwd: record.cwd, model: model, time: time, timed: own != nil || record.message?.usage != nil,
                into: &builder)
        }
        guard let message = record.message else { return }
        if isAssistant, let usage = message.usage, model != "<synthetic>", !usage.tokens.isZero,
            let key = Self.usageKey(messageID: message.id, requestID: record.requestId, uuid: record.uuid)
        {
            builder.add(
                usage: UsageEvent(
                    tool: .claudeCode, sessionID: sessionID, timestamp: time, model: model ?? "unknown",
                    tokens: usage.tokens, dedupKey: key))
        }
        guard let blocks = message.content, !blocks.isEmpty else { return }
        if isAssistant {
            handleEditCalls(blocks, record: record, sessionID: sessionID, time: time, into: &builder)
        } else if record.type == "user" || record.type == nil {
            handleResults(blocks, record: record, sessionID: sessionID, time: time, into: &builder)
        }
    }

    /// `message.id:requestId`; `message.id` alone without a request id; the record's
    /// uuid without a message id; nil (not countable) without any of them.
    static func usageKey(messageID: String?, requestID: String?, uuid: String?) -> String? {
        if let id = messageID, !id.isEmpty {
            if let request = requestID, !request.isEmpty { return "\(id):\(request)" }
            return id
        }
        if let uuid, !uuid.isEmpty { return uuid }
        return nil
    }

    /// Edit calls as the model asked for them; replaced later by their results.
    private mutating func handleEditCalls(
        _ blocks: [ClaudeContentBlock], record: ClaudeRecord, sessionID: String, time: Date,
        into builder: inout ClaudeCodeBatchBuilder
    ) {
        for (index, block) in blocks.enumerated() {
            guard let input = block.editInput, let name = block.name, let filePath = input.filePath,
                !filePath.isEmpty
            else { continue }
            let key: String
            if let id = block.id, !id.isEmpty {
                key = id
            } else if let uuid = record.uuid {
                key = "\(uuid):\(index)"
            } else {
                continue
            }
            builder.add(
                edit: EditEvent(
                    tool: .claudeCode, sessionID: sessionID, timestamp: time, dedupKey: key, filePath: filePath,
                    cwd: record.cwd, addedLines: Self.addedLines(tool: name, input)))
            pendingEdits[key] = PendingEdit(filePath: filePath, sessionID: sessionID, cwd: record.cwd)
        }
    }

    /// Added lines from a call's input: `Edit` new − old; `MultiEdit` the union of its
    /// edits' new − old; `Write` the whole content (its result, when it comes, knows
    /// the previous file and replaces this).
    static func addedLines(tool name: String, _ input: ClaudeEditInput) -> [LineHash] {
        switch name {
        case "Write":
            return ClaudeEditLines.significantHashes(input.content ?? "")
        case "MultiEdit":
            return (input.edits ?? []).flatMap {
                ClaudeEditLines.between(old: $0.oldString ?? "", new: $0.newString ?? "")
            }
        default:
            return ClaudeEditLines.between(old: input.oldString ?? "", new: input.newString ?? "")
        }
    }

    /// Results of edit calls: what was really applied, or nothing for a failed call.
    private mutating func handleResults(
        _ blocks: [ClaudeContentBlock], record: ClaudeRecord, sessionID: String, time: Date,
        into builder: inout ClaudeCodeBatchBuilder
    ) {
        let resultIDs = blocks.compactMap { $0.type == "tool_result" ? $0.toolUseID : nil }
        guard !resultIDs.isEmpty else { return }
        // Failed or rejected calls of this read: nothing was written.
        for block in blocks where block.type == "tool_result" && block.isError {
            guard let id = block.toolUseID, let pending = pendingEdits.removeValue(forKey: id) else { continue }
            builder.add(
                edit: EditEvent(
                    tool: .claudeCode, sessionID: pending.sessionID, timestamp: time, dedupKey: id,
                    filePath: pending.filePath, cwd: pending.cwd, addedLines: []))
        }
        guard let result = record.toolUseResult, let added = result.addedLines else {
            // A plain-text result (older versions): the call's input version stands.
            for id in resultIDs { pendingEdits.removeValue(forKey: id) }
            return
        }
        // The result belongs to the edit call it answers: the pending one, else the
        // only call answered by this line (its call was in an earlier read).
        guard let id = resultIDs.first(where: { pendingEdits[$0] != nil }) ?? (resultIDs.count == 1 ? resultIDs[0] : nil)
        else { return }
        let pending = pendingEdits.removeValue(forKey: id)
        guard let filePath = result.filePath ?? pending?.filePath, !filePath.isEmpty else { return }
        builder.add(
            edit: EditEvent(
                tool: .claudeCode, sessionID: sessionID, timestamp: time, dedupKey: id, filePath: filePath,
                cwd: record.cwd ?? pending?.cwd, addedLines: added))
        for id in resultIDs { pendingEdits.removeValue(forKey: id) }
    }
}

/// The last string decoded from a byte range, reused while the bytes stay the same.
struct StringCache {
    private var bytes: [UInt8] = []
    private var value: String?

    mutating func string(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        if let value, raw.elementsEqual(bytes) { return value }
        let decoded = JSONFieldScan.decodeString(raw)
        bytes = Array(raw)
        value = decoded
        return decoded
    }
}
