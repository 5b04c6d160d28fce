import AIUsageUploadContract
import Foundation

/// What a person reads before turning sharing on (`share enable`): the window, how many
/// days, rows and repositories, the tools and models, and the totals of the document that
/// would be sent, in words. `--dry-run` prints the document's exact bytes instead.
struct UploadPreview {
    let built: UploadBuilder.Built
    let hashed: Bool

    var document: UploadDocument { built.document }

    /// The lines that describe the document; the caller prints the sentence around them.
    var lines: [String] {
        let days = document.days
        let active = days.filter { !$0.rows.isEmpty }.count
        let rows = document.rowCount
        var totals = UsageRow(repo: "", tool: "", model: "")
        for row in days.flatMap(\.rows) {
            for field in UsageField.allCases {
                totals[keyPath: field.keyPath] = Saturating.add(totals[keyPath: field.keyPath], row[keyPath: field.keyPath])
            }
            totals.costUSD += row.costUSD
        }
        let repositories = Set(days.flatMap { $0.rows.map(\.repo) }).sorted { name(of: $0) < name(of: $1) }
        let pairs = Set(days.flatMap { $0.rows.map { "\($0.tool) with \($0.model)" } }).sorted()
        var lines = [
            "Days with activity:  \(active) of \(days.count)"
                + (active < days.count ? " (the others are sent empty, which clears them on the server)" : ""),
            "Rows:                \(rows) (one per day, repository, tool and model)",
        ]
        if repositories.isEmpty {
            lines.append("Repositories:        none")
        } else {
            let shown = repositories.prefix(8).map { repo in
                hashed ? "\(name(of: repo)) (sent as \(repo.prefix(12))…)" : name(of: repo)
            }
            lines.append(
                "Repositories:        \(repositories.count): " + shown.joined(separator: ", ")
                    + (repositories.count > 8 ? ", and \(repositories.count - 8) more" : ""))
        }
        let none = "(none) with (none)"
        let sessions = pairs.filter { $0 != none }
        if !pairs.isEmpty {
            var text = sessions.prefix(6).joined(separator: "; ") + (sessions.count > 6 ? "; and \(sessions.count - 6) more" : "")
            if pairs.contains(none) {
                text += (text.isEmpty ? "" : ", plus ") + "lines and commits without a session (tool and model \"(none)\")"
            }
            lines.append("Tools and models:    " + text)
        }
        lines.append(
            "Totals:              "
                + [
                    Self.count(totals.sessions, "session"), Self.count(totals.totalTokens, "token"), Format.usd(totals.costUSD),
                    Self.count(totals.aiLinesWritten, "AI line") + " written", "\(totals.aiLinesLanded) landed",
                    Self.count(totals.humanLinesCommitted, "human line"), Self.count(totals.commits, "commit"),
                ].joined(separator: ", "))
        return lines
    }

    /// The local name behind a repository as sent.
    func name(of sent: String) -> String {
        let local = built.repositoryNames[sent] ?? sent
        return local.isEmpty ? "(no repository)" : local
    }

    /// "1 session", "1,200 tokens".
    static func count(_ value: Int64, _ noun: String) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        formatter.groupingSize = 3
        let text = formatter.string(from: NSNumber(value: value)) ?? "\(value)"
        return "\(text) \(noun)\(value == 1 ? "" : "s")"
    }
}
