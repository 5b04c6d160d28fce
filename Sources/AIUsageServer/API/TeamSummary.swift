import AIUsageCore
import Foundation

/// `GET /api/v1/teams/{team}/summary`, schema `aiusage.team-summary/1`.
///
/// Sums go into AIUsageCore's `ReportRow`, so the ratios are exactly those of
/// `aiusage report` (one formula, in `ReportRow.ratios`). Privacy rules of issue 3:
/// - nothing but `withheld: true` when fewer than `minGroupSize` developers contributed;
/// - a series period with fewer than `minGroupSize` contributors is left out of `series` and
///   of `totals`, and listed in `withheld_periods`, since a week one person worked in would
///   reveal that person (directly, or as totals minus the series);
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

    public static func compute(team: String, rows: [TeamRow], since: String, until: String, by: Period, minGroupSize: Int) -> TeamSummary {
        let contributors = Set(rows.map(\.developer))
        var summary = TeamSummary(
            team: team, since: since, until: until, by: by, minGroupSize: minGroupSize,
            developersContributing: contributors.count)
        guard contributors.count >= minGroupSize, !rows.isEmpty else { return summary }
        let windowDays = Double(DayMath.length(since, until))

        var totals = SummaryRow(key: [:], windowDays: windowDays)
        var periods: [String: (row: SummaryRow, developers: Set<String>)] = [:]
        var named: [String: SummaryRow] = [:]
        func periodOf(_ stored: TeamRow) -> String { by == .day ? stored.day : DayMath.week(stored.day) }
        for stored in rows {
            let period = periodOf(stored)
            if periods[period] == nil {
                // A period's length for the per-week ratio: clipped to the window at both ends.
                let end = by == .day ? period : min(DayMath.adding(6, to: period), until)
                let start = max(period, since)
                periods[period] = (SummaryRow(key: [by.rawValue: period], windowDays: Double(DayMath.length(start, end))), [])
            }
            periods[period]!.row.add(stored.row)
            periods[period]!.developers.insert(stored.developer)
            if stored.named {
                named[stored.developer, default: SummaryRow(key: ["developer": stored.developer], windowDays: windowDays)].add(stored.row)
            }
        }
        // Totals leave out withheld periods too: otherwise totals minus the series would
        // give away the figures of a period too few people worked in.
        for stored in rows where periods[periodOf(stored)]!.developers.count >= minGroupSize {
            totals.add(stored.row)
        }
        summary.totals = totals
        let ordered = periods.keys.sorted()
        summary.series = ordered.compactMap { periods[$0]!.developers.count >= minGroupSize ? periods[$0]!.row : nil }
        summary.withheldPeriods = ordered.filter { periods[$0]!.developers.count < minGroupSize }
        summary.developers = named.keys.sorted().map { named[$0]! }
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

    mutating func add(_ row: UsageRow) {
        sessions += row.sessions
        report.tokens = report.tokens + TokenCounts(
            input: row.input, output: row.output, cacheWrite: row.cacheWrite, cacheRead: row.cacheRead, reasoning: row.reasoning)
        report.costUSD += row.costUSD
        report.unpricedTokens += row.unpricedTokens
        report.wastedCostUSD += row.wastedCostUSD
        report.aiLinesWritten += Int(row.aiLinesWritten)
        report.ai = report.ai + LineCounts(
            committed: Int(row.aiLinesCommitted), landed: Int(row.aiLinesLanded), surviving: Int(row.aiLinesSurviving),
            pending: Int(row.aiLinesPending), churned: Int(row.aiLinesChurned))
        report.humanLinesCommitted += Int(row.humanLinesCommitted)
        report.commits += Int(row.commits)
        report.aiAssistedCommits += Int(row.aiAssistedCommits)
        report.landedAIAssistedCommits += Int(row.landedAIAssistedCommits)
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
