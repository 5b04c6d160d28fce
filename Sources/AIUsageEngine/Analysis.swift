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
    public var repo: String?
    public var developer: String
    public var start: Date
    public var end: Date
    public var models: [String]
    public var tokens: TokenCounts
    /// nil when some of its requests were made on an unpriced model.
    public var costUSD: Double
    public var unpricedTokens: Int64
    public var aiLinesWritten: Int
    public var commits: [String]
}

/// Everything the read-only commands show, computed once from the store and git.
public struct Analysis {
    public var commits: [CommitView] = []
    public var sessions: [SessionView] = []
    public var usageFacts: [UsageFact] = []
    public var editFacts: [EditFact] = []
    public var commitFacts: [CommitFact] = []
    public var sessionsWithLandedLines: Set<SessionRef> = []
    public var earliestActivity: Date?
    /// Tools whose records carried their own cost, used instead of the price table.
    public var toolsWithRecordedCost: Set<ToolKind> = []

    public init(store: Store, scope: RepositoryScope, prices: PriceTable, survivalDays: Int, now: Date = Date()) throws {
        // Sessions in scope, by the folder they worked in.
        let sessionRecords = try store.sessions()
        var sessionRepo: [SessionKey: RepoRecord] = [:]
        for session in sessionRecords {
            for cwd in session.cwds {
                if let repo = scope.repo(containing: cwd) {
                    sessionRepo[session.key] = repo
                    break
                }
            }
        }
        // A session started outside the repository (say in its parent folder) that
        // edited files inside it belongs to it too.
        let allEdits = try store.edits()
        for edit in allEdits where sessionRepo[edit.session] == nil {
            if let repo = scope.repo(containing: edit.path) { sessionRepo[edit.session] = repo }
        }
        let usage = try store.usage().filter { sessionRepo[$0.session] != nil }
        var modelCounts: [SessionKey: [String: Int]] = [:]
        for event in usage { modelCounts[event.session, default: [:]][event.model, default: 0] += 1 }
        func ref(_ key: SessionKey) -> SessionRef {
            let models = modelCounts[key] ?? [:]
            let primary = models.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "unknown"
            return SessionRef(tool: key.tool, id: key.id, primaryModel: primary)
        }

        // Commits, their lines, survival.
        var sessionCommitLines: [SessionKey: [String: Int]] = [:]  // session → developer → AI lines
        var sessionCommits: [SessionKey: Set<String>] = [:]
        var landedSessions: Set<SessionKey> = []
        var commitFactsDraft: [(CommitFact, [SessionKey: LineCounts])] = []
        for (repo, git) in scope.repos {
            let records = try store.commits(repo: repo.id).filter { $0.supersededBy == nil }
            guard !records.isEmpty else { continue }
            var linesBySha: [String: [CommitLineRecord]] = [:]
            for line in try store.commitLines(repo: repo.id) { linesBySha[line.sha, default: []].append(line) }
            var calculator: SurvivalCalculator?
            if let git, let branch = try? git.defaultBranch(configured: git.configString("aiusage.defaultbranch")) {
                calculator = try? SurvivalCalculator(git: git, tip: branch.tip, now: now)
            }
            for record in records {
                let lines = linesBySha[record.sha] ?? []
                let aiLines = lines.filter { $0.claim != nil }
                var perSession: [SessionKey: [PathLine]] = [:]
                for line in aiLines {
                    guard let claim = line.claim, let session = line.sessionID else { continue }
                    perSession[SessionKey(tool: claim.tool, id: session), default: []].append(line.line)
                }
                // Landed lines are spread over sessions in a fixed order (by session key).
                var remainingLanded = record.landedHow == nil ? 0 : record.landedAILines
                var bySession: [SessionKey: LineCounts] = [:]
                var totals = LineCounts()
                for session in perSession.keys.sorted() {
                    let sessionLines = perSession[session]!
                    var counts = LineCounts(committed: sessionLines.count)
                    counts.landed = min(remainingLanded, sessionLines.count)
                    remainingLanded -= counts.landed
                    if counts.landed > 0, let calculator, let into = record.landedInto, let at = record.landedAt {
                        let survival = try calculator.counts(aiLines: sessionLines, landed: counts.landed, into: into, at: at, days: survivalDays)
                        counts.surviving = survival.surviving
                        counts.pending = survival.pending
                        counts.churned = survival.churned
                    }
                    if counts.landed > 0 { landedSessions.insert(session) }
                    bySession[session] = counts
                    totals = totals + counts
                    sessionCommitLines[session, default: [:]][record.authorEmail, default: 0] += sessionLines.count
                    sessionCommits[session, default: []].insert(record.sha)
                }
                let aiAssisted = record.aiLines > 0 || record.aiTrailer != nil
                commits.append(CommitView(
                    repo: repo.name, sha: record.sha, author: record.authorEmail, time: record.commitTime,
                    aiLines: record.aiLines, humanLines: record.humanLines, aiAssisted: aiAssisted,
                    aiTrailer: record.aiTrailer?.rawValue,
                    sessions: perSession.keys.sorted().map { "\($0.tool.rawValue):\($0.id)" }, landedHow: record.landedHow,
                    landedInto: record.landedInto, landedAt: record.landedAt, landedAILines: record.landedHow == nil ? 0 : record.landedAILines,
                    survivingAILines: totals.surviving, pendingAILines: totals.pending, churnedAILines: totals.churned))
                commitFactsDraft.append((
                    CommitFact(
                        sha: record.sha, commitTime: record.commitTime, developer: record.authorEmail, repo: repo.name,
                        humanLines: record.humanLines, aiAssisted: aiAssisted, landed: record.landedHow != nil, bySession: [:],
                        trailerTool: record.aiTrailer),
                    bySession))
            }
        }
        commits.sort { ($0.time, $0.sha) < ($1.time, $1.sha) }

        // Each session belongs to the developer whose commits hold most of its lines,
        // else to the repository's configured user.email.
        func developer(_ key: SessionKey) -> String {
            if let byDeveloper = sessionCommitLines[key], let best = byDeveloper.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
                return best.key
            }
            return sessionRepo[key]?.userEmail ?? "unknown"
        }

