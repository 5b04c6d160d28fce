import Foundation
import HeapModule
internal import CGit2

/// A reference and the commit it resolves to.
public struct RefTip: Sendable, Hashable {
    /// Full name (`refs/heads/main`, `refs/tags/v1`), or `HEAD` for a detached HEAD.
    public let name: String
    public let sha: String
    public let commitTime: Date

    public init(name: String, sha: String, commitTime: Date) {
        self.name = name
        self.sha = sha
        self.commitTime = commitTime
    }
}

/// Recent history, read once per sync: what attribution and landing need, so that no
/// question about the graph has to walk the repository again.
public struct RecentHistory: Sendable {
    /// Commits made at or after the window's start, parents before children (ties by
    /// commit time, then sha), with author and message.
    public let commits: [CommitInfo]
    /// Parents and commit time of every commit the walk read, window or slack, by sha.
    public let graph: [String: (parents: [String], time: Date)]
    /// The walk stopped early because an object was missing (shallow or partial clone).
    public let incomplete: Bool
}

extension GitRepository {
    /// Branches, remote-tracking branches and tags that resolve to a commit, and HEAD
    /// when it is detached, sorted by name. Symbolic references (`origin/HEAD`) are
    /// left out: they name a branch that is listed anyway.
    public func refTips() throws -> [RefTip] {
        try locked {
            var names: [String] = []
            let iterator = try make(ReferenceIteratorHandle.self, "git_reference_iterator_new", owner: handle) {
                git_reference_iterator_new($0, raw)
            }
            try withExtendedLifetime(iterator) {
                var name: UnsafePointer<CChar>?
                while true {
                    let code = try check("git_reference_next_name", allowing: [GIT_ITEROVER]) {
                        git_reference_next_name(&name, iterator.pointer)
                    }
                    if code == GIT_ITEROVER.rawValue { break }
                    if let value = decode(name) { names.append(value) }
                }
            }
            var tips: [RefTip] = []
            for name in names.sorted()
            where name.hasPrefix("refs/heads/") || name.hasPrefix("refs/remotes/") || name.hasPrefix("refs/tags/") {
                guard
                    let reference = try makeIfPresent(
                        ReferenceHandle.self, "git_reference_lookup", owner: handle,
                        allowing: [GIT_ENOTFOUND, GIT_EINVALIDSPEC], { git_reference_lookup($0, raw, name) }
                    )
                else { continue }
                let tip: RefTip? = withExtendedLifetime(reference) { () -> RefTip? in
                    guard git_reference_type(reference.pointer) == GIT_REFERENCE_DIRECT else { return nil }
                    // A tag of a tree or blob, or a dangling ref, is not a line of history.
                    guard
                        let object = try? makeIfPresent(
                            ObjectHandle.self, "git_reference_peel", owner: handle,
                            allowing: [
                                GIT_ENOTFOUND, GIT_EINVALIDSPEC, GIT_EPEEL,
                            ], { git_reference_peel($0, reference.pointer, GIT_OBJECT_COMMIT) })
                    else { return nil }
                    return withExtendedLifetime(object) { () -> RefTip in
                        let commit = object.pointer
                        return RefTip(
                            name: name, sha: hex(git_object_id(object.pointer)),
                            commitTime: Date(timeIntervalSince1970: TimeInterval(git_commit_time(commit))))
                    }
                }
                if let tip { tips.append(tip) }
            }
            if git_repository_head_detached(raw) == 1, let head = try headID() {
                let commit = try lookupCommit(head)
                let time = withExtendedLifetime(commit) { git_commit_time(commit.pointer) }
                tips.append(RefTip(name: "HEAD", sha: hex(head), commitTime: Date(timeIntervalSince1970: TimeInterval(time))))
            }
            return tips
        }
    }

    /// Whether two commits have a common ancestor. A branch that shares no history
    /// with the default branch (gh-pages, a tool's checkpoint branch) is nobody's work
    /// on the product. Costs a walk of both histories when they are unrelated, so
    /// callers keep the answer per ref tip.
    public func shareHistory(_ a: String, _ b: String) throws -> Bool {
        try locked {
            var one = try commitID(a)
            var two = try commitID(b)
            if git_oid_equal(&one, &two) != 0 { return true }
            var base = git_oid()
            let code = try check("git_merge_base", allowing: [GIT_ENOTFOUND]) { git_merge_base(&base, raw, &one, &two) }
            return code != GIT_ENOTFOUND.rawValue
        }
    }

