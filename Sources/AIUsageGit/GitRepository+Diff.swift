import AIUsageCore
import Foundation
internal import CGit2

extension GitRepository {
    /// The significant lines each file gained in commit `sha`, against its first parent
    /// (the empty tree for a root commit), with renames detected so a moved file keeps
    /// only its real additions. Binary files and files that gained no significant line
    /// are left out, as are submodule and symlink entries. Lines are hashed straight from libgit2's buffers, without Strings.
    public func addedLines(of sha: String) throws -> [FileAddedLines] {
        try locked {
            let diff = try firstParentDiff(of: sha, findRenames: true, contextLines: 0)
            return try collectAddedLines(diff)
        }
    }

    /// What attribution needs of one commit, from one pass over one tree diff: the
    /// added lines (renames paired) and a patch hash that identifies the same change
    /// under another sha (a rebase or cherry-pick copy): every added and removed line
    /// with its white space taken out, by file, as git's patch-id does. Asking libgit2
    /// for its patch-id as well made every diff twice, half of a first run's time.
    public func changes(of sha: String) throws -> CommitChanges {
        try locked {
            let commit = try lookupCommit(try commitID(sha))
            let parents = withExtendedLifetime(commit) { git_commit_parentcount(commit.pointer) }
            guard parents <= 1 else { return CommitChanges(files: [], patchID: nil) }
            let diff = try firstParentDiff(of: commit, findRenames: true, contextLines: 0)
            let collector = AddedLinesCollector(hashingPatch: true)
            let files = try collectAddedLines(diff, into: collector)
            return CommitChanges(files: files, patchID: collector.patchHash)
        }
    }

    private func collectAddedLines(_ diff: DiffHandle, into collector: AddedLinesCollector = AddedLinesCollector()) throws
        -> [FileAddedLines]
    {
        _ = try withExtendedLifetime(diff) {
            try check("git_diff_foreach") {
                git_diff_foreach(
                    diff.pointer,
                    { delta, _, payload in
                        guard let payload, let delta else { return 0 }
                        Unmanaged<AddedLinesCollector>.fromOpaque(payload).takeUnretainedValue().begin(delta.pointee)
                        return 0
                    },
                    nil,
                    nil,
                    { _, _, line, payload in
                        guard let payload, let line else { return 0 }
                        let origin = UInt32(UInt8(bitPattern: line.pointee.origin))
                        let isAdded = origin == GIT_DIFF_LINE_ADDITION.rawValue
                        guard isAdded || origin == GIT_DIFF_LINE_DELETION.rawValue, let content = line.pointee.content else { return 0 }
                        let bytes = UnsafeBufferPointer(
                            start: UnsafeRawPointer(content).assumingMemoryBound(to: UInt8.self),
                            count: line.pointee.content_len)
                        let collector = Unmanaged<AddedLinesCollector>.fromOpaque(payload).takeUnretainedValue()
                        if isAdded {
                            collector.add(bytes, lineNumber: Int(line.pointee.new_lineno))
                        } else {
                            collector.removed(bytes)
                        }
                        return 0
                    },
                    Unmanaged.passUnretained(collector).toOpaque())
            }
        }
        return collector.finish()
    }

    /// libgit2's patch-id of the first-parent diff, to recognise the same change under
    /// another sha (rebase, cherry-pick). Nil for merges and for commits that change
    /// nothing, so empty commits are not all taken for copies of each other.
    ///
    /// The diff is taken without rename detection, the same way for every commit, so
    /// ids are comparable with each other (not with `git patch-id` output).
    public func patchID(of sha: String) throws -> String? {
        try locked {
            let commit = try lookupCommit(try commitID(sha))
            let parents = withExtendedLifetime(commit) { git_commit_parentcount(commit.pointer) }
            guard parents <= 1 else { return nil }
            return try patchID(of: try firstParentDiff(of: commit, findRenames: false))
        }
    }

    private func patchID(of diff: DiffHandle) throws -> String? {
        try withExtendedLifetime(diff) {
            guard git_diff_num_deltas(diff.pointer) > 0 else { return nil }
            var options = git_diff_patchid_options()
            try check("git_diff_patchid_options_init") {
                git_diff_patchid_options_init(&options, UInt32(GIT_DIFF_PATCHID_OPTIONS_VERSION))
            }
            var oid = git_oid()
            try check("git_diff_patchid") { git_diff_patchid(&oid, diff.pointer, &options) }
            return hex(oid)
        }
    }

