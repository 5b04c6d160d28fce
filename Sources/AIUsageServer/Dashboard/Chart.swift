import AIUsageCore
import Foundation

/// A small inline SVG chart of one metric by week: bars for amounts, a line (broken at
/// gaps) for ratios. A week the k-rule withheld is drawn as a hatched-looking band marked
/// "withheld", so it never reads as a zero; a week without data is left blank; a week whose
/// figure is zero gets a hairline bar. The x axis carries dated labels (the year on the first
/// and wherever it changes) and a tick per week; the y axis three gridlines in the metric's unit.
enum Chart {
    static let width = 320.0, height = 190.0
    static let left = 44.0, right = 10.0, top = 10.0, bottom = 34.0
    static var plotWidth: Double { width - left - right }
    static var plotHeight: Double { height - top - bottom }

    static func render(metric: DashboardMetric, points: [(week: String, point: WeekPoint)], withheldReason: String) -> String {
        let values = points.map { $0.point.row.flatMap(metric.value) }
        let maxValue = max(values.compactMap { $0 }.max() ?? 0, metric.floorMax)
        let scale = niceCeiling(maxValue)
        let step = plotWidth / Double(max(points.count, 1))
        func x(_ index: Int) -> Double { left + step * (Double(index) + 0.5) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - min(max(value, 0), scale) / scale) }
        let title = DashboardPage.escape(metric.title)

        var svg =
            "<figure id=\"chart-\(metric.chartID)\"><figcaption>\(title) <span class=\"unit\">(\(DashboardPage.escape(metric.unit)))</span></figcaption>"
        svg += "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" role=\"img\" aria-label=\"\(title) by week\">"
        // Gridlines and y labels: 0, half and the top of the scale, in the metric's unit.
        for fraction in [0.0, 0.5, 1.0] {
            let value = scale * fraction
            let at = y(value)
            svg +=
                "<line x1=\"\(f(left))\" y1=\"\(f(at))\" x2=\"\(f(width - right))\" y2=\"\(f(at))\" stroke=\"\(fraction == 0 ? "#a0aec0" : "#edf2f7")\"/>"
            svg +=
                "<text class=\"y-label\" x=\"\(f(left - 4))\" y=\"\(f(at + 3.5))\" text-anchor=\"end\" font-size=\"10\" fill=\"#4a5568\">\(DashboardPage.escape(metric.axisLabel(value)))</text>"
        }
        // Withheld weeks first, under the marks: a full-height band, labelled when wide enough.
        for (index, item) in points.enumerated() {
            guard case .withheld = item.point else { continue }
            let bandX = left + step * Double(index) + min(1, step * 0.1)
            let bandWidth = max(step - 2 * min(1, step * 0.1), 1)
            svg +=
                "<rect class=\"withheld\" data-week=\"\(item.week)\" x=\"\(f(bandX))\" y=\"\(f(top))\" width=\"\(f(bandWidth))\" height=\"\(f(plotHeight))\" fill=\"#edf2f7\" stroke=\"#a0aec0\" stroke-dasharray=\"3 2\">"
            svg += "<title>\(DashboardPage.escape("week of \(item.week): withheld (\(withheldReason))"))</title></rect>"
            if step >= 11 {
                let cx = x(index), cy = top + plotHeight / 2
                svg +=
                    "<text x=\"\(f(cx))\" y=\"\(f(cy))\" transform=\"rotate(-90 \(f(cx)) \(f(cy)))\" text-anchor=\"middle\" dominant-baseline=\"middle\" font-size=\"9\" fill=\"#4a5568\">withheld</text>"
            }
        }
        if metric.isAmount {
            let barWidth = max(step * 0.7, 1)
            for (index, item) in points.enumerated() {
                guard let value = values[index] else { continue }
                let barTop = min(y(value), top + plotHeight - 1)  // a zero week is a hairline, not nothing
                svg +=
                    "<rect class=\"bar\" data-week=\"\(item.week)\" data-value=\"\(value)\" x=\"\(f(x(index) - barWidth / 2))\" y=\"\(f(barTop))\" width=\"\(f(barWidth))\" height=\"\(f(top + plotHeight - barTop))\" fill=\"#3182ce\">"
                svg += "<title>\(DashboardPage.escape("week of \(item.week): \(metric.format(value))"))</title></rect>"
            }
        } else {
            var segment: [String] = []
            func flush() {
                if segment.count > 1 {
                    svg += "<polyline fill=\"none\" stroke=\"#2f855a\" stroke-width=\"2\" points=\"\(segment.joined(separator: " "))\"/>"
                }
                segment = []
            }
            for (index, value) in values.enumerated() {
                guard let value else { flush(); continue }
                segment.append("\(f(x(index))),\(f(y(value)))")
            }
            flush()
            for (index, item) in points.enumerated() {
                guard let value = values[index] else { continue }
                svg +=
                    "<circle class=\"point\" data-week=\"\(item.week)\" data-value=\"\(value)\" cx=\"\(f(x(index)))\" cy=\"\(f(y(value)))\" r=\"3\" fill=\"#2f855a\">"
                svg += "<title>\(DashboardPage.escape("week of \(item.week): \(metric.format(value))"))</title></circle>"
            }
        }
        // X axis: a tick per week, a dated label every few weeks.
        let baseline = top + plotHeight
        for index in points.indices {
            svg += "<line x1=\"\(f(x(index)))\" y1=\"\(f(baseline))\" x2=\"\(f(x(index)))\" y2=\"\(f(baseline + 3))\" stroke=\"#a0aec0\"/>"
        }
        for (index, label) in axisLabels(points.map(\.week)) {
            let anchor = points.count == 1 ? "middle" : index == 0 ? "start" : index == points.count - 1 ? "end" : "middle"
            let at = anchor == "start" ? left + step * Double(index) : anchor == "end" ? left + step * Double(index + 1) : x(index)
            svg +=
                "<text class=\"x-label\" x=\"\(f(at))\" y=\"\(f(baseline + 14))\" text-anchor=\"\(anchor)\" font-size=\"10\" fill=\"#4a5568\">\(DashboardPage.escape(label))</text>"
        }
        svg +=
            "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 3))\" text-anchor=\"middle\" font-size=\"9\" fill=\"#718096\">week starting Monday</text>"
        if values.allSatisfy({ $0 == nil }) && !points.contains(where: { if case .withheld = $0.point { true } else { false } }) {
            svg +=
                "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#718096\">no data</text>"
        }
        return svg + "</svg></figure>"
    }

    /// Labels for at most four evenly spaced weeks (always the first), each `5 Oct`, with the
    /// year on the first label and on any label in a different year than the one before.
    static func axisLabels(_ weeks: [String]) -> [(Int, String)] {
        guard !weeks.isEmpty else { return [] }
        let stride = max(1, Int((Double(weeks.count) / 4).rounded(.up)))
        var labels: [(Int, String)] = []
        var lastYear = ""
        for index in Swift.stride(from: 0, to: weeks.count, by: stride) {
            let parts = weeks[index].split(separator: "-")
            guard parts.count == 3, let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month) else { continue }
            let year = String(parts[0])
            labels.append((index, "\(day) \(months[month - 1])" + (year != lastYear ? " \(year)" : "")))
            lastYear = year
        }
        return labels
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The smallest of 1, 2, 2.5, 5 times a power of ten at or above `value` (1 for zero), so
    /// the gridlines fall on round numbers.
    static func niceCeiling(_ value: Double) -> Double {
        guard value.isFinite, value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * power >= value * (1 - 1e-12) { return factor * power }
        return 10 * power
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
