import AIUsageCore
import Foundation

/// Server-rendered HTML of the dashboard: inline CSS and inline SVG only, so it works offline
/// and under a CSP without scripts. Every piece of stored or user text goes through `escape`.
enum DashboardPage {
    // MARK: Pages

    static func login(message: String?, csrf: String) -> String {
        page(title: "aiusage team dashboard", body: """
            <main class="narrow">
            <h1>aiusage team dashboard</h1>
            \(message.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? "")
            <form method="post" action="/login">
            <input type="hidden" name="csrf" value="\(escape(csrf))">
            <label for="token">Viewer token</label>
            <input id="token" name="token" type="password" autocomplete="off" required placeholder="aiu_...">
            <button type="submit">Log in</button>
            </form>
            <p class="note">Use a viewer or admin token issued with <code>aiusage-server token issue --role viewer</code>.
            The dashboard shows team totals only when enough developers contributed.</p>
            </main>
            """)
    }

    static func forbidden(role: String) -> String {
        message(title: "Not allowed",
                text: "A \(role) token cannot view the team dashboard; it needs a viewer or admin token.")
    }

    static func message(title: String, text: String) -> String {
        page(title: title, body: """
            <main class="narrow"><h1>\(escape(title))</h1><p class="error">\(escape(text))</p>
            <p><a href="/">Back to the login page</a></p></main>
            """)
    }

    /// The team's page; with `selection`, the same figures for one tool and model only.
    static func dashboard(
        summary: TeamSummary, breakdown: (rows: [SummaryRow], hidden: Int)?, weeks: Int,
        selection: (tool: String, model: String)? = nil, csrf: String
    ) -> String {
        var selectionLine = ""
        var keepSelection = ""
        if let selection {
            selectionLine = """
                <p id="selection">Only <strong>\(escape(selection.tool))</strong> with <strong>\(escape(selection.model))</strong> ·
                <a href="\(escape(dashboardLink(weeks: weeks)))">all tools and models</a></p>
                """
            keepSelection = "<input type=\"hidden\" name=\"tool\" value=\"\(escape(selection.tool))\">"
                + "<input type=\"hidden\" name=\"model\" value=\"\(escape(selection.model))\">"
        }
        var body = """
            <header>
            <h1>Team \(escape(summary.team))</h1>
            <p>\(escape(summary.since)) to \(escape(summary.until)) (\(weeks) \(weeks == 1 ? "week" : "weeks")) ·
            <span id="developers">\(summary.developersContributing)</span> \(summary.developersContributing == 1 ? "developer" : "developers") contributing</p>
            \(selectionLine)
            <form method="get" action="/dashboard" class="inline"><label for="weeks">Weeks</label>
            <select id="weeks" name="weeks">\([4, 12, 26, 52].map { "<option value=\"\($0)\"\($0 == weeks ? " selected" : "")>\($0)</option>" }.joined())</select>
            \(keepSelection)<button type="submit">Show</button></form>
            <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="\(escape(csrf))"><button type="submit">Log out</button></form>
            </header>
            <main>
            """
        guard let totals = summary.totals, let series = summary.series else {
            body += """
                <p class="withheld" id="withheld">Withheld: fewer than \(summary.minGroupSize) developers contributed in this window,
                so no team figures are shown (they could reveal an individual).</p></main>
                """
            return page(title: "Team \(summary.team)", body: body)
        }
        body += totalsSection(totals.report)
        body += chartsSection(summary: summary, series: series)
        if let breakdown { body += breakdownSection(breakdown, minGroupSize: summary.minGroupSize, weeks: weeks) }
        body += "</main>"
        return page(title: "Team \(summary.team)", body: body)
    }

    // MARK: Sections

    static func totalsSection(_ row: ReportRow) -> String {
        let ratios = row.ratios
        let items: [(String, String, String)] = [
            ("total-cost", "Cost", dollars(row.costUSD)),
            ("total-landed", "Landed AI lines", "\(row.ai.landed)"),
            ("total-yield", "Yield", percent(ratios.yield)),
            ("total-survival", "Survival", percent(ratios.survival)),
            ("total-cost-per-line", "Cost per landed line", perLine(ratios.costPerLandedLineUSD)),
            ("total-waste", "Waste share", percent(ratios.wasteShare)),
            ("total-commits-per-week", "AI-assisted landed commits per week", number(ratios.landedAICommitsPerWeek)),
        ]
        return "<section><h2>Window totals</h2><dl class=\"totals\">"
            + items.map { "<div><dt>\($0.1)</dt><dd id=\"\($0.0)\">\(escape($0.2))</dd></div>" }.joined()
            + "</dl></section>"
    }

