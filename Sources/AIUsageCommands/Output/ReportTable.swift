import AIUsageCore
import Foundation

/// The people-facing report: two lines per row (counts under named columns, then the
/// ratios, each with its name), wrapped to the terminal's width.
enum ReportTable {
    static func render(_ document: ReportDocument, colour: Bool, width: Int = 100) -> String {
        var out: [String] = []
        let bold = colour ? "\u{1B}[1m" : ""
        let dim = colour ? "\u{1B}[2m" : ""
        let reset = colour ? "\u{1B}[0m" : ""
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: document.timezone)
        let repos = document.repos.isEmpty ? "no repository yet" : document.repos.joined(separator: ", ")
        out.append(bold + Text.paragraph("aiusage report — \(repos)", width: width, hanging: "  ") + reset)
        out.append(
            "\(dim)\(day.string(from: document.since)) to \(day.string(from: document.until)) (\(document.timezone)), "
                + "survival at \(document.survivalDays) days\(reset)")
        out.append("\(dim)prices: \(document.pricingSource) \(document.pricingVersion) (\(document.pricingDate))\(reset)")
        if !document.recordedCostTools.isEmpty {
            out.append(
                dim
                    + Text.paragraph(
                        "costs as recorded by \(document.recordedCostTools.joined(separator: ", ")); the price table for the rest",
                        width: width)
                    + reset)
        }
        out.append("")

        let layout = Layout(document: document, width: width)
        if !layout.stacked { out.append(bold + layout.header + reset) }
        for row in document.rows {
            out.append(contentsOf: layout.lines(for: row, label: label(row), dim: dim, reset: reset))
        }
        if document.rows.count != 1 {
            out.append(String(repeating: "─", count: min(layout.tableWidth, width)))
            out.append(contentsOf: layout.lines(for: document.totals, label: "total", dim: dim, reset: reset))
        }
        out.append("")
        out.append(
            dim
                + Text.paragraph(
                    "WRITTEN to PENDING count AI-written lines; PENDING lines landed less than \(document.survivalDays) days ago, so whether "
                        + "they survive is not known yet (they are not counted in survival). HUMAN counts the other lines of the same commits.",
                    width: width) + reset)
        if document.totals.unpricedTokens > 0 {
            out.append("")
            if (document.rows + [document.totals]).contains(where: { $0.costUSD > 0 && $0.unpricedTokens > 0 }) {
                out.append(Text.paragraph("COST $x+: at least $x; tokens on unpriced models are counted, not costed.", width: width))
            }
            out.append(Text.paragraph("Unpriced models (tokens counted, cost left out; see `aiusage prices MODEL`):", width: width))
            if document.unpricedModels.isEmpty {
                out.append("  \(Format.compact(document.totals.unpricedTokens)) tokens")
            }
            let nameWidth = document.unpricedModels.map { displayName($0.model).count }.max() ?? 0
            for model in document.unpricedModels {
                // Model names are never cut: the column is as wide as the longest.
                out.append("  " + Format.pad(displayName(model.model), nameWidth) + "  " + Format.compact(model.tokens) + " tokens")
            }
        }
        if document.rows.isEmpty {
            out.append("")
            out.append(Text.paragraph("No AI sessions or commits in this window. Try a longer --since, or `aiusage doctor`.", width: width))
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func displayName(_ model: String) -> String { model.isEmpty ? "(no model id)" : model }

    private static func label(_ row: ReportRow) -> String { row.key.values.first ?? "" }

    /// A cost never reads $0.00 for tokens that have no price: `unpriced` when none of
    /// the row's tokens were priced, `$x+` when some were not.
    static func costCell(_ row: ReportRow) -> String {
        costCell(usd: row.costUSD, unpricedTokens: row.unpricedTokens)
    }

    static func costCell(usd: Double, unpricedTokens: Int64) -> String {
        guard unpricedTokens > 0 else { return Format.usd(usd) }
        return usd > 0 ? Format.usd(usd) + "+" : "unpriced"
    }

    /// Cost per landed line, `+` when some tokens were not priced (a lower bound).
    static func costPerLine(_ row: ReportRow) -> String {
        guard let value = row.ratios.costPerLandedLineUSD else { return "–" }
        let text = value >= 100 ? String(format: "%.0f", value) : String(format: "%.3f", value)
        return row.unpricedTokens > 0 ? text + "+" : text
    }

    /// The ratio line of a row: each ratio with its name.
    static func ratioItems(_ row: ReportRow) -> [String] {
        let ratios = row.ratios
        let perMillion =
            ratios.landedLinesPerMillionTokens.map { $0 >= 100 ? String(format: "%.0f", $0) : String(format: "%.1f", $0) } ?? "–"
        return [
            "yield \(Format.percent(ratios.yield))", "survival \(Format.percent(ratios.survival))", "$/line \(costPerLine(row))",
            "landed/Mtok \(perMillion)", "waste \(Format.percent(ratios.wasteShare))",
            "landed AI commits/wk \(Format.number(ratios.landedAICommitsPerWeek))",
        ]
    }

    /// Column widths for one report: the numbers as wide as their widest value, the key
    /// column as wide as the room left allows; a longer key gets a line of its own. On a
    /// terminal too narrow for the numbers, each row is *stacked*: its key, then its
    /// counts as `NAME value` pairs, then its ratios.
    struct Layout {
        static let titles = ["COST", "TOKENS", "WRITTEN", "COMMITTED", "LANDED", "SURVIVING", "PENDING", "HUMAN"]
        var keyTitle: String
        var keyWidth: Int
        var widths: [Int]
        var width: Int
        var stacked: Bool

        init(document: ReportDocument, width: Int) {
            self.width = width
            keyTitle = document.groupBy.rawValue.uppercased()
            let all = document.rows + [document.totals]
            widths = Self.titles.indices.map { index in all.reduce(Self.titles[index].count) { max($0, Self.cells($1)[index].count) } }
            let numbers = widths.reduce(0, +) + TextTable.gap * widths.count
            let longest = all.map { ReportTable.label($0).count }.max() ?? 0
            keyWidth = max(keyTitle.count, "total".count, min(longest, width - numbers))
            stacked = keyWidth + numbers > width
        }

        var tableWidth: Int { keyWidth + widths.reduce(0, +) + TextTable.gap * widths.count }

        static func cells(_ row: ReportRow) -> [String] {
            [
                ReportTable.costCell(row), Format.compact(row.tokens.total), "\(row.aiLinesWritten)", "\(row.ai.committed)",
                "\(row.ai.landed)", "\(row.ai.surviving)", "\(row.ai.pending)", "\(row.humanLinesCommitted)",
            ]
        }

        var header: String { line(key: keyTitle, cells: Self.titles) }

        func line(key: String, cells: [String]) -> String {
            var out = Format.pad(key, keyWidth)
            for (index, cell) in cells.enumerated() {
                out += String(repeating: " ", count: TextTable.gap) + Format.pad(cell, widths[index], right: true)
            }
            return out
        }

        func lines(for row: ReportRow, label: String, dim: String, reset: String) -> [String] {
            var out: [String] = []
            if stacked {
                out.append(label)
                out += Self.items(zip(Self.titles, Self.cells(row)).map { "\($0) \($1)" }, width: width)
            } else {
                // A key is never cut: one longer than its column stands on a line of its own.
                if label.count > keyWidth { out.append(label) }
                out.append(line(key: label.count > keyWidth ? "" : label, cells: Self.cells(row)))
            }
            return out + Self.items(ReportTable.ratioItems(row), width: width).map { dim + $0 + reset }
        }

        /// `items` two spaces apart, indented by two, wrapped to `width`.
        static func items(_ items: [String], width: Int) -> [String] {
            var out: [String] = []
            var ratio = ""
            for item in items {
                if !ratio.isEmpty, ratio.count + 2 + item.count > width {
                    out.append(ratio)
                    ratio = ""
                }
                ratio += "  " + item
            }
            if !ratio.isEmpty { out.append(ratio) }
            return out
        }
    }
}

/// `--format csv`: one header line, one line per row, then the totals as `total`.
enum ReportCSV {
    static let columns = [
        "group", "key", "sessions", "input", "output", "cache_write", "cache_read", "reasoning", "total_tokens",
        "cost_usd", "unpriced_tokens", "ai_lines_written", "ai_lines_committed", "ai_lines_landed",
        "ai_lines_surviving", "ai_lines_pending", "ai_lines_churned", "human_lines_committed", "commits",
        "ai_assisted_commits", "landed_ai_assisted_commits", "yield", "survival", "cost_per_landed_line_usd",
        "landed_lines_per_million_tokens", "waste_share", "landed_ai_commits_per_week",
    ]