    /// Hashes of the significant lines of `path` as it is in commit `sha`, for survival
    /// checks against a later tree. Nil when the path is absent, not a regular file
    /// (folder, submodule, symlink), or binary.
    public func significantLines(path: String, at sha: String) throws -> [LineHash]? {
        try locked {
            let tree = try tree(of: try lookupCommit(try commitID(sha)))
            guard
                let entry = try withExtendedLifetime(
                    tree,
                    {
                        try makeIfPresent(TreeEntryHandle.self, "git_tree_entry_bypath", owner: tree) {
                            git_tree_entry_bypath($0, tree.pointer, path)
                        }
                    })
            else { return nil }
            let blob: BlobHandle? = try withExtendedLifetime(entry) {
                guard git_tree_entry_type(entry.pointer) == GIT_OBJECT_BLOB,
                    git_tree_entry_filemode(entry.pointer) != GIT_FILEMODE_LINK
                else { return nil }
                return try make(BlobHandle.self, "git_blob_lookup", owner: handle) {
                    git_blob_lookup($0, raw, git_tree_entry_id(entry.pointer))
                }
            }
            guard let blob else { return nil }
            return withExtendedLifetime(blob) { () -> [LineHash]? in
                guard git_blob_is_binary(blob.pointer) == 0 else { return nil }
                let size = Int(git_blob_rawsize(blob.pointer))
                guard size > 0, let content = git_blob_rawcontent(blob.pointer) else { return [] }
                return significantHashes(UnsafeBufferPointer(start: content.assumingMemoryBound(to: UInt8.self), count: size))
            }
        }
    }

    /// Renames between two commits' trees (old path → new path), so surviving lines
    /// can be looked for under a file's later name.
    public func renamedPaths(from oldSHA: String, to newSHA: String) throws -> [String: String] {
        try locked {
            let old = try tree(of: try lookupCommit(try commitID(oldSHA)))
            let new = try tree(of: try lookupCommit(try commitID(newSHA)))
            let diff = try treeDiff(from: old, to: new, findRenames: true)
            return withExtendedLifetime(diff) {
                var renames: [String: String] = [:]
                for index in 0..<git_diff_num_deltas(diff.pointer) {
                    guard let delta = git_diff_get_delta(diff.pointer, index),
                        delta.pointee.status == GIT_DELTA_RENAMED,
                        let from = decode(delta.pointee.old_file.path),
                        let to = decode(delta.pointee.new_file.path)
                    else { continue }
                    renames[from] = to
                }
                return renames
            }
        }
    }

    /// The first-parent diff of `sha` as one line per delta (status, both paths, ids and
    /// modes), made with the changed-path list or without it: for the tests that pin
    /// that both make the same diff.
    func deltaLines(of sha: String, limited: Bool, findRenames: Bool) throws -> [String] {
        try locked {
            let diff = try firstParentDiff(of: try lookupCommit(try commitID(sha)), findRenames: findRenames, limited: limited)
            return withExtendedLifetime(diff) {
                (0..<git_diff_num_deltas(diff.pointer)).compactMap { index -> String? in
                    guard let delta = git_diff_get_delta(diff.pointer, index)?.pointee else { return nil }
                    var (oldID, newID) = (delta.old_file.id, delta.new_file.id)
                    return "\(delta.status.rawValue) \(decode(delta.old_file.path) ?? "-") \(decode(delta.new_file.path) ?? "-") "
                        + "\(hex(&oldID)) \(hex(&newID)) \(delta.old_file.mode) \(delta.new_file.mode) \(delta.similarity)"
                }
            }
        }
    }

    // MARK: - Diff helpers

    func tree(of commit: CommitHandle) throws -> TreeHandle {
        try withExtendedLifetime(commit) {
            try make(TreeHandle.self, "git_commit_tree", owner: handle) { git_commit_tree($0, commit.pointer) }
        }
    }

    func firstParentDiff(of sha: String, findRenames: Bool, contextLines: UInt32 = 3) throws -> DiffHandle {
        try firstParentDiff(of: try lookupCommit(try commitID(sha)), findRenames: findRenames, contextLines: contextLines)
    }

    /// Diff of a commit against its first parent, or against the empty tree for a root.
    /// `contextLines`: 0 where only added and removed lines are read (libgit2 then does
    /// not walk unchanged lines around each change).
    func firstParentDiff(of commit: CommitHandle, findRenames: Bool, contextLines: UInt32 = 3, limited: Bool = true) throws
        -> DiffHandle
    {
        let new = try tree(of: commit)
        let old: TreeHandle? = try withExtendedLifetime(commit) {
            guard git_commit_parentcount(commit.pointer) > 0 else { return nil }
            let parent = try make(CommitHandle.self, "git_commit_parent", owner: handle) {
                git_commit_parent($0, commit.pointer, 0)
            }
            return try tree(of: parent)
        }
        return try treeDiff(from: old, to: new, findRenames: findRenames, contextLines: contextLines, limited: limited)
    }

