import AIUsageCore
import Foundation

/// String values found by the fast walk (`ClaudeLineScan`), turned into Swift strings.
enum JSONFieldScan {
    /// A string value's bytes (inside the quotes) as a String, or nil when they are not
    /// valid UTF-8 or not a valid JSON string: a plain copy when there are no escapes
    /// (the common case for ids, paths and timestamps), the JSON decoder otherwise.
    static func decodeString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard UTF8Check.isValid(bytes) else { return nil }
        guard bytes.contains(0x5C) else { return String(decoding: bytes, as: UTF8.self) }
        // Rare (Windows paths, quotes in names): let the JSON decoder do it right.
        var literal = [UInt8]()
        literal.reserveCapacity(bytes.count + 2)
        literal.append(0x22)
        literal.append(contentsOf: bytes)
        literal.append(0x22)
        return try? JSONDecoder().decode(String.self, from: Data(literal))
    }
}
