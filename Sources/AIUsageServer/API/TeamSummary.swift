import AIUsageUploadContract
import AIUsageCore
import Foundation

/// `GET /api/v1/teams/{team}/summary`, schema `aiusage.team-summary/1`.
///
/// Sums go into AIUsageCore's `ReportRow`, so the ratios are exactly those of
/// `aiusage report` (one formula, in `ReportRow.ratios`). What may be shown is decided by
/// `GroupSizeRule` alone (the k-rule, shared with the dashboard):
/// - nothing but `withheld: true` when fewer than `minGroupSize` developers contributed;
/// - the window is whole periods (ISO weeks for `by=week`, days for `by=day`); `series` holds
///   the published periods, `withheld_periods` those with data that the rule withheld, and
///   `totals` is the sum of `series`, so it reveals nothing the series does not;
/// - `developers` lists only developers whose latest upload said `named`, sorted by e-mail.
public struct TeamSummary: Sendable {
    public enum Period: String, Sendable { case day, week }

    public var team: String
    public var since: String
    public var until: String
    public var by: Period
    public var minGroupSize: Int
    public var developersContributing: Int
    public var totals: SummaryRow?
    public var series: [SummaryRow]?
    public var withheldPeriods: [String]?
    public var developers: [SummaryRow]?
    public var withheld: Bool { totals == nil }

    /// The window made of whole periods: for weeks, from the Monday of `since`'s week to the
    /// Sunday of `until`'s, so that two windows always differ by whole weeks.
    public static func aligned(since: String, until: String, by: Period) -> (since: String, until: String) {
        by == .day ? (since, until) : (DayMath.week(since), DayMath.adding(6, to: DayMath.week(until)))
    }

    /// The days whose rows `compute` needs: every ISO week the window touches, whole, since
    /// the k-rule decides each week from all of its days.
    public static func rowsNeeded(since: String, until: String) -> (since: String, until: String) {
        (DayMath.week(since), DayMath.adding(6, to: DayMath.week(until)))
    }

    /// The summary of an aligned window. `rows` must cover `rowsNeeded(since:until:)`;
    /// `published` is `rule.publish(rows)`, passed when the caller already has it.
    public static func compute(
        team: String, rows: [TeamRow], since: String, until: String, by: Period, rule: GroupSizeRule,
        published: PublishedCells? = nil
    ) -> TeamSummary {
        let inWindow = rows.filter { $0.day >= since && $0.day <= until && UploadBounds.isWithinBounds($0.row) }
        let contributors = Set(inWindow.map(\.developer))
        var summary = TeamSummary(
            team: team, since: since, until: until, by: by, minGroupSize: rule.minGroupSize,
            developersContributing: contributors.count)
        guard contributors.count >= rule.minGroupSize, !inWindow.isEmpty else { return summary }
        let cells = published ?? rule.publish(rows)
        let windowDays = Double(DayMath.length(since, until))

        let (shown, withheld) = by == .day ? cells.daySeries(since: since, until: until) : cells.weekSeries(since: since, until: until)
        var totals = SummaryRow(key: [:], windowDays: windowDays)
        for period in shown { totals.add(period) }
        summary.totals = totals
        summary.series = shown
        summary.withheldPeriods = withheld

        var named: [String: SummaryRow] = [:]
        for stored in inWindow where stored.named {
            named[stored.developer, default: SummaryRow(key: ["developer": stored.developer], windowDays: windowDays)].add(stored.row)
        }
        summary.developers = named.keys.sorted().compactMap { named[$0] }
        return summary
    }
}

/// A summary row: AIUsageCore's `ReportRow` plus the session count, which uploads carry as a
/// number (the report keeps session ids, which never leave the developer's machine).
public struct SummaryRow: Sendable {
    public var report: ReportRow
    public var sessions: Int64 = 0

    init(key: [String: String], windowDays: Double) {
        report = ReportRow(key: key)
        report.windowDays = windowDays
    }

