import Crypto
import Foundation

/// A dashboard login: the cookie carries a random session id, never the bearer token, and
/// the store keeps only the id's SHA-256, so neither a stolen cookie jar nor a copy of the
/// database yields a token that works on the API. Sessions expire (`lifetime`), and every
/// request checks the token behind the session again, so revoking it ends its sessions.
public struct DashboardSession: Sendable, Equatable {
    /// SHA-256 hex of the session id.
    public var hash: String
    /// The SHA-256 hex of the token the viewer logged in with, checked again on every request.
    public var tokenHash: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(hash: String, tokenHash: String, createdAt: Date, expiresAt: Date) {
        self.hash = hash
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Eight hours: a working day, after which the viewer logs in again.
    public static let lifetime: TimeInterval = 8 * 3600

    /// The token that protects a form of this session against cross-site requests: derived
    /// from the secret id (which the page never shows), so the store needs no second column,
    /// and unguessable without the cookie.
    public static func csrfToken(sessionID: String) -> String {
        Tokens.hex(SHA256.hash(data: Data("aiusage-csrf:\(sessionID)".utf8)))
    }
}
