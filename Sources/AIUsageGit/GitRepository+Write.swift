import Foundation
internal import CGit2

/// A signature libgit2 allocated; freed in `deinit`. Not an `OwnedHandle` because
/// `git_signature` is a complete C struct, not an opaque pointer.
final class SignatureHandle {
    let pointer: UnsafeMutablePointer<git_signature>

    init(name: String, email: String, time: Date) throws(GitError) {
        var out: UnsafeMutablePointer<git_signature>?
        try check("git_signature_new") {
            git_signature_new(&out, name, email, git_time_t(time.timeIntervalSince1970.rounded(.down)), 0)
        }
        guard let out else { throw GitError(function: "git_signature_new", message: "returned no signature") }
        pointer = out
    }

    deinit { git_signature_free(pointer) }
}

// Writing history, for `aiusage demo` and tests: a repository is made and committed to
// through libgit2 only, never the git CLI.
extension GitRepository {
    /// Creates a repository (with a work tree) at `path`, making missing folders, with
    /// HEAD on the unborn branch `initialBranch`.
    public static func create(at path: String, initialBranch: String = "main") throws -> GitRepository {
        _ = LibGit2.ready
        var options = git_repository_init_options()
        try check("git_repository_init_options_init") {
            git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION))
        }
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue
        let head = initialBranch.hasPrefix("refs/") ? initialBranch : "refs/heads/" + initialBranch
        let handle = try head.withCString { headPointer in
            options.initial_head = headPointer
            return try make(RepositoryHandle.self, "git_repository_init_ext", owner: nil) {
                git_repository_init_ext($0, path, &options)
            }
        }
        return GitRepository(handle: handle)
    }

    /// Makes a commit without touching the index first: the new tree is the first
    /// parent's tree (the empty tree without parents) with `files` applied, where a
    /// path maps to its new content, or to nil to delete it (deleting a path that is not
    /// there is a no-op). Author and committer are both `authorName <authorEmail>` at
    /// `time`. `parents` are revisions (`"main"`, a sha); two or more make a merge.
    ///
    /// With `updateRef` (e.g. `refs/heads/main`), that reference is set to the new
    /// commit (created when missing). When it is the branch HEAD is on, the work tree
    /// and index are checked out to the new commit too, so the repository looks as if
    /// the commit had been made with git (files deleted by the commit are removed).
    /// Returns the new commit's sha.
    public func commit(
        files: [String: String?], message: String, authorName: String, authorEmail: String, time: Date,
        parents: [String], updateRef: String?
    ) throws -> String {
        try locked {
            let parentHandles = try parents.map { try lookupCommit(try commitID($0)) }
            let base: TreeHandle = try parentHandles.first.map { try tree(of: $0) } ?? emptyTree()
            let treeID = try updatedTree(base, files: files)
            var treeOID = treeID
            let newTree = try make(TreeHandle.self, "git_tree_lookup", owner: handle) {
                git_tree_lookup($0, raw, &treeOID)
            }
            let signature = try SignatureHandle(name: authorName, email: authorEmail, time: time)
            let text = message.hasSuffix("\n") ? message : message + "\n"
            var commitOID = git_oid()
            try withExtendedLifetime((parentHandles, newTree, signature)) {
                var parentPointers: [OpaquePointer?] = parentHandles.map { Optional($0.pointer) }
                try check("git_commit_create") {
                    git_commit_create(
                        &commitOID, raw, nil, signature.pointer, signature.pointer, nil, text, newTree.pointer,
                        parentPointers.count, &parentPointers)
                }
            }
            let sha = hex(commitOID)
            if let updateRef {
                if try headBranch() == updateRef, git_repository_is_bare(raw) == 0 {
                    try checkOut(commitOID)
                }
                try setReferenceLocked(updateRef, to: commitOID)
            }
            return sha
        }
    }

    /// Points reference `name` (e.g. `refs/heads/feature`) at commit `sha`, creating or
    /// moving it. The work tree is not touched.
    public func setReference(_ name: String, to sha: String) throws {
        try locked { try setReferenceLocked(name, to: try commitID(sha)) }
    }

    // MARK: - Helpers

    private func setReferenceLocked(_ name: String, to oid: git_oid) throws {
        var oid = oid
        _ = try make(ReferenceHandle.self, "git_reference_create", owner: handle) {
            git_reference_create($0, raw, name, &oid, 1, "aiusage: set \(name)")
        }
    }

    /// The full name of the branch HEAD points at (born or not), or nil when detached.
    private func headBranch() throws -> String? {
        let head = try make(ReferenceHandle.self, "git_reference_lookup", owner: handle) {
            git_reference_lookup($0, raw, "HEAD")
        }
        return withExtendedLifetime(head) {
            git_reference_type(head.pointer) == GIT_REFERENCE_SYMBOLIC ? decode(git_reference_symbolic_target(head.pointer)) : nil
        }
    }

    /// Forces the work tree and index to commit `oid`. Run before HEAD's branch moves,
    /// so libgit2's baseline is the old HEAD tree and files the commit deleted go too.
    private func checkOut(_ oid: git_oid) throws {
        var oid = oid
        let object = try make(ObjectHandle.self, "git_object_lookup", owner: handle) {
            git_object_lookup($0, raw, &oid, GIT_OBJECT_COMMIT)
        }
        var options = git_checkout_options()
        try check("git_checkout_options_init") {
            git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        }
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        _ = try withExtendedLifetime(object) {
            try check("git_checkout_tree") { git_checkout_tree(raw, object.pointer, &options) }
        }
    }

    private func emptyTree() throws -> TreeHandle {
        var builder: OpaquePointer?
        try check("git_treebuilder_new") { git_treebuilder_new(&builder, raw, nil) }
        defer { git_treebuilder_free(builder) }
        var oid = git_oid()
        try check("git_treebuilder_write") { git_treebuilder_write(&oid, builder) }
        return try make(TreeHandle.self, "git_tree_lookup", owner: handle) { git_tree_lookup($0, raw, &oid) }
    }

    /// Writes the blobs and the tree `base` + `files`; returns the new tree's id.
    private func updatedTree(_ base: TreeHandle, files: [String: String?]) throws -> git_oid {
        try withExtendedLifetime(base) {
            var paths: [UnsafeMutablePointer<CChar>] = []
            defer { paths.forEach { free($0) } }
            var updates: [git_tree_update] = []
            for (path, content) in files.sorted(by: { $0.key < $1.key }) {
                guard let cPath = strdup(path) else { throw GitError(function: "strdup", message: "out of memory") }
                paths.append(cPath)
                var update = git_tree_update()
                update.path = UnsafePointer(cPath)
                if let content {
                    var blob = git_oid()
                    let bytes = Array(content.utf8)
                    try check("git_blob_create_from_buffer") {
                        bytes.withUnsafeBytes { git_blob_create_from_buffer(&blob, raw, $0.baseAddress, $0.count) }
                    }
                    update.action = GIT_TREE_UPDATE_UPSERT
                    update.id = blob
                    update.filemode = GIT_FILEMODE_BLOB
                } else {
                    // Removing a missing path is an error in libgit2; for callers it is a no-op.
                    let present = try makeIfPresent(TreeEntryHandle.self, "git_tree_entry_bypath", owner: base) {
                        git_tree_entry_bypath($0, base.pointer, path)
                    }
                    guard present != nil else { continue }
                    update.action = GIT_TREE_UPDATE_REMOVE
                }
                updates.append(update)
            }
            var out = git_oid()
            try check("git_tree_create_updated") {
                git_tree_create_updated(&out, raw, base.pointer, updates.count, updates)
            }
            return out
        }
    }
}
