import Foundation

/// Billed requests of one session on one model, placed: whose, which repository,
/// priced. One request, or several summed (the store's aggregates).
public struct UsageFact: Sendable {
    public var session: SessionRef
    /// When the (first) request was made.
    public var timestamp: Date
    public var model: String
    public var tokens: TokenCounts
    /// Cost of the requests that have a price.
    public var costUSD: Double
    /// Tokens of requests without a price: reported as unpriced, never as $0.
    public var unpricedTokens: Int64
    public var developer: String
    public var repo: String

    public init(
        session: SessionRef, timestamp: Date, model: String, tokens: TokenCounts, costUSD: Double, unpricedTokens: Int64,
        developer: String, repo: String
    ) {
        self.session = session
        self.timestamp = timestamp
        self.model = model
        self.tokens = tokens
        self.costUSD = costUSD
        self.unpricedTokens = unpricedTokens
        self.developer = developer
        self.repo = repo
    }

    /// One request: `costUSD` nil means unpriced.
    public init(session: SessionRef, timestamp: Date, model: String, tokens: TokenCounts, costUSD: Double?, developer: String, repo: String)
    {
        self.init(
            session: session, timestamp: timestamp, model: model, tokens: tokens, costUSD: costUSD ?? 0,
            unpricedTokens: costUSD == nil ? tokens.total : 0, developer: developer, repo: repo)
    }
}

/// A session as reports refer to it.
public struct SessionRef: Hashable, Sendable, Comparable {
    public var tool: ToolKind
    public var id: String
    /// The model that made most of the session's requests, for `--by model` of lines.
    public var primaryModel: String

    public init(tool: ToolKind, id: String, primaryModel: String) {
        self.tool = tool
        self.id = id
        self.primaryModel = primaryModel
    }

    public static func < (lhs: SessionRef, rhs: SessionRef) -> Bool {
        (lhs.tool.rawValue, lhs.id) < (rhs.tool.rawValue, rhs.id)
    }
}

/// One edit's AI-written lines, placed.
public struct EditFact: Sendable {
    public var session: SessionRef
    public var timestamp: Date
    public var lines: Int
    public var developer: String
    public var repo: String

    public init(session: SessionRef, timestamp: Date, lines: Int, developer: String, repo: String) {
        self.session = session
        self.timestamp = timestamp
        self.lines = lines
        self.developer = developer
        self.repo = repo
    }
}

/// Line counts of one commit's AI lines, from one session.
public struct LineCounts: Sendable, Hashable {
    public var committed = 0
    public var landed = 0
    public var surviving = 0
    public var pending = 0
    public var churned = 0
    public init(committed: Int = 0, landed: Int = 0, surviving: Int = 0, pending: Int = 0, churned: Int = 0) {
        self.committed = committed
        self.landed = landed
        self.surviving = surviving
        self.pending = pending
        self.churned = churned
    }

    public static func += (lhs: inout LineCounts, rhs: LineCounts) { lhs = lhs + rhs }

    public static func + (lhs: LineCounts, rhs: LineCounts) -> LineCounts {
        LineCounts(
            committed: lhs.committed + rhs.committed, landed: lhs.landed + rhs.landed,
            surviving: lhs.surviving + rhs.surviving, pending: lhs.pending + rhs.pending,
            churned: lhs.churned + rhs.churned)
    }
}

/// One commit (a change counted once), placed; or several commits of one author that
/// hold no AI line, counted together (`count` > 1, no `sha`): a report needs only their
/// sums, and a long history has thousands of them.
public struct CommitFact: Sendable {
    /// The commit's id; empty for a tally of several.
    public var sha: String
    /// The commit's time (a tally's earliest).
    public var commitTime: Date
    public var developer: String
    public var repo: String
    public var humanLines: Int
    /// How many commits the fact stands for, how many of them are AI-assisted, and how
    /// many of those landed.
    public var count: Int
    public var aiAssistedCount: Int
    public var landedAIAssistedCount: Int
    /// AI line counts per session whose lines the commit holds.
    public var bySession: [SessionRef: LineCounts]
    /// The tool named by an AI trailer, used to place a commit with no matched line.
    public var trailerTool: ToolKind?

    public init(
        sha: String, commitTime: Date, developer: String, repo: String, humanLines: Int, aiAssisted: Bool, landed: Bool,
        bySession: [SessionRef: LineCounts], trailerTool: ToolKind?
    ) {
        self.sha = sha
        self.commitTime = commitTime
        self.developer = developer
        self.repo = repo
        self.humanLines = humanLines
        count = 1
        aiAssistedCount = aiAssisted ? 1 : 0
        landedAIAssistedCount = aiAssisted && landed ? 1 : 0
        self.bySession = bySession
        self.trailerTool = trailerTool
    }

    /// Several commits with no AI line, summed.
    public init(
        tallyAt commitTime: Date, developer: String, repo: String, count: Int, humanLines: Int, aiAssisted: Int, landedAIAssisted: Int
    ) {
        sha = ""
        self.commitTime = commitTime
        self.developer = developer
        self.repo = repo
        self.humanLines = humanLines
        self.count = count
        aiAssistedCount = aiAssisted
        landedAIAssistedCount = landedAIAssisted
        bySession = [:]
        trailerTool = nil
    }

    public var aiLines: LineCounts { bySession.values.reduce(LineCounts(), +) }
}
