import AIUsageCore
import Foundation

/// What carries over to the next read of an Aider history: the open chat, the reply
/// being parsed, edits waiting for Aider's verdict or for their commit — as line
/// hashes and file names only, never code or prose.
struct AiderReadState: Codable, Equatable {
    /// An edit already handed out and not yet linked to a commit: when a `Commit <sha>`
    /// line claims it, it is handed out again (same key) with the sha as its hint.
    struct Uncommitted: Codable, Equatable {
        var key: String
        var file: String
        var added: [Int64]
        var time: Double
    }

    /// The last `Tokens:` line's event, while the next line may still be its cost:
    /// Aider wraps long usage lines, putting `Cost: $… message` on a line of its own.
    struct LastUsage: Codable, Equatable {
        var key: String
        var tokens: TokenCounts
        var model: String
        var time: Double
    }

    var sessionID: String?
    var start: Double?
    var model: String?
    /// Edit format of the main model, and of the editor model (architect mode).
    var editFormat: String?
    var editorFormat: String?
    var usageCount = 0
    var appliedCount = 0
    var partialCount = 0
    /// Seconds after the chat's start given to the next event: one per user message
    /// and per model request, so a chat's times keep the order of its events.
    var clock = 0

    var lastUsage: LastUsage?
    var reply = AiderReplyParser()
    /// Complete edits of the current reply waiting for `Applied edit to` or a failure report.
    var proposed: [AiderProposedEdit] = []
    var failure: AiderFailureReport?
    var uncommitted: [Uncommitted] = []

    /// Inside a run of Aider output lines (`> `).
    var inOutput = false
    /// That run said what became of the reply's edits (applied or failed).
    var outputResolved = false
    /// Files whose edits were applied in the current output run (Aider commits exactly these).
    var appliedFiles: [String] = []
    /// Files named by "Committing <file> before applying edits." (a dirty commit).
    var dirtyFiles: [String] = []
    /// The user's last message was the `/commit` command (its commit takes every edit).
    var userCommitCommand = false
    var lastWasUser = false
    /// A line came outside any chat (counted once per read as a shape drift).
    var sawOrphanLine = false

    /// The multiset of exact lines of files whose whole text this chat has seen (from a
    /// whole-file listing), kept up to date by later edits: the old text of the next
    /// listing of the same file. Bounded by `AiderReadState.knownLineLimit`.
    var known: [String: [UInt64]] = [:]

    static let knownLineLimit = 20_000
    static let uncommittedLimit = 2_000

    static func decode(_ data: Data?) -> AiderReadState {
        guard let data, let state = try? JSONDecoder().decode(AiderReadState.self, from: data) else { return AiderReadState() }
        return state
    }

    func encoded() -> Data? { try? JSONEncoder().encode(self) }
}
