/// "Did you mean" for a misspelled subcommand: `aiusage reprot` names `report`.
///
/// ArgumentParser suggests misspelled options itself but calls an unknown subcommand an
/// "unexpected argument"; this says what was given and what is allowed instead.
enum CommandSuggestion {
    /// The line for `arguments` (without the program name) when its first word looks like
    /// a subcommand that does not exist; nil otherwise (ArgumentParser's message stands).
    static func message(arguments: [String], commands: [String]) -> String? {
        guard let word = arguments.first, !word.hasPrefix("-"), !commands.contains(word) else { return nil }
        let list = commands.joined(separator: ", ")
        if let close = closest(to: word, in: commands) {
            return "unknown command '\(word)': did you mean '\(close)'? (commands: \(list))"
        }
        return "unknown command '\(word)' (commands: \(list))"
    }

    /// The command within a small edit distance (a third of the word, at least 2), or the
    /// only command the word is a prefix of.
    static func closest(to word: String, in commands: [String]) -> String? {
        let lowered = word.lowercased()
        let prefixed = commands.filter { $0.hasPrefix(lowered) }
        if prefixed.count == 1 { return prefixed[0] }
        let limit = max(2, lowered.count / 3)
        let scored = commands.map { (command: $0, distance: distance(lowered, $0)) }.filter { $0.distance <= limit }
        return scored.min { ($0.distance, $0.command) < ($1.distance, $1.command) }?.command
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps
    /// of two neighbours ("reprot") each cost one.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a)
        let y = Array(b)
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { table[i][0] = i }
        for j in 0...y.count { table[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { best = min(best, table[i - 2][j - 2] + 1) }
                table[i][j] = best
            }
        }
        return table[x.count][y.count]
    }
}