    /// `limited`: false only for the tests that compare the two (see `ChangedPaths`).
    func treeDiff(from old: TreeHandle?, to new: TreeHandle?, findRenames: Bool, contextLines: UInt32 = 3, limited: Bool = true) throws
        -> DiffHandle
    {
        try withExtendedLifetime((old, new)) {
            var options = git_diff_options()
            try check("git_diff_options_init") { git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)) }
            options.context_lines = contextLines
            // Only the paths that differ (see `ChangedPaths`); with none, the full walk
            // (two equal trees: it finds nothing either).
            let changed = limited ? try ChangedPaths(repository: raw, old: old?.pointer, new: new?.pointer).paths : []
            let pathspec = changed.isEmpty ? nil : Pathspec(changed)
            if let pathspec {
                options.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue
                options.pathspec = pathspec.array
            }
            let diff = try make(DiffHandle.self, "git_diff_tree_to_tree", owner: DiffOwner(repository: handle, pathspec: pathspec)) {
                git_diff_tree_to_tree($0, raw, old?.pointer, new?.pointer, &options)
            }
            if findRenames { try self.findRenames(in: diff) }
            return diff
        }
    }

    /// Pairs deleted and added files that are renames of each other, in place.
    func findRenames(in diff: DiffHandle) throws {
        var find = git_diff_find_options()
        try check("git_diff_find_options_init") {
            git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
        }
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        _ = try withExtendedLifetime(diff) {
            try check("git_diff_find_similar") { git_diff_find_similar(diff.pointer, &find) }
        }
    }
}

/// Hashes of the significant lines in a byte buffer split on `\n`.
func significantHashes(_ bytes: UnsafeBufferPointer<UInt8>) -> [LineHash] {
    var result: [LineHash] = []
    var start = 0
    for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
        if index > start, let hash = LineIdentity.significantHash(bytes: UnsafeBufferPointer(rebasing: bytes[start..<index])) {
            result.append(hash)
        }
        start = index + 1
    }
    return result
}

/// Gathers per-file added lines while `git_diff_foreach` calls back; only used on the
/// calling thread, inside the repository lock.
private final class AddedLinesCollector {
    /// FNV-1a over the change, when asked for (see `GitRepository.changes(of:)`).
    private var patch: UInt64 = 0xcbf2_9ce4_8422_2325
    private let hashingPatch: Bool
    private var changedSomething = false
    private var files: [FileAddedLines] = []
    private var path: String?
    private var oldPath: String?
    private var added: [LineHash] = []
    private var lineNumbers: [Int] = []
    /// Submodule pointers ("Subproject commit ...") and symlink targets are not lines
    /// anyone wrote, so they are never counted.
    private var skipping = false

    init(hashingPatch: Bool = false) { self.hashingPatch = hashingPatch }

    /// The patch hash (hex), nil when the diff changed nothing.
    var patchHash: String? { changedSomething ? String(patch, radix: 16) : nil }

    private func mix(_ byte: UInt8) {
        patch ^= UInt64(byte)
        patch = patch &* 0x0000_0100_0000_01B3
    }

    /// A changed line enters the patch hash with its kind, white space left out.
    private func hashLine(_ kind: UInt8, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard hashingPatch else { return }
        mix(kind)
        for byte in bytes where !LineIdentity.isSpace(byte) { mix(byte) }
        mix(0x0A)
    }

    func removed(_ bytes: UnsafeBufferPointer<UInt8>) {
        changedSomething = true
        hashLine(0x2D, bytes)
    }

    func begin(_ delta: git_diff_delta) {
        flush()
        changedSomething = true
        if hashingPatch {
            // The file, and for a binary change the blob it became.
            mix(0x00)
            for byte in (decode(delta.new_file.path) ?? decode(delta.old_file.path) ?? "").utf8 { mix(byte) }
            if delta.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0 {
                var id = delta.new_file.id
                withUnsafeBytes(of: &id) { for byte in $0 { mix(byte) } }
            }
        }
        let mode = UInt32(delta.new_file.mode)
        skipping = mode == GIT_FILEMODE_COMMIT.rawValue || mode == GIT_FILEMODE_LINK.rawValue
        path = decode(delta.new_file.path) ?? decode(delta.old_file.path)
        let old = decode(delta.old_file.path)
        let moved = delta.status == GIT_DELTA_RENAMED || delta.status == GIT_DELTA_COPIED
        oldPath = moved && old != path ? old : nil
    }

    func add(_ bytes: UnsafeBufferPointer<UInt8>, lineNumber: Int) {
        hashLine(0x2B, bytes)
        if !skipping, let hash = LineIdentity.significantHash(bytes: bytes) {
            added.append(hash)
            lineNumbers.append(lineNumber)
        }
    }

    private func flush() {
        if let path, !added.isEmpty {
            files.append(FileAddedLines(path: path, oldPath: oldPath, added: added, lineNumbers: lineNumbers))
        }
        path = nil
        oldPath = nil
        added = []
        lineNumbers = []
    }

    func finish() -> [FileAddedLines] {
        flush()
        return files
    }
}
