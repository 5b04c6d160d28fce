import Foundation

/// Days as the contract writes them: `YYYY-MM-DD`, a real Gregorian calendar day, years
/// 1970 to 2999 (real usage, and far from the calendar's edges for day arithmetic). Days are
/// the developer's local calendar days; neither side shifts them by a time zone.
public enum CalendarDay {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }()

    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts.map(\.count) == [4, 2, 2],
            parts.allSatisfy({ $0.utf8.allSatisfy { (48...57).contains($0) } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1970...2999).contains(year),
            let date = calendar.date(from: DateComponents(year: year, month: month, day: day))
        else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == year && back.month == month && back.day == day
    }
}
