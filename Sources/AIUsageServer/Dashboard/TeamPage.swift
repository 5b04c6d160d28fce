import AIUsageCore
import Foundation

/// The team's page (`/dashboard`), drawn from a `TeamView`: every figure is one the k-rule
/// published or a sum of them, every total says what it is the sum of, and every empty or
/// withheld state says why and what to do about it.
enum TeamPage {
    static let breakdownColumns = ["Tool", "Model"] + DashboardMetric.allCases.map(\.column)
    static let namedColumns = ["Developer"] + DashboardMetric.allCases.map(\.column)

    static func render(_ view: TeamView, csrf: String) -> String {
        let k = view.minGroupSize
        var selectionLine = ""
        var keep: [(String, String)] = []
        if let selection = view.selection {
            selectionLine = """
                <p id="selection">Only <strong>\(DashboardPage.escape(selection.tool))</strong> with <strong>\(DashboardPage.escape(selection.model))</strong> ·
                <a href="\(DashboardPage.escape(DashboardPage.dashboardLink(weeks: view.weeks)))">all tools and models</a></p>
                """
            keep = [("tool", selection.tool), ("model", selection.model)]
        }
        var body = """
            <header>
            \(DashboardPage.navigation(links: view.viewerUploads ? [("My shared data", "/me?weeks=\(view.weeks)")] : [], csrf: csrf))
            <h1>Team \(DashboardPage.escape(view.team))</h1>
            <p>\(DashboardPage.windowText(since: view.since, until: view.until, weeks: view.weeks)) ·
            <span id="developers">\(view.contributors)</span> \(view.contributors == 1 ? "developer" : "developers") contributing ·
            figures shown where at least <span id="k">\(k)</span> developers contributed</p>
            \(selectionLine)
            \(DashboardPage.windowForm(action: "/dashboard", weeks: view.weeks, hidden: keep))
            </header>
            <main>
            """
        let reason = "fewer than \(k) developers, or held back so that no one's figures can be worked out"
        switch view.state {
        case .empty:
            body += empty(view)
        case .belowGroupSize:
            body += belowGroupSize(view)
        case .everyWeekWithheld:
            body += """
                <div class="withheld" id="withheld"><p>Every week with data in this window is withheld: in each, fewer than \(k)
                developers contributed, or fewer than \(k) of those who did not choose to be named.</p>
                <p>\(moreDevelopersAdvice(view, perWeek: true))</p></div>
                <section><h2>Trends by week</h2>\(DashboardPage.charts(view.points, withheldReason: reason))</section>
                """
            body += namedSection(view)
        case .published:
            body += totalsSection(view, reason: reason)
            body += "<section><h2>Trends by week</h2>\(DashboardPage.charts(view.points, withheldReason: reason))</section>"
            if let breakdown = view.breakdown, let totals = view.totals { body += breakdownSection(breakdown, totals: totals, view: view) }
            if view.selection == nil { body += namedSection(view) }
        }
        body += "</main>"
        let css =
            DashboardPage.tableCSS(id: "breakdown", columns: breakdownColumns) + DashboardPage.tableCSS(id: "named", columns: namedColumns)
        return DashboardPage.page(title: "Team \(view.team)", body: body, css: css)
    }

    // MARK: States without figures

    static func empty(_ view: TeamView) -> String {
        """
        <div class="empty" id="empty"><p>No developer has shared data from these \(DashboardPage.plural(view.weeks, "week")) yet.</p>
        <p>What to do: issue each developer a member token (<code>aiusage-server token issue --team \(DashboardPage.escape(view.team)) --developer EMAIL --role member</code>);
        each then turns sharing on with <code>aiusage share enable --server URL --token TOKEN</code>. Team figures appear once at least
        \(view.minGroupSize) of them have shared data from the same weeks (this server was started with <code>--min-group-size \(view.minGroupSize)</code>).
        Or choose a longer window: <a href="\(DashboardPage.escape(DashboardPage.dashboardLink(weeks: 52)))">52 weeks</a>.</p></div>
        """
    }

    static func belowGroupSize(_ view: TeamView) -> String {
        """
        <div class="withheld" id="withheld"><p>Withheld: fewer than \(view.minGroupSize) developers contributed in this window,
        so no team figures are shown (they could reveal an individual).</p>
        <p>\(moreDevelopersAdvice(view))</p></div>
        """
    }

    /// What a lead can do when the group is too small: more developers, a longer window, or a
    /// server started with a smaller k (at a cost they should know).
    static func moreDevelopersAdvice(_ view: TeamView, perWeek: Bool = false) -> String {
        let k = view.minGroupSize
        let missing = max(k - view.contributors, 1)
        let invite =
            perWeek
            ? "Invite more developers to share, so that at least \(k) work in the same weeks"
            : "Invite \(missing) more \(missing == 1 ? "developer" : "developers") to share"
        return """
            \(DashboardPage.plural(view.contributors, "developer")) shared data in this window; this server shows team figures built from at least \(k)
            (it was started with <code>--min-group-size \(k)</code>). What to do:</p><ul>
            <li>\(invite): a member token from
            <code>aiusage-server token issue --team \(DashboardPage.escape(view.team)) --developer EMAIL --role member</code>, then
            <code>aiusage share enable</code> on their machine.</li>
            <li>Choose a longer window, in case more developers shared over it:
            <a href="\(DashboardPage.escape(DashboardPage.dashboardLink(weeks: 26)))">26 weeks</a>,
            <a href="\(DashboardPage.escape(DashboardPage.dashboardLink(weeks: 52)))">52 weeks</a>.</li>
            <li>For a team that will stay smaller than \(k), whoever runs the server can restart it with a lower
            <code>--min-group-size</code> (or <code>AIUSAGE_SERVER_MIN_GROUP_SIZE</code>); a smaller group protects each developer's figures less.</li></ul><p>
            """
    }