    /// The commits reachable from `tips` made at or after `notBefore`, read in one
    /// walk whose length grows with the window, not with the history.
    ///
    /// The walk goes newest first (a priority queue on commit time) and stops once every
    /// commit left is more than `slack` older than `notBefore`, so a commit whose clock
    /// ran somewhat behind its parent's is still found. libgit2's own sorted revwalk is
    /// no use here: any sorting makes it read the whole reachable history before it
    /// yields the first commit (its `limit_list`), 100,000 commits and 250 MB for a
    /// window of 2,000. Each commit of the window is read once, as attribution needs its
    /// author and message anyway. An object missing from a shallow or partial clone
    /// ends that line of the walk (`incomplete`), never the sync.
    public func recentHistory(from tips: [String], notBefore: Date, slack: TimeInterval = 7 * 86_400) throws -> RecentHistory {
        try locked {
            struct Queued: Comparable {
                let time: Int64
                let sha: String
                static func < (lhs: Queued, rhs: Queued) -> Bool { (lhs.time, lhs.sha) < (rhs.time, rhs.sha) }
            }
            let start = Int64(notBefore.timeIntervalSince1970.rounded(.up))
            let stop = start - Int64(slack)
            var window: [CommitInfo] = []
            var graph: [String: (parents: [String], time: Date)] = [:]
            var read: [String: CommitInfo] = [:]
            var incomplete = false
            var queue = Heap<Queued>()
            func enqueue(_ sha: String) {
                guard read[sha] == nil else { return }
                guard let oid = try? commitID(sha), let commit = try? lookupCommit(oid), let info = try? info(commit) else {
                    incomplete = true
                    return
                }
                read[sha] = info
                queue.insert(Queued(time: Int64(info.commitTime.timeIntervalSince1970), sha: sha))
            }
            for tip in tips { enqueue(tip) }
            while let next = queue.popMax() {
                if next.time < stop { break }
                guard let info = read[next.sha] else { continue }
                graph[info.sha] = (info.parents, info.commitTime)
                if next.time >= start { window.append(info) }
                for parent in info.parents { enqueue(parent) }
            }
            return RecentHistory(commits: Self.parentsFirst(window), graph: graph, incomplete: incomplete)
        }
    }

    /// Orders commits so that every parent comes before its children (Kahn's
    /// algorithm); among commits ready at the same time the oldest goes first, then
    /// the smaller sha, so the order is the same on every run.
    static func parentsFirst(_ commits: [CommitInfo]) -> [CommitInfo] {
        var index: [String: Int] = [:]
        for (position, commit) in commits.enumerated() { index[commit.sha] = position }
        var waiting = [Int](repeating: 0, count: commits.count)
        var children = [[Int]](repeating: [], count: commits.count)
        for (position, commit) in commits.enumerated() {
            for parent in Set(commit.parents) {
                guard let parentPosition = index[parent] else { continue }
                waiting[position] += 1
                children[parentPosition].append(position)
            }
        }
        /// A commit ready to go out, ordered oldest first, then by sha.
        struct Ready: Comparable {
            let time: Date
            let sha: String
            let position: Int
            static func < (lhs: Ready, rhs: Ready) -> Bool { (lhs.time, lhs.sha) < (rhs.time, rhs.sha) }
            static func == (lhs: Ready, rhs: Ready) -> Bool { lhs.position == rhs.position }
        }
        func ready(_ position: Int) -> Ready { Ready(time: commits[position].commitTime, sha: commits[position].sha, position: position) }
        var queue = Heap<Ready>()
        for position in commits.indices where waiting[position] == 0 { queue.insert(ready(position)) }
        var result: [CommitInfo] = []
        result.reserveCapacity(commits.count)
        while let next = queue.popMin() {
            result.append(commits[next.position])
            for child in children[next.position] {
                waiting[child] -= 1
                if waiting[child] == 0 { queue.insert(ready(child)) }
            }
        }
        return result
    }
}

/// Where a commit reached the default branch: the first-parent commit of the branch
/// that brought it in, and when that commit was made.
public struct BranchLanding: Sendable, Hashable {
    public let into: String
    public let at: Date

    public init(into: String, at: Date) {
        self.into = into
        self.at = at
    }
}

extension RecentHistory {
    /// The default branch's first-parent chain from `tip`, newest first, as far back as
    /// the history read goes.
    public func firstParentChain(from tip: String) -> [(sha: String, time: Date)] {
        var chain: [(sha: String, time: Date)] = []
        var next: String? = tip
        while let sha = next, let node = graph[sha] {
            chain.append((sha, node.time))
            next = node.parents.first
        }
        return chain
    }

    /// For every commit read that is reachable from `tip`: the first-parent commit of
    /// the branch that brought it in. One pass over the chain, oldest first, each
    /// commit visited once: what a chain commit reaches that its first parent did not
    /// is what it brought in.
    public func landings(tip: String) -> [String: BranchLanding] {
        var result: [String: BranchLanding] = [:]
        for (sha, time) in firstParentChain(from: tip).reversed() {
            let landing = BranchLanding(into: sha, at: time)
            var stack = [sha]
            while let current = stack.popLast() {
                guard result[current] == nil, let node = graph[current] else { continue }
                result[current] = landing
                stack.append(contentsOf: node.parents)
            }
        }
        return result
    }

    /// Whether a commit in `targets` is reachable from `tip` through commits read.
    public func reaches(from tip: String, anyOf targets: Set<String>) -> Bool {
        var seen: Set<String> = []
        var stack = [tip]
        while let current = stack.popLast() {
            if targets.contains(current) { return true }
            guard seen.insert(current).inserted, let node = graph[current] else { continue }
            stack.append(contentsOf: node.parents)
        }
        return false
    }

    /// The same history without the commits outside `keep` (those of refs left out).
    public func restricted(to keep: Set<String>) -> RecentHistory {
        RecentHistory(
            commits: commits.filter { keep.contains($0.sha) }, graph: graph.filter { keep.contains($0.key) }, incomplete: incomplete)
    }

    /// Every commit read that is reachable from one of `tips`.
    public func reachable(from tips: [String]) -> Set<String> {
        var seen: Set<String> = []
        var stack = tips
        while let current = stack.popLast() {
            guard !seen.contains(current), let node = graph[current] else { continue }
            seen.insert(current)
            stack.append(contentsOf: node.parents)
        }
        return seen
    }
}
