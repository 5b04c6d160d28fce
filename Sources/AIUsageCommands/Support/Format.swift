import Foundation

/// Number formatting shared by tables.
enum Format {
    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1000, unit < units.count - 1 {
            amount /= 1000
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", amount, units[unit])
    }

    /// 1234 → "1.2k", 1234567 → "1.2M".
    static func compact(_ value: Int64) -> String {
        let amount = Double(value)
        switch abs(amount) {
        case ..<1000: return "\(value)"
        case ..<1_000_000: return String(format: "%.1fk", amount / 1000)
        case ..<1_000_000_000: return String(format: "%.1fM", amount / 1_000_000)
        default: return String(format: "%.1fG", amount / 1_000_000_000)
        }
    }

    static func usd(_ value: Double) -> String {
        value >= 100 ? String(format: "$%.0f", value) : String(format: "$%.2f", value)
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%.0f%%", value * 100)
    }

    static func number(_ value: Double?, digits: Int = 1) -> String {
        guard let value else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    /// ISO 8601 in UTC, the form machine output uses.
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// `text` padded to `width` columns; a longer text is kept whole, never cut.
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let count = text.count
        if count >= width { return text }
        let padding = String(repeating: " ", count: width - count)
        return right ? padding + text : text + padding
    }
}
