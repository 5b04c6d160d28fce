import AIUsageCore
import Foundation

/// `aiusage report --format json`, schema `aiusage.report/1`: a stable contract, pinned
/// by tests and documented in the README. Add fields; never rename or remove one.
struct ReportDocument: Encodable {
    var schema = "aiusage.report/1"
    var generatedAt: Date
    var since: Date
    var until: Date
    var pricingSource: String
    var pricingDate: String
    /// Tools whose own recorded cost was used instead of the price table.
    var recordedCostTools: [String] = []
    var groupBy: ReportGrouping
    var survivalDays: Int
    var timezone: String
    var repos: [String]
    var rows: [ReportRow]
    var totals: ReportRow

    enum CodingKeys: String, CodingKey {
        case schema, generatedAt = "generated_at", window, pricing, groupBy = "group_by", survivalDays = "survival_days"
        case timezone, repos, rows, totals
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(Format.iso(generatedAt), forKey: .generatedAt)
        try container.encode(["since": Format.iso(since), "until": Format.iso(until)], forKey: .window)
        try container.encode(PricingJSON(source: pricingSource, date: pricingDate, recordedBy: recordedCostTools), forKey: .pricing)
        try container.encode(groupBy.rawValue, forKey: .groupBy)
        try container.encode(survivalDays, forKey: .survivalDays)
        try container.encode(timezone, forKey: .timezone)
        try container.encode(repos, forKey: .repos)
        try container.encode(rows.map(RowJSON.init), forKey: .rows)
        try container.encode(RowJSON(totals), forKey: .totals)
    }
}

/// One row of the JSON report; `null` ratios are written, not omitted.
struct RowJSON: Encodable {
    let row: ReportRow
    init(_ row: ReportRow) { self.row = row }

    enum Keys: String, CodingKey {
        case key, sessions, tokens, costUSD = "cost_usd", unpricedTokens = "unpriced_tokens"
        case written = "ai_lines_written", committed = "ai_lines_committed", landed = "ai_lines_landed"
        case surviving = "ai_lines_surviving", pending = "ai_lines_pending", churned = "ai_lines_churned"
        case human = "human_lines_committed", commits, aiAssisted = "ai_assisted_commits"
        case landedAIAssisted = "landed_ai_assisted_commits", ratios
    }

    enum RatioKeys: String, CodingKey {
        case yield, survival, costPerLandedLine = "cost_per_landed_line_usd"
        case landedPerMillion = "landed_lines_per_million_tokens", wasteShare = "waste_share"
        case perWeek = "landed_ai_commits_per_week"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(row.key, forKey: .key)
        try container.encode(row.sessions.count, forKey: .sessions)
        try container.encode(TokensJSON(row.tokens), forKey: .tokens)
        try container.encode(JSONOutput.usd(row.costUSD), forKey: .costUSD)
        try container.encode(row.unpricedTokens, forKey: .unpricedTokens)
        try container.encode(row.aiLinesWritten, forKey: .written)
        try container.encode(row.ai.committed, forKey: .committed)
        try container.encode(row.ai.landed, forKey: .landed)
        try container.encode(row.ai.surviving, forKey: .surviving)
        try container.encode(row.ai.pending, forKey: .pending)
        try container.encode(row.ai.churned, forKey: .churned)
        try container.encode(row.humanLinesCommitted, forKey: .human)
        try container.encode(row.commits, forKey: .commits)
        try container.encode(row.aiAssistedCommits, forKey: .aiAssisted)
        try container.encode(row.landedAIAssistedCommits, forKey: .landedAIAssisted)
        let ratios = row.ratios
        var nested = container.nestedContainer(keyedBy: RatioKeys.self, forKey: .ratios)
        func put(_ value: Double?, _ key: RatioKeys) throws {
            if let value { try nested.encode((value * 1_000_000).rounded() / 1_000_000, forKey: key) } else { try nested.encodeNil(forKey: key) }
        }
        try put(ratios.yield, .yield)
        try put(ratios.survival, .survival)
        try put(ratios.costPerLandedLineUSD, .costPerLandedLine)
        try put(ratios.landedLinesPerMillionTokens, .landedPerMillion)
        try put(ratios.wasteShare, .wasteShare)
        try put(ratios.landedAICommitsPerWeek, .perWeek)
    }
}

/// Where costs came from: the bundled table, and which tools recorded their own.
struct PricingJSON: Encodable {
    var source: String
    var date: String
    var recordedBy: [String]
    enum CodingKeys: String, CodingKey { case source, date, recordedBy = "recorded_by_tools" }
}

/// Token counts as every JSON output writes them.
struct TokensJSON: Encodable {
    let tokens: TokenCounts
    init(_ tokens: TokenCounts) { self.tokens = tokens }

    enum Keys: String, CodingKey { case input, output, cacheWrite = "cache_write", cacheRead = "cache_read", reasoning, total }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(tokens.input, forKey: .input)
        try container.encode(tokens.output, forKey: .output)
        try container.encode(tokens.cacheWrite, forKey: .cacheWrite)
        try container.encode(tokens.cacheRead, forKey: .cacheRead)
        try container.encode(tokens.reasoning, forKey: .reasoning)
        try container.encode(tokens.total, forKey: .total)
    }
}

enum JSONOutput {
    /// Dollars rounded to a millionth, so totals do not print binary noise.
    static func usd(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }

    static func render<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
