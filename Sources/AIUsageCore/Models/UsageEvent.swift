import Foundation

/// One billed model request, as read from a tool's records.
public struct UsageEvent: Hashable, Sendable {
    public var tool: ToolKind
    public var sessionID: String
    public var timestamp: Date
    public var model: String
    public var tokens: TokenCounts
    /// Identifies the request across re-reads, rotations and subagent replays, so
    /// that storing the same request twice keeps one row (with the field-wise max).
    /// Claude Code: `message.id:requestId`; Codex: session id and cumulative total.
    public var dedupKey: String
    /// Cost the tool itself recorded, when it records one; otherwise priced later.
    public var recordedCostUSD: Double?

    public init(
        tool: ToolKind, sessionID: String, timestamp: Date, model: String, tokens: TokenCounts,
        dedupKey: String, recordedCostUSD: Double? = nil
    ) {
        self.tool = tool
        self.sessionID = sessionID
        self.timestamp = timestamp
        self.model = model
        self.tokens = tokens
        self.dedupKey = dedupKey
        self.recordedCostUSD = recordedCostUSD
    }
}