    static func chartsSection(summary: TeamSummary, series: [SummaryRow]) -> String {
        // Every week of the window on the x axis; a week left out of the series (no data, or
        // fewer than k contributors) is a gap, not a zero.
        var weeks: [String] = []
        var week = summary.since
        while week <= summary.until {
            weeks.append(week)
            week = DayMath.adding(7, to: week)
        }
        let byWeek = Dictionary(series.map { ($0.report.key["week"] ?? "", $0.report) }, uniquingKeysWith: { first, _ in first })
        func values(_ value: (ReportRow) -> Double?) -> [(String, Double?)] {
            weeks.map { ($0, byWeek[$0].flatMap(value)) }
        }
        var html = "<section><h2>Trends by week</h2>"
        if let withheld = summary.withheldPeriods, !withheld.isEmpty {
            html += "<p class=\"note\">\(withheld.count) \(withheld.count == 1 ? "week has" : "weeks have") fewer than "
                + "\(summary.minGroupSize) contributors and \(withheld.count == 1 ? "is" : "are") left blank.</p>"
        }
        html += "<div class=\"charts\">"
        html += Chart.render(id: "cost", title: "Cost (USD)", kind: .bar, points: values { $0.costUSD }, format: dollars)
        html += Chart.render(id: "landed", title: "Landed AI lines", kind: .bar, points: values { Double($0.ai.landed) }, format: { "\(Int($0))" })
        html += Chart.render(id: "yield", title: "Yield", kind: .line, points: values { $0.ratios.yield }, format: { percent($0) }, floorMax: 1)
        html += Chart.render(id: "survival", title: "Survival", kind: .line, points: values { $0.ratios.survival }, format: { percent($0) }, floorMax: 1)
        html += Chart.render(id: "cost-per-line", title: "Cost per landed line (USD)", kind: .line,
                             points: values { $0.ratios.costPerLandedLineUSD }, format: { perLine($0) })
        html += Chart.render(id: "waste", title: "Waste share", kind: .line, points: values { $0.ratios.wasteShare }, format: { percent($0) }, floorMax: 1)
        html += Chart.render(id: "commits", title: "AI-assisted landed commits per week", kind: .bar,
                             points: values { $0.ratios.landedAICommitsPerWeek }, format: { number($0) })
        return html + "</div></section>"
    }

    static func breakdownSection(_ breakdown: (rows: [SummaryRow], hidden: Int), minGroupSize: Int, weeks: Int) -> String {
        var html = """
            <section><h2>By tool and model</h2>
            <p class="note">Team-wide for the whole window, all contributing developers combined; sorted by name.
            A tool and model used by fewer than \(minGroupSize) developers is not listed. Choose one to see its trends.</p>
            """
        if breakdown.hidden > 0 {
            html += "<p class=\"note\">\(breakdown.hidden) tool and model \(breakdown.hidden == 1 ? "combination" : "combinations") not listed.</p>"
        }
        guard !breakdown.rows.isEmpty else { return html + "</section>" }
        html += """
            <div class="scroll"><table id="breakdown"><thead><tr><th>Tool</th><th>Model</th><th>Cost</th><th>Landed AI lines</th>
            <th>Yield</th><th>Survival</th><th>Cost per landed line</th><th>Waste share</th><th>Landed AI commits / week</th></tr></thead><tbody>
            """
        for summaryRow in breakdown.rows {
            let row = summaryRow.report
            let ratios = row.ratios
            let tool = row.key["tool"] ?? ""
            let model = row.key["model"] ?? ""
            let link = escape(dashboardLink(weeks: weeks, tool: tool, model: model))
            let cells = [dollars(row.costUSD), "\(row.ai.landed)",
                         percent(ratios.yield), percent(ratios.survival), perLine(ratios.costPerLandedLineUSD),
                         percent(ratios.wasteShare), number(ratios.landedAICommitsPerWeek)]
            html += "<tr><td><a href=\"\(link)\">\(escape(tool))</a></td><td><a href=\"\(link)\">\(escape(model))</a></td>"
                + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table></div></section>"
    }

    /// `/dashboard?weeks=N`, with a tool and model when given (percent-encoded; the caller
    /// HTML-escapes the whole link).
    static func dashboardLink(weeks: Int, tool: String? = nil, model: String? = nil) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        var link = "/dashboard?weeks=\(weeks)"
        if let tool, let model { link += "&tool=\(encode(tool))&model=\(encode(model))" }
        return link
    }

    // MARK: Formatting

    static func dollars(_ value: Double) -> String { String(format: "$%.2f", value) }
    static func perLine(_ value: Double?) -> String { value.map { String(format: "$%.4f", $0) } ?? "–" }
    static func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
    static func number(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "–" }

