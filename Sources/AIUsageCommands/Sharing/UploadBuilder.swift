import AIUsageCore
import AIUsageEngine
import AIUsageUploadContract
import Foundation

/// Who the document is for and how repositories are named: from the stored sharing
/// settings, or placeholders for a `--dry-run` while sharing is off.
struct UploadPolicy {
    var developers: Set<String>
    var named: Bool
    var plainRepoNames: Bool
    /// The HMAC key: the team key's bytes.
    var key: [UInt8]

    /// A team key as the server hands it out (hex); any other text is used as bytes
    /// (the `dry-run` placeholder).
    static func keyBytes(_ text: String) -> [UInt8] {
        if text.count == 64, let bytes = RepoNameHash.bytes(hex: text) { return bytes }
        return Array(text.utf8)
    }
}

/// Builds `aiusage.upload/1` (`AIUsageUploadContract`, the type the server reads too): per
/// local day, one row per (repository, tool, model) of the local developer, from the
/// report's own `ReportBuilder`, so every count is the one `aiusage report` shows. It names
/// no person, path, line hash, commit, message or prompt.
enum UploadBuilder {
    static let client = "aiusage \(AIUsageVersion.number)"

    /// The document, and what only this machine knows about it: the local name behind each
    /// repository as sent (a hash, unless names are sent in clear), for `share enable` to show.
    struct Built {
        var document: UploadDocument
        var repositoryNames: [String: String]
    }

    /// Every local day from `since`'s day to `now`'s day is present (a day without
    /// activity has `"rows": []`, which clears it on the server).
    static func build(analysis: Analysis, policy: UploadPolicy, since: Date, now: Date, timeZone: TimeZone) -> Built {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.startOfDay(for: min(since, now))
        let reportCalendar = ReportCalendar(timeZone: timeZone)
        let builder = ReportBuilder(
            groupings: [.developer, .day, .repo, .tool, .model], calendar: reportCalendar, windowStart: start,
            windowEnd: now.addingTimeInterval(1))
        let (rows, _) = builder.build(
            usage: analysis.usageFacts, edits: analysis.editFacts, commits: analysis.commitFacts,
            sessionsWithLandedLines: analysis.sessionsWithLandedLines)
        let developers = Set(policy.developers.map { $0.lowercased() })
        var byDay: [String: [UsageRow]] = [:]
        var names: [String: String] = [:]
        for report in rows where developers.contains((report.key["developer"] ?? "").lowercased()) {
            let name = report.key["repo"] ?? ""
            let repo = policy.plainRepoNames ? String(name.prefix(200)) : RepoNameHash.hmacHex(key: policy.key, name: name)
            names[repo] = name
            byDay[report.key["day"] ?? "", default: []].append(
                row(report, repo: repo, tool: report.key["tool"] ?? "(none)", model: report.key["model"] ?? "(none)"))
        }
        var days: [UploadDay] = []
        var cursor = start
        while cursor <= now {
            let day = reportCalendar.day(cursor)
            let rows = (byDay[day] ?? []).sorted { ($0.repo, $0.tool, $0.model) < ($1.repo, $1.tool, $1.model) }
            days.append(UploadDay(day: day, rows: rows))
            guard let next = calendar.date(byAdding: .day, value: 1, to: cursor) else { break }
            cursor = next
        }
        let document = UploadDocument(
            named: policy.named, repoNames: policy.plainRepoNames ? .plain : .hashed, days: days,
            generatedAt: Format.iso(now), client: client)
        return Built(document: document, repositoryNames: names)
    }

    /// A report row as the contract's row: counts as they are, dollars rounded to a millionth
    /// as in every JSON output (`aiusage report --format json` prints the same values).
    static func row(_ report: ReportRow, repo: String, tool: String, model: String) -> UsageRow {
        var row = UsageRow(repo: repo, tool: tool, model: model)
        row.sessions = Int64(report.sessions.count)
        row.input = report.tokens.input
        row.output = report.tokens.output
        row.cacheWrite = report.tokens.cacheWrite
        row.cacheRead = report.tokens.cacheRead
        row.reasoning = report.tokens.reasoning
        row.costUSD = JSONOutput.usd(report.costUSD)
        row.unpricedTokens = report.unpricedTokens
        row.wastedCostUSD = JSONOutput.usd(report.wastedCostUSD)
        row.aiLinesWritten = Int64(report.aiLinesWritten)
        row.aiLinesCommitted = Int64(report.ai.committed)
        row.aiLinesLanded = Int64(report.ai.landed)
        row.aiLinesSurviving = Int64(report.ai.surviving)
        row.aiLinesPending = Int64(report.ai.pending)
        row.aiLinesChurned = Int64(report.ai.churned)
        row.humanLinesCommitted = Int64(report.humanLinesCommitted)
        row.commits = Int64(report.commits)
        row.aiAssistedCommits = Int64(report.aiAssistedCommits)
        row.landedAIAssistedCommits = Int64(report.landedAIAssistedCommits)
        return row
    }
}
