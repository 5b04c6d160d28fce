import AIUsageCore
import AIUsageReaders

/// What a reader handed out, merged the way the store merges it: usage by dedup key
/// with the field-wise maximum, edits by key with the last version winning. Reader
/// tests assert on this rather than on raw batches.
public struct MergedRead: Sendable {
    public var usage: [String: UsageEvent] = [:]
    public var edits: [String: EditEvent] = [:]
    public var observations: [SessionObservation] = []
    public var batches = 0
    public var progress = ReadProgress(offset: 0, state: nil)

    public init() {}

    public var totals: TokenCounts { usage.values.reduce(.zero) { $0 + $1.tokens } }

    public mutating func add(_ batch: ReadBatch) {
        batches += 1
        for event in batch.usage {
            if var known = usage[event.dedupKey] {
                known.tokens = known.tokens.fieldwiseMax(event.tokens)
                usage[event.dedupKey] = known
            } else {
                usage[event.dedupKey] = event
            }
        }
        for edit in batch.edits { edits[edit.dedupKey] = edit }
        observations += batch.observations
    }
}