    static func render(_ document: ReportDocument) -> String {
        var out = [columns.joined(separator: ",")]
        for row in document.rows { out.append(line(row, group: document.groupBy.rawValue, key: row.key.values.first ?? "")) }
        out.append(line(document.totals, group: "total", key: ""))
        return out.joined(separator: "\n") + "\n"
    }

    private static func line(_ row: ReportRow, group: String, key: String) -> String {
        let ratios = row.ratios
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.6f", $0) } ?? "" }
        let fields: [String] = [
            group, CSV.field(key), "\(row.sessions.count)", "\(row.tokens.input)", "\(row.tokens.output)",
            "\(row.tokens.cacheWrite)", "\(row.tokens.cacheRead)", "\(row.tokens.reasoning)", "\(row.tokens.total)",
            row.costUSD == 0 && row.unpricedTokens > 0 ? "" : String(format: "%.6f", row.costUSD), "\(row.unpricedTokens)",
            "\(row.aiLinesWritten)", "\(row.ai.committed)",
            "\(row.ai.landed)", "\(row.ai.surviving)", "\(row.ai.pending)", "\(row.ai.churned)", "\(row.humanLinesCommitted)",
            "\(row.commits)", "\(row.aiAssistedCommits)", "\(row.landedAIAssistedCommits)", ratio(ratios.yield),
            ratio(ratios.survival), ratio(ratios.costPerLandedLineUSD), ratio(ratios.landedLinesPerMillionTokens),
            ratio(ratios.wasteShare), ratio(ratios.landedAICommitsPerWeek),
        ]
        return fields.joined(separator: ",")
    }
}

/// CSV as every listing writes it: RFC 4180 quoting, `\n` line ends.
enum CSV {
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A header line and one line per record.
    static func render(header: [String], records: [[String]]) -> String {
        ([header] + records).map { $0.map(field).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}
