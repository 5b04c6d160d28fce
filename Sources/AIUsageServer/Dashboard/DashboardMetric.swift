import AIUsageCore
import Foundation

/// The figures every dashboard page shows, each defined once: its name, unit, the element
/// ids tests and people link to, how it is read from a report row and how it is written.
/// Totals, charts, tables and the phone layout's cell labels all come from this list, so a
/// column can never be called one thing in the table and another in its chart.
enum DashboardMetric: CaseIterable {
    case cost, landed, yield, survival, costPerLine, waste, commitsPerWeek

    /// The name in totals and chart titles.
    var title: String {
        switch self {
        case .cost: "Cost"
        case .landed: "Landed AI lines"
        case .yield: "Yield"
        case .survival: "Survival"
        case .costPerLine: "Cost per landed line"
        case .waste: "Waste share"
        case .commitsPerWeek: "AI-assisted landed commits per week"
        }
    }

    /// The table header: the title, shortened where a column would be too wide.
    var column: String { self == .commitsPerWeek ? "Landed AI commits / week" : title }

    /// What the number counts, for chart axes.
    var unit: String {
        switch self {
        case .cost: "USD per week"
        case .landed: "lines per week"
        case .yield: "% of AI lines written that landed"
        case .survival: "% of landed AI lines still present"
        case .costPerLine: "USD per landed line"
        case .waste: "% of cost spent in sessions with nothing landed"
        case .commitsPerWeek: "commits per week"
        }
    }

    /// `id` of the figure in the totals (`<dd id="total-cost">`).
    var totalID: String {
        switch self {
        case .cost: "total-cost"
        case .landed: "total-landed"
        case .yield: "total-yield"
        case .survival: "total-survival"
        case .costPerLine: "total-cost-per-line"
        case .waste: "total-waste"
        case .commitsPerWeek: "total-commits-per-week"
        }
    }

    /// `id` of the chart, after `chart-`.
    var chartID: String {
        switch self {
        case .cost: "cost"
        case .landed: "landed"
        case .yield: "yield"
        case .survival: "survival"
        case .costPerLine: "cost-per-line"
        case .waste: "waste"
        case .commitsPerWeek: "commits"
        }
    }

    /// Amounts are bars (they add up over weeks); ratios are lines (they do not).
    var isAmount: Bool { self == .cost || self == .landed || self == .commitsPerWeek }

    /// Ratios stay on a 0 to 100% scale unless a value goes beyond it.
    var floorMax: Double { self == .yield || self == .survival || self == .waste ? 1 : 0 }

    func value(_ row: ReportRow) -> Double? {
        switch self {
        case .cost: row.costUSD
        case .landed: Double(row.ai.landed)
        case .yield: row.ratios.yield
        case .survival: row.ratios.survival
        case .costPerLine: row.ratios.costPerLandedLineUSD
        case .waste: row.ratios.wasteShare
        case .commitsPerWeek: row.ratios.landedAICommitsPerWeek
        }
    }

    func format(_ value: Double?) -> String {
        guard let value else { return "–" }
        switch self {
        case .cost: return String(format: "$%.2f", value)
        case .landed: return "\(Int(value.rounded()))"
        case .yield, .survival, .waste: return String(format: "%.1f%%", value * 100)
        case .costPerLine: return String(format: "$%.4f", value)
        case .commitsPerWeek: return String(format: "%.2f", value)
        }
    }

    /// A shorter form for axis labels, whose values are round (`Chart.niceCeiling`): "$10",
    /// "$2.5", "$0.05", "50%", "12".
    func axisLabel(_ value: Double) -> String {
        switch self {
        case .cost, .costPerLine: "$" + Self.trimmed(value)
        case .landed, .commitsPerWeek: Self.trimmed(value)
        case .yield, .survival, .waste: Self.trimmed(value * 100) + "%"
        }
    }

    /// At most four decimals, without trailing zeros.
    static func trimmed(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    func formatted(_ row: ReportRow) -> String { format(value(row)) }
}
