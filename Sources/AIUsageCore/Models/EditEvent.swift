import Foundation

/// One file edit made by a tool call of a session: which significant lines it added.
///
/// Only line hashes are kept — never the code text (PRODUCT.md, "Privacy").
public struct EditEvent: Hashable, Sendable {
    public var tool: ToolKind
    public var sessionID: String
    public var timestamp: Date
    /// Identifies the edit across re-reads: the tool call id, plus an index when one
    /// call edits several places (MultiEdit, multi-file patches).
    public var dedupKey: String
    /// The path as the tool recorded it: absolute, or relative to `cwd`.
    public var filePath: String
    /// The session's working directory when the edit was made, to resolve relative paths.
    public var cwd: String?
    /// Hashes of the significant lines the edit added, with multiplicity.
    public var addedLines: [LineHash]
    /// The commit the tool itself says holds this edit (full or abbreviated sha), when it
    /// says so: Aider prints `Commit <sha>` after applying a reply's edits. The engine
    /// lets that commit claim the edit's lines first.
    public var commitHint: String?

    public init(
        tool: ToolKind, sessionID: String, timestamp: Date, dedupKey: String, filePath: String,
        cwd: String?, addedLines: [LineHash], commitHint: String? = nil
    ) {
        self.tool = tool
        self.sessionID = sessionID
        self.timestamp = timestamp
        self.dedupKey = dedupKey
        self.filePath = filePath
        self.cwd = cwd
        self.addedLines = addedLines
        self.commitHint = commitHint
    }

    /// The absolute path of the edited file, resolving a relative path against `cwd`.
    public var absolutePath: String {
        guard !filePath.hasPrefix("/"), let cwd else { return filePath }
        let base = cwd.hasSuffix("/") ? String(cwd.dropLast()) : cwd
        return base + "/" + filePath
    }
}
