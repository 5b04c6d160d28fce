import AIUsageCore
import AIUsageGit
import AIUsageStore
import Foundation

/// A commit with its attribution, landing and survival, as `aiusage commits` shows it.
public struct CommitView: Sendable, Equatable {
    public var repo: String
    public var sha: String
    public var author: String
    public var time: Date
    public var aiLines: Int
    public var humanLines: Int
    public var aiAssisted: Bool
    public var aiTrailer: String?
    public var sessions: [String]
    public var landedHow: LandingKind?
    public var landedInto: String?
    public var landedAt: Date?
    public var landedAILines: Int
    public var survivingAILines: Int
    public var pendingAILines: Int
    public var churnedAILines: Int
}

/// A session as `aiusage sessions` shows it.
public struct SessionView: Sendable, Equatable {
    public var tool: ToolKind
    public var id: String
    /// nil for a session that worked in no repository.
    public var repo: String?
    public var developer: String
    public var start: Date
    public var end: Date
    public var models: [String]
    public var tokens: TokenCounts
    /// Cost of its priced requests; `unpricedTokens` are the rest.
    public var costUSD: Double
    public var unpricedTokens: Int64
    public var aiLinesWritten: Int
    public var commits: [String]
    /// Its AI lines as the commits hold them: committed, landed, surviving, pending, churned.
    public var lines = LineCounts()
    /// What its spend bought.
    public var outcome: SessionOutcome = .noEdits
    /// Branches that hold its commits not landed (for `unmerged` and `pending`).
    public var openBranches: [String] = []
    public var waitingBranches: [String] = []
}

/// What a view asks for: the window its numbers cover, and whether usage must stay
/// apart by time (day, week and month groupings) or may be summed per session.
public struct AnalysisWindow: Sendable {
    public var since: Date?
    public var until: Date?
    public var byTime: Bool
    /// Whether `Analysis.commits` (one view per commit, for `aiusage commits`) is wanted;
    /// a report needs only the facts.
    public var commitList: Bool
    /// Whether `Analysis.sessions` (one view per session, for `aiusage sessions`) is wanted.
    public var sessionList: Bool

    public init(since: Date? = nil, until: Date? = nil, byTime: Bool = true, commitList: Bool = true, sessionList: Bool = true) {
        self.since = since
        self.until = until
        self.byTime = byTime
        self.commitList = commitList
        self.sessionList = sessionList
    }

    /// Everything, kept apart by quarter hour.
    public static let all = AnalysisWindow()
}

/// Everything the read-only commands show, read from the store's aggregates.
///
/// Usage comes from the store's per-session, per-quarter-hour rollup and commits from
/// their stored attribution, landing and cached survival; git is opened only for
/// survival not computed yet. Nothing here grows with the number of billed requests.
public struct Analysis: Sendable {
    /// The repository key of sessions that worked in no repository.
    public static let noRepository = "(no repository)"

    public var commits: [CommitView] = []
    public var sessions: [SessionView] = []
    public var usageFacts: [UsageFact] = []
    public var editFacts: [EditFact] = []
    public var commitFacts: [CommitFact] = []
    public var sessionsWithLandedLines: Set<SessionRef> = []
    public var earliestActivity: Date?
    /// Tools whose records carried their own cost, used instead of the price table.
    public var toolsWithRecordedCost: Set<ToolKind> = []
    /// Models of the requests that had no price, with their tokens.
    public var unpricedModels: [String: Int64] = [:]

