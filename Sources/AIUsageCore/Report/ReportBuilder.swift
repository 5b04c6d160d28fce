import Foundation

/// Folds placed facts into report rows: one per value of the grouping, plus totals.
///
/// Rows are ordered by their key, never by tokens or spend: the report must not turn
/// into the leaderboard aiusage exists to replace.
public struct ReportBuilder: Sendable {
    public var grouping: ReportGrouping
    /// Further groupings after `grouping`: each row is then keyed by every one of them
    /// (e.g. day, repo, tool and model for `aiusage upload`).
    public var additionalGroupings: [ReportGrouping] = []
    public var calendar: ReportCalendar
    public var windowStart: Date
    public var windowEnd: Date

    public init(grouping: ReportGrouping, calendar: ReportCalendar, windowStart: Date, windowEnd: Date) {
        self.grouping = grouping
        self.calendar = calendar
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }

    /// Rows keyed by several groupings at once, in the order given (at least one).
    public init(groupings: [ReportGrouping], calendar: ReportCalendar, windowStart: Date, windowEnd: Date) {
        precondition(!groupings.isEmpty, "at least one grouping")
        self.init(grouping: groupings[0], calendar: calendar, windowStart: windowStart, windowEnd: windowEnd)
        additionalGroupings = Array(groupings.dropFirst())
    }

    /// - Parameter sessionsWithLandedLines: sessions with at least one landed AI line
    ///   at any time; the cost of every other session is waste.
    public func build(
        usage: [UsageFact], edits: [EditFact], commits: [CommitFact], sessionsWithLandedLines: Set<SessionRef>
    ) -> (rows: [ReportRow], totals: ReportRow) {
        var rows: [String: ReportRow] = [:]
        var totals = ReportRow(key: [:])
        let days = max(windowEnd.timeIntervalSince(windowStart) / 86_400, 1)
        totals.windowDays = days

        let groupings = [grouping] + additionalGroupings
        func update(_ value: String, _ body: (inout ReportRow) -> Void) {
            var row = rows[value] ?? ReportRow(key: Self.key(value, groupings: groupings))
            row.windowDays = days
            body(&row)
            rows[value] = row
        }
        func inWindow(_ date: Date) -> Bool { date >= windowStart && date < windowEnd }

        for fact in usage where inWindow(fact.timestamp) {
            let value = keyValue(developer: fact.developer, repo: fact.repo, date: fact.timestamp, session: fact.session, model: fact.model)
            let wasted = !sessionsWithLandedLines.contains(fact.session)
            let apply: (inout ReportRow) -> Void = { row in
                row.sessions.insert(fact.session.tool.rawValue + ":" + fact.session.id)
                row.tokens += fact.tokens
                row.costUSD += fact.costUSD
                if wasted { row.wastedCostUSD += fact.costUSD }
                row.unpricedTokens += fact.unpricedTokens
            }
            update(value, apply)
            apply(&totals)
        }
        for fact in edits where inWindow(fact.timestamp) {
            let value = keyValue(developer: fact.developer, repo: fact.repo, date: fact.timestamp, session: fact.session, model: fact.session.primaryModel)
            let apply: (inout ReportRow) -> Void = { row in
                row.aiLinesWritten += fact.lines
                row.sessions.insert(fact.session.tool.rawValue + ":" + fact.session.id)
            }
            update(value, apply)
            apply(&totals)
        }
        for fact in commits where inWindow(fact.commitTime) {
            // AI lines go to each session's group; the commit itself (and its human
            // lines) to the group of the session with most lines, else its trailer's tool.
            for (session, counts) in fact.bySession {
                let value = keyValue(developer: fact.developer, repo: fact.repo, date: fact.commitTime, session: session, model: session.primaryModel)
                update(value) { $0.ai = $0.ai + counts }
            }
            totals.ai = totals.ai + fact.aiLines
            let owner = fact.bySession.max { ($0.value.committed, $1.key) < ($1.value.committed, $0.key) }?.key
            let value: String
            if let owner {
                value = keyValue(developer: fact.developer, repo: fact.repo, date: fact.commitTime, session: owner, model: owner.primaryModel)
            } else {
                value = keyValue(developer: fact.developer, repo: fact.repo, date: fact.commitTime, session: nil, model: nil, tool: fact.trailerTool)
            }
            let apply: (inout ReportRow) -> Void = { row in
                row.commits += 1
                row.humanLinesCommitted += fact.humanLines
                if fact.aiAssisted {
                    row.aiAssistedCommits += 1
                    if fact.landed { row.landedAIAssistedCommits += 1 }
                }
            }
            update(value, apply)
            apply(&totals)
        }
        let ordered = rows.keys.sorted().compactMap { rows[$0] }
        return (ordered, totals)
    }

    /// Values of several groupings are joined with a unit separator, which no key holds.
    private static let separator: Character = "\u{1F}"

    private static func key(_ value: String, groupings: [ReportGrouping]) -> [String: String] {
        if groupings.count == 1 { return [groupings[0].rawValue: value] }
        let parts = value.split(separator: separator, omittingEmptySubsequences: false)
        return Dictionary(zip(groupings.map(\.rawValue), parts.map(String.init)), uniquingKeysWith: { first, _ in first })
    }

    private func keyValue(developer: String, repo: String, date: Date, session: SessionRef?, model: String?, tool: ToolKind? = nil) -> String {
        let values = ([grouping] + additionalGroupings).map {
            keyValue($0, developer: developer, repo: repo, date: date, session: session, model: model, tool: tool)
        }
        return values.joined(separator: String(Self.separator))
    }

    private func keyValue(
        _ grouping: ReportGrouping, developer: String, repo: String, date: Date, session: SessionRef?, model: String?, tool: ToolKind?
    ) -> String {
        switch grouping {
        case .developer: developer
        case .repo: repo
        case .day: calendar.day(date)
        case .week: calendar.week(date)
        case .month: calendar.month(date)
        case .tool: session?.tool.rawValue ?? tool?.rawValue ?? ReportGrouping.none
        case .model: model ?? ReportGrouping.none
        case .session: session.map { "\($0.tool.rawValue):\($0.id)" } ?? ReportGrouping.none
        }
    }
}