    // MARK: Sections

    static func totalsSection(_ view: TeamView, reason: String) -> String {
        guard let totals = view.totals else { return "" }
        let note: String
        if let selection = view.selection {
            let days = view.selectionDays
            note =
                "The sum of the \(DashboardPage.plural(days.shown, "day")) on which at least \(view.minGroupSize) developers used "
                + "\(DashboardPage.escape(selection.tool)) with \(DashboardPage.escape(selection.model)), the bars below"
                + (days.withheld > 0
                    ? "; \(DashboardPage.plural(days.withheld, "day")) with it withheld (\(DashboardPage.escape(reason))) are not in it."
                    : ".")
        } else {
            let withheld = view.withheldWeeks
            note =
                "The sum of the \(DashboardPage.plural(view.shownWeeks, "week")) drawn below"
                + (withheld > 0
                    ? "; \(DashboardPage.plural(withheld, "week")) withheld (\(DashboardPage.escape(reason))) \(withheld == 1 ? "is" : "are") not in it."
                    : ".")
        }
        return
            "<section><h2>Window totals</h2><p class=\"note\" id=\"totals-note\">\(note)</p>\(DashboardPage.totals(totals.report))</section>"
    }

    static func breakdownSection(_ breakdown: TeamView.Breakdown, totals: SummaryRow, view: TeamView) -> String {
        let k = view.minGroupSize
        var html = """
            <section><h2>By tool and model</h2>
            <p class="note">Team-wide for the whole window, all contributing developers combined; sorted by name.
            A tool and model is listed for the days on which at least \(k) developers used it. Choose one to see its trends.</p>
            """
        if breakdown.hiddenPairs > 0 {
            html +=
                "<p class=\"note\">\(breakdown.hiddenPairs) tool and model \(breakdown.hiddenPairs == 1 ? "combination" : "combinations") not listed.</p>"
        }
        func cells(_ row: ReportRow) -> [String] { DashboardMetric.allCases.map { DashboardPage.escape($0.formatted(row)) } }
        var rows: [[String]] = []
        var classes: [String?] = []
        for summaryRow in breakdown.rows {
            let tool = summaryRow.report.key["tool"] ?? "", model = summaryRow.report.key["model"] ?? ""
            let link = DashboardPage.escape(DashboardPage.dashboardLink(weeks: view.weeks, tool: tool, model: model))
            rows.append(
                ["<a href=\"\(link)\">\(DashboardPage.escape(tool))</a>", "<a href=\"\(link)\">\(DashboardPage.escape(model))</a>"]
                    + cells(summaryRow.report))
            classes.append(nil)
        }
        if let rest = breakdown.notItemised {
            rows.append(["Not itemised", "tools, models and days with fewer than \(k) developers"] + cells(rest.report))
            classes.append("rest")
        }
        let footer = [["Total", "the window totals"] + cells(totals.report)]
        html += DashboardPage.table(id: "breakdown", columns: breakdownColumns, rows: rows, footer: footer, rowClasses: classes)
        html +=
            "<p class=\"note\" id=\"breakdown-note\">The rows add up to the total (amounts to within a cent of rounding; ratios are "
            + "those of each row's own sums). <em>Not itemised</em> is the part of the total on days when fewer than \(k) developers used a "
            + "tool and model, with whatever had to be held back with it so that it cannot be worked out from the rows.</p>"
        return html + "</section>"
    }

    static func namedSection(_ view: TeamView) -> String {
        var html = "<section id=\"named-section\"><h2>Developers who chose to be named</h2>"
        guard !view.named.isEmpty else {
            return html
                + "<p class=\"note\" id=\"named-none\">No developer chose to be named (<code>aiusage share enable --named</code>); everyone counts in the team figures only.</p></section>"
        }
        html += """
            <p class="note">Each chose <code>aiusage share enable --named</code>, so their own figures are shown: over the whole window,
            withheld weeks included (the figures are theirs alone). Developers who did not choose it count only in the team figures,
            so these rows do not add up to the totals. Sorted by e-mail.</p>
            """
        let rows = view.named.map { row in
            [DashboardPage.escape(row.report.key["developer"] ?? "")]
                + DashboardMetric.allCases.map { DashboardPage.escape($0.formatted(row.report)) }
        }
        return html + DashboardPage.table(id: "named", columns: namedColumns, rows: rows) + "</section>"
    }
}
