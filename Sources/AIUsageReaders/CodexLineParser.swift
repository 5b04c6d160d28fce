import AIUsageCore
import Foundation

/// The line-by-line state machine behind `CodexReader.read`: routes each line by a
/// byte-level peek at its `type`, decodes only the records that matter, and holds
/// edits until their tool call's outcome is known.
///
/// What it cannot use is counted, never dropped silently: a line that is not JSON in
/// `linesSkipped`; a well-formed record of a type, tool or shape it does not know as
/// format drift in the batch (`ReadBatch.noteUnrecognized`).
struct CodexLineParser {
    let fileSessionID: String
    var state: CodexReadState
    var batch = ReadBatch()
    var linesRead = 0
    var linesSkipped = 0

    /// Edits of patch-carrying calls whose outcome has not been seen yet in this read,
    /// in call order. A failed outcome drops them, a FileChange item replaces them; the
    /// end of the read (or too many waiting calls) emits them. Outcomes that arrive
    /// only in a *later* read are not seen, so such a failed patch still counts — rare,
    /// and the cheap choice.
    var pending: [PendingCall] = []
    static let pendingLimit = 64

    struct PendingCall {
        var callID: [UInt8]
        var edits: [EditEvent]
        /// The call was a script (`exec`): its output tells whether the script ran,
        /// not whether its patch applied, so only an explicit patch failure drops it.
        var scripted: Bool
    }

    let decoder = JSONDecoder()
    /// Where the current line's `payload` starts, when the routing walk found it.
    var payloadStart: Int?

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
    enum Kind: Equatable {
        case sessionMeta, turnContext, usage, tokenUsageRecord, threadSettings, itemCompleted, patchApplyEnd
        case toolCall, callOutput
        /// Known, and of no use here.
        case known
        /// Well-formed, but of a type this reader does not know: counted as drift.
        case unknown(String)
    }

    private mutating func route(_ line: UnsafeBufferPointer<UInt8>) {
        payloadStart = nil
        // Routing looks at a line's first members only, and the decoder at the fields
        // it reads: the whole line is checked first, so a malformed one is skipped and
        // counted whatever its type (fuzzing found `"\q"` in an unread field counted).
        guard Self.isJSON(line) else {
            linesSkipped += 1
            return
        }
        guard JSONByteScan.looksLikeObject(line) else {
            batch.noteUnrecognized(.shape, "record that is not an object")
            return
        }
        guard let kind = classify(line) else { return }
        switch kind {
        case .sessionMeta: handleSessionMeta(line)
        case .turnContext: handleTurnContext(line)
        case .usage: handleUsage(line)
        case .tokenUsageRecord: handleTokenUsageRecord(line)
        case .threadSettings: handleThreadSettings(line)
        case .itemCompleted: handleItemCompleted(line)
        case .patchApplyEnd:
            if !pending.isEmpty { handleCallResult(line) }
        case .toolCall:
            // A patch always contains its begin marker verbatim (no JSON escapes in it),
            // so calls without it — nearly all — are never decoded.
            if ByteSearch.contains(line, "*** Begin Patch") { handleToolCall(line) }
        case .callOutput:
            if pending.contains(where: { JSONByteScan.contains(line, bytes: $0.callID) }) { handleCallResult(line) }
        case .known:
            break
        case .unknown(let name):
            batch.noteUnrecognized(.recordType, name)
        }
    }

    /// Routes by a byte-level walk of the top-level members: the record's `type` and
    /// the `type` of its `payload`, in any key order. Codex writes `{"timestamp":…,
    /// "type":…,"payload":{"type":…}}`, so only the first ~100 bytes of a (often
    /// multi-kilobyte) line are looked at; a payload written before the type (sorted
    /// keys) is skipped over with `memchr`. Lines the walk cannot read go
    /// through `classifyByPeek`. Nil when a record of an unexpected shape was counted as drift.
    private mutating func classify(_ line: UnsafeBufferPointer<UInt8>) -> Kind? {
        guard let record = JSONWalk.recordType(line) else { return classifyByPeek(line) }
        let type = record.type
        let isEvent = JSONByteScan.equals(line, type, "event_msg")
        if isEvent || JSONByteScan.equals(line, type, "response_item") {
            guard let start = record.payloadStart, start < line.count, line[start] == 0x7B else {
                return classifyByPeek(line)
            }
            guard let sub = JSONWalk.member(line, of: start, "type"), line[sub.lowerBound] == 0x22 else {
                return classifyByPeek(line)
            }
            payloadStart = start
            let inner = (sub.lowerBound + 1)..<(sub.upperBound - 1)
            return isEvent ? Self.eventKind(line, inner) : Self.itemKind(line, inner)
        }
        return Self.recordKind(line, type)
    }

