import Foundation
internal import CGit2

extension GitRepository {
    /// Every commit reachable from the branches, remote-tracking branches, tags and HEAD
    /// (or from HEAD alone), parents before children, for backfilling from history.
    ///
    /// The order is topological with time as tie-break, oldest first, so a caller can
    /// claim lines in the order commits were made. Commits whose commit time is before
    /// `notBefore` are skipped (their ancestors are still walked, since a newer commit
    /// can sit on an older-looking branch).
    public func commits(reachableFromAllRefs: Bool = true, notBefore: Date? = nil) throws -> [CommitInfo] {
        try locked {
            let walk = try newWalk(sorting: GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue | GIT_SORT_REVERSE.rawValue)
            try withExtendedLifetime(walk) {
                if reachableFromAllRefs {
                    for glob in ["refs/heads", "refs/remotes", "refs/tags"] {
                        try check("git_revwalk_push_glob") { git_revwalk_push_glob(walk.pointer, glob) }
                    }
                }
                // An unborn HEAD has nothing to walk; libgit2 reports it as a generic
                // error from push_head, so ask first instead of catching.
                if var head = try headID() {
                    try check("git_revwalk_push") { git_revwalk_push(walk.pointer, &head) }
                }
            }
            let cutoff = notBefore.map { Int64($0.timeIntervalSince1970.rounded(.up)) }
            var result: [CommitInfo] = []
            for oid in try drain(walk) {
                let commit = try lookupCommit(oid)
                if let cutoff {
                    let time = withExtendedLifetime(commit) { git_commit_time(commit.pointer) }
                    if time < cutoff { continue }
                }
                result.append(try info(commit))
            }
            return result
        }
    }

    /// `sha`, its first parent, that one's first parent, ... down to the root, newest
    /// first: the commits that were the tip of the branch in turn.
    public func firstParentChain(from sha: String) throws -> [String] {
        try locked {
            var chain: [String] = []
            var next: git_oid? = try commitID(sha)
            while let oid = next {
                let commit = try lookupCommit(oid)
                next = withExtendedLifetime(commit) {
                    chain.append(hex(git_commit_id(commit.pointer)))
                    guard git_commit_parentcount(commit.pointer) > 0,
                        let parent = git_commit_parent_id(commit.pointer, 0)
                    else { return nil }
                    return parent.pointee
                }
            }
            return chain
        }
    }

    /// `sha` and its first parents with their commit times, newest first, down to the
    /// first one made before `notBefore`: the tips the branch had over a window.
    public func firstParentChain(from sha: String, notBefore: Date) throws -> [(sha: String, time: Date)] {
        try locked {
            let stop = Int64(notBefore.timeIntervalSince1970)
            var chain: [(sha: String, time: Date)] = []
            var next: git_oid? = try commitID(sha)
            while let oid = next {
                guard let commit = try? lookupCommit(oid) else { break }
                let (time, parent) = withExtendedLifetime(commit) { () -> (Int64, git_oid?) in
                    let time = Int64(git_commit_time(commit.pointer))
                    let parent = git_commit_parentcount(commit.pointer) > 0 ? git_commit_parent_id(commit.pointer, 0)?.pointee : nil
                    return (time, parent)
                }
                chain.append((hex(oid), Date(timeIntervalSince1970: TimeInterval(time))))
                if time < stop { break }
                next = parent
            }
            return chain
        }
    }

    /// Commits reachable from `sha` but not from its first parent, `sha` included,
    /// parents before children (so `sha` is last). For a merge these are the commits
    /// the merge brought in; for a normal commit just `sha`.
    public func commitsIntroduced(by sha: String) throws -> [String] {
        try locked {
            var oid = try commitID(sha)
            let commit = try lookupCommit(oid)
            let firstParent: git_oid? = withExtendedLifetime(commit) {
                git_commit_parentcount(commit.pointer) > 0 ? git_commit_parent_id(commit.pointer, 0)?.pointee : nil
            }
            let walk = try newWalk(sorting: GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue | GIT_SORT_REVERSE.rawValue)
            try withExtendedLifetime(walk) {
                try check("git_revwalk_push") { git_revwalk_push(walk.pointer, &oid) }
                if var parent = firstParent {
                    try check("git_revwalk_hide") { git_revwalk_hide(walk.pointer, &parent) }
                }
            }
            return try drain(walk).map { hex($0) }
        }
    }

    /// Whether `ancestor` is reachable from `descendant`; true when they are the same
    /// commit, because a commit that is the branch tip has landed on it.
    public func isAncestor(_ ancestor: String, of descendant: String) throws -> Bool {
        try locked {
            var a = try commitID(ancestor)
            var d = try commitID(descendant)
            if git_oid_equal(&a, &d) != 0 { return true }
            let code = try check("git_graph_descendant_of") { git_graph_descendant_of(raw, &d, &a) }
            return code == 1
        }
    }

    // MARK: - Walk helpers

    func newWalk(sorting: UInt32) throws -> RevwalkHandle {
        let walk = try make(RevwalkHandle.self, "git_revwalk_new", owner: handle) { git_revwalk_new($0, raw) }
        _ = try withExtendedLifetime(walk) {
            try check("git_revwalk_sorting") { git_revwalk_sorting(walk.pointer, sorting) }
        }
        return walk
    }

    /// All ids a prepared walk yields; every return code is checked, and the walk's
    /// end (`GIT_ITEROVER`) is the only non-error stop.
    func drain(_ walk: RevwalkHandle) throws -> [git_oid] {
        try withExtendedLifetime(walk) {
            var ids: [git_oid] = []
            var oid = git_oid()
            while true {
                let code = try check("git_revwalk_next", allowing: [GIT_ITEROVER]) {
                    git_revwalk_next(&oid, walk.pointer)
                }
                if code == GIT_ITEROVER.rawValue { break }
                ids.append(oid)
            }
            return ids
        }
    }
}
