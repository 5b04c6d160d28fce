import AIUsageCore
import Foundation

/// The people-facing report: two lines per row (counts, then ratios), 80 columns wide.
enum ReportTable {
    static func render(_ document: ReportDocument, colour: Bool) -> String {
        var out: [String] = []
        let bold = colour ? "\u{1B}[1m" : ""
        let dim = colour ? "\u{1B}[2m" : ""
        let reset = colour ? "\u{1B}[0m" : ""
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: document.timezone)
        out.append("\(bold)aiusage report\(reset) — \(document.repos.joined(separator: ", "))")
        out.append(
            "\(dim)\(day.string(from: document.since)) to \(day.string(from: document.until)) (\(document.timezone)), "
                + "survival at \(document.survivalDays) days\(reset)")
        out.append("\(dim)prices: \(document.pricingSource) \(document.pricingVersion) (\(document.pricingDate))\(reset)")
        if !document.recordedCostTools.isEmpty {
            out.append("\(dim)costs as recorded by \(document.recordedCostTools.joined(separator: ", ")); the price table for the rest\(reset)")
        }
        out.append("")
        let header =
            Format.pad(document.groupBy.rawValue.uppercased(), 22) + Format.pad("COST", 9, right: true)
            + Format.pad("TOKENS", 8, right: true) + Format.pad("WRITTEN", 8, right: true)
            + Format.pad("COMMIT", 7, right: true) + Format.pad("LANDED", 7, right: true)
            + Format.pad("SURV", 6, right: true) + Format.pad("HUMAN", 7, right: true)
        out.append(bold + header + reset)
        for row in document.rows {
            out.append(contentsOf: lines(for: row, label: row.key.values.first ?? "", dim: dim, reset: reset))
        }
        if document.rows.count != 1 || document.rows.isEmpty {
            out.append(String(repeating: "─", count: 74))
            out.append(contentsOf: lines(for: document.totals, label: "total", dim: dim, reset: reset))
        }
        out.append("\(dim)WRITTEN..SURV count AI lines; AI/wk: AI-assisted commits landed per week.\(reset)")
        if document.totals.unpricedTokens > 0 {
            out.append("")
            if (document.rows + [document.totals]).contains(where: { $0.costUSD > 0 && $0.unpricedTokens > 0 }) {
                out.append("COST $x+: at least $x; tokens on unpriced models are not costed.")
            }
            out.append("Unpriced models (tokens counted, cost left out; see `aiusage prices MODEL`):")
            if document.unpricedModels.isEmpty {
                out.append("  \(Format.compact(document.totals.unpricedTokens)) tokens")
            }
            for model in document.unpricedModels {
                out.append("  " + Format.pad(model.model.isEmpty ? "(no model id)" : model.model, 60) + Format.pad(Format.compact(model.tokens), 8, right: true) + " tokens")
            }
        }
        if document.rows.isEmpty {
            out.append("")
            out.append("No AI sessions or commits in this window. Try a longer --since, or `aiusage doctor`.")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A cost never reads $0.00 for tokens that have no price: `unpriced` when none of
    /// the row's tokens were priced, `$x+` when some were not.
    static func costCell(_ row: ReportRow) -> String {
        costCell(usd: row.costUSD, unpricedTokens: row.unpricedTokens)
    }

    static func costCell(usd: Double, unpricedTokens: Int64) -> String {
        guard unpricedTokens > 0 else { return Format.usd(usd) }
        return usd > 0 ? Format.usd(usd) + "+" : "unpriced"
    }

    private static func lines(for row: ReportRow, label: String, dim: String, reset: String) -> [String] {
        let ratios = row.ratios
        let counts =
            Format.pad(label, 22) + Format.pad(costCell(row), 9, right: true)
            + Format.pad(Format.compact(row.tokens.total), 8, right: true)
            + Format.pad("\(row.aiLinesWritten)", 8, right: true) + Format.pad("\(row.ai.committed)", 7, right: true)
            + Format.pad("\(row.ai.landed)", 7, right: true) + Format.pad("\(row.ai.surviving)", 6, right: true)
            + Format.pad("\(row.humanLinesCommitted)", 7, right: true)
        // Widest case is 76 columns: "  yield 100%  surv 100%  $/line 12.345  lines/Mtok 12345  waste 100%  AI/wk 12.3".
        let cost = ratios.costPerLandedLineUSD.map { $0 >= 100 ? String(format: "%.0f", $0) : String(format: "%.3f", $0) } ?? "–"
        let perMillion = ratios.landedLinesPerMillionTokens.map { $0 >= 100 ? String(format: "%.0f", $0) : String(format: "%.1f", $0) } ?? "–"
        let detail =
            "  yield \(Format.percent(ratios.yield))  surv \(Format.percent(ratios.survival))  $/line \(cost)"
            + "  lines/Mtok \(perMillion)  waste \(Format.percent(ratios.wasteShare))"
            + "  AI/wk \(Format.number(ratios.landedAICommitsPerWeek))"
        return [counts, dim + detail + reset]
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
            group, escape(key), "\(row.sessions.count)", "\(row.tokens.input)", "\(row.tokens.output)",
            "\(row.tokens.cacheWrite)", "\(row.tokens.cacheRead)", "\(row.tokens.reasoning)", "\(row.tokens.total)",
            row.costUSD == 0 && row.unpricedTokens > 0 ? "" : String(format: "%.6f", row.costUSD), "\(row.unpricedTokens)", "\(row.aiLinesWritten)", "\(row.ai.committed)",
            "\(row.ai.landed)", "\(row.ai.surviving)", "\(row.ai.pending)", "\(row.ai.churned)", "\(row.humanLinesCommitted)",
            "\(row.commits)", "\(row.aiAssistedCommits)", "\(row.landedAIAssistedCommits)", ratio(ratios.yield),
            ratio(ratios.survival), ratio(ratios.costPerLandedLineUSD), ratio(ratios.landedLinesPerMillionTokens),
            ratio(ratios.wasteShare), ratio(ratios.landedAICommitsPerWeek),
        ]
        return fields.joined(separator: ",")
    }

    private static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
