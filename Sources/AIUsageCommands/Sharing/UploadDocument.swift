import AIUsageCore
import AIUsageEngine
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

/// `aiusage.upload/1` (README, "Sharing (opt-in)"): per local day, one row per
/// (repository, tool, model) of the local developer, built by the report's own
/// `ReportBuilder`, so every count is the one `aiusage report` shows. It names no
/// person, path, line hash, commit, message or prompt.
struct UploadDocument: Encodable {
    static let schema = "aiusage.upload/1"
    static let client = "aiusage 0.1"

    struct Day: Encodable {
        var day: String
        var rows: [Row]
    }

    struct Row: Encodable {
        var repo: String
        var tool: String
        var model: String
        var report: ReportRow

        enum Keys: String, CodingKey {
            case repo, tool, model, sessions, tokens, costUSD = "cost_usd", unpricedTokens = "unpriced_tokens"
            case wasted = "wasted_cost_usd", written = "ai_lines_written", committed = "ai_lines_committed"
            case landed = "ai_lines_landed", surviving = "ai_lines_surviving", pending = "ai_lines_pending"
            case churned = "ai_lines_churned", human = "human_lines_committed", commits
            case aiAssisted = "ai_assisted_commits", landedAIAssisted = "landed_ai_assisted_commits"
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(repo, forKey: .repo)
            try container.encode(tool, forKey: .tool)
            try container.encode(model, forKey: .model)
            try container.encode(report.sessions.count, forKey: .sessions)
            try container.encode(TokensJSON(report.tokens), forKey: .tokens)
            try container.encode(JSONOutput.usd(report.costUSD), forKey: .costUSD)
            try container.encode(report.unpricedTokens, forKey: .unpricedTokens)
            try container.encode(JSONOutput.usd(report.wastedCostUSD), forKey: .wasted)
            try container.encode(report.aiLinesWritten, forKey: .written)
            try container.encode(report.ai.committed, forKey: .committed)
            try container.encode(report.ai.landed, forKey: .landed)
            try container.encode(report.ai.surviving, forKey: .surviving)
            try container.encode(report.ai.pending, forKey: .pending)
            try container.encode(report.ai.churned, forKey: .churned)
            try container.encode(report.humanLinesCommitted, forKey: .human)
            try container.encode(report.commits, forKey: .commits)
            try container.encode(report.aiAssistedCommits, forKey: .aiAssisted)
            try container.encode(report.landedAIAssistedCommits, forKey: .landedAIAssisted)
        }
    }

    var generatedAt: Date
    var named: Bool
    var plainRepoNames: Bool
    var days: [Day]

    enum Keys: String, CodingKey { case schema, generatedAt = "generated_at", client, named, repoNames = "repo_names", days }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(Self.schema, forKey: .schema)
        try container.encode(Format.iso(generatedAt), forKey: .generatedAt)
        try container.encode(Self.client, forKey: .client)
        try container.encode(named, forKey: .named)
        try container.encode(plainRepoNames ? "plain" : "hashed", forKey: .repoNames)
        try container.encode(days, forKey: .days)
    }

    var rowCount: Int { days.reduce(0) { $0 + $1.rows.count } }

    /// The contract's body limit is 1 MiB; stay clear of it.
    static let maximumBytes = 1_000_000

    /// Documents of whole days, each under `maximumBytes` (the server replaces rows per
    /// day, so splitting by day changes nothing in what it holds); usually just `self`.
    func parts() throws -> [UploadDocument] {
        guard days.count > 1, try bytes().count > Self.maximumBytes else { return [self] }
        var first = self
        var second = self
        first.days = Array(days.prefix(days.count / 2))
        second.days = Array(days.dropFirst(days.count / 2))
        return try first.parts() + second.parts()
    }

    /// The exact bytes sent (and printed by `--dry-run`): compact JSON, sorted keys,
    /// one final newline.
    func bytes() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    init(generatedAt: Date, named: Bool, plainRepoNames: Bool, days: [Day]) {
        self.generatedAt = generatedAt
        self.named = named
        self.plainRepoNames = plainRepoNames
        self.days = days
    }

    /// Every local day from `since`'s day to `now`'s day is present (a day without
    /// activity has `"rows": []`, which clears it on the server).
    init(analysis: Analysis, policy: UploadPolicy, since: Date, now: Date, timeZone: TimeZone) {
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
        var byDay: [String: [Row]] = [:]
        for row in rows where developers.contains((row.key["developer"] ?? "").lowercased()) {
            let name = row.key["repo"] ?? ""
            let repo = policy.plainRepoNames ? String(name.prefix(200)) : RepoNameHash.hmacHex(key: policy.key, name: name)
            byDay[row.key["day"] ?? "", default: []].append(
                Row(repo: repo, tool: row.key["tool"] ?? "(none)", model: row.key["model"] ?? "(none)", report: row))
        }
        var days: [Day] = []
        var cursor = start
        while cursor <= now {
            let day = reportCalendar.day(cursor)
            let rows = (byDay[day] ?? []).sorted { ($0.repo, $0.tool, $0.model) < ($1.repo, $1.tool, $1.model) }
            days.append(Day(day: day, rows: rows))
            guard let next = calendar.date(byAdding: .day, value: 1, to: cursor) else { break }
            cursor = next
        }
        self.generatedAt = now
        self.named = policy.named
        self.plainRepoNames = policy.plainRepoNames
        self.days = days
    }
}
