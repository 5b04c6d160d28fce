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
    /// Commits git could not read (blobs missing in a partial or shallow clone): kept
    /// without lines and counted, never a failed sync.
    public var commitsUnreadable = 0
    /// Refs left out because they share no history with the default branch.
    public var orphanRefs: [String] = []
    /// Nothing had changed since the last sync (same refs, same window): no walk.
    public var upToDate = false
    /// Why nothing was attributed, when nothing was (e.g. no session worked here).
    public var note: String?
}

/// Links a repository's commits to the AI-written lines in the store.
///
/// The hook and a backfill run this same code, so attribution cannot depend on which
/// one saw a commit first: commits are attributed parents first (ties by time), and
/// when a commit shows up that sorts before commits already attributed (a fetched
/// branch, an older session ingested late), those later commits are attributed again
/// in order.
///
/// Work grows with the commits in the window sessions cover, not with the history:
/// one time-ordered walk reads the window (git's commit-graph file speeds it up when
/// there is one), and every question about it — which commits the default branch
/// reaches, which first-parent commit brought each one in — is answered from what
/// that walk read. A sync whose refs and window did not change since the last one
/// does nothing at all.
public struct RepositorySync {
    public let store: Store
    public let git: GitRepository

    /// How far past the window's start the walk goes, for commits whose clock ran
    /// behind their parents'.
    static let slack: TimeInterval = 7 * 86_400

    /// From how many commits a sync diffs them ahead on other threads (a hook's sync of a
    /// commit or two does not start threads).
    static let diffAheadFrom = 64

    /// Threads that diff commits ahead of the attribution besides the caller (see
    /// `DiffAhead`): the other cores when this is the only repository being linked; none
    /// when several are linked side by side (they already keep the cores busy, and each
    /// handle on the repository costs memory).
    public var diffWorkers = 0

    public init(store: Store, git: GitRepository) {
        self.store = store
        self.git = git
    }

    /// What a sync reads from git before it looks at the store: work trees, e-mail,
    /// default branch, refs and HEAD. None of it depends on the store, so a command reads
    /// it for every known repository while the ingest checks the record files.
    public struct Snapshot: Sendable {
        /// Nil for a bare repository.
        var roots: [String]?
        var email: String?
        var branch: DefaultBranch?
        var tips: [RefTip]
        var head: String?

        public init(_ git: GitRepository) throws {
            roots = try RepositorySync.workTreeRoots(git)
            email = git.configString("user.email")?.lowercased()
            branch = try git.defaultBranch(configured: git.configString("aiusage.defaultbranch"))
            tips = try Trace.phase("refs") { try git.refTips() }
            head = try git.headCommit()
        }
    }

    /// Registers the repository (roots, e-mail, default branch) in the store.
    public func register() throws -> RepoRecord { try register(try Snapshot(git)) }

    func register(_ snapshot: Snapshot) throws -> RepoRecord {
        guard let roots = snapshot.roots else { throw SyncError.bareRepository(path: git.gitDirectory) }
        let common = Paths.resolve(git.commonDirectory)
        let mainRoot = roots.first ?? common
        let name = URL(fileURLWithPath: mainRoot).lastPathComponent
        return try store.upsertRepo(
            commonDirectory: common, name: name, roots: roots, userEmail: snapshot.email, defaultBranch: snapshot.branch?.name)
    }

    /// The work trees of a repository, or nil for a bare one (no work tree: nothing
    /// a session could have worked in).
    static func workTreeRoots(_ git: GitRepository) throws -> [String]? {
        let roots = try git.allWorkTreeRoots()
        return roots.isEmpty ? nil : roots
    }

