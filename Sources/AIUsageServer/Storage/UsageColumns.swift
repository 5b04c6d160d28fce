import AIUsageUploadContract

/// Usage rows turned inside out, one array per column, so that `PostgresTeamStore` inserts a
/// whole upload with one `INSERT ... SELECT FROM UNNEST(...)`: one round trip instead of one per
/// row (an upload of 30 days × 3 rows would otherwise wait on 90 of them).
struct UsageColumns {
    var day: [String] = [], repo: [String] = [], tool: [String] = [], model: [String] = []
    var sessions: [Int64] = [], input: [Int64] = [], output: [Int64] = [], cacheWrite: [Int64] = []
    var cacheRead: [Int64] = [], reasoning: [Int64] = [], costUSD: [Double] = [], unpricedTokens: [Int64] = []
    var wastedCostUSD: [Double] = [], aiLinesWritten: [Int64] = [], aiLinesCommitted: [Int64] = []
    var aiLinesLanded: [Int64] = [], aiLinesSurviving: [Int64] = [], aiLinesPending: [Int64] = []
    var aiLinesChurned: [Int64] = [], humanLinesCommitted: [Int64] = [], commits: [Int64] = []
    var aiAssistedCommits: [Int64] = [], landedAIAssistedCommits: [Int64] = []

    /// `rows` in order, each with its day.
    init(_ rows: [(day: String, row: UsageRow)]) {
        for (day, row) in rows {
            self.day.append(day)
            repo.append(row.repo)
            tool.append(row.tool)
            model.append(row.model)
            sessions.append(row.sessions)
            input.append(row.input)
            output.append(row.output)
            cacheWrite.append(row.cacheWrite)
            cacheRead.append(row.cacheRead)
            reasoning.append(row.reasoning)
            costUSD.append(row.costUSD)
            unpricedTokens.append(row.unpricedTokens)
            wastedCostUSD.append(row.wastedCostUSD)
            aiLinesWritten.append(row.aiLinesWritten)
            aiLinesCommitted.append(row.aiLinesCommitted)
            aiLinesLanded.append(row.aiLinesLanded)
            aiLinesSurviving.append(row.aiLinesSurviving)
            aiLinesPending.append(row.aiLinesPending)
            aiLinesChurned.append(row.aiLinesChurned)
            humanLinesCommitted.append(row.humanLinesCommitted)
            commits.append(row.commits)
            aiAssistedCommits.append(row.aiAssistedCommits)
            landedAIAssistedCommits.append(row.landedAIAssistedCommits)
        }
    }
}