    /// The routing of lines the structural walk could not read: the first `"type"` key
    /// anywhere is taken as the record's, the next one as the payload's; a first type
    /// that names a payload type falls back to decoding a small envelope.
    private mutating func classifyByPeek(_ line: UnsafeBufferPointer<UInt8>) -> Kind? {
        // `route` checked that the line is JSON.
        guard let type = JSONByteScan.stringValue(ofKey: "type", in: line) else {
            // No string "type" at all: not a rollout record.
            batch.noteUnrecognized(.shape, "record without a type")
            return .known
        }
        func sub() -> Range<Int>? { JSONByteScan.stringValue(ofKey: "type", in: line, from: type.upperBound) }
        if JSONByteScan.equals(line, type, "event_msg") {
            guard let sub = sub() else { return .known }
            return Self.eventKind(line, sub)
        }
        if JSONByteScan.equals(line, type, "response_item") {
            guard let sub = sub() else { return .known }
            return Self.itemKind(line, sub)
        }
        let kind = Self.recordKind(line, type)
        if case .unknown = kind {
            // The first "type" may name a payload type: keys are out of Codex's order.
            guard let envelope = decode(CodexRoutingEnvelope.self, line, shape: "record") else { return nil }
            switch envelope.type {
            case "event_msg": return Self.eventKind(envelope.payloadType)
            case "response_item": return Self.itemKind(envelope.payloadType)
            case let other?: return Self.recordKind(other)
            case nil: return .unknown("(none)")
            }
        }
        return kind
    }

    private static func recordKind(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Kind {
        if JSONByteScan.equals(line, range, "session_meta") { return .sessionMeta }
        if JSONByteScan.equals(line, range, "turn_context") { return .turnContext }
        if JSONByteScan.equals(line, range, "token_usage_record") { return .tokenUsageRecord }
        if CodexRecordTypes.contains(CodexRecordTypes.otherRecords, line, range) { return .known }
        return .unknown(name(line, range))
    }

    private static func eventKind(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Kind {
        if JSONByteScan.equals(line, range, "token_count") || JSONByteScan.equals(line, range, "turn.completed") {
            return .usage
        }
        if JSONByteScan.equals(line, range, "item_completed") { return .itemCompleted }
        if JSONByteScan.equals(line, range, "patch_apply_end") { return .patchApplyEnd }
        if JSONByteScan.equals(line, range, "thread_settings_applied") { return .threadSettings }
        if CodexRecordTypes.contains(CodexRecordTypes.otherEvents, line, range) { return .known }
        return .unknown("event_msg:" + name(line, range))
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
        if CodexRecordTypes.contains(CodexRecordTypes.otherItems, line, range) { return .known }
        return .unknown("response_item:" + name(line, range))
    }

    /// The same routing for types decoded as strings (the out-of-order fallback).
    private static func recordKind(_ type: String) -> Kind { byteKind(type) { recordKind($0, $1) } }
    private static func eventKind(_ type: String?) -> Kind { type.map { t in byteKind(t) { eventKind($0, $1) } } ?? .known }
    private static func itemKind(_ type: String?) -> Kind { type.map { t in byteKind(t) { itemKind($0, $1) } } ?? .known }

    private static func byteKind(_ text: String, _ body: (UnsafeBufferPointer<UInt8>, Range<Int>) -> Kind) -> Kind {
        var text = text
        return text.withUTF8 { body($0, 0..<$0.count) }
    }

    /// A record type's name for a drift count: the string's raw bytes (type names have
    /// no escapes), never free text.
    private static func name(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: line[range.clamped(to: 0..<line.count)]), as: UTF8.self)
    }

