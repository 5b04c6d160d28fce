import AIUsageCore
import Foundation

/// Reads Codex CLI / Codex Desktop rollout files
/// (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl`, and the same files
/// moved to `$CODEX_HOME/archived_sessions/`).
///
/// Usage: Codex writes *cumulative* `total_token_usage` in `token_count` events, often
/// repeated unchanged. A usage event is emitted only when the session's total grows,
/// carrying the delta; its dedup key is `"<session id>:<new total>"`, so re-reading a
/// file, reading its archived copy, or reading it in increments yields the same keys.
///
/// Edits: every `apply_patch` (freeform `custom_tool_call`, JSON `function_call`, or a
/// heredoc / argv inside a shell call) gives one `EditEvent` per file of the patch,
/// keyed `"<call id>:<file index>"`.
public struct CodexReader: SessionReader {
    public let tool: ToolKind = .codex

    public init() {}

    /// Records handed to the sink at a time: bounded memory on a 1 GB ingest.
    static let batchLimit = 5000

    /// `$CODEX_HOME` (default `~/.codex`), taken from the injected environment only.
    static func codexHome(in environment: ReaderEnvironment) -> String {
        guard var home = environment.variables["CODEX_HOME"], !home.isEmpty else {
            return trimmingSlash(environment.home) + "/.codex"
        }
        if home == "~" {
            home = environment.home
        } else if home.hasPrefix("~/") {
            home = trimmingSlash(environment.home) + String(home.dropFirst(1))
        }
        return trimmingSlash(home)
    }

    private static func trimmingSlash(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        let home = Self.codexHome(in: environment)
        return [home + "/sessions", home + "/archived_sessions"]
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        var found = Set<String>()
        for root in searchRoots(in: environment) {
            // Recursive: sessions/ is date-nested, archived_sessions/ flat or nested.
            found.formUnion(RecordFileWalker.files(under: root) { $0.hasPrefix("rollout-") && $0.hasSuffix(".jsonl") }.files)
        }
        return found.sorted()
    }

    public func read(
        path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void
    ) throws -> ReadProgress {
        var parser = CodexLineParser(
            fileSessionID: Self.sessionID(fromPath: path), state: CodexReadState.decode(state))
        let outcome = try JSONLinesFile.forEachLine(path: path, from: offset) { line, _ in
            try parser.consume(line, sink: sink)
        }
        try parser.finish(sink: sink)
        return ReadProgress(
            offset: outcome.consumedTo, state: parser.state.encoded(), linesRead: parser.linesRead,
            linesSkipped: parser.linesSkipped, trailingBytes: outcome.trailingBytes)
    }

    /// The session id a rollout's file name carries (`rollout-<time>-<uuid>.jsonl` →
    /// `<uuid>`), used until (or unless) a `session_meta` record names it. Other names
    /// fall back to the file's base name, which is at least stable across re-reads.
    static func sessionID(fromPath path: String) -> String {
        var name = (path as NSString).lastPathComponent
        if name.hasSuffix(".jsonl") { name = String(name.dropLast(".jsonl".count)) }
        let utf8 = Array(name.utf8)
        if utf8.count >= 36 {
            let candidate = utf8[(utf8.count - 36)...]
            let isUUID = candidate.enumerated().allSatisfy { index, byte in
                switch index {
                case 8, 13, 18, 23: return byte == 0x2D
                default:
                    return (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
                }
            }
            if isUUID { return String(decoding: candidate, as: UTF8.self) }
        }
        return name
    }
}

/// The line-by-line state machine behind `CodexReader.read`: routes each line by a
/// byte-level peek at its `type`, decodes only the records that matter, and holds
/// edits until their tool call's outcome is known.
struct CodexLineParser {
    let fileSessionID: String
    var state: CodexReadState
    var batch = ReadBatch()
    var linesRead = 0
    var linesSkipped = 0

    /// Edits of apply_patch calls whose outcome has not been seen yet in this read, in
    /// call order. A failed outcome drops them; the end of the read (or too many
    /// waiting calls) emits them. Outcomes that arrive only in a *later* read are not
    /// seen, so such a failed patch still counts — rare, and the cheap choice.
    private var pending: [(callID: [UInt8], edits: [EditEvent])] = []
    private static let pendingLimit = 64

    private let decoder = JSONDecoder()

    init(fileSessionID: String, state: CodexReadState) {
        self.fileSessionID = fileSessionID
        self.state = state
    }

