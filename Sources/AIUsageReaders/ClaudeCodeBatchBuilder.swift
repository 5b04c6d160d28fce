import AIUsageCore
import Foundation

/// Collects one read's events into bounded batches, de-duplicating inside a batch so
/// that the store receives few rows.
///
/// - Usage: Claude repeats a request's usage on every content block line, so events of
///   the same key are merged with `TokenCounts.fieldwiseMax` (what the store does too).
/// - Edits: an edit key is written first from the tool call and again from its
///   result; the later version replaces the earlier (what the store does too).
/// - Observations: per (session, cwd, model) only the first and last timestamp of the
///   batch are kept — the store merges them into earliest start and latest end anyway.
struct ClaudeCodeBatchBuilder {
    /// Records per batch handed to the sink; bounds memory on a 1 GB transcript.
    let limit: Int

    private var usage: [UsageEvent] = []
    private var usageIndex: [String: Int] = [:]
    private var edits: [EditEvent] = []
    private var editIndex: [String: Int] = [:]
    private var spans: [SessionKey: Span] = [:]
    private var spanOrder: [SessionKey] = []
    private var drift: [FormatDrift: Int] = [:]

    private struct SessionKey: Hashable {
        var sessionID: String
        var cwd: String?
        var model: String?
    }

    private struct Span {
        var first: Date
        var last: Date
    }

    init(limit: Int = 5000) { self.limit = limit }

    var pendingCount: Int { usage.count + edits.count + 2 * spans.count + drift.count }

    /// Counts a record type, tool name or shape the reader does not understand.
    mutating func noteUnrecognized(_ kind: FormatDrift.Kind, _ name: String) {
        drift[FormatDrift(kind: kind, name: name), default: 0] += 1
    }

    mutating func add(usage event: UsageEvent) {
        if let index = usageIndex[event.dedupKey] {
            usage[index].tokens = usage[index].tokens.fieldwiseMax(event.tokens)
        } else {
            usageIndex[event.dedupKey] = usage.count
            usage.append(event)
        }
    }

    /// Adds an edit; a later version of the same key replaces the earlier one.
    mutating func add(edit event: EditEvent) {
        if let index = editIndex[event.dedupKey] {
            edits[index] = event
        } else {
            editIndex[event.dedupKey] = edits.count
            edits.append(event)
        }
    }

    mutating func observe(sessionID: String, cwd: String?, timestamp: Date, model: String?) {
        let key = SessionKey(sessionID: sessionID, cwd: cwd, model: model)
        if var span = spans[key] {
            if timestamp < span.first { span.first = timestamp }
            if timestamp > span.last { span.last = timestamp }
            spans[key] = span
        } else {
            spans[key] = Span(first: timestamp, last: timestamp)
            spanOrder.append(key)
        }
    }

    /// Hands out the batch when it reached `limit` records.
    mutating func flushIfFull(_ sink: (ReadBatch) throws -> Void) rethrows {
        if pendingCount >= limit { try flush(sink) }
    }

    /// Hands out whatever was collected (nothing when empty) and starts a new batch.
    mutating func flush(_ sink: (ReadBatch) throws -> Void) rethrows {
        var observations: [SessionObservation] = []
        observations.reserveCapacity(spanOrder.count * 2)
        for key in spanOrder {
            guard let span = spans[key] else { continue }
            observations.append(
                SessionObservation(
                    tool: .claudeCode, sessionID: key.sessionID, cwd: key.cwd, timestamp: span.first, model: key.model))
            if span.last != span.first {
                observations.append(
                    SessionObservation(
                        tool: .claudeCode, sessionID: key.sessionID, cwd: key.cwd, timestamp: span.last,
                        model: key.model))
            }
        }
        var batch = ReadBatch(observations: observations, usage: usage, edits: edits)
        batch.drift = drift
        drift.removeAll(keepingCapacity: true)
        usage.removeAll(keepingCapacity: true)
        usageIndex.removeAll(keepingCapacity: true)
        edits.removeAll(keepingCapacity: true)
        editIndex.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        spanOrder.removeAll(keepingCapacity: true)
        if !batch.isEmpty { try sink(batch) }
    }
}
