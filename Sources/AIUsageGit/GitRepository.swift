import AIUsageCore
import Foundation
internal import CGit2

/// A git repository opened through libgit2: the one place the rest of aiusage reads
/// history, diffs and config from.
///
/// All answers are copied out into Sendable values, so nothing returned points into
/// libgit2 memory. libgit2 objects must not be used from two threads at once, so every
/// entry point takes one lock; that is what makes the `@unchecked Sendable` honest.
public final class GitRepository: @unchecked Sendable {
    let handle: RepositoryHandle
    let lock = NSRecursiveLock()
    /// Loaded on first use, under `lock`; `nil` inside means "no mailmap".
    private var mailmapCache: MailmapHandle??

    /// Opens the repository containing `path`, searching upward like git does, so a
    /// session's working directory deep inside a work tree (or a linked worktree) works.
    public init(discoveringFrom path: String) throws {
        _ = LibGit2.ready
        handle = try make(RepositoryHandle.self, "git_repository_open_ext", owner: nil) {
            git_repository_open_ext($0, path, 0, nil)
        }
    }

    /// Starts libgit2's one-time set-up on another thread, for a command that will open
    /// repositories after other work (see `LibGit2.prepareInBackground`).
    public static func prepareInBackground() { LibGit2.prepareInBackground() }

    /// Waits for `prepareInBackground`'s set-up to end; call before the process exits.
    public static func finishPreparing() { LibGit2.waitForBackground() }

    init(handle: RepositoryHandle) {
        _ = LibGit2.ready
        self.handle = handle
    }

    var raw: OpaquePointer { handle.pointer }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: - Locations

    /// Root of the work tree this repository was opened from (resolved, no trailing
    /// slash), or nil for a bare repository.
    public var workTreeRoot: String? {
        locked { decode(git_repository_workdir(raw)).map(resolvedPath) }
    }

    /// The git directory of this work tree (`.git`, or `.git/worktrees/<name>` for a
    /// linked worktree); resolved, no trailing slash.
    public var gitDirectory: String {
        locked { resolvedPath(decode(git_repository_path(raw)) ?? "") }
    }

    /// The directory shared by all linked worktrees (objects, refs, config, hooks);
    /// resolved, no trailing slash.
    public var commonDirectory: String {
        locked { resolvedPath(decode(git_repository_commondir(raw)) ?? "") }
    }

    /// The main work tree and every linked worktree, resolved, so a session whose
    /// working directory is in any of them is recognised as belonging here.
    /// Worktrees whose folder no longer exists (prunable) are left out.
    public func allWorkTreeRoots() throws -> [String] {
        try locked {
            var roots: [String] = []
            if git_repository_is_worktree(raw) == 1 {
                let common = decode(git_repository_commondir(raw)) ?? ""
                let main = try make(RepositoryHandle.self, "git_repository_open", owner: nil) {
                    git_repository_open($0, common)
                }
                if let root = decode(git_repository_workdir(main.pointer)) { roots.append(resolvedPath(root)) }
            } else if let root = decode(git_repository_workdir(raw)) {
                roots.append(resolvedPath(root))
            }
            var names = git_strarray()
            try check("git_worktree_list") { git_worktree_list(&names, raw) }
            defer { git_strarray_dispose(&names) }
            for index in 0..<names.count {
                guard let name = names.strings[index] else { continue }
                guard
                    let worktree = try makeIfPresent(
                        WorktreeHandle.self, "git_worktree_lookup", owner: handle,
                        {
                            git_worktree_lookup($0, raw, name)
                        })
                else { continue }
                let path = withExtendedLifetime(worktree) { decode(git_worktree_path(worktree.pointer)) }
                guard let path, FileManager.default.fileExists(atPath: path) else { continue }
                let resolved = resolvedPath(path)
                if !roots.contains(resolved) { roots.append(resolved) }
            }
            return roots
        }
    }

    // MARK: - Revisions

    /// The commit HEAD points at, or nil on an unborn branch (a fresh repository).
    public func headCommit() throws -> String? {
        try locked { try headID().map { hex($0) } }
    }

    /// The commit HEAD resolves to, nil when unborn.
    func headID() throws -> git_oid? {
        var oid = git_oid()
        let code = try check("git_reference_name_to_id", allowing: [GIT_ENOTFOUND, GIT_EUNBORNBRANCH]) {
            git_reference_name_to_id(&oid, raw, "HEAD")
        }
        guard code >= 0 else { return nil }
        // HEAD may point at a tag in odd set-ups; peel so the answer is a commit.
        return try peeledCommitID(oid)
    }

    /// Resolves any revision git understands (`HEAD~2`, a branch, a short sha, a tag)
    /// to a full commit sha.
    public func resolveCommit(_ revision: String) throws -> String {
        try locked { hex(try commitID(revision)) }
    }

