import AIUsageUploadContract
import Foundation

/// Everything the server keeps, behind one protocol so that the embedded SQLite store and the
/// PostgreSQL store are sibling implementations, and the same test suite runs on both.
///
/// Methods take and return plain values; an implementation owns its transactions. Every
/// method that changes more than one row does it atomically, because uploads must never be
/// half-applied (a crash mid-upload followed by a retry must not double count).
public protocol TeamStore: Sendable {
    /// Creates or upgrades the schema; safe to call on every start.
    func migrate() async throws

    /// Creates a team; throws `StoreError.duplicate` when the name is taken.
    func createTeam(name: String, key: String, createdAt: Date) async throws -> Team
    func team(named name: String) async throws -> Team?
    func teams() async throws -> [Team]

    /// Stores a token record (its hash only; the token itself is never stored).
    func insertToken(_ token: NewToken) async throws -> TokenRecord
    /// The token with this SHA-256 hex hash, revoked or not, with its team.
    func token(hash: String) async throws -> TokenRecord?
    /// Every token, revoked ones included, optionally of one team, in id order.
    func tokens(team: String?) async throws -> [TokenRecord]
    /// Marks a token revoked; returns false when there was no such token or it was already revoked.
    func revokeToken(id: Int64, at date: Date) async throws -> Bool

    /// Replaces, in one transaction, every row of `developer` for each day of `days` with
    /// that day's rows, and records the developer's naming choice. Returns rows written.
    func replaceDays(teamID: Int64, developer: String, named: Bool, days: [UploadDay], at date: Date) async throws -> Int
    /// The developer's naming choice from their latest upload; nil before any upload.
    func developerNamed(teamID: Int64, developer: String) async throws -> Bool?
    /// The developer's own rows, grouped by day in day order.
    func days(teamID: Int64, developer: String) async throws -> [UploadDay]
    /// Removes every row of the developer (and their naming record); returns rows removed.
    func deleteDeveloper(teamID: Int64, developer: String) async throws -> Int
    /// Every row of the team with `since <= day <= until` (ISO dates compare as strings).
    func rows(teamID: Int64, since: String, until: String) async throws -> [TeamRow]

    /// Stores a new dashboard session (its id's hash only).
    func createSession(_ session: DashboardSession) async throws
    /// The session with this id hash, if it exists and has not expired at `date`.
    func session(hash: String, at date: Date) async throws -> DashboardSession?
    /// Ends a session (logout); no error when there is none.
    func deleteSession(hash: String) async throws
    /// Removes every session expired at `date`; returns how many.
    @discardableResult func deleteExpiredSessions(at date: Date) async throws -> Int

    /// Releases connections and background work; call once, after the last use. A pooled store
    /// (PostgreSQL) needs it for a clean exit; the SQLite store has nothing to release.
    func close() async
}

/// Why a store refused an operation, as a struct over an internal enum so cases can be added.
public struct StoreError: Error, Equatable, CustomStringConvertible {
    enum Code: Equatable { case duplicate, notFound }
    let code: Code
    public let description: String

    public static func duplicate(_ what: String) -> StoreError { StoreError(code: .duplicate, description: "\(what) already exists") }
    public static func notFound(_ what: String) -> StoreError { StoreError(code: .notFound, description: "\(what) does not exist") }
    public var isDuplicate: Bool { code == .duplicate }
    public var isNotFound: Bool { code == .notFound }
}

public struct Team: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// Hex of 32 random bytes: the HMAC key clients hash repository names with.
    public var key: String
    public var createdAt: Date
}

/// What a token may do. Checked on every request together with the token's team.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Uploads, reads and deletes their own data.
    case member
    /// Reads the team summary.
    case viewer
    /// Both of the above.
    case admin

    var canUpload: Bool { self == .member || self == .admin }
    var canViewTeam: Bool { self == .viewer || self == .admin }
}

public struct NewToken: Sendable {
    public var teamID: Int64
    public var developer: String
    public var role: Role
    public var named: Bool
    /// The first characters of the token (`aiu_` and 8 hex digits), to recognise it in lists.
    public var prefix: String
    /// SHA-256 hex of the whole token.
    public var hash: String
    public var createdAt: Date

    public init(teamID: Int64, developer: String, role: Role, named: Bool, prefix: String, hash: String, createdAt: Date) {
        self.teamID = teamID
        self.developer = developer
        self.role = role
        self.named = named
        self.prefix = prefix
        self.hash = hash
        self.createdAt = createdAt
    }
}

public struct TokenRecord: Sendable, Equatable {
    public var id: Int64
    public var teamID: Int64
    public var team: String
    public var developer: String
    public var role: Role
    public var named: Bool
    public var prefix: String
    public var hash: String
    public var createdAt: Date
    public var revokedAt: Date?
    public var isRevoked: Bool { revokedAt != nil }
}

/// A stored row with whose it is, for the team summary.
public struct TeamRow: Sendable, Equatable {
    public var developer: String
    /// The developer's current naming choice (latest upload).
    public var named: Bool
    public var day: String
    public var row: UsageRow
}