    var sessionID: String { state.sessionID ?? fileSessionID }

    mutating func consume(_ line: UnsafeBufferPointer<UInt8>, sink: (ReadBatch) throws -> Void) throws {
        linesRead += 1
        route(line)
        if batch.count >= CodexReader.batchLimit {
            try sink(batch)
            batch = ReadBatch()
        }
    }

    mutating func finish(sink: (ReadBatch) throws -> Void) throws {
        for entry in pending { batch.edits.append(contentsOf: entry.edits) }
        pending.removeAll()
        if !batch.isEmpty {
            try sink(batch)
            batch = ReadBatch()
        }
    }

    // MARK: Routing

    /// What a line is, as far as this reader cares.
    private enum Kind {
        case sessionMeta, turnContext, usage, patchApplyEnd, toolCall, callOutput, other
    }

    private mutating func route(_ line: UnsafeBufferPointer<UInt8>) {
        guard JSONByteScan.looksLikeObject(line) else {
            linesSkipped += 1
            return
        }
        guard let kind = classify(line) else { return }
        switch kind {
        case .sessionMeta: handleSessionMeta(line)
        case .turnContext: handleTurnContext(line)
        case .usage: handleUsage(line)
        case .patchApplyEnd:
            if !pending.isEmpty { handleCallResult(line) }
        case .toolCall:
            // A patch always contains its begin marker verbatim (no JSON escapes in it),
            // so calls without it — nearly all — are never decoded.
            if ByteSearch.contains(line, "*** Begin Patch") { handleToolCall(line) }
        case .callOutput:
            if pending.contains(where: { JSONByteScan.contains(line, bytes: $0.callID) }) { handleCallResult(line) }
        case .other:
            // compacted, world_state, other event_msg / response_item types, unknown
            // future types: read, not used, not an error.
            break
        }
    }

    /// Routes by a byte-level walk of the top-level members: the record's `type` and
    /// the `type` of its `payload`, in any key order. Codex writes `{"timestamp":…,
    /// "type":…,"payload":{"type":…}}`, so only the first ~100 bytes of a (often
    /// multi-kilobyte) line are looked at; a payload written before the type (sorted
    /// keys) is skipped over with `memchr`. Lines the walk cannot read (malformed) go
    /// through `classifyByPeek`. Nil when the line was malformed (and counted as skipped).
    private mutating func classify(_ line: UnsafeBufferPointer<UInt8>) -> Kind? {
        guard let record = JSONWalk.recordType(line) else { return classifyByPeek(line) }
        let type = record.type
        if JSONByteScan.equals(line, type, "event_msg") || JSONByteScan.equals(line, type, "response_item") {
            guard let payloadStart = record.payloadStart, payloadStart < line.count, line[payloadStart] == 0x7B else {
                return classifyByPeek(line)
            }
            guard let sub = JSONWalk.member(line, of: payloadStart, "type"), line[sub.lowerBound] == 0x22 else {
                return classifyByPeek(line)
            }
            let inner = (sub.lowerBound + 1)..<(sub.upperBound - 1)
            return JSONByteScan.equals(line, type, "event_msg") ? Self.eventKind(line, inner) : Self.itemKind(line, inner)
        }
        if JSONByteScan.equals(line, type, "session_meta") { return .sessionMeta }
        if JSONByteScan.equals(line, type, "turn_context") { return .turnContext }
        return .other
    }

    /// The routing of lines the structural walk could not read: the first `"type"` key
    /// anywhere is taken as the record's, the next one as the payload's; a first type
    /// that names a payload type falls back to decoding a small envelope.
    private mutating func classifyByPeek(_ line: UnsafeBufferPointer<UInt8>) -> Kind? {
        guard let type = JSONByteScan.stringValue(ofKey: "type", in: line) else {
            // No string "type" at all: not a rollout record. Read if JSON, else skipped.
            if (try? JSONSerialization.jsonObject(with: Data(line))) == nil {
                linesSkipped += 1
                return nil
            }
            return .other
        }
        func sub() -> Range<Int>? { JSONByteScan.stringValue(ofKey: "type", in: line, from: type.upperBound) }
        if JSONByteScan.equals(line, type, "event_msg") {
            guard let sub = sub() else { return .other }
            return Self.eventKind(line, sub)
        }
        if JSONByteScan.equals(line, type, "response_item") {
            guard let sub = sub() else { return .other }
            return Self.itemKind(line, sub)
        }
        if JSONByteScan.equals(line, type, "session_meta") { return .sessionMeta }
        if JSONByteScan.equals(line, type, "turn_context") { return .turnContext }
        // The first "type" named a payload type we use: keys are out of Codex's order.
        if Self.eventKind(line, type) != .other || Self.itemKind(line, type) != .other {
            guard let envelope = decode(CodexRoutingEnvelope.self, line) else { return nil }
            switch envelope.type {
            case "session_meta": return .sessionMeta
            case "turn_context": return .turnContext
            case "event_msg": return Self.eventKind(envelope.payloadType)
            case "response_item": return Self.itemKind(envelope.payloadType)
            default: return .other
            }
        }
        return .other
    }

