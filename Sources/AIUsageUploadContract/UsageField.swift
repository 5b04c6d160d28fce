/// The numbers of an upload row, each under its wire name: the one list that the encoder,
/// the decoder, the bounds check and every error message take their names from, so the
/// client and the server cannot disagree on what a field is called.
///
/// A name with a dot is nested: `tokens.input` is `input` inside the row's `tokens` object.
public enum UsageField: String, CaseIterable, Sendable {
    case sessions
    case input = "tokens.input", output = "tokens.output", cacheWrite = "tokens.cache_write"
    case cacheRead = "tokens.cache_read", reasoning = "tokens.reasoning"
    case unpricedTokens = "unpriced_tokens"
    case aiLinesWritten = "ai_lines_written", aiLinesCommitted = "ai_lines_committed"
    case aiLinesLanded = "ai_lines_landed", aiLinesSurviving = "ai_lines_surviving"
    case aiLinesPending = "ai_lines_pending", aiLinesChurned = "ai_lines_churned"
    case humanLinesCommitted = "human_lines_committed"
    case commits, aiAssistedCommits = "ai_assisted_commits", landedAIAssistedCommits = "landed_ai_assisted_commits"

    /// Where the value lives in `UsageRow`.
    public var keyPath: WritableKeyPath<UsageRow, Int64> {
        switch self {
        case .sessions: \.sessions
        case .input: \.input
        case .output: \.output
        case .cacheWrite: \.cacheWrite
        case .cacheRead: \.cacheRead
        case .reasoning: \.reasoning
        case .unpricedTokens: \.unpricedTokens
        case .aiLinesWritten: \.aiLinesWritten
        case .aiLinesCommitted: \.aiLinesCommitted
        case .aiLinesLanded: \.aiLinesLanded
        case .aiLinesSurviving: \.aiLinesSurviving
        case .aiLinesPending: \.aiLinesPending
        case .aiLinesChurned: \.aiLinesChurned
        case .humanLinesCommitted: \.humanLinesCommitted
        case .commits: \.commits
        case .aiAssistedCommits: \.aiAssistedCommits
        case .landedAIAssistedCommits: \.landedAIAssistedCommits
        }
    }

    /// The name inside `tokens` for a token count; nil for a top-level field.
    var tokenKey: String? { rawValue.hasPrefix("tokens.") ? String(rawValue.dropFirst("tokens.".count)) : nil }

    /// The largest value the field may hold in an upload (exclusive), from `UploadBounds`.
    public var bound: Int64 {
        switch self {
        case .input, .output, .cacheWrite, .cacheRead, .reasoning, .unpricedTokens: UploadBounds.maxTokens
        case .aiLinesWritten, .aiLinesCommitted, .aiLinesLanded, .aiLinesSurviving, .aiLinesPending, .aiLinesChurned,
            .humanLinesCommitted:
            UploadBounds.maxLines
        case .sessions, .commits, .aiAssistedCommits, .landedAIAssistedCommits: UploadBounds.maxCount
        }
    }
}

/// The dollar amounts of an upload row, under their wire names.
public enum DollarField: String, CaseIterable, Sendable {
    case costUSD = "cost_usd", wastedCostUSD = "wasted_cost_usd"

    public var keyPath: WritableKeyPath<UsageRow, Double> {
        switch self {
        case .costUSD: \.costUSD
        case .wastedCostUSD: \.wastedCostUSD
        }
    }
}

/// The text fields of an upload row, under their wire names.
public enum TextField: String, CaseIterable, Sendable {
    case repo, tool, model

    public var keyPath: WritableKeyPath<UsageRow, String> {
        switch self {
        case .repo: \.repo
        case .tool: \.tool
        case .model: \.model
        }
    }
}
