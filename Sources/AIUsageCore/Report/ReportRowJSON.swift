import Foundation

/// A report row as every JSON output writes it (`aiusage report --format json`, the
/// team server's summary): the `aiusage.report/1` row contract. `null` ratios are
/// written, not omitted. Add fields; never rename or remove one.
public struct ReportRowJSON: Encodable {
    public let row: ReportRow
    /// A session count given directly, when sessions were summed rather than collected
    /// (the server only receives counts).
    public let sessionCount: Int?
    /// Write `cost_usd` as `null` when every token of the row is unpriced, so that no
    /// reader takes it for $0 (`aiusage report`); the team summary keeps a number.
    public let unpricedCostAsNull: Bool

    public init(_ row: ReportRow, sessions: Int? = nil, unpricedCostAsNull: Bool = false) {
        self.row = row
        self.sessionCount = sessions
        self.unpricedCostAsNull = unpricedCostAsNull
    }

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

    /// Dollars and ratios rounded to a millionth, so totals do not print binary noise.
    public static func rounded(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(row.key, forKey: .key)
        try container.encode(sessionCount ?? row.sessions.count, forKey: .sessions)
        try container.encode(TokensJSON(row.tokens), forKey: .tokens)
        if unpricedCostAsNull, row.costUSD == 0, row.unpricedTokens > 0 {
            try container.encodeNil(forKey: .costUSD)
        } else {
            try container.encode(Self.rounded(row.costUSD), forKey: .costUSD)
        }
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
            if let value { try nested.encode(Self.rounded(value), forKey: key) } else { try nested.encodeNil(forKey: key) }
        }
        try put(ratios.yield, .yield)
        try put(ratios.survival, .survival)
        try put(ratios.costPerLandedLineUSD, .costPerLandedLine)
        try put(ratios.landedLinesPerMillionTokens, .landedPerMillion)
        try put(ratios.wasteShare, .wasteShare)
        try put(ratios.landedAICommitsPerWeek, .perWeek)
    }
}

/// Token counts as every JSON output writes them.
public struct TokensJSON: Encodable {
    public let tokens: TokenCounts
    public init(_ tokens: TokenCounts) { self.tokens = tokens }

    enum Keys: String, CodingKey { case input, output, cacheWrite = "cache_write", cacheRead = "cache_read", reasoning, total }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(tokens.input, forKey: .input)
        try container.encode(tokens.output, forKey: .output)
        try container.encode(tokens.cacheWrite, forKey: .cacheWrite)
        try container.encode(tokens.cacheRead, forKey: .cacheRead)
        try container.encode(tokens.reasoning, forKey: .reasoning)
        try container.encode(tokens.total, forKey: .total)
    }
}