    /// Whether the line is JSON at all (rare path: only for lines the walks declined).
    static func isJSON(_ line: UnsafeBufferPointer<UInt8>) -> Bool { StrictLine.isJSON(line) }

    /// Decodes a record of a known type. A line that is JSON but not of the expected
    /// shape is format drift (`shape`); one that is not JSON is malformed.
    mutating func decode<T: Decodable>(_ type: T.Type, _ line: UnsafeBufferPointer<UInt8>, shape: String) -> T? {
        do {
            return try decoder.decode(type, from: Data(line))
        } catch {
            if Self.isJSON(line) {
                batch.noteUnrecognized(.shape, shape)
            } else {
                linesSkipped += 1
            }
            return nil
        }
    }

    /// The record's time: its own timestamp, else the last one seen (carried in state
    /// so re-reads agree), else the epoch.
    mutating func date(_ text: String?) -> Date {
        if let text, let date = Timestamps.parse(text) {
            state.lastTimestamp = date.timeIntervalSince1970
            return date
        }
        return Date(timeIntervalSince1970: state.lastTimestamp ?? 0)
    }

    // MARK: Session facts

    private mutating func handleSessionMeta(_ line: UnsafeBufferPointer<UInt8>) {
        guard let record = decode(CodexEnvelope<CodexSessionMeta>.self, line, shape: "session_meta") else { return }
        let meta = record.payload
        let timestamp = date(meta?.timestamp ?? record.timestamp)
        if state.sessionID == nil, let id = meta?.id, !id.isEmpty {
            state.sessionID = id
        }
        // The first session_meta names the file's session; later ones (forks, subagent
        // metadata copied into history) do not re-attribute what follows.
        guard meta?.id == nil || meta?.id == state.sessionID else { return }
        if let cwd = meta?.cwd, !cwd.isEmpty, state.cwd == nil { state.cwd = cwd }
        // A null (or absent) model leaves the model to turn_context and token_count.
        if let model = meta?.model, !model.isEmpty, state.model == nil { state.model = model }
        if meta?.historyMode == "paginated" { state.paginated = true }
        if meta?.hasHistoryBase == true, state.totals == nil { state.continuation = true }
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
            guard let record = decode(CodexEnvelope<CodexTurnContext>.self, line, shape: "turn_context") else { return }
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

    /// `thread_settings_applied`: a model switch (`/model`, or Codex Desktop's picker)
    /// applies from the next request on, before the next turn_context says so.
    private mutating func handleThreadSettings(_ line: UnsafeBufferPointer<UInt8>) {
        guard let record = decode(CodexEnvelope<CodexThreadSettingsApplied>.self, line, shape: "event_msg:thread_settings_applied")
        else { return }
        let timestamp = date(record.timestamp)
        if let model = record.payload?.model, !model.isEmpty { state.model = model }
        if let cwd = record.payload?.cwd, !cwd.isEmpty { state.cwd = cwd }
        batch.observations.append(
            SessionObservation(tool: .codex, sessionID: sessionID, cwd: state.cwd, timestamp: timestamp, model: state.model))
    }

    // MARK: Usage

    /// Turns a cumulative total into a delta event when it grew.
    ///
    /// - Equal total: a repeat (Codex writes each `token_count` at least twice, and
    ///   Codex Desktop a `token_usage_record` with the same total) → nothing.
    /// - Lower total: a resumed process restarted its counters. The new value is a
    ///   fresh baseline counted from zero (its spend is new), and `epoch` moves on so
    ///   its keys cannot collide with the earlier ones.
    /// Legacy `turn.completed.usage` is treated as the same cumulative counter (codex
    /// exec fills it from `total_token_usage`), so where both appear the equal totals
    /// collapse into one event.
    private mutating func handleUsage(_ line: UnsafeBufferPointer<UInt8>) {
        if let fast = Self.fastUsage(line) {
            applyUsage(timestampText: fast.timestamp, totals: fast.totals, last: fast.last, infoModel: fast.model)
        } else if let record = decode(CodexEnvelope<CodexUsagePayload>.self, line, shape: "event_msg:token_count") {
            applyUsage(
                timestampText: record.timestamp, totals: record.payload?.totals,
                last: record.payload?.info?.lastTokenUsage?.totals, infoModel: record.payload?.info?.model)
        }
    }

    /// Codex Desktop's per-response record; its `thread_token_usage` is the counter
    /// `token_count` reports, so the two give the same keys and one event. A record of
    /// another thread (a subagent's, by its id) is not this session's spend.
    private mutating func handleTokenUsageRecord(_ line: UnsafeBufferPointer<UInt8>) {
        let timestamp: String?
        let thread: String?
        let cumulative: CodexTotals?
        let last: CodexTotals?
        if let fast = Self.fastTokenUsageRecord(line) {
            (timestamp, thread, cumulative, last) = (fast.timestamp, fast.thread, fast.cumulative, fast.last)
        } else {
            guard let record = decode(CodexEnvelope<CodexTokenUsageRecord>.self, line, shape: "token_usage_record"),
                let payload = record.payload
            else { return }
            (timestamp, thread, cumulative, last) = (
                record.timestamp, payload.threadID, payload.threadTokenUsage?.totals, payload.usage?.totals
            )
        }
        if let thread, CodexReader.isUUID(ArraySlice(thread.utf8)), thread != sessionID { return }
        guard let cumulative else {
            batch.noteUnrecognized(.shape, "token_usage_record without thread_token_usage")
            return
        }
        applyUsage(timestampText: timestamp, totals: cumulative, last: last, infoModel: nil)
    }

    /// `token_usage_record` read by walking the bytes (one per billed request: the
    /// decoder was a fifth of a Codex-heavy first ingest); nil for any shape the walk does
    /// not read exactly as the decoder would — a payload that is not an object, a
    /// `thread_id` that is neither a string nor null, counters that are not plain
    /// integers — which then goes to `JSONDecoder`. First occurrences win, as there.
    private static func fastTokenUsageRecord(
        _ line: UnsafeBufferPointer<UInt8>
    ) -> (timestamp: String?, thread: String?, cumulative: CodexTotals?, last: CodexTotals?)? {
        guard let top = JSONWalk.members(line, of: 0, "timestamp", "payload"), let payload = top[1], JSONWalk.isObject(line, payload),
            let inner = JSONWalk.members(line, of: payload.lowerBound, "thread_id", "usage", "thread_token_usage")
        else { return nil }
        let (timestampRange, threadRange, usage, threadUsage) = (top[0], inner[0], inner[1], inner[2])
        /// A counters object, or none (absent or null); nil when the walk cannot read it.
        func totals(_ range: Range<Int>?) -> CodexTotals?? {
            guard let range, !JSONWalk.isNull(line, range) else { return .some(nil) }
            guard let parsed = fastTotals(line, range) else { return nil }
            return .some(parsed)
        }
        var thread: String?
        if let threadRange, !JSONWalk.isNull(line, threadRange) {
            guard let text = JSONWalk.string(line, threadRange) else { return nil }
            thread = text
        }
        guard let cumulative = totals(threadUsage), let last = totals(usage) else { return nil }
        return (timestampRange.flatMap { JSONWalk.string(line, $0) }, thread, cumulative, last)
    }

    /// `token_count` / `turn.completed` read by walking the bytes (see `JSONWalk`);
    /// nil when the record has a shape the walk does not handle, for `JSONDecoder`.
    private static func fastUsage(
        _ line: UnsafeBufferPointer<UInt8>
    ) -> (timestamp: String?, totals: CodexTotals?, last: CodexTotals?, model: String?)? {
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
        if let info {
            if JSONWalk.isNull(line, info) { return (timestamp, nil, nil, nil) }  // rate limits only
            guard JSONWalk.isObject(line, info) else { return nil }
            guard let members = JSONWalk.members(line, of: info.lowerBound, "total_token_usage", "last_token_usage", "model"),
                let total = members[0], let parsed = fastTotals(line, total)
            else { return nil }  // legacy prompt/completion and odd shapes: decoder
            let (last, model) = (members[1], members[2])
            let lastParsed: CodexTotals?
            if let last {
                guard let value = fastTotals(line, last) else { return nil }
                lastParsed = value
            } else {
                lastParsed = nil
            }
            return (timestamp, parsed, lastParsed, model.flatMap { JSONWalk.string(line, $0) })
        }
        if let usage {
            guard let parsed = fastTotals(line, usage) else { return nil }
            return (timestamp, parsed, nil, nil)
        }
        return nil
    }

    /// A usage object's counters read from the bytes; nil (decode instead) for anything
    /// but plain integers, or when none of input, output and total is there. One walk of
    /// the object, each counter at its first occurrence (as the decoder reads it), and
    /// nothing allocated: twice a `token_count` line, it was 1.4 % of a first ingest.
    private static func fastTotals(_ line: UnsafeBufferPointer<UInt8>, _ usage: Range<Int>) -> CodexTotals? {
        guard JSONWalk.isObject(line, usage) else { return nil }
        var counters: (input: Int64?, cached: Int64?, output: Int64?, reasoning: Int64?, total: Int64?, cacheWrite: Int64?)
        var seen: UInt8 = 0
        var plain = true
        let end = JSONWalk.forEachMember(line, of: usage.lowerBound) { key, value in
            guard plain else { return }
            func named(_ name: StaticString) -> Bool { JSONByteScan.equals(line, key, name) }
            let slot: Int
            switch key.count {
            case 12: slot = named("input_tokens") ? 0 : named("total_tokens") ? 4 : -1
            case 13: slot = named("output_tokens") ? 2 : -1
            case 19: slot = named("cached_input_tokens") ? 1 : -1
            case 23: slot = named("reasoning_output_tokens") ? 3 : -1
            case 24: slot = named("cache_write_input_tokens") ? 5 : -1
            default: slot = -1
            }
            guard slot >= 0, seen & (1 << slot) == 0 else { return }
            seen |= 1 << slot
            guard let number = JSONWalk.int64(line, value) else {
                plain = false  // not an integer: fall back
                return
            }
            switch slot {
            case 0: counters.input = number
            case 1: counters.cached = number
            case 2: counters.output = number
            case 3: counters.reasoning = number
            case 4: counters.total = number
            default: counters.cacheWrite = number
            }
        }
        guard end != nil, plain else { return nil }
        guard counters.input != nil || counters.output != nil || counters.total != nil else { return nil }
        return CodexTotals.normalised(
            input: counters.input, cached: counters.cached, cacheWrite: counters.cacheWrite, output: counters.output,
            reasoning: counters.reasoning, total: counters.total)
    }

    private mutating func applyUsage(timestampText: String?, totals: CodexTotals?, last: CodexTotals?, infoModel: String?) {
        let timestamp = date(timestampText)
        guard let new = totals else { return }  // `info: null`: rate limits only
        var base: CodexTotals
        if let known = state.totals {
            base = known
        } else if state.continuation == true {
            // The first total of a continuation page or fork includes what the earlier
            // rollout already counted: this file's share starts at its last request
            // (`last_token_usage`), or — without one — after this total.
            base = last.map { new.minus($0) } ?? new
        } else {
            base = .zero
        }
        if new.total < base.total {
            state.epoch += 1
            base = .zero
        }
        guard new.total > base.total else {
            state.totals = new
            return
        }
        func delta(_ keyPath: KeyPath<CodexTotals, Int64>) -> Int64 { max(0, new[keyPath: keyPath] - base[keyPath: keyPath]) }
        // `cache_write_input_tokens` is part of `input_tokens`: reported as cache write,
        // not again as input.
        let tokens = TokenCounts(
            input: max(0, new.uncachedInput - base.uncachedInput), output: delta(\.output),
            cacheWrite: delta(\.cacheWrite), cacheRead: delta(\.cachedInput), reasoning: delta(\.reasoning))
        state.totals = new
        let key = state.epoch == 0 ? "\(sessionID):\(new.total)" : "\(sessionID):\(state.epoch):\(new.total)"
        let model = infoModel ?? state.model ?? "unknown"
        batch.usage.append(
            UsageEvent(tool: .codex, sessionID: sessionID, timestamp: timestamp, model: model, tokens: tokens, dedupKey: key))
        batch.observations.append(
            SessionObservation(tool: .codex, sessionID: sessionID, cwd: state.cwd, timestamp: timestamp, model: model))
    }
}
