import Foundation
internal import GRDB

/// The opt-in sharing settings (`aiusage share enable`): present only while sharing is
/// on. `aiusage share disable` deletes the row, token included.
public struct SharingSettings: Sendable, Equatable {
    public enum RepoNames: String, Sendable { case hashed, plain }

    public var server: String
    public var token: String
    public var named: Bool
    public var repoNames: RepoNames
    public var team: String
    /// Hex of the team key the server handed out, for HMAC of repository names.
    public var teamKey: String
    public var developer: String
    public var enabledAt: Date
    public var lastAttemptAt: Date?
    public var lastSuccessAt: Date?
    /// One line: "ok: ..." or the error of the last attempt.
    public var lastResult: String?

    public init(
        server: String, token: String, named: Bool, repoNames: RepoNames, team: String, teamKey: String, developer: String,
        enabledAt: Date, lastAttemptAt: Date? = nil, lastSuccessAt: Date? = nil, lastResult: String? = nil
    ) {
        self.server = server
        self.token = token
        self.named = named
        self.repoNames = repoNames
        self.team = team
        self.teamKey = teamKey
        self.developer = developer
        self.enabledAt = enabledAt
        self.lastAttemptAt = lastAttemptAt
        self.lastSuccessAt = lastSuccessAt
        self.lastResult = lastResult
    }
}

extension Store {
    /// The sharing settings, or nil while sharing is off.
    public func sharingSettings() throws -> SharingSettings? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sharing WHERE id = 1") else { return nil }
            return SharingSettings(
                server: row["server"], token: row["token"], named: row["named"],
                repoNames: SharingSettings.RepoNames(rawValue: row["repo_names"]) ?? .hashed, team: row["team"],
                teamKey: row["team_key"], developer: row["developer"],
                enabledAt: Date(timeIntervalSince1970: row["enabled_at"]),
                lastAttemptAt: (row["last_attempt_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                lastSuccessAt: (row["last_success_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                lastResult: row["last_result"])
        }
    }

    /// Turns sharing on (or replaces its settings).
    public func saveSharingSettings(_ settings: SharingSettings) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO sharing
                        (id, server, token, named, repo_names, team, team_key, developer, enabled_at,
                         last_attempt_at, last_success_at, last_result)
                    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    settings.server, settings.token, settings.named, settings.repoNames.rawValue, settings.team, settings.teamKey,
                    settings.developer, settings.enabledAt.timeIntervalSince1970, settings.lastAttemptAt?.timeIntervalSince1970,
                    settings.lastSuccessAt?.timeIntervalSince1970, settings.lastResult,
                ])
        }
    }

    /// Records an upload attempt; `success` also moves the last successful upload.
    public func recordUploadAttempt(at date: Date, success: Bool, result: String) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE sharing SET last_attempt_at = ?, last_result = ?,
                        last_success_at = CASE WHEN ? THEN ? ELSE last_success_at END
                    WHERE id = 1
                    """,
                arguments: [date.timeIntervalSince1970, result, success, date.timeIntervalSince1970])
        }
    }

    /// Turns sharing off: the settings, token included, are deleted.
    @discardableResult
    public func deleteSharingSettings() throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM sharing")
            return db.changesCount > 0
        }
    }
}
