import AIUsageCore
import Foundation

/// Server-rendered HTML of the dashboard: inline CSS and inline SVG only, so it works offline
/// and under a CSP without scripts. Every piece of stored or user text goes through `escape`.
/// The team's page is `TeamPage`, a member's own page `MemberPage`; this holds what they
/// share: the page shell, login and message pages, tables, formatting and the style sheet.
enum DashboardPage {
    // MARK: Pages

    static func login(message: String?, csrf: String, minGroupSize: Int) -> String {
        page(
            title: "aiusage team dashboard",
            body: """
                <main class="narrow">
                <h1>aiusage team dashboard</h1>
                \(message.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" } ?? "")
                <form method="post" action="/login">
                <input type="hidden" name="csrf" value="\(escape(csrf))">
                <label for="token">Token</label>
                <input id="token" name="token" type="password" autocomplete="off" required placeholder="aiu_...">
                <div class="buttons"><button type="submit" name="view" value="team">Team dashboard</button>
                <button type="submit" name="view" value="me" class="secondary">My shared data</button></div>
                </form>
                <p class="note"><strong>Team dashboard</strong>: a viewer or admin token, issued with
                <code>aiusage-server token issue --role viewer</code>. It shows team figures only where at least
                \(minGroupSize) developers contributed, so that no one's own figures can be read from it.</p>
                <p class="note"><strong>My shared data</strong>: your member token (the one <code>aiusage share enable</code> uses).
                It shows only what you uploaded.</p>
                </main>
                """)
    }

    static func forbidden(role: String) -> String {
        page(
            title: "Not allowed",
            body: """
                <main class="narrow"><h1>Not allowed</h1>
                <p class="error">A \(escape(role)) token cannot view the team dashboard; it needs a viewer or admin token.</p>
                <p>To see the data you shared, log in again and choose <strong>My shared data</strong>.</p>
                <p><a href="/">Back to the login page</a></p></main>
                """)
    }

    static func message(title: String, text: String) -> String {
        page(
            title: title,
            body: """
                <main class="narrow"><h1>\(escape(title))</h1><p class="error">\(escape(text))</p>
                <p><a href="/">Back to the login page</a></p></main>
                """)
    }

    // MARK: Shared pieces

    /// The page's links and the logout button (its CSRF token is the session's).
    static func navigation(links: [(String, String)], csrf: String) -> String {
        "<nav>" + links.map { "<a href=\"\(escape($0.1))\">\(escape($0.0))</a>" }.joined(separator: " ")
            + "<form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"\(escape(csrf))\"><button type=\"submit\">Log out</button></form></nav>"
    }

