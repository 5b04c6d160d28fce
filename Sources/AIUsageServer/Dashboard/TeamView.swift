import AIUsageCore
import Foundation

/// One week on a chart's axis: a figure, a week the k-rule withheld (drawn as withheld,
/// never as zero), or a week without any data (left blank).
enum WeekPoint {
    case shown(ReportRow)
    case withheld
    case noData

    var row: ReportRow? { if case .shown(let row) = self { row } else { nil } }
}

/// Every figure of one team page, taken from the k-rule's published cells (`GroupSizeRule`)
/// and nothing else, with what each total is the sum of. Built here and drawn by
/// `TeamPage`, so what a page claims (the totals are the sum of the weeks shown, the table
/// adds up to the totals) is decided in one place.
struct TeamView {
    enum State: Equatable {
        /// No developer uploaded anything in the window.
        case empty
        /// Some did, fewer than k: nothing but the count may be shown.
        case belowGroupSize
        /// At least k contributed, but the rule withheld every week with data.
        case everyWeekWithheld
        case published
    }

    struct Breakdown {
        /// One row per tool and model with at least one published cell, by name.
        var rows: [SummaryRow]
        /// The totals minus the listed rows: cells withheld inside published weeks (a tool
        /// few developers used, a day withheld with it). Already computable from what the page
        /// shows, so showing it reveals nothing, and it makes the table add up.
        var notItemised: SummaryRow?
        /// Tools and models with data in the window and no published cell at all.
        var hiddenPairs: Int
    }

    var team: String
    var since: String
    var until: String
    var weeks: Int
    var minGroupSize: Int
    var contributors: Int
    var state: State
    /// The sum of the published weeks: exactly the bars of the charts.
    var totals: SummaryRow?
    /// Every week of the window, in order.
    var points: [(week: String, point: WeekPoint)]
    var breakdown: Breakdown?
    /// Developers who chose `named`, with their own figures, by e-mail.
    var named: [SummaryRow]
    /// One tool and model only (`?tool=&model=`): its published days and the withheld ones.
    var selection: (tool: String, model: String)?
    var selectionDays: (shown: Int, withheld: Int) = (0, 0)
    /// The viewer may also upload (an admin): the page links to their own data.
    var viewerUploads = false

    var withheldWeeks: Int { points.filter { if case .withheld = $0.point { true } else { false } }.count }
    var shownWeeks: Int { points.filter { $0.point.row != nil }.count }

    /// The team's page over `since...until` (whole ISO weeks). `rows` covers those weeks.
    static func team(
        name: String, rows: [TeamRow], since: String, until: String, weeks: Int, rule: GroupSizeRule
    ) -> TeamView {
        let published = rule.publish(rows)
        let summary = TeamSummary.compute(team: name, rows: rows, since: since, until: until, by: .week, rule: rule, published: published)
        var view = TeamView(
            team: name, since: since, until: until, weeks: weeks, minGroupSize: rule.minGroupSize,
            contributors: summary.developersContributing, state: .empty, totals: nil, points: [], breakdown: nil, named: [])
        guard summary.developersContributing > 0 else { return view }
        guard let totals = summary.totals else {
            view.state = .belowGroupSize
            return view
        }
        view.named = summary.developers ?? []
        let shown = Dictionary((summary.series ?? []).map { ($0.report.key["week"] ?? "", $0.report) }, uniquingKeysWith: { a, _ in a })
        let withheld = Set(summary.withheldPeriods ?? [])
        view.points = Self.weeks(since: since, until: until).map { week in
            (week, shown[week].map(WeekPoint.shown) ?? (withheld.contains(week) ? .withheld : .noData))
        }
        guard !shown.isEmpty else {
            view.state = .everyWeekWithheld
            return view
        }
        view.state = .published
        view.totals = totals
        let pairs = published.pairRows(since: since, until: until, windowDays: Double(DayMath.length(since, until)))
        let listed = pairs.rows.reduce(into: SummaryRow(key: [:], windowDays: totals.report.windowDays)) { $0.add($1) }
        let rest = totals.subtracting(listed)
        view.breakdown = Breakdown(rows: pairs.rows, notItemised: rest.isZero && pairs.hidden == 0 ? nil : rest, hiddenPairs: pairs.hidden)
        return view
    }

