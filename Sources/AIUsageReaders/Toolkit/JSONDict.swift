import AIUsageCore
import Foundation

/// Lenient access to decoded JSON objects (`[String: Any]` from `JSONSerialization`).
///
/// Readers of tools whose records are whole JSON documents with loosely versioned
/// shapes (OpenCode, Cursor, Cline) use this rather than `Codable`: every field is
/// optional, numbers may arrive as strings, and a wrong type must mean "absent", never
/// a failed decode of the whole record.
public enum JSONDict {
    /// The top-level object of `data`, or nil when it is not a JSON object. A value
    /// nested past Foundation's depth limit reads as `null` instead of costing the
    /// whole object (see `JSONDepthLimit`).
    public static func object(_ data: Data) -> [String: Any]? {
        guard !data.isEmpty, StrictLine.isJSON(data) else { return nil }
        return JSONDepthLimit.jsonObject(data) as? [String: Any]
    }

    /// The top-level object of `text`, or nil.
    public static func object(_ text: String) -> [String: Any]? { object(Data(text.utf8)) }

    /// The value at a key path (`value(json, "time", "created")`).
    public static func value(_ json: [String: Any]?, _ keys: String...) -> Any? { value(json, keys) }

    public static func value(_ json: [String: Any]?, _ keys: [String]) -> Any? {
        guard var current: Any = json else { return nil }
        for key in keys {
            guard let object = current as? [String: Any], let next = object[key] else { return nil }
            current = next
        }
        return current is NSNull ? nil : current
    }

    public static func object(_ json: [String: Any]?, _ keys: String...) -> [String: Any]? {
        value(json, keys) as? [String: Any]
    }

    public static func array(_ json: [String: Any]?, _ keys: String...) -> [Any]? {
        value(json, keys) as? [Any]
    }

    /// A non-empty string at the key path.
    public static func string(_ json: [String: Any]?, _ keys: String...) -> String? {
        guard let text = value(json, keys) as? String, !text.isEmpty else { return nil }
        return text
    }

    /// An integer at the key path: a JSON number (not a boolean) or a numeric string.
    public static func int64(_ json: [String: Any]?, _ keys: String...) -> Int64? { int64(value(json, keys)) }

    public static func int64(_ value: Any?) -> Int64? {
        switch value {
        case let number as NSNumber:
            if isBoolean(number) { return nil }
            let double = number.doubleValue
            guard double.isFinite, abs(double) < 9.0e18 else { return nil }
            return number.int64Value
        case let text as String:
            if let integer = Int64(text) { return integer }
            if let double = Double(text), double.isFinite, abs(double) < 9.0e18 { return Int64(double) }
            return nil
        default: return nil
        }
    }

    /// JSON `true`/`false` arrive as NSNumber too; their type code is `c` (char) on
    /// both Darwin and Linux Foundation, which JSON numbers never have.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// A floating-point number at the key path (a number or a numeric string).
    public static func double(_ json: [String: Any]?, _ keys: String...) -> Double? { double(value(json, keys)) }

    public static func double(_ value: Any?) -> Double? {
        switch value {
        case let number as NSNumber:
            if isBoolean(number) { return nil }
            return number.doubleValue.isFinite ? number.doubleValue : nil
        case let text as String: return Double(text).flatMap { $0.isFinite ? $0 : nil }
        default: return nil
        }
    }

    /// A point in time from epoch milliseconds (the tools in question write ms), or
    /// seconds when the number is too small to be milliseconds, or an ISO 8601 string.
    public static func date(_ value: Any?) -> Date? {
        if let text = value as? String, let date = Timestamps.parse(text) { return date }
        guard let number = double(value), number > 0 else { return nil }
        return Date(timeIntervalSince1970: number >= 1.0e11 ? number / 1000 : number)
    }

    public static func date(_ json: [String: Any]?, _ keys: String...) -> Date? { date(value(json, keys)) }
}
