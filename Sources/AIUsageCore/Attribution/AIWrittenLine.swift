import Foundation

/// One significant line an edit of a session added, placed in a repository.
public struct AIWrittenLine: Hashable, Sendable {
    public var tool: ToolKind
    public var editKey: String
    public var sessionID: String
    public var timestamp: Date
    /// Repository-relative path.
    public var path: String
    public var hash: LineHash
    /// The commit the tool says holds the edit (a full or abbreviated sha), if it says.
    public var commitHint: String?

    public init(
        tool: ToolKind, editKey: String, sessionID: String, timestamp: Date, path: String, hash: LineHash, commitHint: String? = nil
    ) {
        self.tool = tool
        self.editKey = editKey
        self.sessionID = sessionID
        self.timestamp = timestamp
        self.path = path
        self.hash = hash
        self.commitHint = commitHint
    }

    /// Whether the tool named `sha` as the commit holding this line.
    public func isHinted(for sha: String) -> Bool {
        guard let commitHint, commitHint.count >= 7 else { return false }
        return sha.hasPrefix(commitHint.lowercased())
    }

    /// Identifies the edit occurrence a committed line claims (with multiplicity).
    public var claimKey: ClaimKey { ClaimKey(tool: tool, editKey: editKey, hash: hash) }
}

/// The part of an AI-written line a claim records: which edit, which content.
public struct ClaimKey: Hashable, Sendable {
    public var tool: ToolKind
    public var editKey: String
    public var hash: LineHash
    public init(tool: ToolKind, editKey: String, hash: LineHash) {
        self.tool = tool
        self.editKey = editKey
        self.hash = hash
    }
}

/// Line identity: repository-relative path and content hash.
public struct PathLine: Hashable, Sendable, Comparable {
    public var path: String
    public var hash: LineHash
    public init(path: String, hash: LineHash) {
        self.path = path
        self.hash = hash
    }
    public static func < (lhs: PathLine, rhs: PathLine) -> Bool { (lhs.path, lhs.hash) < (rhs.path, rhs.hash) }
}
