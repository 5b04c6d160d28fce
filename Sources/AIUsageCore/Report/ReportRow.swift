import Foundation

/// One row of `aiusage report`: the counts of PRODUCT.md and the ratios over them.
public struct ReportRow: Sendable, Equatable {
    /// The grouping fields, e.g. `["developer": "a@example.com"]`; empty for totals.
    public var key: [String: String]
    public var sessions: Set<String> = []
    public var tokens = TokenCounts()
    public var costUSD = 0.0
    public var unpricedTokens: Int64 = 0
    public var aiLinesWritten = 0
    public var ai = LineCounts()
    public var humanLinesCommitted = 0
    public var commits = 0
    public var aiAssistedCommits = 0
    public var landedAIAssistedCommits = 0
    /// Cost of sessions none of whose AI lines landed.
    public var wastedCostUSD = 0.0
    /// Days the per-week ratio divides by: the row's own period (its day, week or month
    /// within the window) for time groupings, else the whole window.
    public var windowDays: Double = 0

    public init(key: [String: String]) { self.key = key }

    public var ratios: Ratios {
        Ratios(
            yield: aiLinesWritten > 0 ? Double(ai.landed) / Double(aiLinesWritten) : nil,
            survival: ai.landed - ai.pending > 0 ? Double(ai.surviving) / Double(ai.landed - ai.pending) : nil,
            costPerLandedLineUSD: ai.landed > 0 && costUSD > 0 ? costUSD / Double(ai.landed) : nil,
            landedLinesPerMillionTokens: tokens.total > 0 ? Double(ai.landed) / (Double(tokens.total) / 1_000_000) : nil,
            wasteShare: costUSD > 0 ? wastedCostUSD / costUSD : nil,
            landedAICommitsPerWeek: windowDays > 0 ? Double(landedAIAssistedCommits) / (windowDays / 7) : nil)
    }
}

/// The ratios of PRODUCT.md; nil where undefined (a zero denominator).
public struct Ratios: Sendable, Equatable {
    public var yield: Double?
    public var survival: Double?
    public var costPerLandedLineUSD: Double?
    public var landedLinesPerMillionTokens: Double?
    public var wasteShare: Double?
    public var landedAICommitsPerWeek: Double?
}