    /// The commit with that sha (or any revision `resolveCommit` accepts).
    public func commit(_ sha: String) throws -> CommitInfo {
        try locked { try info(try lookupCommit(try commitID(sha))) }
    }

    // MARK: - Internals shared by the extensions

    /// Object id of the commit `revision` names. A full 40-digit sha is parsed without
    /// a ref lookup, because history scans call this for every commit.
    func commitID(_ revision: String) throws -> git_oid {
        if revision.utf8.count == Int(GIT_OID_HEXSZ), revision.utf8.allSatisfy(isHexDigit) {
            var oid = git_oid()
            try check("git_oid_fromstr") { git_oid_fromstr(&oid, revision) }
            return oid
        }
        let object = try make(ObjectHandle.self, "git_revparse_single", owner: handle) {
            git_revparse_single($0, raw, revision)
        }
        return try peeled(object)
    }

    /// Peels any object id (tag, commit) to the commit it names.
    func peeledCommitID(_ oid: git_oid) throws -> git_oid {
        var oid = oid
        let object = try make(ObjectHandle.self, "git_object_lookup", owner: handle) {
            git_object_lookup($0, raw, &oid, GIT_OBJECT_ANY)
        }
        return try peeled(object)
    }

    private func peeled(_ object: ObjectHandle) throws -> git_oid {
        let commit = try withExtendedLifetime(object) {
            try make(ObjectHandle.self, "git_object_peel", owner: handle) {
                git_object_peel($0, object.pointer, GIT_OBJECT_COMMIT)
            }
        }
        return withExtendedLifetime(commit) { git_object_id(commit.pointer).pointee }
    }

    func lookupCommit(_ oid: git_oid) throws -> CommitHandle {
        var oid = oid
        return try make(CommitHandle.self, "git_commit_lookup", owner: handle) {
            git_commit_lookup($0, raw, &oid)
        }
    }

    /// The repository's mailmap (`.mailmap`, `mailmap.file`, `mailmap.blob`), loaded once.
    /// A mailmap that fails to load is treated as absent rather than failing every
    /// commit read: it only changes which e-mail a developer is known by.
    var mailmap: MailmapHandle? {
        if let cached = mailmapCache { return cached }
        let loaded = try? make(MailmapHandle.self, "git_mailmap_from_repository", owner: nil) {
            git_mailmap_from_repository($0, raw)
        }
        mailmapCache = .some(loaded)
        return loaded
    }

    /// Copies a commit out of libgit2.
    func info(_ commit: CommitHandle) throws -> CommitInfo {
        try withExtendedLifetime(commit) {
            let pointer = commit.pointer
            guard let id = git_commit_id(pointer) else {
                throw GitError(function: "git_commit_id", message: "commit has no id")
            }
            var parents: [String] = []
            let count = git_commit_parentcount(pointer)
            parents.reserveCapacity(Int(count))
            for index in 0..<count {
                if let parent = git_commit_parent_id(pointer, index) { parents.append(hex(parent)) }
            }
            var name = ""
            var email = ""
            var authorTime = Date(timeIntervalSince1970: 0)
            if let author = git_commit_author(pointer) {
                let rawName = author.pointee.name
                let rawEmail = author.pointee.email
                authorTime = Date(timeIntervalSince1970: TimeInterval(author.pointee.when.time))
                var realName: UnsafePointer<CChar>?
                var realEmail: UnsafePointer<CChar>?
                let map = mailmap
                let code = withExtendedLifetime(map) {
                    let code = git_mailmap_resolve(&realName, &realEmail, map?.pointer, rawName, rawEmail)
                    // Copy while the mailmap is alive: the outputs may point into it.
                    name = decode(realName) ?? ""
                    email = decode(realEmail) ?? ""
                    return code
                }
                if code < 0 {
                    git_error_clear()
                    name = decode(rawName) ?? ""
                    email = decode(rawEmail) ?? ""
                }
            }
            return CommitInfo(
                sha: hex(id),
                parents: parents,
                authorName: name,
                authorEmail: email.lowercased(),
                authorTime: authorTime,
                commitTime: Date(timeIntervalSince1970: TimeInterval(git_commit_time(pointer))),
                message: decode(git_commit_message(pointer)) ?? ""
            )
        }
    }
}

private func isHexDigit(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
}

/// `realpath` of `path` without a trailing slash, so paths compare equal however they
/// were reached (symlinked temp folders, `..`); the path as given when it cannot be
/// resolved (e.g. it no longer exists).
func resolvedPath(_ path: String) -> String {
    var result = path
    if let resolved = realpath(path, nil) {
        result = decode(resolved) ?? path
        free(resolved)
    }
    while result.count > 1, result.hasSuffix("/") { result.removeLast() }
    return result
}

/// Hex form of an object id held by value.
func hex(_ oid: git_oid) -> String {
    withUnsafePointer(to: oid) { hex($0) }
}
