import Foundation

/// What attribution needs to know of one commit: read from git by the caller, so
/// that the rules here run without a repository.
public struct CommitDiff: Sendable, Hashable {
    public var sha: String
    public var commitTime: Date
    public var isMerge: Bool
    /// Whether the commit is reachable from the default branch.
    public var onDefaultBranch: Bool
    public var patchID: String?
    /// Significant lines the commit added against its first parent, with repeats.
    public var added: [PathLine]

    public init(sha: String, commitTime: Date, isMerge: Bool, onDefaultBranch: Bool, patchID: String?, added: [PathLine]) {
        self.sha = sha
        self.commitTime = commitTime
        self.isMerge = isMerge
        self.onDefaultBranch = onDefaultBranch
        self.patchID = patchID
        self.added = added
    }
}

/// How a commit reached the default branch (PRODUCT.md, "Landing and survival").
public enum LandingKind: String, Sendable, Codable, CaseIterable {
    /// An ancestor of the default branch.
    case ancestor
    /// A later default-branch commit has the same patch-id (rebase merge, cherry-pick).
    case patchID = "patch-id"
    /// A later default-branch commit adds at least half of its significant lines.
    case squash
}