    public init(
        store: Store, scope: RepositoryScope, prices: PriceTable, survivalDays: Int, window: AnalysisWindow = .all, now: Date = Date()
    ) throws {
        let clock = Trace.Clock()
        defer { clock.report("analysis steps") }
        let reposInScope = scope.repos.map(\.record)
        let repoIDs = reposInScope.map(\.id)
        let repoByID = Dictionary(uniqueKeysWithValues: reposInScope.map { ($0.id, $0) })

        // Sessions in scope: those placed in one of the repositories, or every one.
        let allSessions = try store.sessionSummaries(ordered: window.sessionList)
        let inScope = allSessions.filter { session in
            if scope.wholeMachine { return true }
            guard let repo = session.repoID else { return false }
            return repoByID[repo] != nil
        }
        // Only a view of some repositories filters usage by session.
        let sessionKeys: Set<SessionKey>? = scope.wholeMachine ? nil : Set(inScope.map(\.key))
        clock.lap("sessions")

        // Commits of the repositories in scope, with their AI lines per session.
        var byCommit: [Int64: [String: [SessionKey: Int]]] = [:]
        clock.lap("primary models")
        for entry in try store.commitSessionLines(repos: scope.wholeMachine ? nil : repoIDs) {
            byCommit[entry.repoID, default: [:]][entry.sha, default: [:]][entry.session, default: 0] += entry.aiLines
        }
        var survivalCache: [String: SurvivalEntry] = [:]
        for entry in try store.survivalEntries(repos: scope.wholeMachine ? nil : repoIDs, days: survivalDays) {
            survivalCache["\(entry.repoID):\(entry.sha):\(entry.session.tool.rawValue):\(entry.session.id)"] = entry
        }
        var newSurvival: [SurvivalEntry] = []
        var sessionCommitLines: [SessionKey: [String: Int]] = [:]  // session → developer → AI lines
        var sessionCommits: [SessionKey: Set<String>] = [:]
        var sessionLines: [SessionKey: LineCounts] = [:]
        var sessionBranches: [SessionKey: (open: Set<String>, stale: Set<String>)] = [:]
        var landedSessions: Set<SessionKey> = []
        var commitFactsDraft: [(CommitFact, [SessionKey: LineCounts])] = []
        clock.lap("commit sessions + survival cache")
        let openSince = now.addingTimeInterval(-SessionOutcome.openDays * 86_400)
        // A report's commits without AI lines, summed by the store for every repository at once.
        let tallies =
            window.commitList
            ? [:]
            : Dictionary(
                grouping: try store.commitTallies(
                    repos: scope.repos.map(\.record.id), since: window.since, until: window.until, byBucket: window.byTime),
                by: \.repoID)
        for (repo, git) in scope.repos {
            let repoLines = byCommit[repo.id] ?? [:]
            var records: [CommitRecord]
            if window.commitList {
                records = try store.commits(repo: repo.id).filter { $0.supersededBy == nil }
            } else {
                // A report: most commits hold no AI line, and only their sums are needed.
                for tally in tallies[repo.id] ?? [] {
                    commitFactsDraft.append(
                        (
                            CommitFact(
                                tallyAt: tally.first, developer: tally.authorEmail, repo: repo.name, count: tally.commits,
                                humanLines: tally.humanLines, aiAssisted: tally.aiAssisted, landedAIAssisted: tally.landedAIAssisted),
                            [:]
                        ))
                }
                records = repoLines.isEmpty ? [] : try store.commitsWithSessionLines(repo: repo.id)
            }
            guard !records.isEmpty else { continue }
            let refs = try store.refVerdicts(repo: repo.id)
            func isOpen(_ branch: String) -> Bool {
                let ref = refs["refs/heads/" + branch] ?? refs["refs/remotes/" + branch]
                return (ref?.tipTime ?? .distantPast) >= openSince
            }
            let survival = SurvivalSource(store: store, repo: repo, git: git, records: records, now: now)
            for record in records {
                let perSession = repoLines[record.sha] ?? [:]
                // Landed lines are spread over sessions in a fixed order (by session key).
                var remainingLanded = record.landedHow == nil ? 0 : record.landedAILines
                var bySession: [SessionKey: LineCounts] = [:]
                var totals = LineCounts()
                for session in perSession.keys.sorted() {
                    let committed = perSession[session] ?? 0
                    var counts = LineCounts(committed: committed)
                    counts.landed = min(remainingLanded, committed)
                    remainingLanded -= counts.landed
                    if counts.landed > 0, let into = record.landedInto, let at = record.landedAt {
                        let cacheKey = "\(repo.id):\(record.sha):\(session.tool.rawValue):\(session.id)"
                        if let entry = try survival.counts(
                            sha: record.sha, session: session, landed: counts.landed, into: into, at: at, days: survivalDays,
                            cached: survivalCache[cacheKey])
                        {
                            counts.surviving = entry.surviving
                            counts.pending = entry.pending
                            counts.churned = entry.churned
                            if survivalCache[cacheKey] != entry { newSurvival.append(entry) }
                        }
                    }
                    if counts.landed > 0 { landedSessions.insert(session) }
                    sessionLines[session, default: LineCounts()] = sessionLines[session, default: LineCounts()] + counts
                    if record.landedHow == nil {
                        for branch in record.branches {
                            if isOpen(branch) {
                                sessionBranches[session, default: ([], [])].open.insert(branch)
                            } else {
                                sessionBranches[session, default: ([], [])].stale.insert(branch)
                            }
                        }
                    }
                    bySession[session] = counts
                    totals = totals + counts
                    sessionCommitLines[session, default: [:]][record.authorEmail, default: 0] += committed
                    sessionCommits[session, default: []].insert(record.sha)
                }
                let aiAssisted = record.aiLines > 0 || record.aiTrailer != nil
                if window.commitList {
                    commits.append(
                        CommitView(
                            repo: repo.name, sha: record.sha, author: record.authorEmail, time: record.commitTime,
                            aiLines: record.aiLines, humanLines: record.humanLines, aiAssisted: aiAssisted,
                            aiTrailer: record.aiTrailer?.rawValue,
                            sessions: perSession.keys.sorted().map { "\($0.tool.rawValue):\($0.id)" }, landedHow: record.landedHow,
                            landedInto: record.landedInto, landedAt: record.landedAt,
                            landedAILines: record.landedHow == nil ? 0 : record.landedAILines,
                            survivingAILines: totals.surviving, pendingAILines: totals.pending, churnedAILines: totals.churned))
                }
                if Self.inside(record.commitTime, window) {
                    commitFactsDraft.append(
                        (
                            CommitFact(
                                sha: record.sha, commitTime: record.commitTime, developer: record.authorEmail, repo: repo.name,
                                humanLines: record.humanLines, aiAssisted: aiAssisted, landed: record.landedHow != nil, bySession: [:],
                                trailerTool: record.aiTrailer),
                            bySession
                        ))
                }
            }
        }
        clock.lap("commits")
        try store.saveSurvival(newSurvival)
        commits.sort { ($0.time, $0.sha) < ($1.time, $1.sha) }

        // Each session belongs to the developer whose commits hold most of its lines,
        // else to its repository's configured user.email, else (no repository) to the
        // global one.
        // Worked out once per session: a report asks for every fact's developer and repository.
        let knownRepos = Dictionary(uniqueKeysWithValues: try store.repos().map { ($0.id, $0) })
        // One entry per session, with everything a fact asks of it (one dictionary: the
        // several there were cost a tenth of a warm report in hashing session ids).
        var placements: [SessionKey: SessionPlacement] = [:]
        placements.reserveCapacity(allSessions.count)
        for session in allSessions {
            let repo = session.repoID.flatMap { knownRepos[$0] }
            let developer: String
            if let byDeveloper = sessionCommitLines[session.key],
                let best = byDeveloper.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })
            {
                developer = best.key
            } else if let repo {
                developer = repo.userEmail ?? "unknown"
            } else {
                developer = scope.globalEmail ?? "unknown"
            }
            placements[session.key] = SessionPlacement(
                ref: SessionRef(tool: session.key.tool, id: session.key.id, primaryModel: session.primaryModel ?? "unknown"),
                developer: developer, repo: repo)
        }
        func ref(_ key: SessionKey) -> SessionRef {
            placements[key]?.ref ?? SessionRef(tool: key.tool, id: key.id, primaryModel: "unknown")
        }
        func repoRecord(_ key: SessionKey) -> RepoRecord? { placements[key]?.repo }
        func developer(_ key: SessionKey) -> String { placements[key]?.developer ?? scope.globalEmail ?? "unknown" }
        func repoName(_ key: SessionKey) -> String { placements[key]?.repo?.name ?? Self.noRepository }

        for (fact, bySession) in commitFactsDraft {
            var fact = fact
            fact.bySession = Dictionary(uniqueKeysWithValues: bySession.map { (ref($0.key), $0.value) })
            commitFacts.append(fact)
        }
        sessionsWithLandedLines = Set(landedSessions.map(ref))

        // Usage, from the rollup: per quarter hour for time groupings, else per session
        // and model.
        let pricing = prices
        clock.lap("placement")
        let aggregates = try store.usage(
            UsageQuery(sessions: sessionKeys, since: window.since, until: window.until, byBucket: window.byTime),
            price: { Self.price($0, in: pricing) })
        var sessionTokens: [SessionKey: (TokenCounts, Double, Int64)] = [:]
        // Rows come grouped by session: what a fact needs of its session is looked up once
        // per run of rows.
        var placed: (key: SessionKey, ref: SessionRef, developer: String, repo: String)?
        func place(_ key: SessionKey) -> (ref: SessionRef, developer: String, repo: String) {
            if let placed, placed.key == key { return (placed.ref, placed.developer, placed.repo) }
            let value = (key: key, ref: ref(key), developer: developer(key), repo: repoName(key))
            placed = value
            return (value.ref, value.developer, value.repo)
        }
        usageFacts.reserveCapacity(aggregates.count)
        for aggregate in aggregates {
            if aggregate.recordedRequests > 0 { toolsWithRecordedCost.insert(aggregate.session.tool) }
            if aggregate.unpricedTokens > 0 { unpricedModels[aggregate.model, default: 0] += aggregate.unpricedTokens }
            let session = place(aggregate.session)
            usageFacts.append(
                UsageFact(
                    session: session.ref, timestamp: aggregate.first, model: aggregate.model, tokens: aggregate.tokens,
                    costUSD: aggregate.costUSD, unpricedTokens: aggregate.unpricedTokens, developer: session.developer, repo: session.repo))
            if window.sessionList {
                var entry = sessionTokens[aggregate.session] ?? (TokenCounts(), 0, 0)
                entry.0 += aggregate.tokens
                entry.1 += aggregate.costUSD
                entry.2 += aggregate.unpricedTokens
                sessionTokens[aggregate.session] = entry
            }
        }

        // Edits, from the rollup: lines a session wrote in its repository, or, working in
        // none, in the folders it worked in.
        clock.lap("usage")
        var sessionLinesWritten: [SessionKey: Int] = [:]
        let edits = try store.edits(
            UsageQuery(sessions: sessionKeys, since: window.since, until: window.until, byBucket: window.byTime))
        editFacts.reserveCapacity(edits.count)
        for edit in edits {
            let session = place(edit.session)
            editFacts.append(
                EditFact(session: session.ref, timestamp: edit.first, lines: edit.lines, developer: session.developer, repo: session.repo))
            if window.sessionList { sessionLinesWritten[edit.session, default: 0] += edit.lines }
        }
        clock.lap("edits")
        for session in inScope where window.sessionList {
            let tokens = sessionTokens[session.key] ?? (TokenCounts(), 0, 0)
            var view = SessionView(
                tool: session.key.tool, id: session.key.id, repo: repoRecord(session.key)?.name, developer: developer(session.key),
                start: session.startedAt, end: session.endedAt, models: session.models, tokens: tokens.0, costUSD: tokens.1,
                unpricedTokens: tokens.2, aiLinesWritten: sessionLinesWritten[session.key] ?? 0,
                commits: (sessionCommits[session.key] ?? []).sorted())
            view.lines = sessionLines[session.key] ?? LineCounts()
            let branches = sessionBranches[session.key] ?? ([], [])
            view.openBranches = branches.open.sorted()
            view.waitingBranches = branches.stale.sorted()
            view.outcome = SessionOutcome.of(written: view.aiLinesWritten, lines: view.lines, onOpenBranch: !branches.open.isEmpty)
            sessions.append(view)
        }
        clock.lap("session views")
        earliestActivity = [usageFacts.map(\.timestamp).min(), editFacts.map(\.timestamp).min(), commitFacts.map(\.commitTime).min()]
            .compactMap { $0 }.min()
    }

    static func inside(_ date: Date, _ window: AnalysisWindow) -> Bool {
        if let since = window.since, date < since { return false }
        if let until = window.until, date >= until { return false }
        return true
    }

    /// A request's cost: what the tool recorded, else the price table's, else nil.
    static func price(_ record: UsageRecord, in prices: PriceTable) -> Double? {
        record.recordedCostUSD ?? prices.cost(model: record.model, tokens: record.tokens, at: record.timestamp)
    }

    /// `price(_:in:)` for many records in a row, on one thread (see
    /// `PriceTable.sequentialPricer`).
    static func sequentialPricer(_ prices: PriceTable) -> (UsageRecord) -> Double? {
        let cost = prices.sequentialPricer()
        return { record in record.recordedCostUSD ?? cost(record.model, record.tokens, record.timestamp) }
    }

    /// The name of a price table as the rollup remembers it: a different table means
    /// every cost is computed again.
    public static func pricingIdentity(_ prices: PriceTable) -> String { "\(prices.source)|\(prices.date)" }
}

