import Foundation

/// What a reader got out of a stretch of a file: session facts, billed requests and
/// edits. Handed out in bounded batches so a 1 GB transcript never sits in memory.
public struct ReadBatch: Sendable {
    public var observations: [SessionObservation] = []
    public var usage: [UsageEvent] = []
    public var edits: [EditEvent] = []
    /// What the reader saw and did not understand (record types, tool names), counted:
    /// tools change their formats every few weeks, and `aiusage doctor` shows this so
    /// that a format change is seen instead of silently losing data.
    public var drift: [FormatDrift: Int] = [:]

    public init(observations: [SessionObservation] = [], usage: [UsageEvent] = [], edits: [EditEvent] = []) {
        self.observations = observations
        self.usage = usage
        self.edits = edits
    }

    public var isEmpty: Bool { observations.isEmpty && usage.isEmpty && edits.isEmpty && drift.isEmpty }
    public var count: Int { observations.count + usage.count + edits.count + drift.count }

    /// Counts one thing the reader did not recognise.
    public mutating func noteUnrecognized(_ kind: FormatDrift.Kind, _ name: String) {
        drift[FormatDrift(kind: kind, name: name), default: 0] += 1
    }
}

/// Something in a tool's records that its reader does not know: a record type, a
/// tool name, a field shape. The name is a type or tool name from the record (never
/// free text), cut to 80 characters.
public struct FormatDrift: Hashable, Sendable, Comparable {
    public enum Kind: String, Sendable, Comparable {
        /// A record (line, event, item) type the reader does not handle.
        case recordType = "record-type"
        /// A tool call whose tool the reader does not know (so its edits, if any, are not read).
        case toolName = "tool-name"
        /// A record of a known type whose shape the reader could not read.
        case shape

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var kind: Kind
    public var name: String

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name.count > 80 ? String(name.prefix(80)) : name
    }

    public static func < (lhs: FormatDrift, rhs: FormatDrift) -> Bool { (lhs.kind, lhs.name) < (rhs.kind, rhs.name) }
}