    private static func eventKind(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Kind {
        if JSONByteScan.equals(line, range, "token_count") || JSONByteScan.equals(line, range, "turn.completed") {
            return .usage
        }
        if JSONByteScan.equals(line, range, "patch_apply_end") { return .patchApplyEnd }
        return .other
    }

    private static func itemKind(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Kind {
        if JSONByteScan.equals(line, range, "custom_tool_call") || JSONByteScan.equals(line, range, "function_call")
            || JSONByteScan.equals(line, range, "local_shell_call")
        {
            return .toolCall
        }
        if JSONByteScan.equals(line, range, "function_call_output")
            || JSONByteScan.equals(line, range, "custom_tool_call_output")
        {
            return .callOutput
        }
        return .other
    }

    private static func eventKind(_ type: String?) -> Kind {
        switch type {
        case "token_count", "turn.completed": .usage
        case "patch_apply_end": .patchApplyEnd
        default: .other
        }
    }

    private static func itemKind(_ type: String?) -> Kind {
        switch type {
        case "custom_tool_call", "function_call", "local_shell_call": .toolCall
        case "function_call_output", "custom_tool_call_output": .callOutput
        default: .other
        }
    }

    private mutating func decode<T: Decodable>(_ type: T.Type, _ line: UnsafeBufferPointer<UInt8>) -> T? {
        do {
            return try decoder.decode(type, from: Data(line))
        } catch {
            linesSkipped += 1
            return nil
        }
    }

    /// The record's time: its own timestamp, else the last one seen (carried in state
    /// so re-reads agree), else the epoch.
    private mutating func date(_ text: String?) -> Date {
        if let text, let date = Timestamps.parse(text) {
            state.lastTimestamp = date.timeIntervalSince1970
            return date
        }
        return Date(timeIntervalSince1970: state.lastTimestamp ?? 0)
    }

    // MARK: Session facts

    private mutating func handleSessionMeta(_ line: UnsafeBufferPointer<UInt8>) {
        guard let record = decode(CodexEnvelope<CodexSessionMeta>.self, line) else { return }
        let meta = record.payload
        let timestamp = date(meta?.timestamp ?? record.timestamp)
        if state.sessionID == nil, let id = meta?.id, !id.isEmpty {
            state.sessionID = id
        }
        // The first session_meta names the file's session; later ones (forks, subagent
        // metadata copied into history) do not re-attribute what follows.
        guard meta?.id == nil || meta?.id == state.sessionID else { return }
        if let cwd = meta?.cwd, !cwd.isEmpty, state.cwd == nil { state.cwd = cwd }
        batch.observations.append(
            SessionObservation(tool: .codex, sessionID: sessionID, cwd: state.cwd, timestamp: timestamp, model: state.model))
    }

    private mutating func handleTurnContext(_ line: UnsafeBufferPointer<UInt8>) {
        let timestampText: String?
        var model: String?
        var cwd: String?
        // Fast path: two strings out of a record that is mostly instructions, in one walk
        // that goes into the payload (first occurrences win, as with `JSONWalk.member`).
        var timestampRange: Range<Int>?
        var modelRange: Range<Int>?
        var cwdRange: Range<Int>?
        var payloadSeen = false
        var payloadRead = false
        _ = JSONWalk.walkMembers(line, of: 0) { key, valueStart in
            if !payloadSeen, JSONByteScan.equals(line, key, "payload") {
                payloadSeen = true
                guard line[valueStart] == 0x7B else { return nil }
                let end = JSONWalk.forEachMember(line, of: valueStart) { key, value in
                    if modelRange == nil, JSONByteScan.equals(line, key, "model") {
                        modelRange = value
                    } else if cwdRange == nil, JSONByteScan.equals(line, key, "cwd") {
                        cwdRange = value
                    }
                }
                payloadRead = end != nil
                return end
            }
            guard let end = JSONWalk.skipValue(line, valueStart) else { return nil }
            if timestampRange == nil, JSONByteScan.equals(line, key, "timestamp") { timestampRange = valueStart..<end }
            return end
        }
        if payloadRead {
            timestampText = timestampRange.flatMap { JSONWalk.string(line, $0) }
            model = modelRange.flatMap { JSONWalk.string(line, $0) }
            cwd = cwdRange.flatMap { JSONWalk.string(line, $0) }
        } else {
            guard let record = decode(CodexEnvelope<CodexTurnContext>.self, line) else { return }
            timestampText = record.timestamp
            model = record.payload?.model
            cwd = record.payload?.cwd
        }
        let timestamp = date(timestampText)
        if let model, !model.isEmpty { state.model = model }
        if let cwd, !cwd.isEmpty { state.cwd = cwd }
        batch.observations.append(
            SessionObservation(tool: .codex, sessionID: sessionID, cwd: state.cwd, timestamp: timestamp, model: state.model))
    }

    // MARK: Usage

    /// Turns a cumulative total into a delta event when it grew.
    ///
    /// - Equal total: a repeat (Codex writes each `token_count` at least twice) → nothing.
    /// - Lower total: a resumed process restarted its counters. The new value is a
    ///   fresh baseline counted from zero (its spend is new), and `epoch` moves on so
    ///   its keys cannot collide with the earlier ones.
    /// Legacy `turn.completed.usage` is treated as the same cumulative counter (codex
    /// exec fills it from `total_token_usage`), so where both appear the equal totals
    /// collapse into one event.
    private mutating func handleUsage(_ line: UnsafeBufferPointer<UInt8>) {
        if let fast = Self.fastUsage(line) {
            applyUsage(timestampText: fast.timestamp, totals: fast.totals, infoModel: fast.model)
        } else if let record = decode(CodexEnvelope<CodexUsagePayload>.self, line) {
            applyUsage(timestampText: record.timestamp, totals: record.payload?.totals, infoModel: record.payload?.info?.model)
        }
    }

    /// `token_count` / `turn.completed` read by walking the bytes (see `JSONWalk`);
    /// nil when the record has a shape the walk does not handle, for `JSONDecoder`.
    private static func fastUsage(
        _ line: UnsafeBufferPointer<UInt8>
    ) -> (timestamp: String?, totals: CodexTotals?, model: String?)? {
        // One pass over the line, walking into the payload instead of skipping it and
        // coming back; first occurrences win, as with `JSONWalk.member`.
        // As before, what follows the payload is not looked at.
        var timestampRange: Range<Int>?
        var payloadSeen = false
        var payloadRead = false
        var info: Range<Int>?
        var usage: Range<Int>?
        _ = JSONWalk.walkMembers(line, of: 0) { key, valueStart in
            if !payloadSeen, JSONByteScan.equals(line, key, "payload") {
                payloadSeen = true
                guard line[valueStart] == 0x7B else { return nil }
                let end = JSONWalk.forEachMember(line, of: valueStart) { key, value in
                    if info == nil, JSONByteScan.equals(line, key, "info") {
                        info = value
                    } else if usage == nil, JSONByteScan.equals(line, key, "usage") {
                        usage = value
                    }
                }
                payloadRead = end != nil
                return end
            }
            guard let end = JSONWalk.skipValue(line, valueStart) else { return nil }
            if timestampRange == nil, JSONByteScan.equals(line, key, "timestamp") { timestampRange = valueStart..<end }
            return end
        }
        guard payloadRead else { return nil }
        let timestamp = timestampRange.flatMap { JSONWalk.string(line, $0) }
        func totals(_ usage: Range<Int>) -> CodexTotals? {
            guard JSONWalk.isObject(line, usage) else { return nil }
            var ranges: [Range<Int>?] = [nil, nil, nil, nil, nil]
            guard
                JSONWalk.forEachMember(line, of: usage.lowerBound, { key, value in
                    let slot: Int
                    if JSONByteScan.equals(line, key, "input_tokens") {
                        slot = 0
                    } else if JSONByteScan.equals(line, key, "cached_input_tokens") {
                        slot = 1
                    } else if JSONByteScan.equals(line, key, "output_tokens") {
                        slot = 2
                    } else if JSONByteScan.equals(line, key, "reasoning_output_tokens") {
                        slot = 3
                    } else if JSONByteScan.equals(line, key, "total_tokens") {
                        slot = 4
                    } else {
                        return
                    }
                    if ranges[slot] == nil { ranges[slot] = value }
                }) != nil
            else { return nil }
            var values: [Int64?] = []
            for range in ranges {
                guard let range else {
                    values.append(nil)
                    continue
                }
                guard let value = JSONWalk.int64(line, range) else { return nil }  // not an integer: fall back
                values.append(value)
            }
            guard values[0] != nil || values[2] != nil || values[4] != nil else { return nil }
            return CodexTotals.normalised(
                input: values[0], cached: values[1], output: values[2], reasoning: values[3], total: values[4])
        }
        if let info {
            if JSONWalk.isNull(line, info) { return (timestamp, nil, nil) }  // rate limits only
            guard JSONWalk.isObject(line, info) else { return nil }
            var total: Range<Int>?
            var model: Range<Int>?
            guard
                JSONWalk.forEachMember(line, of: info.lowerBound, { key, value in
                    if total == nil, JSONByteScan.equals(line, key, "total_token_usage") {
                        total = value
                    } else if model == nil, JSONByteScan.equals(line, key, "model") {
                        model = value
                    }
                }) != nil,
                let total, let parsed = totals(total)
            else { return nil }  // legacy prompt/completion and odd shapes: decoder
            return (timestamp, parsed, model.flatMap { JSONWalk.string(line, $0) })
        }
        if let usage {
            guard let parsed = totals(usage) else { return nil }
            return (timestamp, parsed, nil)
        }
        return nil
    }

    private mutating func applyUsage(timestampText: String?, totals: CodexTotals?, infoModel: String?) {
        let timestamp = date(timestampText)
        guard let new = totals else { return }  // `info: null`: rate limits only
        var base = state.totals ?? .zero
        if new.total < base.total {
            state.epoch += 1
            base = .zero
        }
        guard new.total > base.total else {
            state.totals = new
            return
        }
        func delta(_ keyPath: KeyPath<CodexTotals, Int64>) -> Int64 { max(0, new[keyPath: keyPath] - base[keyPath: keyPath]) }
        let uncachedNow = new.input - new.cachedInput
        let uncachedBefore = base.input - base.cachedInput
        let tokens = TokenCounts(
            input: max(0, uncachedNow - uncachedBefore), output: delta(\.output), cacheWrite: 0,
            cacheRead: delta(\.cachedInput), reasoning: delta(\.reasoning))
        state.totals = new
        let key = state.epoch == 0 ? "\(sessionID):\(new.total)" : "\(sessionID):\(state.epoch):\(new.total)"
        let model = infoModel ?? state.model ?? "unknown"
        batch.usage.append(
            UsageEvent(tool: .codex, sessionID: sessionID, timestamp: timestamp, model: model, tokens: tokens, dedupKey: key))
        batch.observations.append(
            SessionObservation(tool: .codex, sessionID: sessionID, cwd: state.cwd, timestamp: timestamp, model: model))
    }

    // MARK: Edits

    private mutating func handleToolCall(_ line: UnsafeBufferPointer<UInt8>) {
        if fastApplyPatchCall(line) { return }
        guard let record = decode(CodexEnvelope<CodexToolCall>.self, line), let call = record.payload else { return }
        let timestamp = date(record.timestamp)
        // (text, whether the text itself must invoke apply_patch)
        var texts: [(String, Bool)] = []
        var workdir: String?
        let isApplyPatch = call.name == "apply_patch"
        switch call.type {
        case "custom_tool_call":
            guard let input = call.input else { return }
            if isApplyPatch {
                texts.append((input, false))
            } else if let arguments = decodeArguments(input) {
                texts += commandTexts(arguments)
                workdir = arguments.workdir
            } else {
                texts.append((input, true))
            }
        case "function_call":
            guard let raw = call.arguments else { return }
            if let arguments = decodeArguments(raw) {
                if isApplyPatch {
                    if let input = arguments.input ?? arguments.patch { texts.append((input, false)) }
                }
                texts += commandTexts(arguments)
                workdir = arguments.workdir
            } else if isApplyPatch {
                texts.append((raw, false))
            }
        case "local_shell_call":
            if let command = call.action?.command { texts.append((command.joined(separator: "\n"), true)) }
            workdir = call.action?.workingDirectory
        default:
            return
        }
        addEdits(
            texts: texts.map { (Array($0.0.utf8), $0.1) }, workdir: workdir, callID: call.callID,
            timestamp: timestamp, timestampText: record.timestamp)
    }

    /// The common case — a freeform `custom_tool_call` named `apply_patch` — read by
    /// walking the bytes: the envelope's few fields are located structurally and only
    /// the patch string is unescaped (to bytes; no `String` of the patch is built).
    /// False when the line has any other shape, or anything `JSONDecoder` might read
    /// differently (escapes in the small fields, duplicate keys, a bad escape or
    /// invalid UTF-8 in the patch): the caller then decodes it.
    private mutating func fastApplyPatchCall(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var timestamp: Range<Int>?
        var payload: Range<Int>?
        var duplicate = false
        let wellFormed = JSONWalk.forEachTopLevelMember(line) { key, value in
            if JSONByteScan.equals(line, key, "timestamp") {
                duplicate = duplicate || timestamp != nil
                timestamp = value
            } else if JSONByteScan.equals(line, key, "payload") {
                duplicate = duplicate || payload != nil
                payload = value
            }
        }
        guard wellFormed, !duplicate, let payload, JSONWalk.isObject(line, payload) else { return false }
        var type: Range<Int>?
        var name: Range<Int>?
        var callID: Range<Int>?
        var input: Range<Int>?
        let payloadEnd = JSONWalk.forEachMember(line, of: payload.lowerBound) { key, value in
            switch key.count {
            case 4 where JSONByteScan.equals(line, key, "type"):
                duplicate = duplicate || type != nil
                type = value
            case 4 where JSONByteScan.equals(line, key, "name"):
                duplicate = duplicate || name != nil
                name = value
            case 7 where JSONByteScan.equals(line, key, "call_id"):
                duplicate = duplicate || callID != nil
                callID = value
            case 5 where JSONByteScan.equals(line, key, "input"):
                duplicate = duplicate || input != nil
                input = value
            default:
                break
            }
        }
        guard payloadEnd != nil, !duplicate,
            let type, let typeText = JSONWalk.plainString(line, type), JSONByteScan.equals(line, typeText, "custom_tool_call"),
            let name, let nameText = JSONWalk.plainString(line, name), JSONByteScan.equals(line, nameText, "apply_patch"),
            let input, let patch = JSONWalk.unescapedBytes(line, input)
        else { return false }
        // Small strings: plain (no escapes) or let the decoder have the line. Not a
        // string at all: nil, as the lenient decoder would give.
        var callIDText: String?
        if let callID, line[callID.lowerBound] == 0x22 {
            guard let inner = JSONWalk.plainString(line, callID) else { return false }
            callIDText = String(decoding: UnsafeBufferPointer(rebasing: line[inner]), as: UTF8.self)
        }
        var timestampText: String?
        if let timestamp, line[timestamp.lowerBound] == 0x22 {
            guard let inner = JSONWalk.plainString(line, timestamp) else { return false }
            timestampText = String(decoding: UnsafeBufferPointer(rebasing: line[inner]), as: UTF8.self)
        }
        addEdits(
            texts: [(patch, false)], workdir: nil, callID: callIDText, timestamp: date(timestampText),
            timestampText: timestampText)
        return true
    }

    /// One `EditEvent` per file of every patch in `texts` (UTF-8; those flagged must
    /// themselves invoke apply_patch), held until the call's outcome is known.
    private mutating func addEdits(
        texts: [([UInt8], Bool)], workdir: String?, callID: String?, timestamp: Date, timestampText: String?
    ) {
        var cwd = state.cwd
        if let workdir, !workdir.isEmpty {
            cwd = workdir.hasPrefix("/") || cwd == nil ? workdir : Self.join(cwd ?? "", workdir)
        }
        let callKey = callID ?? "\(sessionID):\(timestampText ?? "")"
        var edits: [EditEvent] = []
        let sessionID = self.sessionID
        for (text, mustInvoke) in texts {
            text.withUnsafeBufferPointer { bytes in
                if mustInvoke, ApplyPatchParser.find("apply_patch", in: bytes, from: 0) == nil { return }
                for range in ApplyPatchParser.patchRanges(in: bytes) {
                    for change in ApplyPatchParser.parse(bytes: UnsafeBufferPointer(rebasing: bytes[range])) {
                        edits.append(
                            EditEvent(
                                tool: .codex, sessionID: sessionID, timestamp: timestamp,
                                dedupKey: "\(callKey):\(edits.count)", filePath: change.destinationPath, cwd: cwd,
                                addedLines: change.addedLines))
                    }
                }
            }
        }
        guard !edits.isEmpty else { return }
        if let callID, !callID.isEmpty {
            pending.append((Array(callID.utf8), edits))
            if pending.count > Self.pendingLimit { batch.edits.append(contentsOf: pending.removeFirst().edits) }
        } else {
            batch.edits.append(contentsOf: edits)
        }
    }

    /// A call's outcome read by walking the bytes: `call_id`, `success` and a string
    /// `output` (unescaped only here). Nil — decode instead — for other shapes (an array
    /// or object `output`, a payload that is not an object), escapes in the call id,
    /// duplicate keys, or anything the unescaper declines.
    private static func fastCallResult(_ line: UnsafeBufferPointer<UInt8>) -> CodexCallResult? {
        var payload: Range<Int>?
        var duplicate = false
        let wellFormed = JSONWalk.forEachTopLevelMember(line) { key, value in
            if JSONByteScan.equals(line, key, "payload") {
                duplicate = duplicate || payload != nil
                payload = value
            }
        }
        guard wellFormed, !duplicate, let payload, JSONWalk.isObject(line, payload) else { return nil }
        var callID: Range<Int>?
        var success: Range<Int>?
        var output: Range<Int>?
        let payloadEnd = JSONWalk.forEachMember(line, of: payload.lowerBound) { key, value in
            if JSONByteScan.equals(line, key, "call_id") {
                duplicate = duplicate || callID != nil
                callID = value
            } else if JSONByteScan.equals(line, key, "success") {
                duplicate = duplicate || success != nil
                success = value
            } else if JSONByteScan.equals(line, key, "output") {
                duplicate = duplicate || output != nil
                output = value
            }
        }
        guard payloadEnd != nil, !duplicate else { return nil }
        // Like the lenient decoder: a field of another type reads as absent.
        var result = CodexCallResult()
        if let callID, line[callID.lowerBound] == 0x22 {
            guard let inner = JSONWalk.plainString(line, callID) else { return nil }
            result.callID = String(decoding: UnsafeBufferPointer(rebasing: line[inner]), as: UTF8.self)
        }
        if let success {
            if JSONByteScan.equals(line, success, "true") {
                result.success = true
            } else if JSONByteScan.equals(line, success, "false") {
                result.success = false
            }
        }
        if let output {
            switch line[output.lowerBound] {
            case 0x22:
                guard let bytes = JSONWalk.unescapedBytes(line, output) else { return nil }
                result.outputText = String(decoding: bytes, as: UTF8.self)
            case 0x5B, 0x7B:
                return nil  // items: decoded
            default:
                break
            }
        }
        return result
    }

    /// `base/relative`, without doubling a trailing slash.
    private static func join(_ base: String, _ relative: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/" + relative
    }

    private func decodeArguments(_ text: String) -> CodexToolArguments? {
        guard text.first(where: { !$0.isWhitespace }) == "{" else { return nil }
        return try? decoder.decode(CodexToolArguments.self, from: Data(text.utf8))
    }

    /// Shell command texts that may hold `apply_patch <<'EOF' … EOF` or
    /// `["apply_patch", "<patch>"]`; they count only if they invoke apply_patch.
    private func commandTexts(_ arguments: CodexToolArguments) -> [(String, Bool)] {
        var texts: [(String, Bool)] = []
        if let command = arguments.command { texts.append((command.joined(separator: "\n"), true)) }
        if let cmd = arguments.cmd { texts.append((cmd, true)) }
        return texts
    }

    /// Resolves pending edits with a call's outcome: success emits them, failure drops them.
    private mutating func handleCallResult(_ line: UnsafeBufferPointer<UInt8>) {
        let result: CodexCallResult
        if let fast = Self.fastCallResult(line) {
            result = fast
        } else {
            guard let record = decode(CodexEnvelope<CodexCallResult>.self, line), let payload = record.payload else { return }
            result = payload
        }
        guard let callID = result.callID else { return }
        let bytes = Array(callID.utf8)
        guard let index = pending.firstIndex(where: { $0.callID == bytes }) else { return }
        let entry = pending.remove(at: index)
        if result.succeeded { batch.edits.append(contentsOf: entry.edits) }
    }
}