        for (fact, bySession) in commitFactsDraft {
            var fact = fact
            fact.bySession = Dictionary(uniqueKeysWithValues: bySession.map { (ref($0.key), $0.value) })
            commitFacts.append(fact)
        }
        sessionsWithLandedLines = Set(landedSessions.map(ref))

        var sessionTokens: [SessionKey: (TokenCounts, Double, Int64)] = [:]
        for event in usage {
            let repo = sessionRepo[event.session]!
            let cost = event.recordedCostUSD ?? prices.cost(model: event.model, tokens: event.tokens)
            if event.recordedCostUSD != nil { toolsWithRecordedCost.insert(event.session.tool) }
            usageFacts.append(UsageFact(
                session: ref(event.session), timestamp: event.timestamp, model: event.model, tokens: event.tokens,
                costUSD: cost, developer: developer(event.session), repo: repo.name))
            var entry = sessionTokens[event.session] ?? (TokenCounts(), 0, 0)
            entry.0 += event.tokens
            if let cost { entry.1 += cost } else { entry.2 += event.tokens.total }
            sessionTokens[event.session] = entry
        }
        var sessionLinesWritten: [SessionKey: Int] = [:]
        for edit in allEdits {
            guard let repo = sessionRepo[edit.session], repo.roots.contains(where: { Paths.relative(edit.path, to: $0) != nil })
            else { continue }
            editFacts.append(EditFact(session: ref(edit.session), timestamp: edit.timestamp, lines: edit.lineCount, developer: developer(edit.session), repo: repo.name))
            sessionLinesWritten[edit.session, default: 0] += edit.lineCount
        }
        for session in sessionRecords where sessionRepo[session.key] != nil {
            let tokens = sessionTokens[session.key] ?? (TokenCounts(), 0, 0)
            sessions.append(SessionView(
                tool: session.key.tool, id: session.key.id, repo: sessionRepo[session.key]?.name, developer: developer(session.key),
                start: session.startedAt, end: session.endedAt, models: session.models, tokens: tokens.0, costUSD: tokens.1,
                unpricedTokens: tokens.2, aiLinesWritten: sessionLinesWritten[session.key] ?? 0,
                commits: (sessionCommits[session.key] ?? []).sorted()))
        }
        earliestActivity = [usageFacts.map(\.timestamp).min(), editFacts.map(\.timestamp).min(), commitFacts.map(\.commitTime).min()]
            .compactMap { $0 }.min()
    }
}