    /// One tool and model: each week the sum of its published (day, tool, model) cells; a
    /// week where it has data but no published cell is withheld.
    mutating func select(tool: String, model: String, cells: PublishedCells) {
        selection = (tool, model)
        breakdown = nil
        named = []
        let windowDays = Double(DayMath.length(since, until))
        let sums = Dictionary(
            cells.pairWeeks(tool: tool, model: model, since: since, until: until).map { ($0.report.key["week"] ?? "", $0) },
            uniquingKeysWith: { a, _ in a })
        var dataWeeks = Set<String>(), withheldDays = Set<String>(), shownDays = Set<String>()
        for cell in cells.dataPairs where cell.tool == tool && cell.model == model && cell.day >= since && cell.day <= until {
            dataWeeks.insert(DayMath.week(cell.day))
            if cells.pairDays[cell] == nil { withheldDays.insert(cell.day) } else { shownDays.insert(cell.day) }
        }
        selectionDays = (shownDays.count, withheldDays.count)
        points = Self.weeks(since: since, until: until).map { week in
            (week, sums[week].map { WeekPoint.shown($0.report) } ?? (dataWeeks.contains(week) ? .withheld : .noData))
        }
        var total = SummaryRow(key: [:], windowDays: windowDays)
        for week in sums.values { total.add(week) }
        totals = total
    }

    /// The Mondays from `since` to `until`.
    static func weeks(since: String, until: String) -> [String] {
        var weeks: [String] = []
        var week = DayMath.week(since)
        while week <= until, weeks.count < 1000 {
            weeks.append(week)
            week = DayMath.adding(7, to: week)
        }
        return weeks
    }
}

extension SummaryRow {
    /// This sum minus a part of it (rows listed out of a total), field by field, never below
    /// zero (dollars may differ by a rounding error).
    func subtracting(_ part: SummaryRow) -> SummaryRow {
        var rest = self
        func minus(_ a: Int64, _ b: Int64) -> Int64 { a >= b ? a - b : 0 }
        func minus(_ a: Int, _ b: Int) -> Int { a >= b ? a - b : 0 }
        func minus(_ a: Double, _ b: Double) -> Double { a - b > 1e-9 ? a - b : 0 }
        rest.sessions = minus(sessions, part.sessions)
        let t = report.tokens, p = part.report.tokens
        rest.report.tokens = TokenCounts(
            input: minus(t.input, p.input), output: minus(t.output, p.output), cacheWrite: minus(t.cacheWrite, p.cacheWrite),
            cacheRead: minus(t.cacheRead, p.cacheRead), reasoning: minus(t.reasoning, p.reasoning))
        rest.report.costUSD = minus(report.costUSD, part.report.costUSD)
        rest.report.unpricedTokens = minus(report.unpricedTokens, part.report.unpricedTokens)
        rest.report.wastedCostUSD = minus(report.wastedCostUSD, part.report.wastedCostUSD)
        rest.report.aiLinesWritten = minus(report.aiLinesWritten, part.report.aiLinesWritten)
        rest.report.ai = LineCounts(
            committed: minus(report.ai.committed, part.report.ai.committed), landed: minus(report.ai.landed, part.report.ai.landed),
            surviving: minus(report.ai.surviving, part.report.ai.surviving), pending: minus(report.ai.pending, part.report.ai.pending),
            churned: minus(report.ai.churned, part.report.ai.churned))
        rest.report.humanLinesCommitted = minus(report.humanLinesCommitted, part.report.humanLinesCommitted)
        rest.report.commits = minus(report.commits, part.report.commits)
        rest.report.aiAssistedCommits = minus(report.aiAssistedCommits, part.report.aiAssistedCommits)
        rest.report.landedAIAssistedCommits = minus(report.landedAIAssistedCommits, part.report.landedAIAssistedCommits)
        rest.report.key = [:]
        return rest
    }

    /// Nothing counted at all.
    var isZero: Bool {
        let r = report
        return sessions == 0 && r.tokens.total == 0 && r.tokens.reasoning == 0 && r.costUSD == 0 && r.unpricedTokens == 0
            && r.wastedCostUSD == 0 && r.aiLinesWritten == 0 && r.ai == LineCounts() && r.humanLinesCommitted == 0 && r.commits == 0
            && r.aiAssistedCommits == 0 && r.landedAIAssistedCommits == 0
    }
}
