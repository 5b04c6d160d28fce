import Foundation

/// What a reader got out of a stretch of a file: session facts, billed requests and
/// edits. Handed out in bounded batches so a 1 GB transcript never sits in memory.
public struct ReadBatch: Sendable {
    public var observations: [SessionObservation] = []
    public var usage: [UsageEvent] = []
    public var edits: [EditEvent] = []

    public init(observations: [SessionObservation] = [], usage: [UsageEvent] = [], edits: [EditEvent] = []) {
        self.observations = observations
        self.usage = usage
        self.edits = edits
    }

    public var isEmpty: Bool { observations.isEmpty && usage.isEmpty && edits.isEmpty }
    public var count: Int { observations.count + usage.count + edits.count }
}
