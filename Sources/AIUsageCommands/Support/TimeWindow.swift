import ArgumentParser
import Foundation

/// Parses `--since` / `--until` values: a date (`2026-11-01`, in the report's time
/// zone), an ISO 8601 timestamp, or a duration back from now (`30d`, `12h`, `2w`).
enum TimeWindow {
    static func parse(_ text: String, timeZone: TimeZone, now: Date) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let last = trimmed.last, "hdwm".contains(last), let amount = Double(trimmed.dropLast()), amount >= 0 {
            let unit: Double =
                switch last {
                case "h": 3600
                case "d": 86_400
                case "w": 7 * 86_400
                default: 30 * 86_400
                }
            return now.addingTimeInterval(-amount * unit)
        }
        let dayFormatter = DateFormatter()
        dayFormatter.locale = Locale(identifier: "en_US_POSIX")
        dayFormatter.timeZone = timeZone
        dayFormatter.dateFormat = "yyyy-MM-dd"
        if let day = dayFormatter.date(from: trimmed) { return day }
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: trimmed) { return date }
        throw ValidationError("cannot read the date '\(text)': use YYYY-MM-DD, an ISO 8601 time, or a duration such as 30d, 12h or 2w")
    }

    /// `2026-12-01 00:00 UTC`: how a parsed `--since`/`--until` is told back.
    static func describe(_ date: Date, timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date) + " " + name(timeZone)
    }

    /// A zone's IANA name, with Foundation's several spellings of UTC said as `UTC`.
    static func name(_ timeZone: TimeZone) -> String {
        ["GMT", "UTC", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Universal", "Zulu"].contains(timeZone.identifier)
            ? "UTC" : timeZone.identifier
    }

    static func timeZone(_ name: String?) throws -> TimeZone {
        guard let name else { return TimeZone.current }
        if name.uppercased() == "UTC", let utc = TimeZone(identifier: "UTC") { return utc }
        guard let zone = TimeZone(identifier: name) else {
            throw ValidationError("unknown time zone '\(name)': use an IANA name such as UTC or Europe/Paris")
        }
        return zone
    }
}