/// What the facts of one session are placed by: its reference (with its primary
/// model), its developer and its repository (nil: none).
private struct SessionPlacement {
    var ref: SessionRef
    var developer: String
    var repo: RepoRecord?
}

/// Survival of landed AI lines for one repository: from the store's cache when still
/// valid, else computed from git (and handed back to be cached).
final class SurvivalSource {
    private let store: Store
    private let repo: RepoRecord
    private let git: GitRepository?
    private let now: Date
    private let earliestLanding: Date?
    private var calculator: SurvivalCalculator??
    private var tip: String??

    init(store: Store, repo: RepoRecord, git: GitRepository?, records: [CommitRecord], now: Date) {
        self.store = store
        self.repo = repo
        self.git = git
        self.now = now
        earliestLanding = records.compactMap(\.landedAt).min()
    }

    /// The default branch's tip now (nil without git or branch).
    private var currentTip: String? {
        if let tip { return tip }
        let value = (try? git?.defaultBranch(configured: git?.configString("aiusage.defaultbranch")))??.tip
        tip = .some(value)
        return value
    }

    func counts(
        sha: String, session: SessionKey, landed: Int, into: String, at landedAt: Date, days: Int, cached: SurvivalEntry?
    ) throws -> SurvivalEntry? {
        let horizon = landedAt.addingTimeInterval(Double(max(days, Int(SurvivalCalculator.churnDays))) * 86_400)
        let final = now >= horizon
        // A final entry holds while both horizons have passed; one computed before then
        // holds only against the same default-branch tip, and only until they pass.
        if let cached, cached.landed == landed, cached.into == into, cached.final == final, final || cached.tip == currentTip {
            return cached
        }
        guard let git, let tip = currentTip else { return cached }
        if calculator == nil {
            calculator = .some(try? SurvivalCalculator(git: git, tip: tip, now: now, notBefore: earliestLanding ?? landedAt))
        }
        guard let calculator = calculator ?? nil else { return cached }
        let lines = try store.aiLines(repo: repo.id, sha: sha, session: session)
        let counts = try calculator.counts(aiLines: lines, landed: landed, into: into, at: landedAt, days: days)
        return SurvivalEntry(
            repoID: repo.id, sha: sha, session: session, days: days, landed: landed, into: into, surviving: counts.surviving,
            pending: counts.pending, churned: counts.churned, tip: tip, final: final)
    }
}
