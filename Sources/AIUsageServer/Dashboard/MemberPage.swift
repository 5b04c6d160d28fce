import AIUsageCore
import AIUsageUploadContract
import Foundation

/// A developer's own page (`/me`): what they uploaded, as the server holds it, and nothing of
/// anyone else's. It reads only the caller's rows (`TeamStore.days(teamID:developer:)`, the
/// same as `GET /api/v1/me`), so no k-rule applies: every figure is the viewer's own.
enum MemberPage {
    /// Rows listed at most: a page stays small whatever was uploaded.
    static let maxRows = 1000
    static let dayMetrics: [DashboardMetric] = [.cost, .landed, .yield]
    static let dayColumns = ["Day", "Repository", "Tool", "Model"] + dayMetrics.map(\.column)

    struct Input {
        var developer: String
        var team: String
        var role: Role
        var named: Bool
        /// Every day the server holds for the developer.
        var days: [UploadDay]
        var since: String
        var until: String
        var weeks: Int
    }

    static func render(_ input: Input, csrf: String) -> String {
        let inWindow = input.days.filter { $0.day >= input.since && $0.day <= input.until }
        let held = input.days.reduce(0) { $0 + $1.rows.count }
        var body = """
            <header>
            \(DashboardPage.navigation(links: input.role.canViewTeam ? [("Team dashboard", "/dashboard?weeks=\(input.weeks)")] : [], csrf: csrf))
            <h1>Your shared data</h1>
            <p><span id="developer">\(DashboardPage.escape(input.developer))</span> in team \(DashboardPage.escape(input.team)) ·
            \(input.named ? "named: the team's viewers see these figures under your e-mail" : "not named: these figures count only in team totals") ·
            \(DashboardPage.windowText(since: input.since, until: input.until, weeks: input.weeks))</p>
            \(DashboardPage.windowForm(action: "/me", weeks: input.weeks))
            </header>
            <main>
            <p class="note" id="scope">Only what you uploaded is on this page, exactly as the server holds it
            (\(DashboardPage.plural(input.days.count, "day")), \(DashboardPage.plural(held, "row")) in all).
            To delete all of it from the server: <code>aiusage share disable --delete-shared</code>.</p>
            """
        guard inWindow.contains(where: { !$0.rows.isEmpty }) else {
            let why =
                input.role.canUpload
                ? "Nothing shared in these weeks. Sharing starts with <code>aiusage share enable --server URL --token TOKEN</code> on your machine, then uploads at most once a day."
                : "A \(input.role.rawValue) token cannot upload, so it has no shared data; log in with a member token to see a developer's own data."
            return DashboardPage.page(
                title: "Your shared data", body: body + "<div class=\"empty\" id=\"empty\"><p>\(why)</p></div></main>")
        }
        let windowDays = Double(DayMath.length(input.since, input.until))
        var totals = SummaryRow(key: [:], windowDays: windowDays)
        var weeks: [String: SummaryRow] = [:]
        var rows: [[String]] = []
        var rowCount = 0
        // Newest first; a page of at most `maxRows` rows (the totals and charts count them all).
        for day in inWindow.reversed() {
            let week = DayMath.week(day.day)
            for row in day.rows {
                totals.add(row)
                weeks[week, default: SummaryRow(key: ["week": week], windowDays: 7)].add(row)
                rowCount += 1
                guard rowCount <= maxRows else { continue }
                var one = SummaryRow(key: [:], windowDays: 1)
                one.add(row)
                let repo =
                    UploadDocument.isHashedName(row.repo)
                    ? "<span title=\"\(DashboardPage.escape(row.repo))\">\(DashboardPage.escape(String(row.repo.prefix(12))))…</span>"
                    : DashboardPage.escape(row.repo)
                rows.append(
                    [DashboardPage.escape(day.day), repo, DashboardPage.escape(row.tool), DashboardPage.escape(row.model)]
                        + dayMetrics.map { DashboardPage.escape($0.formatted(one.report)) })
            }
        }
        let points = TeamView.weeks(since: input.since, until: input.until).map { week in
            (week: week, point: weeks[week].map { WeekPoint.shown($0.report) } ?? .noData)
        }
        body += """
            <section><h2>Your totals</h2><p class="note" id="totals-note">The sum of your rows below, over \(DashboardPage.plural(weeks.count, "week")) with data.</p>
            \(DashboardPage.totals(totals.report))</section>
            <section><h2>Your weeks</h2>\(DashboardPage.charts(points, withheldReason: ""))</section>
            <section><h2>Your rows by day</h2>
            <p class="note">One row per day, repository, tool and model, as uploaded, newest first; repositories are keyed hashes unless you chose to send names.\(rowCount > maxRows ? " The newest \(maxRows) of \(rowCount) rows are listed." : "")</p>
            \(DashboardPage.table(id: "days", columns: dayColumns, rows: rows))</section>
            </main>
            """
        return DashboardPage.page(title: "Your shared data", body: body, css: DashboardPage.tableCSS(id: "days", columns: dayColumns))
    }
}
