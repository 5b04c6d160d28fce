/// The AI coding tool a session was recorded by.
///
/// The raw value is the stable key used in every output (`--format json`, CSV, the
/// store), so it must never change once shipped. A struct over a string rather than
/// an enum, so readers for more tools can be added without breaking callers.
public struct ToolKind: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let claudeCode = ToolKind(rawValue: "claude-code")
    public static let codex = ToolKind(rawValue: "codex")

    public var description: String { rawValue }
    public static func < (lhs: ToolKind, rhs: ToolKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
