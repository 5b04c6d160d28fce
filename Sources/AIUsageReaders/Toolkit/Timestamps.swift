import AIUsageCore
import Foundation

/// Fast parsing of the ISO 8601 timestamps AI tools write
/// (`2026-01-01T12:00:00Z`, `2026-01-01T12:00:00.123Z`, `...+02:00`).
///
/// `ISO8601DateFormatter` costs microseconds per call; a 1 GB ingest parses millions.
public enum Timestamps {
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        // YYYY-MM-DDTHH:MM:SS
        guard bytes.count >= 19 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for i in start..<(start + count) {
                let byte = bytes[i]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = digits(0, 4), bytes[4] == 0x2D, let month = digits(5, 2), bytes[7] == 0x2D,
            let day = digits(8, 2), bytes[10] == 0x54 || bytes[10] == 0x20, let hour = digits(11, 2),
            bytes[13] == 0x3A, let minute = digits(14, 2), bytes[16] == 0x3A, let second = digits(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 0x2E {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            switch bytes[index] {
            case 0x5A, 0x7A: index += 1  // Z
            case 0x2B, 0x2D:  // +HH:MM or -HH:MM or +HHMM
                let sign = bytes[index] == 0x2D ? -1 : 1
                guard index + 3 <= bytes.count, let hh = digits(index + 1, 2) else { return nil }
                var mm = 0
                if index + 6 <= bytes.count, bytes[index + 3] == 0x3A, let m = digits(index + 4, 2) {
                    mm = m
                } else if index + 5 <= bytes.count, let m = digits(index + 3, 2) {
                    mm = m
                }
                offsetSeconds = sign * (hh * 3600 + mm * 60)
            default: return nil
            }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
