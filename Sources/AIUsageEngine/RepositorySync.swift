import AIUsageCore
import AIUsageGit
import AIUsageStore
import Foundation

/// What one sync of a repository did.
public struct SyncSummary: Sendable {
    public var repo: RepoRecord?
    public var commitsAttributed = 0
    public var commitsRedone = 0
    public var commitsSuperseded = 0
    public var newlyLanded = 0
    /// Why nothing was attributed, when nothing was (e.g. no session worked here).
    public var note: String?
}

/// Links a repository's commits to the AI-written lines in the store.
///
/// The hook and a backfill run this same code, so attribution cannot depend on which
/// one saw a commit first: commits are attributed in git's topological-then-time
/// order, and when a commit shows up that sorts before commits already attributed
/// (a fetched branch, an older session ingested late), those later commits are
/// attributed again in order.
public struct RepositorySync {
    public let store: Store
    public let git: GitRepository

    public init(store: Store, git: GitRepository) {
        self.store = store
        self.git = git
    }

    /// Registers the repository (roots, e-mail, default branch) in the store.
    public func register() throws -> RepoRecord {
        let roots = try git.allWorkTreeRoots()
        let common = Paths.resolve(git.commonDirectory)
        let mainRoot = roots.first ?? common
        let name = URL(fileURLWithPath: mainRoot).lastPathComponent
        let email = git.configString("user.email")?.lowercased()
        let configured = git.configString("aiusage.defaultbranch")
        let branch = try git.defaultBranch(configured: configured)
        return try store.upsertRepo(commonDirectory: common, name: name, roots: roots, userEmail: email, defaultBranch: branch?.name)
    }

