import AIUsageCore
import Foundation

/// One commit, copied out of libgit2 so it can cross threads and outlive the repository.
public struct CommitInfo: Sendable, Hashable {
    public let sha: String
    /// Parent shas in order; the first is the first parent.
    public let parents: [String]
    /// Mailmap-resolved, as git log %aN shows it.
    public let authorName: String
    /// The developer key (PRODUCT.md "Developer"): mailmap-resolved and lower-cased.
    public let authorEmail: String
    public let authorTime: Date
    public let commitTime: Date
    /// The full message, only so callers can look for AI trailers; never stored.
    public let message: String

    public init(
        sha: String, parents: [String], authorName: String, authorEmail: String,
        authorTime: Date, commitTime: Date, message: String
    ) {
        self.sha = sha
        self.parents = parents
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.authorTime = authorTime
        self.commitTime = commitTime
        self.message = message
    }

    /// Merge commits add no lines of their own (PRODUCT.md "Linking and attribution").
    public var isMerge: Bool { parents.count > 1 }
}

/// The significant lines one commit added to one file, against its first parent.
public struct FileAddedLines: Sendable, Hashable {
    /// Repository-relative path after the commit.
    public let path: String
    /// The path before the commit when rename detection paired it with another file.
    public let oldPath: String?
    /// Hashes of the significant added lines, in diff order, with repeats, because
    /// matching against AI-written lines is multiset matching.
    public let added: [LineHash]
    /// Line number in the new file of each entry of `added`, for `aiusage explain`.
    public let lineNumbers: [Int]

    public init(path: String, oldPath: String?, added: [LineHash], lineNumbers: [Int] = []) {
        self.path = path
        self.oldPath = oldPath
        self.added = added
        self.lineNumbers = lineNumbers
    }
}

/// The branch that "landed" is measured against, and where it points now.
public struct DefaultBranch: Sendable, Hashable {
    /// Full reference name, e.g. `refs/remotes/origin/main`.
    public let name: String
    /// Commit sha the reference resolves to.
    public let tip: String

    public init(name: String, tip: String) {
        self.name = name
        self.tip = tip
    }
}

/// A commit's own changes, as attribution needs them.
public struct CommitChanges: Sendable, Hashable {
    /// Significant added lines per file (renames paired), against the first parent.
    public let files: [FileAddedLines]
    /// Patch-id of the first-parent diff (nil for merges and empty commits).
    public let patchID: String?

    public init(files: [FileAddedLines], patchID: String?) {
        self.files = files
        self.patchID = patchID
    }
}
