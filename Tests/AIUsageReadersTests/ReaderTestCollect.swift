import Foundation
@testable import AIUsageReaders
import AIUsageCore

/// Everything one read of a reader produced, flattened (shared by the Amp, Aider and
/// Copilot reader tests).
struct CollectedRead {
    var observations: [SessionObservation] = []
    var usage: [UsageEvent] = []
    var edits: [EditEvent] = []
    var progress = ReadProgress(offset: 0, state: nil)
    var batches = 0

    var tokens: TokenCounts { usage.reduce(TokenCounts.zero) { $0 + $1.tokens } }
    var sessions: Set<String> { Set(observations.map(\.sessionID)) }

    static func read(_ reader: some SessionReader, _ path: String, from offset: Int64 = 0, state: Data? = nil) throws -> CollectedRead {
        var collected = CollectedRead()
        collected.progress = try reader.read(path: path, from: offset, state: state) { batch in
            collected.batches += 1
            collected.observations += batch.observations
            collected.usage += batch.usage
            collected.edits += batch.edits
        }
        return collected
    }
}

func significantHashes(_ lines: String...) -> [LineHash] { lines.compactMap { LineIdentity.significantHash($0) } }
