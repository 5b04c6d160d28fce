import AIUsageCore
import Foundation
import Testing

/// The report's own rules: per-period ratios, and where a commit and its human lines go
/// under each grouping (README, "Choices where the contract is silent").
@Suite struct ReportRulesTests {
    static let utc = TimeZone(identifier: "UTC") ?? .current
    /// Monday 2026-01-05T00:00:00Z.
    static let monday = Date(timeIntervalSince1970: 1_767_571_200)

    static func at(days: Double) -> Date { monday.addingTimeInterval(days * 86_400) }

    static func commit(
        _ sha: String, at date: Date, human: Int = 0, landed: Bool = true, trailer: ToolKind? = nil, sessions: [SessionRef: Int] = [:]
    ) -> CommitFact {
        CommitFact(
            sha: sha, commitTime: date, developer: "dev@example.com", repo: "r", humanLines: human,
            aiAssisted: !sessions.isEmpty || trailer != nil, landed: landed,
            bySession: sessions.mapValues { LineCounts(committed: $0, landed: landed ? $0 : 0) }, trailerTool: trailer)
    }

    static let claude = SessionRef(tool: .claudeCode, id: "c1", primaryModel: "claude-sonnet-4-5")
    static let codex = SessionRef(tool: .codex, id: "x1", primaryModel: "gpt-5-codex")

    // MARK: - Per-period ratios

    /// Issue 9: "a week with 2 landed AI-assisted commits shows 0.2" over a ten-week window.
    @Test func landedAICommitsPerWeekOfAWeekRowDividesByThatWeek() throws {
        let builder = ReportBuilder(
            grouping: .week, calendar: ReportCalendar(timeZone: Self.utc), windowStart: Self.monday, windowEnd: Self.at(days: 70))
        let commits = [
            Self.commit("a", at: Self.at(days: 15), sessions: [Self.claude: 3]),
            Self.commit("b", at: Self.at(days: 17), sessions: [Self.claude: 2]),
        ]
        let (rows, totals) = builder.build(usage: [], edits: [], commits: commits, sessionsWithLandedLines: [])
        let week = try #require(rows.first { $0.key["week"] == "2026-01-19" })
        #expect(week.ratios.landedAICommitsPerWeek == 2)
        // The whole window: 2 commits in 10 weeks.
        #expect(try #require(totals.ratios.landedAICommitsPerWeek).isApproximately(0.2))
    }

    @Test func dayAndMonthRowsUseTheirOwnLength() throws {
        let calendar = ReportCalendar(timeZone: Self.utc)
        let commits = [Self.commit("a", at: Self.at(days: 2.5), sessions: [Self.codex: 1])]
        let byDay = ReportBuilder(grouping: .day, calendar: calendar, windowStart: Self.monday, windowEnd: Self.at(days: 60))
            .build(usage: [], edits: [], commits: commits, sessionsWithLandedLines: []).rows
        #expect(try #require(byDay.first).ratios.landedAICommitsPerWeek == 7)
        // January has 31 days; the window starts on the 5th, so the row's period is 27 days.
        let byMonth = ReportBuilder(grouping: .month, calendar: calendar, windowStart: Self.monday, windowEnd: Self.at(days: 60))
            .build(usage: [], edits: [], commits: commits, sessionsWithLandedLines: []).rows
        let month = try #require(byMonth.first)
        #expect(try #require(month.ratios.landedAICommitsPerWeek).isApproximately(7.0 / 27))
    }

    /// A period the window cuts (today's week, an explicit --since) counts its part inside.
    @Test func aPeriodCutByTheWindowCountsOnlyItsPartInside() throws {
        let builder = ReportBuilder(
            grouping: .week, calendar: ReportCalendar(timeZone: Self.utc), windowStart: Self.monday, windowEnd: Self.at(days: 3.5))
        let commits = [Self.commit("a", at: Self.at(days: 1), sessions: [Self.codex: 1])]
        let row = try #require(builder.build(usage: [], edits: [], commits: commits, sessionsWithLandedLines: []).rows.first)
        #expect(try #require(row.ratios.landedAICommitsPerWeek).isApproximately(2))
    }

    @Test func aDaylightSavingDayIsItsOwnLength() throws {
        let paris = ReportCalendar(timeZone: TimeZone(identifier: "Europe/Paris") ?? Self.utc)
        // 2026-03-29 is 23 hours long in Paris.
        let noon = Date(timeIntervalSince1970: 1_774_778_400)
        let day = try #require(paris.period(.day, containing: noon))
        #expect(day.duration == 23 * 3600)
        #expect(paris.period(.tool, containing: noon) == nil)
    }

    // MARK: - Where human lines go

    /// One owner per commit, the same under tool, model and session: the session with most
    /// of its AI lines; a commit no session wrote a line of is `(none)` under all three,
    /// whatever tool its trailer names.
    @Test(arguments: [ReportGrouping.tool, .model, .session])
    func aCommitAndItsHumanLinesGoToItsOwnerUnderEveryGrouping(grouping: ReportGrouping) throws {
        let builder = ReportBuilder(
            grouping: grouping, calendar: ReportCalendar(timeZone: Self.utc), windowStart: Self.monday, windowEnd: Self.at(days: 7))
        let commits = [
            Self.commit("mixed", at: Self.at(days: 1), human: 4, sessions: [Self.claude: 3, Self.codex: 5]),
            Self.commit("trailer", at: Self.at(days: 2), human: 7, trailer: .claudeCode),
            Self.commit("plain", at: Self.at(days: 3), human: 1),
        ]
        let (rows, totals) = builder.build(usage: [], edits: [], commits: commits, sessionsWithLandedLines: [])
        func row(_ value: String) -> ReportRow? { rows.first { $0.key[grouping.rawValue] == value } }
        let owner: String
        let other: String
        switch grouping {
        case .tool: (owner, other) = ("codex", "claude-code")
        case .model: (owner, other) = ("gpt-5-codex", "claude-sonnet-4-5")
        default: (owner, other) = ("codex:x1", "claude-code:c1")
        }
        #expect(row(owner)?.humanLinesCommitted == 4)
        #expect(row(owner)?.commits == 1)
        #expect(row(owner)?.ai.committed == 5)
        #expect(row(other)?.humanLinesCommitted == 0)
        #expect(row(other)?.commits == 0)
        #expect(row(other)?.ai.committed == 3)
        // The trailer-only commit and the plain one have no owner.
        #expect(row("(none)")?.humanLinesCommitted == 8)
        #expect(row("(none)")?.commits == 2)
        #expect(row("(none)")?.aiAssistedCommits == 1)
        // Nothing is lost or counted twice.
        #expect(rows.reduce(0) { $0 + $1.humanLinesCommitted } == totals.humanLinesCommitted)
        #expect(rows.reduce(0) { $0 + $1.commits } == totals.commits)
    }

    @Test func equalLinesGiveTheCommitToTheFirstSessionByToolAndID() {
        let other = SessionRef(tool: .claudeCode, id: "c0", primaryModel: "claude-opus-4-1")
        let fact = Self.commit("tie", at: Self.monday, human: 2, sessions: [Self.claude: 3, other: 3, Self.codex: 3])
        #expect(ReportBuilder.owner(of: fact) == other)
        #expect(ReportBuilder.owner(of: Self.commit("none", at: Self.monday, trailer: .codex)) == nil)
    }
}

extension Double {
    func isApproximately(_ other: Double) -> Bool { abs(self - other) < 1e-9 }
}
