import Foundation

/// What one record says about its session: merged in the store into one session row
/// (earliest start, latest end, every model and working directory seen).
public struct SessionObservation: Hashable, Sendable {
    public var tool: ToolKind
    public var sessionID: String
    public var cwd: String?
    public var timestamp: Date
    public var model: String?

    public init(tool: ToolKind, sessionID: String, cwd: String?, timestamp: Date, model: String? = nil) {
        self.tool = tool
        self.sessionID = sessionID
        self.cwd = cwd
        self.timestamp = timestamp
        self.model = model
    }
}