    public func sync(progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> SyncSummary {
        var summary = SyncSummary()
        let repo = try register()
        summary.repo = repo
        guard let floor = try store.earliestSessionStart(under: repo.roots) else {
            summary.note = "no AI session has worked in this repository yet"
            return summary
        }
        let branch = try git.defaultBranch(configured: git.configString("aiusage.defaultbranch"))

        // History rewrites recorded by the post-rewrite hook: the old commit gives way
        // to the new one and releases its claims.
        // The new commit may have been attributed before the mapping arrived (git runs
        // post-commit before post-rewrite on an amend): attribute it again.
        var stored = Dictionary(uniqueKeysWithValues: try store.commits(repo: repo.id).map { ($0.sha, $0) })
        var redoFrom: Set<String> = []
        for (old, new) in try store.rewrites(repo: repo.id) {
            if let record = stored[old], record.supersededBy == nil {
                try store.supersede(repo: repo.id, sha: old, by: new)
                stored[old]?.supersededBy = new
                summary.commitsSuperseded += 1
                if stored[new] != nil { redoFrom.insert(new) }
            }
        }

        // A day of slack before the first session: a commit made just before a session
        // started cannot hold its lines, but clocks of tools and git may disagree.
        let history = try git.commits(notBefore: floor.addingTimeInterval(-86_400))
        let firstNew = history.firstIndex { stored[$0.sha] == nil || redoFrom.contains($0.sha) }
        var toProcess: [CommitInfo] = []
        if let firstNew {
            toProcess = Array(history[firstNew...])
            let redo = toProcess.filter { stored[$0.sha] != nil }.map(\.sha)
            if !redo.isEmpty {
                try store.deleteCommits(repo: repo.id, shas: redo)
                for sha in redo { stored[sha] = nil }
                summary.commitsRedone = redo.count
            }
        }

        if !toProcess.isEmpty {
            try attribute(toProcess, repo: repo, mainlineTips: mainlineTips(branch), stored: stored, progress: progress)
            summary.commitsAttributed = toProcess.count
        }
        if let branch {
            summary.newlyLanded = try LandingTracker(store: store, git: git).update(repo: repo.id, tip: branch.tip)
        }
        try store.setRepoSynced(repo: repo.id)
        return summary
    }

    private func attribute(
        _ commits: [CommitInfo], repo: RepoRecord, mainlineTips: [String], stored: [String: CommitRecord],
        progress: ((Int, Int) -> Void)?
    ) throws {
        let lines = try store.commitLines(repo: repo.id)
        let claimed = lines.compactMap(\.claim)
        var pool = LinePool(lines: try store.aiWrittenLines(under: repo.roots), claimed: claimed)

        // Commits not on the default branch and not landed: what a default-branch
        // commit may copy (squash, cherry-pick, rebase merge).
        var linesBySha: [String: [CommitLineRecord]] = [:]
        for line in lines { linesBySha[line.sha, default: []].append(line) }
        var candidates: [String: SourceCandidate] = [:]
        for record in stored.values where !record.onDefault && !record.isMerge && record.landedHow == nil && record.copyInto == nil && record.supersededBy == nil {
            let own = linesBySha[record.sha] ?? []
            candidates[record.sha] = SourceCandidate(
                sha: record.sha, commitTime: record.commitTime, patchID: record.patchID, added: own.map(\.line),
                aiLines: own.filter { $0.claim != nil }.map(\.line))
        }
        var seq = (stored.values.map(\.seq).max() ?? 0) + 1

        for (index, info) in commits.enumerated() {
            progress?(index, commits.count)
            let onDefault = try mainlineTips.contains { try git.isAncestor(info.sha, of: $0) }
            let added: [PathLine] =
                info.isMerge ? [] : try git.addedLines(of: info.sha).flatMap { file in file.added.map { PathLine(path: file.path, hash: $0) } }
            let patchID = info.isMerge ? nil : try git.patchID(of: info.sha)
            let diff = CommitDiff(sha: info.sha, commitTime: info.commitTime, isMerge: info.isMerge, onDefaultBranch: onDefault, patchID: patchID, added: added)
            let ordered = candidates.values.sorted { $0.sha < $1.sha }
            let attribution = Attributor.attribute(diff, candidates: onDefault ? ordered : [], pool: &pool)
            let record = CommitRecord(
                sha: info.sha, seq: seq, authorEmail: info.authorEmail, authorTime: info.authorTime, commitTime: info.commitTime,
                isMerge: info.isMerge, aiTrailer: AITrailers.tool(in: info.message) ?? aiderAuthor(info), onDefault: onDefault,
                patchID: patchID, aiLines: attribution.aiLines.count, humanLines: attribution.humanLines.count,
                sourceLines: attribution.sourceLineCount, landedHow: nil, landedInto: nil, landedAt: nil, landedAILines: 0,
                supersededBy: nil)
            seq += 1
            try store.saveAttribution(
                repo: repo.id, record: record, added: added, attribution: attribution,
                sourceLandings: attribution.sources.map { ($0.sha, $0.how, $0.landedAILines) })
            for source in attribution.sources { candidates[source.sha] = nil }
            if !onDefault && !info.isMerge {
                candidates[info.sha] = SourceCandidate(
                    sha: info.sha, commitTime: info.commitTime, patchID: patchID,
                    added: attribution.aiLines.map { PathLine(path: $0.path, hash: $0.hash) } + attribution.humanLines,
                    aiLines: attribution.aiLines.map { PathLine(path: $0.path, hash: $0.hash) })
            }
        }
        progress?(commits.count, commits.count)
    }

    /// Where default-branch commits are: the default branch, and when that is a
    /// remote-tracking branch, the local branch of the same name too — a commit made
    /// on `main` but not pushed yet is treated the same by the hook (before the push)
    /// and by a backfill (after it).
    private func mainlineTips(_ branch: DefaultBranch?) -> [String] {
        guard let branch else { return [] }
        var tips = [branch.tip]
        let remotePrefix = "refs/remotes/"
        if branch.name.hasPrefix(remotePrefix) {
            let short = branch.name.dropFirst(remotePrefix.count).drop { $0 != "/" }.dropFirst()
            if let local = try? git.resolveCommit("refs/heads/" + short), local != branch.tip { tips.append(local) }
        }
        return tips
    }

    /// Aider marks the commits it makes with "(aider)" after the author's name.
    private func aiderAuthor(_ info: CommitInfo) -> ToolKind? {
        info.authorName.lowercased().hasSuffix("(aider)") ? ToolKind(rawValue: "aider") : nil
    }
}