    /// Escapes text for HTML element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>\(css)</style>
        </head>
        <body>
        \(body)
        </body>
        </html>
        """
    }

    static let css = """
        *{box-sizing:border-box}
        body{margin:0;padding:1rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f6f7f9;line-height:1.4}
        h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
        main,header{max-width:1100px;margin:0 auto}.narrow{max-width:26rem;margin-top:2rem}
        header p{margin:.2rem 0 .6rem;color:#4a5568}
        form.inline{display:inline-block;margin:0 .6rem .4rem 0}
        input,select,button{font:inherit;padding:.4rem .6rem;border:1px solid #a0aec0;border-radius:4px;background:#fff}
        input{width:100%;margin:.3rem 0 .6rem}button{cursor:pointer;background:#2b6cb0;color:#fff;border-color:#2b6cb0}
        .error{color:#9b2c2c}.note{color:#4a5568;font-size:.9rem}
        .withheld{padding:1rem;background:#fffbea;border:1px solid #ecc94b;border-radius:6px}
        .totals{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.5rem;margin:0}
        .totals div{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:.5rem .7rem}
        dt{font-size:.8rem;color:#4a5568}dd{margin:0;font-size:1.2rem;font-weight:600}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:.8rem}
        figure{margin:0;background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:.5rem}
        figcaption{font-size:.9rem;font-weight:600;margin-bottom:.3rem}
        svg{display:block;width:100%;height:auto}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
        th,td{border:1px solid #e2e8f0;padding:.35rem .5rem;text-align:right;white-space:nowrap}
        th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}
        """
}

/// A small inline SVG chart over weeks: bars for amounts, a line (broken at gaps) for ratios.
enum Chart {
    enum Kind { case bar, line }

    static let width = 320.0, height = 180.0
    static let left = 46.0, right = 8.0, top = 10.0, bottom = 24.0

    /// `floorMax` keeps ratio charts on a 0 to 100% scale unless a value goes beyond it.
    static func render(
        id: String, title: String, kind: Kind, points: [(String, Double?)], format: (Double) -> String, floorMax: Double = 0
    ) -> String {
        let present = points.compactMap(\.1)
        let maxValue = max(present.max() ?? 0, floorMax, 0)
        let scale = maxValue > 0 ? maxValue : 1
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let step = plotWidth / Double(max(points.count, 1))
        func x(_ index: Int) -> Double { left + step * (Double(index) + 0.5) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - max(value, 0) / scale) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }

        var svg = "<figure id=\"chart-\(id)\"><figcaption>\(DashboardPage.escape(title))</figcaption>"
        svg += "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"\(DashboardPage.escape(title)) by week\">"
        // Axes and the two y labels (0 and the maximum).
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(width - right))\" y2=\"\(f(top + plotHeight))\" stroke=\"#a0aec0\"/>"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(width - right))\" y2=\"\(f(top))\" stroke=\"#edf2f7\"/>"
        svg += "<text x=\"\(f(left - 4))\" y=\"\(f(top + 4))\" text-anchor=\"end\" font-size=\"10\" fill=\"#4a5568\">\(DashboardPage.escape(format(scale)))</text>"
        svg += "<text x=\"\(f(left - 4))\" y=\"\(f(top + plotHeight + 4))\" text-anchor=\"end\" font-size=\"10\" fill=\"#4a5568\">\(DashboardPage.escape(format(0)))</text>"
        // X labels: the first and last week (MM-DD), enough at phone width.
        if let first = points.first {
            svg += "<text x=\"\(f(left))\" y=\"\(f(height - 6))\" font-size=\"10\" fill=\"#4a5568\">\(DashboardPage.escape(String(first.0.suffix(5))))</text>"
        }
        if points.count > 1, let last = points.last {
            svg += "<text x=\"\(f(width - right))\" y=\"\(f(height - 6))\" text-anchor=\"end\" font-size=\"10\" fill=\"#4a5568\">\(DashboardPage.escape(String(last.0.suffix(5))))</text>"
        }
        switch kind {
        case .bar:
            let barWidth = max(step * 0.7, 1)
            for (index, point) in points.enumerated() {
                guard let value = point.1 else { continue }
                let barTop = y(value)
                svg += "<rect x=\"\(f(x(index) - barWidth / 2))\" y=\"\(f(barTop))\" width=\"\(f(barWidth))\" height=\"\(f(top + plotHeight - barTop))\" fill=\"#3182ce\">"
                svg += "<title>\(DashboardPage.escape("week of \(point.0): \(format(value))"))</title></rect>"
            }
        case .line:
            var segment: [String] = []
            func flush() {
                if segment.count > 1 { svg += "<polyline fill=\"none\" stroke=\"#2f855a\" stroke-width=\"2\" points=\"\(segment.joined(separator: " "))\"/>" }
                segment = []
            }
            for (index, point) in points.enumerated() {
                guard let value = point.1 else { flush(); continue }
                segment.append("\(f(x(index))),\(f(y(value)))")
            }
            flush()
            for (index, point) in points.enumerated() {
                guard let value = point.1 else { continue }
                svg += "<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(value)))\" r=\"3\" fill=\"#2f855a\">"
                svg += "<title>\(DashboardPage.escape("week of \(point.0): \(format(value))"))</title></circle>"
            }
        }
        if present.isEmpty {
            svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#718096\">no data</text>"
        }
        return svg + "</svg></figure>"
    }
}
