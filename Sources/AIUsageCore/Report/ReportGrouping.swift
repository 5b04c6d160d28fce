import Foundation

/// What `aiusage report --by` groups rows by.
public enum ReportGrouping: String, Sendable, CaseIterable, Codable {
    case developer, day, week, month, tool, model, session, repo

    /// Placeholder for facts that have no value for this grouping (human lines have no
    /// tool, model or session).
    static let none = "(none)"
}

/// Calendar arithmetic for time groupings, in the report's time zone.
public struct ReportCalendar: Sendable {
    public var timeZone: TimeZone
    private var calendar: Calendar

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        self.calendar = calendar
    }

    /// `YYYY-MM-DD` of the day.
    public func day(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// `YYYY-MM-DD` of the Monday starting the ISO week.
    public func week(_ date: Date) -> String {
        let start = calendar.dateInterval(of: .weekOfYear, for: date)?.start ?? date
        return day(start)
    }

    /// `YYYY-MM`.
    public func month(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }

    /// The day, ISO week or month holding `date` in this time zone (a day of a daylight
    /// saving change is 23 or 25 hours long); nil for groupings that are not times.
    public func period(_ grouping: ReportGrouping, containing date: Date) -> DateInterval? {
        let component: Calendar.Component
        switch grouping {
        case .day: component = .day
        case .week: component = .weekOfYear
        case .month: component = .month
        default: return nil
        }
        return calendar.dateInterval(of: component, for: date)
    }
}
