import AIUsageUploadContract
import Foundation
import GRDB

/// The embedded default store: one SQLite file in the server's data folder, through a GRDB
/// `DatabasePool` (WAL), so reads of the summary never wait for an upload being written.
public final class SQLiteTeamStore: TeamStore {
    let pool: DatabasePool

    /// Opens (creating if needed) the database file at `path`. Call `migrate()` before use.
    public init(path: String) throws {
        var configuration = Configuration()
        // Admin commands may run while the server writes; wait for the lock instead of failing.
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        pool = try DatabasePool(path: path, configuration: configuration)
    }

    /// Named, ordered migrations (GRDB `DatabaseMigrator`); never edit one that has shipped,
    /// and keep the same sequence in the PostgreSQL store.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-teams-tokens-rows") { db in
            try db.execute(
                sql: """
                    CREATE TABLE teams (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE,
                        key TEXT NOT NULL,
                        created_at DOUBLE NOT NULL
                    );
                    CREATE TABLE tokens (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        team_id INTEGER NOT NULL REFERENCES teams(id),
                        developer TEXT NOT NULL,
                        role TEXT NOT NULL,
                        named INTEGER NOT NULL,
                        prefix TEXT NOT NULL,
                        hash TEXT NOT NULL UNIQUE,
                        created_at DOUBLE NOT NULL,
                        revoked_at DOUBLE
                    );
                    CREATE TABLE developers (
                        team_id INTEGER NOT NULL REFERENCES teams(id),
                        email TEXT NOT NULL,
                        named INTEGER NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        PRIMARY KEY (team_id, email)
                    );
                    CREATE TABLE usage_rows (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        team_id INTEGER NOT NULL REFERENCES teams(id),
                        developer TEXT NOT NULL,
                        day TEXT NOT NULL,
                        repo TEXT NOT NULL, tool TEXT NOT NULL, model TEXT NOT NULL,
                        sessions INTEGER NOT NULL,
                        input INTEGER NOT NULL, output INTEGER NOT NULL, cache_write INTEGER NOT NULL,
                        cache_read INTEGER NOT NULL, reasoning INTEGER NOT NULL,
                        cost_usd DOUBLE NOT NULL, unpriced_tokens INTEGER NOT NULL, wasted_cost_usd DOUBLE NOT NULL,
                        ai_lines_written INTEGER NOT NULL, ai_lines_committed INTEGER NOT NULL,
                        ai_lines_landed INTEGER NOT NULL, ai_lines_surviving INTEGER NOT NULL,
                        ai_lines_pending INTEGER NOT NULL, ai_lines_churned INTEGER NOT NULL,
                        human_lines_committed INTEGER NOT NULL, commits INTEGER NOT NULL,
                        ai_assisted_commits INTEGER NOT NULL, landed_ai_assisted_commits INTEGER NOT NULL
                    );
                    CREATE INDEX usage_rows_developer_day ON usage_rows(team_id, developer, day);
                    CREATE INDEX usage_rows_team_day ON usage_rows(team_id, day);
                    """)
        }
        migrator.registerMigration("v2-dashboard-sessions") { db in
            // Dashboard logins: the id's SHA-256 (never the id), the token's hash, expiry.
            try db.execute(
                sql: """
                    CREATE TABLE dashboard_sessions (
                        hash TEXT PRIMARY KEY,
                        token_hash TEXT NOT NULL REFERENCES tokens(hash),
                        created_at DOUBLE NOT NULL,
                        expires_at DOUBLE NOT NULL
                    );
                    CREATE INDEX dashboard_sessions_expires ON dashboard_sessions(expires_at);
                    """)
        }
        return migrator
    }

    public func migrate() async throws {
        try Self.migrator.migrate(pool)
    }

    /// Nothing to do: the pool closes its file when the store is released, and a store may
    /// still be read after `close()` in tests that share it.
    public func close() async {}

    public func createTeam(name: String, key: String, createdAt: Date) async throws -> Team {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM teams WHERE name = ?", arguments: [name]) != nil {
                throw StoreError.duplicate("team \(name)")
            }
            try db.execute(
                sql: "INSERT INTO teams (name, key, created_at) VALUES (?, ?, ?)",
                arguments: [name, key, createdAt.timeIntervalSince1970])
            return Team(id: db.lastInsertedRowID, name: name, key: key, createdAt: createdAt)
        }
    }

    public func team(named name: String) async throws -> Team? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM teams WHERE name = ?", arguments: [name]).map(Self.team)
        }
    }

    public func teams() async throws -> [Team] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM teams ORDER BY name").map(Self.team) }
    }

    public func insertToken(_ token: NewToken) async throws -> TokenRecord {
        try await pool.write { db in
            guard let team = try Row.fetchOne(db, sql: "SELECT name FROM teams WHERE id = ?", arguments: [token.teamID]) else {
                throw StoreError.notFound("team #\(token.teamID)")
            }
            try db.execute(
                sql: """
                    INSERT INTO tokens (team_id, developer, role, named, prefix, hash, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    token.teamID, token.developer, token.role.rawValue, token.named, token.prefix, token.hash,
                    token.createdAt.timeIntervalSince1970,
                ])
            return TokenRecord(
                id: db.lastInsertedRowID, teamID: token.teamID, team: team["name"], developer: token.developer,
                role: token.role, named: token.named, prefix: token.prefix, hash: token.hash,
                createdAt: token.createdAt, revokedAt: nil)
        }
    }

    static let tokenSelect = "SELECT tokens.*, teams.name AS team_name FROM tokens JOIN teams ON teams.id = tokens.team_id"

    public func token(hash: String) async throws -> TokenRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "\(Self.tokenSelect) WHERE tokens.hash = ?", arguments: [hash]).map(Self.token)
        }
    }

    public func tokens(team: String?) async throws -> [TokenRecord] {
        try await pool.read { db in
            if let team {
                return try Row.fetchAll(db, sql: "\(Self.tokenSelect) WHERE teams.name = ? ORDER BY tokens.id", arguments: [team])
                    .map(Self.token)
            }
            return try Row.fetchAll(db, sql: "\(Self.tokenSelect) ORDER BY tokens.id").map(Self.token)
        }
    }

    public func revokeToken(id: Int64, at date: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                arguments: [date.timeIntervalSince1970, id])
            return db.changesCount > 0
        }
    }

    public func replaceDays(teamID: Int64, developer: String, named: Bool, days: [UploadDay], at date: Date) async throws -> Int {
        // `pool.write` is one transaction: all days are replaced, or none is.
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO developers (team_id, email, named, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (team_id, email) DO UPDATE SET named = excluded.named, updated_at = excluded.updated_at
                    """,
                arguments: [teamID, developer, named, date.timeIntervalSince1970])
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO usage_rows (team_id, developer, day, repo, tool, model, sessions,
                        input, output, cache_write, cache_read, reasoning, cost_usd, unpriced_tokens, wasted_cost_usd,
                        ai_lines_written, ai_lines_committed, ai_lines_landed, ai_lines_surviving, ai_lines_pending,
                        ai_lines_churned, human_lines_committed, commits, ai_assisted_commits, landed_ai_assisted_commits)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            var written = 0
            for day in days {
                try db.execute(
                    sql: "DELETE FROM usage_rows WHERE team_id = ? AND developer = ? AND day = ?",
                    arguments: [teamID, developer, day.day])
                for row in day.rows {
                    try insert.execute(arguments: [
                        teamID, developer, day.day, row.repo, row.tool, row.model, row.sessions,
                        row.input, row.output, row.cacheWrite, row.cacheRead, row.reasoning,
                        row.costUSD, row.unpricedTokens, row.wastedCostUSD,
                        row.aiLinesWritten, row.aiLinesCommitted, row.aiLinesLanded, row.aiLinesSurviving,
                        row.aiLinesPending, row.aiLinesChurned, row.humanLinesCommitted, row.commits,
                        row.aiAssistedCommits, row.landedAIAssistedCommits,
                    ])
                    written += 1
                }
            }
            return written
        }
    }

    public func developerNamed(teamID: Int64, developer: String) async throws -> Bool? {
        try await pool.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT named FROM developers WHERE team_id = ? AND email = ?", arguments: [teamID, developer])
        }
    }

    public func days(teamID: Int64, developer: String) async throws -> [UploadDay] {
        let rows = try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM usage_rows WHERE team_id = ? AND developer = ? ORDER BY day, id",
                arguments: [teamID, developer]
            ).map { row -> (day: String, usage: UsageRow) in (row["day"], Self.usage(row)) }
        }
        var days: [UploadDay] = []
        for (day, usage) in rows {
            if days.last?.day != day { days.append(UploadDay(day: day, rows: [])) }
            days[days.count - 1].rows.append(usage)
        }
        return days
    }

    public func deleteDeveloper(teamID: Int64, developer: String) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM usage_rows WHERE team_id = ? AND developer = ?", arguments: [teamID, developer])
            let deleted = db.changesCount
            try db.execute(sql: "DELETE FROM developers WHERE team_id = ? AND email = ?", arguments: [teamID, developer])
            return deleted
        }
    }

    public func rows(teamID: Int64, since: String, until: String) async throws -> [TeamRow] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT usage_rows.*, COALESCE(developers.named, 0) AS developer_named FROM usage_rows
                    LEFT JOIN developers ON developers.team_id = usage_rows.team_id AND developers.email = usage_rows.developer
                    WHERE usage_rows.team_id = ? AND usage_rows.day >= ? AND usage_rows.day <= ?
                    ORDER BY usage_rows.day, usage_rows.developer, usage_rows.id
                    """,
                arguments: [teamID, since, until]
            ).map { row in
                TeamRow(developer: row["developer"], named: row["developer_named"], day: row["day"], row: Self.usage(row))
            }
        }
    }

    // MARK: Dashboard sessions

    public func createSession(_ session: DashboardSession) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO dashboard_sessions (hash, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [
                    session.hash, session.tokenHash, session.createdAt.timeIntervalSince1970,
                    session.expiresAt.timeIntervalSince1970,
                ])
        }
    }

    public func session(hash: String, at date: Date) async throws -> DashboardSession? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM dashboard_sessions WHERE hash = ? AND expires_at > ?",
                arguments: [hash, date.timeIntervalSince1970]
            ).map { row in
                DashboardSession(
                    hash: row["hash"], tokenHash: row["token_hash"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                    expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
            }
        }
    }

    public func deleteSession(hash: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM dashboard_sessions WHERE hash = ?", arguments: [hash]) }
    }

    @discardableResult public func deleteExpiredSessions(at date: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE expires_at <= ?", arguments: [date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    // MARK: Row decoding

    static func team(_ row: Row) -> Team {
        Team(id: row["id"], name: row["name"], key: row["key"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    static func token(_ row: Row) -> TokenRecord {
        let revoked: Double? = row["revoked_at"]
        return TokenRecord(
            id: row["id"], teamID: row["team_id"], team: row["team_name"], developer: row["developer"],
            role: Role(rawValue: row["role"]) ?? .viewer, named: row["named"], prefix: row["prefix"], hash: row["hash"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), revokedAt: revoked.map(Date.init(timeIntervalSince1970:)))
    }

    static func usage(_ row: Row) -> UsageRow {
        var usage = UsageRow(repo: row["repo"], tool: row["tool"], model: row["model"])
        usage.sessions = row["sessions"]
        usage.input = row["input"]
        usage.output = row["output"]
        usage.cacheWrite = row["cache_write"]
        usage.cacheRead = row["cache_read"]
        usage.reasoning = row["reasoning"]
        usage.costUSD = row["cost_usd"]
        usage.unpricedTokens = row["unpriced_tokens"]
        usage.wastedCostUSD = row["wasted_cost_usd"]
        usage.aiLinesWritten = row["ai_lines_written"]
        usage.aiLinesCommitted = row["ai_lines_committed"]
        usage.aiLinesLanded = row["ai_lines_landed"]
        usage.aiLinesSurviving = row["ai_lines_surviving"]
        usage.aiLinesPending = row["ai_lines_pending"]
        usage.aiLinesChurned = row["ai_lines_churned"]
        usage.humanLinesCommitted = row["human_lines_committed"]
        usage.commits = row["commits"]
        usage.aiAssistedCommits = row["ai_assisted_commits"]
        usage.landedAIAssistedCommits = row["landed_ai_assisted_commits"]
        return usage
    }
}
