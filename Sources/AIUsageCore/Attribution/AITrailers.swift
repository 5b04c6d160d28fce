import Foundation

/// Detects commit trailers that AI coding tools add (`Co-Authored-By: Claude ...`),
/// which mark a commit as AI-assisted even when no line matches.
public enum AITrailers {
    /// Lower-cased fragments of a trailer's value that name an AI tool.
    static let markers: [(String, ToolKind)] = [
        ("claude", .claudeCode), ("anthropic", .claudeCode), ("codex", .codex), ("openai", .codex),
        ("cursor", ToolKind(rawValue: "cursor")), ("aider", ToolKind(rawValue: "aider")),
        ("copilot", ToolKind(rawValue: "copilot")), ("amp", ToolKind(rawValue: "amp")),
        ("ampcode", ToolKind(rawValue: "amp")), ("opencode", ToolKind(rawValue: "opencode")),
        ("gemini", ToolKind(rawValue: "gemini-cli")), ("factory-droid", ToolKind(rawValue: "droid")),
    ]

    /// The tool named by the first AI trailer of `message`, or nil.
    public static func tool(in message: String) -> ToolKind? {
        for rawLine in message.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces).lowercased()
            let keys = ["co-authored-by:", "generated-by:", "assisted-by:", "ai-assisted-by:"]
            guard let key = keys.first(where: { line.hasPrefix($0) }) else { continue }
            let value = line.dropFirst(key.count)
            for (marker, tool) in markers where containsWord(value, marker) { return tool }
        }
        // Aider can also sign commits "aider: ..." in the author name; that is checked by the caller.
        return nil
    }

    private static func containsWord(_ text: Substring, _ word: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: word, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            if !(before?.isLetter ?? false) && !(after?.isLetter ?? false) { return true }
            searchStart = range.upperBound
        }
        return false
    }
}
