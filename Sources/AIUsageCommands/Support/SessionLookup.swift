import AIUsageCore
import AIUsageStore
import Foundation

/// Session ids as people type them: the first characters of an id (as the tables show
/// them), or `tool:id` with the same prefix rule, as `report --by session` writes keys.
enum SessionLookup {
    /// The one session `text` names among `keys`; an exact id wins over longer ids it is a
    /// prefix of. No match, or several, is a sentence listing what was found.
    static func resolve(_ text: String, among keys: [SessionKey]) throws -> SessionKey {
        let given = text.trimmingCharacters(in: .whitespaces)
        guard !given.isEmpty else {
            throw CommandError("the session id is empty: give its first characters (`aiusage sessions` lists them)")
        }
        var candidates = keys
        var prefix = given.lowercased()
        if let colon = given.firstIndex(of: ":") {
            let tool = given[..<colon].lowercased()
            if keys.contains(where: { $0.tool.rawValue == tool }) {
                candidates = keys.filter { $0.tool.rawValue == tool }
                prefix = String(given[given.index(after: colon)...]).lowercased()
            }
        }
        let matches = candidates.filter { $0.id.lowercased().hasPrefix(prefix) }
        let exact = matches.filter { $0.id.lowercased() == prefix }
        if exact.count == 1 { return exact[0] }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            throw CommandError("no session id starts with '\(given)' (`aiusage sessions --all-repos` lists every session)")
        }
        return try ambiguous(given, matches)
    }

    private static func ambiguous(_ given: String, _ matches: [SessionKey]) throws -> SessionKey {
        let shown = matches.sorted().prefix(8).map { "\($0.tool.rawValue):\($0.id)" }
        let more = matches.count > shown.count ? " and \(matches.count - shown.count) more" : ""
        throw CommandError(
            "'\(given)' is the start of \(matches.count) session ids: \(shown.joined(separator: ", "))\(more); give more characters")
    }

    /// How many leading characters tell every id of `ids` apart from the others (at least
    /// `minimum`, at most the longest id), so that what a table shows can be typed back.
    static func uniquePrefixLength(_ ids: [String], minimum: Int = 8) -> Int {
        let sorted = Set(ids.map { $0.lowercased() }).sorted()
        var length = minimum
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            let common = zip(a, b).prefix { $0 == $1 }.count
            // b longer than a and starting with it: a is typed in full, b needs one more.
            length = max(length, min(common + 1, b.count))
        }
        return length
    }
}