    /// - Parameter snapshot: what git said a moment ago (see `Snapshot`); read now when nil.
    public func sync(snapshot: Snapshot? = nil, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> SyncSummary {
        var summary = SyncSummary()
        let snapshot = try snapshot ?? Snapshot(git)
        let repo = try register(snapshot)
        summary.repo = repo
        guard let sessionFloor = try store.earliestSessionStart(under: repo.roots) else {
            summary.note = "no AI session has worked in this repository yet"
            return summary
        }
        // A day of slack before the first session: a commit made just before a session
        // started cannot hold its lines, but clocks of tools and git may disagree.
        let floor = sessionFloor.addingTimeInterval(-86_400)
        let (branch, tips) = (snapshot.branch, snapshot.tips)
        let rewrites = try store.rewrites(repo: repo.id)
        let state = try store.syncState(repo: repo.id)
        let fingerprint = Self.fingerprint(tips: tips, head: snapshot.head, floor: floor, branch: branch, rewrites: rewrites)
        if state.refsFingerprint == fingerprint {
            summary.upToDate = true
            summary.orphanRefs = state.orphanRefs
            return summary
        }

        // One walk of the window from every recent ref, the default branch and HEAD.
        let notBefore = floor.addingTimeInterval(-Self.slack)
        let mainline = mainlineTips(branch)
        let head = snapshot.head
        var walkTips: [String] = []
        for sha in tips.filter({ $0.commitTime >= notBefore }).map(\.sha) + mainline + (head.map { [$0] } ?? [])
        where !walkTips.contains(sha) {
            walkTips.append(sha)
        }
        let walked = try Trace.phase("history walk") { try git.recentHistory(from: walkTips, notBefore: floor, slack: Self.slack) }
        // Refs that share no history with the default branch are nobody's work on the
        // product (gh-pages, a tool's checkpoint branch): left out, and counted.
        let (related, orphans) = try Trace.phase("orphan check of \(tips.count) refs") {
            try relatedTips(tips, head: head, branch: branch, mainline: mainline, history: walked, repo: repo.id, notBefore: notBefore)
        }
        summary.orphanRefs = orphans
        let history = orphans.isEmpty ? walked : walked.restricted(to: walked.reachable(from: related + mainline))
        // History rewrites recorded by the post-rewrite hook: the old commit gives way
        // to the new one and releases its claims. The new commit may have been
        // attributed before the mapping arrived (git runs post-commit before
        // post-rewrite on an amend): attribute it again.
        var stored = Dictionary(uniqueKeysWithValues: try store.commits(repo: repo.id).map { ($0.sha, $0) })
        var redoFrom: Set<String> = []
        for (old, new) in rewrites {
            if let record = stored[old], record.supersededBy == nil {
                try store.supersede(repo: repo.id, sha: old, by: new)
                stored[old]?.supersededBy = new
                summary.commitsSuperseded += 1
                if stored[new] != nil { redoFrom.insert(new) }
            }
        }

        let ordered = history.commits
        let firstNew = ordered.firstIndex { stored[$0.sha] == nil || redoFrom.contains($0.sha) }
        var toProcess: [CommitInfo] = []
        if let firstNew {
            toProcess = Array(ordered[firstNew...])
            let redo = toProcess.filter { stored[$0.sha] != nil }.map(\.sha)
            if !redo.isEmpty {
                try store.deleteCommits(repo: repo.id, shas: redo)
                for sha in redo { stored[sha] = nil }
                summary.commitsRedone = redo.count
            }
        }

        let onDefault = history.reachable(from: mainline)
        if !toProcess.isEmpty {
            summary.commitsUnreadable = try Trace.phase("attribution of \(toProcess.count) commits") {
                try attribute(toProcess, repo: repo, onDefault: onDefault, stored: stored, progress: progress)
            }
            summary.commitsAttributed = toProcess.count
        }
        var landings: [String: BranchLanding] = [:]
        if let branch {
            landings = Trace.phase("landings") { history.landings(tip: branch.tip) }
            summary.newlyLanded = try Trace.phase("landing marks") { try land(repo: repo.id, landings: landings) }
        }
        try Trace.phase("branches") {
            try store.saveBranches(repo: repo.id, Self.branches(of: history, tips: tips, except: landings, orphans: Set(orphans)))
        }
        let unreadable = try store.unreadableCommitCount(repo: repo.id)
        try store.saveSyncState(
            repo: repo.id,
            RepoSyncState(
                refsFingerprint: fingerprint, floor: floor, skippedCommits: unreadable, orphanRefs: orphans,
                historyIncomplete: history.incomplete))
        return summary
    }

    /// Ref tips worth walking (made within reach of the window and sharing history
    /// with the default branch), and the names of those that share none. Verdicts are
    /// kept per tip: an unrelated history costs a full walk to recognise, once.
    /// Ref tips that share history with the default branch (and HEAD when it does),
    /// and the names of refs that share none. Most are told by the walk already made:
    /// a ref whose recent commits reach one the default branch reaches is related. The
    /// others cost a merge-base search (a walk of both histories when they are
    /// unrelated), so verdicts are kept per tip.
    private func relatedTips(
        _ tips: [RefTip], head: String?, branch: DefaultBranch?, mainline: [String], history: RecentHistory, repo: Int64, notBefore: Date
    ) throws -> (related: [String], orphans: [String]) {
        guard let branch else { return (tips.map(\.sha) + (head.map { [$0] } ?? []), []) }
        let known = try store.refVerdicts(repo: repo)
        let onMain = history.reachable(from: mainline)
        var verdicts: [String: RefVerdict] = [:]
        var related: [String] = []
        var orphans: [String] = []
        func isRelated(_ sha: String) throws -> Bool {
            if history.reaches(from: sha, anyOf: onMain) { return true }
            return try git.shareHistory(sha, branch.tip)
        }
        for tip in tips where tip.commitTime >= notBefore {
            let verdict: Bool
            if let known = known[tip.name], known.tip == tip.sha {
                verdict = known.related
            } else {
                verdict = try isRelated(tip.sha)
            }
            verdicts[tip.name] = RefVerdict(tip: tip.sha, related: verdict, tipTime: tip.commitTime)
            if verdict {
                if !related.contains(tip.sha) { related.append(tip.sha) }
            } else {
                orphans.append(tip.name)
            }
        }
        if let head, !related.contains(head), !mainline.contains(head), try isRelated(head) { related.append(head) }
        try store.saveRefVerdicts(repo: repo, verdicts)
        return (related, orphans)
    }

    /// For each commit of the window not on the default branch: the branches (refs, tags
    /// left out) that hold it.
    static func branches(of history: RecentHistory, tips: [RefTip], except landed: [String: BranchLanding], orphans: Set<String>)
        -> [String: [String]]
    {
        var result: [String: [String]] = [:]
        let window = Set(history.commits.map(\.sha))
        for tip in tips where !tip.name.hasPrefix("refs/tags/") && !orphans.contains(tip.name) && tip.name != "HEAD" {
            let name =
                tip.name.hasPrefix("refs/heads/")
                ? String(tip.name.dropFirst("refs/heads/".count))
                : tip.name.hasPrefix("refs/remotes/") ? String(tip.name.dropFirst("refs/remotes/".count)) : tip.name
            for sha in history.reachable(from: [tip.sha]) where window.contains(sha) && landed[sha] == nil {
                result[sha, default: []].append(name)
            }
        }
        return result
    }

    /// Changes whenever anything a sync reads changes: refs, HEAD, the window, the
    /// default branch, recorded rewrites.
    static func fingerprint(tips: [RefTip], head: String?, floor: Date, branch: DefaultBranch?, rewrites: [String: String]) -> String {
        var text = "v1\n\(Int64(floor.timeIntervalSince1970))\n\(branch?.name ?? "-") \(branch?.tip ?? "-")\nHEAD \(head ?? "-")\n"
        for tip in tips { text += "\(tip.name) \(tip.sha)\n" }
        for (old, new) in rewrites.sorted(by: { $0.key < $1.key }) { text += "rewrite \(old) \(new)\n" }
        return String(LineIdentity.fnv1a(Array(text.utf8)), radix: 16) + ":" + String(text.utf8.count)
    }

    /// Attributes `commits` in order; returns how many git could not read.
    private func attribute(
        _ commits: [CommitInfo], repo: RepoRecord, onDefault: Set<String>, stored: [String: CommitRecord],
        progress: ((Int, Int) -> Void)?
    ) throws -> Int {
        var pool = LinePool(lines: try store.aiWrittenLines(under: repo.roots), claimed: try store.claims(repo: repo.id))

        // Commits not on the default branch and not landed: what a default-branch
        // commit may copy (squash, cherry-pick, rebase merge).
        let open = stored.values.filter {
            !$0.onDefault && !$0.isMerge && $0.landedHow == nil && $0.copyInto == nil && $0.supersededBy == nil
        }
        let openLines = try store.commitLines(repo: repo.id, shas: open.map(\.sha))
        var sources = SourceIndex()
        for record in open {
            let own = openLines[record.sha] ?? []
            sources.add(
                SourceCandidate(
                    sha: record.sha, commitTime: record.commitTime, patchID: record.patchID, added: own.map(\.line),
                    aiLines: own.filter { $0.claim != nil }.map(\.line)))
        }
        var seq = (stored.values.map(\.seq).max() ?? 0) + 1
        var unreadable = 0
        let steps = Trace.Sum()
        defer { steps.report("attribution steps") }
        // Written in order, a few hundred commits per transaction.
        var pending: [AttributionSave] = []
        // Many commits (a first run): their diffs are made ahead, on the cores left.
        let ahead =
            commits.count >= Self.diffAheadFrom && diffWorkers > 0
            ? DiffAhead(shas: commits.map { $0.isMerge ? nil : $0.sha }, local: git, workers: diffWorkers) { [git] in
                try GitRepository(discoveringFrom: git.gitDirectory)
            } : nil
        defer { ahead?.stop() }

        for (index, info) in commits.enumerated() {
            progress?(index, commits.count)
            let isOnDefault = onDefault.contains(info.sha)
            var changes = CommitChanges(files: [], patchID: nil)
            var readable = true
            if !info.isMerge {
                do {
                    changes = try steps.measure("diff") { try ahead?.changes(at: index) ?? git.changes(of: info.sha) }
                } catch let error as GitError where error.isNotFound {
                    // A partial clone without the blobs, or a shallow one without the
                    // parent: the commit is kept without lines and counted.
                    readable = false
                    unreadable += 1
                }
            }
            let added = changes.files.flatMap { file in file.added.map { PathLine(path: file.path, hash: $0) } }
            let diff = CommitDiff(
                sha: info.sha, commitTime: info.commitTime, isMerge: info.isMerge, onDefaultBranch: isOnDefault, patchID: changes.patchID,
                added: added)
            let attribution = steps.measure("match") { Attributor.attribute(diff, candidates: sources.candidates(for: diff), pool: &pool) }
            var record = CommitRecord(
                sha: info.sha, seq: seq, authorEmail: info.authorEmail, authorTime: info.authorTime, commitTime: info.commitTime,
                isMerge: info.isMerge, aiTrailer: AITrailers.tool(in: info.message) ?? aiderAuthor(info), onDefault: isOnDefault,
                patchID: changes.patchID, aiLines: attribution.aiLines.count, humanLines: attribution.humanLines.count,
                sourceLines: attribution.sourceLineCount, landedHow: nil, landedInto: nil, landedAt: nil, landedAILines: 0,
                supersededBy: nil)
            record.unreadable = !readable
            seq += 1
            pending.append(
                AttributionSave(
                    record: record, attribution: attribution, sourceLandings: attribution.sources.map { ($0.sha, $0.how, $0.landedAILines) }
                ))
            if pending.count >= 256 {
                try steps.measure("store") { try store.saveAttributions(repo: repo.id, pending) }
                pending.removeAll(keepingCapacity: true)
            }
            for source in attribution.sources { sources.remove(source.sha) }
            if !isOnDefault && !info.isMerge && readable {
                sources.add(
                    SourceCandidate(
                        sha: info.sha, commitTime: info.commitTime, patchID: changes.patchID,
                        added: attribution.aiLines.map { PathLine(path: $0.path, hash: $0.hash) } + attribution.humanLines,
                        aiLines: attribution.aiLines.map { PathLine(path: $0.path, hash: $0.hash) }))
            }
        }
        try steps.measure("store") { try store.saveAttributions(repo: repo.id, pending) }
        progress?(commits.count, commits.count)
        return unreadable
    }

    /// Marks commits that reached the default branch as landed, at the time of the
    /// first-parent commit that brought them in; commits copied by a default-branch
    /// commit land when their copy does. Returns how many were newly marked.
    private func land(repo: Int64, landings: [String: BranchLanding]) throws -> Int {
        var marks: [LandingMark] = []
        for record in try store.commits(repo: repo) where record.supersededBy == nil && record.landedHow != .ancestor {
            if let landing = landings[record.sha] {
                marks.append(
                    LandingMark(sha: record.sha, how: .ancestor, into: landing.into, at: landing.at, landedAILines: record.aiLines))
            } else if let copy = record.copyInto, let how = record.copyHow, record.landedHow == nil, let landing = landings[copy] {
                marks.append(LandingMark(sha: record.sha, how: how, into: copy, at: landing.at, landedAILines: record.copyAILines))
            }
        }
        try store.markLanded(repo: repo, marks)
        return marks.count
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

/// Why a repository cannot be synced.
public enum SyncError: Error, CustomStringConvertible {
    case bareRepository(path: String)

    public var description: String {
        switch self {
        case .bareRepository(let path):
            "\(path) is a bare repository (no work tree): aiusage links sessions to commits of a checked-out repository; run it in a clone with a work tree"
        }
    }
}
