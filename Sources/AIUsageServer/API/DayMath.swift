import Foundation

/// Calendar days as `YYYY-MM-DD` in UTC: uploads carry the developer's local day already, so
/// the server only does date arithmetic on labels and must not shift them by a time zone.
enum DayMath {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }()

    static func date(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        return calendar.date(from: DateComponents(year: year, month: month, day: day))
    }

    static func string(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Monday of the ISO week holding `day`.
    static func week(_ day: String) -> String {
        guard let date = date(day), let start = calendar.dateInterval(of: .weekOfYear, for: date)?.start else { return day }
        return string(start)
    }

    static func adding(_ days: Int, to day: String) -> String {
        guard let date = date(day), let moved = calendar.date(byAdding: .day, value: days, to: date) else { return day }
        return string(moved)
    }

    /// Days from `since` to `until`, both included.
    static func length(_ since: String, _ until: String) -> Int {
        guard let a = date(since), let b = date(until) else { return 0 }
        return (calendar.dateComponents([.day], from: a, to: b).day ?? -1) + 1
    }
}