    /// The window chooser; `hidden` fields keep a selection across a change of window.
    static func windowForm(action: String, weeks: Int, hidden: [(String, String)] = []) -> String {
        let choices = Set([4, 12, 26, 52, weeks]).sorted()
        return "<form method=\"get\" action=\"\(action)\" class=\"inline\"><label for=\"weeks\">Weeks</label> "
            + "<select id=\"weeks\" name=\"weeks\">\(choices.map { "<option value=\"\($0)\"\($0 == weeks ? " selected" : "")>\($0)</option>" }.joined())</select>"
            + hidden.map { "<input type=\"hidden\" name=\"\(escape($0.0))\" value=\"\(escape($0.1))\">" }.joined()
            + "<button type=\"submit\">Show</button></form>"
    }

    /// "2026-09-07 to 2026-11-29 (12 weeks)".
    static func windowText(since: String, until: String, weeks: Int) -> String {
        "\(escape(since)) to \(escape(until)) (\(weeks) \(weeks == 1 ? "week" : "weeks"))"
    }

    /// The totals of a window, one figure per metric.
    static func totals(_ row: ReportRow) -> String {
        "<dl class=\"totals\">"
            + DashboardMetric.allCases.map {
                "<div><dt>\(escape($0.title))</dt><dd id=\"\($0.totalID)\">\(escape($0.formatted(row)))</dd></div>"
            }.joined()
            + "</dl>"
    }

    /// The seven charts over `points`, with the legend that says what a band and a gap mean.
    static func charts(_ points: [(week: String, point: WeekPoint)], withheldReason: String) -> String {
        var html = "<p class=\"legend\"><span class=\"swatch bar\"></span> the week's figure"
        if points.contains(where: { if case .withheld = $0.point { true } else { false } }) {
            html += " · <span class=\"swatch withheld\"></span> withheld: \(escape(withheldReason))"
        }
        html += " · blank: no data that week</p><div class=\"charts\">"
        for metric in DashboardMetric.allCases { html += Chart.render(metric: metric, points: points, withheldReason: withheldReason) }
        return html + "</div>"
    }

    /// A table that fits a desktop (headers wrap rather than being cut) and turns into one
    /// card per row on a phone, each cell labelled with its column (`tableCSS`). Cells are
    /// HTML already escaped by the caller; `<td>` carries no attribute, so the first cells'
    /// links and the figures after them read as they always did.
    static func table(id: String, columns: [String], rows: [[String]], footer: [[String]] = [], rowClasses: [String?] = []) -> String {
        var html =
            "<table id=\"\(id)\"><thead><tr>" + columns.map { "<th scope=\"col\">\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for (index, row) in rows.enumerated() {
            let rowClass = index < rowClasses.count ? rowClasses[index] : nil
            html += (rowClass.map { "<tr class=\"\($0)\">" } ?? "<tr>") + row.map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        html += "</tbody>"
        if !footer.isEmpty {
            html += "<tfoot>" + footer.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined() + "</tfoot>"
        }
        return html + "</table>"
    }

    /// The phone layout's labels of a table's cells: one rule per column, from the same names
    /// as its headers.
    static func tableCSS(id: String, columns: [String]) -> String {
        columns.enumerated().map { index, name in
            let text = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "#\(id) td:nth-child(\(index + 1))::before{content:\"\(text)\"}"
        }.joined()
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

    static func plural(_ count: Int, _ noun: String, _ nouns: String? = nil) -> String {
        "\(count) \(count == 1 ? noun : nouns ?? noun + "s")"
    }

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

    static func page(title: String, body: String, css extra: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>\(css)\(extra.isEmpty ? "" : "\n@media (max-width:\(cardWidth)px){\(extra)}")</style>
        </head>
        <body>
        \(body)
        </body>
        </html>
        """
    }

    /// Below this width tables are cards: seven figures and two names need about 870 px.
    static let cardWidth = 900

    /// Tables: full width, headers wrap at word boundaries (never cut or scrolled away), long
    /// names wrap anywhere (tool and model keep a width where usual names fit on one line).
    /// Below `cardWidth` a table becomes cards: its header row is kept for
    /// screen readers only, and each cell shows its column's name (`tableCSS`) beside its value.
    static var css: String {
        """
        *{box-sizing:border-box}
        body{margin:0;padding:1rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f6f7f9;line-height:1.4}
        h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
        main,header{max-width:1200px;margin:0 auto}.narrow{max-width:30rem;margin-top:2rem}
        header p{margin:.2rem 0 .6rem;color:#4a5568}
        nav{float:right;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
        form.inline{display:inline-block;margin:0 .6rem .4rem 0}nav form.inline{margin:0}
        input,select,button{font:inherit;padding:.4rem .6rem;border:1px solid #a0aec0;border-radius:4px;background:#fff}
        input{width:100%;margin:.3rem 0 .6rem}button{cursor:pointer;background:#2b6cb0;color:#fff;border-color:#2b6cb0}
        button.secondary{background:#fff;color:#2b6cb0}.buttons{display:flex;gap:.5rem;flex-wrap:wrap}
        code{font-size:.85em;background:#edf2f7;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
        .error{color:#9b2c2c}.note,.legend{color:#4a5568;font-size:.9rem}
        .withheld,.empty{padding:.6rem 1rem;background:#fffbea;border:1px solid #ecc94b;border-radius:6px}
        .empty{background:#ebf8ff;border-color:#90cdf4}
        .totals{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.5rem;margin:0}
        .totals div{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:.5rem .7rem}
        dt{font-size:.8rem;color:#4a5568}dd{margin:0;font-size:1.2rem;font-weight:600}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:.8rem}
        figure{margin:0;background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:.5rem}
        figcaption{font-size:.9rem;font-weight:600;margin-bottom:.3rem}.unit{font-weight:400;color:#4a5568;font-size:.8rem}
        .swatch{display:inline-block;width:.8rem;height:.8rem;vertical-align:middle;border:1px solid #a0aec0}
        .swatch.bar{background:#3182ce;border-color:#3182ce}.swatch.withheld{background:#edf2f7;border-style:dashed}
        svg{display:block;width:100%;height:auto}
        table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
        th{border:1px solid #e2e8f0;padding:.35rem .5rem;text-align:right;vertical-align:bottom;font-weight:600;white-space:normal;overflow-wrap:normal}
        td{border:1px solid #e2e8f0;padding:.35rem .5rem;text-align:right;white-space:nowrap}
        th:nth-child(1),td:nth-child(1),#breakdown th:nth-child(2),#breakdown td:nth-child(2){text-align:left;white-space:normal;overflow-wrap:anywhere}
        td:nth-child(1){min-width:7.5rem}#breakdown td:nth-child(2){min-width:11rem}
        #days td:nth-child(-n+4){text-align:left;white-space:normal;overflow-wrap:anywhere}#days th:nth-child(-n+4){text-align:left}
        tr.rest td{color:#4a5568;font-style:italic}tfoot td{font-weight:600;background:#f7fafc}
        @media (max-width:\(cardWidth)px){
        nav{float:none;margin-bottom:.4rem}
        table thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        table,table tbody,table tfoot,table tr{display:block;width:100%}table{background:none}
        table tr{border:1px solid #e2e8f0;border-radius:6px;margin:0 0 .5rem;background:#fff}
        table td,td:nth-child(1),#breakdown td:nth-child(2){min-width:0}
        table td{display:flex;justify-content:space-between;gap:1rem;border:none;border-bottom:1px solid #edf2f7;text-align:right;white-space:normal;overflow-wrap:anywhere}
        table td::before{color:#4a5568;text-align:left;font-weight:400;font-style:normal;flex:0 0 45%;overflow-wrap:normal}
        }
        """
    }
}
