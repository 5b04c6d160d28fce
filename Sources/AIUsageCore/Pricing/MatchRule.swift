import Foundation

/// One of the price dataset's rules for recognising a model or provider id.
///
/// These are genai-prices' own clauses, applied exactly as the dataset applies them: every
/// text clause compares case-insensitively, `regex` searches anywhere in the (already
/// lower-cased) id, and `or`/`and` combine. A model is priced only when such a rule
/// accepts its id — never because an older model's id is a prefix of it.
public indirect enum MatchRule: Sendable, Hashable {
    case equals(String)
    case startsWith(String)
    case endsWith(String)
    case contains(String)
    case regex(PriceRegex)
    case or([MatchRule])
    case and([MatchRule])

    /// Whether the rule accepts `text`.
    public func matches(_ text: String) -> Bool {
        switch self {
        case .equals(let value): return text.lowercased() == value.lowercased()
        case .startsWith(let value): return text.lowercased().hasPrefix(value.lowercased())
        case .endsWith(let value): return text.lowercased().hasSuffix(value.lowercased())
        case .contains(let value):
            let needle = value.lowercased()
            return needle.isEmpty || text.lowercased().contains(needle)
        case .regex(let regex): return regex.search(text)
        case .or(let rules): return rules.contains { $0.matches(text) }
        case .and(let rules): return rules.allSatisfy { $0.matches(text) }
        }
    }

    /// The rule as the dataset writes it, for `aiusage prices`: `starts_with "claude-opus-4-8"`.
    public var summary: String {
        switch self {
        case .equals(let value): return "equals \"\(value)\""
        case .startsWith(let value): return "starts_with \"\(value)\""
        case .endsWith(let value): return "ends_with \"\(value)\""
        case .contains(let value): return "contains \"\(value)\""
        case .regex(let regex): return "regex \"\(regex.pattern)\""
        case .or(let rules): return rules.count == 1 ? rules[0].summary : "(" + rules.map(\.summary).joined(separator: " or ") + ")"
        case .and(let rules): return rules.count == 1 ? rules[0].summary : "(" + rules.map(\.summary).joined(separator: " and ") + ")"
        }
    }
}

/// A compiled `regex` clause. The dataset's patterns are Python `re` patterns used with
/// `re.search`; the subset they use (anchors, classes, groups, look-ahead) means the same
/// to ICU, which `NSRegularExpression` runs.
public final class PriceRegex: @unchecked Sendable, Hashable {
    // NSRegularExpression is immutable once built and documented as safe to share between threads.
    public let pattern: String
    private let compiled: NSRegularExpression

    /// Fails when the pattern does not compile.
    public init(_ pattern: String) throws {
        self.pattern = pattern
        compiled = try NSRegularExpression(pattern: pattern)
    }

    func search(_ text: String) -> Bool {
        compiled.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    public static func == (lhs: PriceRegex, rhs: PriceRegex) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
