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
    ///
    /// Where a commit goes (its count, its AI-assisted flag and its human lines) follows
    /// one rule in every grouping: the commit belongs to its *owner*, the session that
    /// wrote most of its AI lines (ties: the first session by tool, then id). Under
    /// `--by tool`, `model` and `session` that is the owner's tool, primary model and the
    /// session itself; a commit no session wrote a line of has no owner and is `(none)`
    /// under all three, whatever tool its AI trailer names. Under `developer`, `repo` and
    /// the time groupings, the commit's author, repository and time decide, as for its AI
    /// lines. So one commit's human lines sit in the same owner's row whichever of the
    /// session-derived groupings is asked for.
    public func build(
        usage: [UsageFact], edits: [EditFact], commits: [CommitFact], sessionsWithLandedLines: Set<SessionRef>
    ) -> (rows: [ReportRow], totals: ReportRow) {
        var rows: [String: ReportRow] = [:]
        var totals = ReportRow(key: [:])
        totals.windowDays = max(windowEnd.timeIntervalSince(windowStart) / 86_400, 1)

        let groupings = [grouping] + additionalGroupings
        func newRow(_ value: String, at date: Date) -> ReportRow {
            var row = ReportRow(key: Self.key(value, groupings: groupings))
            row.windowDays = periodDays(containing: date)
            return row
        }
        func inWindow(_ date: Date) -> Bool { date >= windowStart && date < windowEnd }
        // Facts come grouped by session: its name is built once per run of facts.
        var named: (session: SessionRef, name: String)?
        func name(_ session: SessionRef) -> String {
            if let named, named.session == session { return named.name }
            let name = session.tool.rawValue + ":" + session.id
            named = (session, name)
            return name
        }

        // Rows are mutated in place (`rows[value, default:]`): a row copied out and stored
        // back copied its set of sessions on every fact.
        for fact in usage where inWindow(fact.timestamp) {
            let value = keyValue(developer: fact.developer, repo: fact.repo, date: fact.timestamp, session: fact.session, model: fact.model)
            let wasted = !sessionsWithLandedLines.contains(fact.session)
            let session = name(fact.session)
            Self.add(fact, session: session, wasted: wasted, to: &rows[value, default: newRow(value, at: fact.timestamp)])
            Self.add(fact, session: session, wasted: wasted, to: &totals)
        }
        for fact in edits where inWindow(fact.timestamp) {
            let value = keyValue(
                developer: fact.developer, repo: fact.repo, date: fact.timestamp, session: fact.session, model: fact.session.primaryModel)
            let session = name(fact.session)
            Self.add(fact, session: session, to: &rows[value, default: newRow(value, at: fact.timestamp)])
            Self.add(fact, session: session, to: &totals)
        }
        for fact in commits where inWindow(fact.commitTime) {
            // AI lines go to the row of the session that wrote them.
            for (session, counts) in fact.bySession {
                let value = keyValue(
                    developer: fact.developer, repo: fact.repo, date: fact.commitTime, session: session, model: session.primaryModel)
                rows[value, default: newRow(value, at: fact.commitTime)].ai += counts
            }
            totals.ai += fact.aiLines
            // The commit itself and its human lines go to its owner's row (see above).
            let owner = Self.owner(of: fact)
            let value = keyValue(
                developer: fact.developer, repo: fact.repo, date: fact.commitTime, session: owner, model: owner?.primaryModel)
            Self.add(fact, to: &rows[value, default: newRow(value, at: fact.commitTime)])
            Self.add(fact, to: &totals)
        }
        let ordered = rows.keys.sorted().compactMap { rows[$0] }
        return (ordered, totals)
    }

    private static func add(_ fact: UsageFact, session: String, wasted: Bool, to row: inout ReportRow) {
        row.sessions.insert(session)
        row.tokens += fact.tokens
        row.costUSD += fact.costUSD
        if wasted { row.wastedCostUSD += fact.costUSD }
        row.unpricedTokens += fact.unpricedTokens
    }

    private static func add(_ fact: EditFact, session: String, to row: inout ReportRow) {
        row.aiLinesWritten += fact.lines
        row.sessions.insert(session)
    }

    private static func add(_ fact: CommitFact, to row: inout ReportRow) {
        row.commits += fact.count
        row.humanLinesCommitted += fact.humanLines
        row.aiAssistedCommits += fact.aiAssistedCount
        row.landedAIAssistedCommits += fact.landedAIAssistedCount
    }

    /// The session a commit belongs to: the one with most of its committed AI lines,
    /// ties to the first by tool and id; nil when no session wrote a line of it.
    public static func owner(of fact: CommitFact) -> SessionRef? {
        fact.bySession.filter { $0.value.committed > 0 }
            .min { ($1.value.committed, $0.key) < ($0.value.committed, $1.key) }?.key
    }

    /// Days a row's per-week ratio divides by: its own period (the day, week or month of
    /// the finest time grouping) as far as it lies in the window, at least one day; the
    /// whole window when no grouping is a time.
    func periodDays(containing date: Date) -> Double {
        let groupings = [grouping] + additionalGroupings
        let finest = [ReportGrouping.day, .week, .month].first { groupings.contains($0) }
        var start = windowStart
        var end = windowEnd
        if let finest, let period = calendar.period(finest, containing: date) {
            start = max(start, period.start)
            end = min(end, period.end)
        }
        return max(end.timeIntervalSince(start) / 86_400, 1)
    }

    /// Values of several groupings are joined with a unit separator, which no key holds.
    private static let separator: Character = "\u{1F}"

    private static func key(_ value: String, groupings: [ReportGrouping]) -> [String: String] {
        if groupings.count == 1 { return [groupings[0].rawValue: value] }
        let parts = value.split(separator: separator, omittingEmptySubsequences: false)
        return Dictionary(zip(groupings.map(\.rawValue), parts.map(String.init)), uniquingKeysWith: { first, _ in first })
    }

    private func keyValue(developer: String, repo: String, date: Date, session: SessionRef?, model: String?) -> String {
        if additionalGroupings.isEmpty {
            return keyValue(grouping, developer: developer, repo: repo, date: date, session: session, model: model)
        }
        let values = ([grouping] + additionalGroupings).map {
            keyValue($0, developer: developer, repo: repo, date: date, session: session, model: model)
        }
        return values.joined(separator: String(Self.separator))
    }

    private func keyValue(
        _ grouping: ReportGrouping, developer: String, repo: String, date: Date, session: SessionRef?, model: String?
    ) -> String {
        switch grouping {
        case .developer: developer
        case .repo: repo
        case .day: calendar.day(date)
        case .week: calendar.week(date)
        case .month: calendar.month(date)
        case .tool: session?.tool.rawValue ?? ReportGrouping.none
        case .model: model ?? ReportGrouping.none
        case .session: session.map { "\($0.tool.rawValue):\($0.id)" } ?? ReportGrouping.none
        }
    }
}