    /// Adds one stored row. Saturating (see `Saturating`): sums cover any number of rows.
    mutating func add(_ row: UsageRow) {
        sessions = Saturating.add(sessions, row.sessions)
        report.tokens = TokenCounts(
            input: Saturating.add(report.tokens.input, row.input), output: Saturating.add(report.tokens.output, row.output),
            cacheWrite: Saturating.add(report.tokens.cacheWrite, row.cacheWrite),
            cacheRead: Saturating.add(report.tokens.cacheRead, row.cacheRead),
            reasoning: Saturating.add(report.tokens.reasoning, row.reasoning))
        report.costUSD = Saturating.add(report.costUSD, row.costUSD)
        report.unpricedTokens = Saturating.add(report.unpricedTokens, row.unpricedTokens)
        report.wastedCostUSD = Saturating.add(report.wastedCostUSD, row.wastedCostUSD)
        report.aiLinesWritten = Saturating.add(report.aiLinesWritten, row.aiLinesWritten)
        report.ai = LineCounts(
            committed: Saturating.add(report.ai.committed, row.aiLinesCommitted),
            landed: Saturating.add(report.ai.landed, row.aiLinesLanded),
            surviving: Saturating.add(report.ai.surviving, row.aiLinesSurviving),
            pending: Saturating.add(report.ai.pending, row.aiLinesPending),
            churned: Saturating.add(report.ai.churned, row.aiLinesChurned))
        report.humanLinesCommitted = Saturating.add(report.humanLinesCommitted, row.humanLinesCommitted)
        report.commits = Saturating.add(report.commits, row.commits)
        report.aiAssistedCommits = Saturating.add(report.aiAssistedCommits, row.aiAssistedCommits)
        report.landedAIAssistedCommits = Saturating.add(report.landedAIAssistedCommits, row.landedAIAssistedCommits)
    }

    /// Adds another sum (a published cell into a total), saturating too.
    mutating func add(_ other: SummaryRow) {
        var row = UsageRow(repo: "", tool: "", model: "")
        row.sessions = other.sessions
        row.input = other.report.tokens.input
        row.output = other.report.tokens.output
        row.cacheWrite = other.report.tokens.cacheWrite
        row.cacheRead = other.report.tokens.cacheRead
        row.reasoning = other.report.tokens.reasoning
        row.costUSD = other.report.costUSD
        row.unpricedTokens = other.report.unpricedTokens
        row.wastedCostUSD = other.report.wastedCostUSD
        row.aiLinesWritten = Int64(other.report.aiLinesWritten)
        row.aiLinesCommitted = Int64(other.report.ai.committed)
        row.aiLinesLanded = Int64(other.report.ai.landed)
        row.aiLinesSurviving = Int64(other.report.ai.surviving)
        row.aiLinesPending = Int64(other.report.ai.pending)
        row.aiLinesChurned = Int64(other.report.ai.churned)
        row.humanLinesCommitted = Int64(other.report.humanLinesCommitted)
        row.commits = Int64(other.report.commits)
        row.aiAssistedCommits = Int64(other.report.aiAssistedCommits)
        row.landedAIAssistedCommits = Int64(other.report.landedAIAssistedCommits)
        add(row)
    }
}

extension TeamSummary: Encodable {
    enum CodingKeys: String, CodingKey {
        case schema, team, window, by, minGroupSize = "min_group_size", developersContributing = "developers_contributing"
        case withheld, totals, series, withheldPeriods = "withheld_periods", developers
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("aiusage.team-summary/1", forKey: .schema)
        try container.encode(team, forKey: .team)
        try container.encode(["since": since, "until": until], forKey: .window)
        try container.encode(by.rawValue, forKey: .by)
        try container.encode(minGroupSize, forKey: .minGroupSize)
        try container.encode(developersContributing, forKey: .developersContributing)
        try container.encode(withheld, forKey: .withheld)
        try container.encodeIfPresent(totals, forKey: .totals)
        try container.encodeIfPresent(series, forKey: .series)
        try container.encodeIfPresent(withheldPeriods, forKey: .withheldPeriods)
        try container.encodeIfPresent(developers, forKey: .developers)
    }
}

/// Written with the `aiusage report --format json` row contract (AIUsageCore's
/// `ReportRowJSON`); the session count is summed from uploads.
extension SummaryRow: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try ReportRowJSON(report, sessions: Int(sessions)).encode(to: encoder)
    }
}
