import AIUsageUploadContract
import Foundation
import PostgresNIO

/// The store for a team that already runs PostgreSQL, or wants several server processes:
/// the same tables and behaviour as `SQLiteTeamStore` (see `PostgresMigrations`), through a
/// postgres-nio `PostgresClient` pool. Every value goes to the server as a bound parameter.
///
/// The pool needs its `run()` going, so the store owns that background task; `close()` ends
/// it (closing the connections) and must be called once the store is no longer used.
public final class PostgresTeamStore: TeamStore {
    public let url: PostgresDatabaseURL
    let client: PostgresClient
    let runner: Task<Void, Never>
    let logger: Logger

    /// Connects once, outside the pool, so that a wrong address, password or database name is
    /// one clear error now rather than requests waiting on a pool that keeps retrying; then
    /// starts the pool. Throws `ConfigurationError` worded for the command line.
    public static func connect(_ url: PostgresDatabaseURL, logger: Logger = defaultLogger) async throws -> PostgresTeamStore {
        do {
            let probe = try await PostgresConnection.connect(configuration: try url.connectionConfiguration, id: 0, logger: logger)
            try? await probe.close()
        } catch {
            throw ConfigurationError("Cannot connect to PostgreSQL (\(url.redacted)): \(PostgresStoreError.reason(error)).")
        }
        return PostgresTeamStore(url: url, logger: logger)
    }

    /// Errors only. The pool warns when a query comes before `run()` has flagged itself as
    /// running, which happens right after start-up and is harmless (the query waits for the
    /// pool); and a failed query already reaches the caller, and the server's log, as an error.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "aiusage-server.postgres")
        logger.logLevel = .error
        return logger
    }

    init(url: PostgresDatabaseURL, logger: Logger) {
        self.url = url
        self.logger = logger
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Cancelling `run()` is how postgres-nio closes a client: idle connections close at once,
    /// leased ones when their query ends.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    /// Runs `body`, rewording postgres-nio's errors (see `PostgresStoreError`).
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw PostgresStoreError.wrapping(error)
        }
    }

    /// One transaction on one pooled connection: committed when `body` returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await run {
            do {
                return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch let error as PostgresTransactionError {
                // Our own refusals (StoreError) come back wrapped; unwrap them for the caller.
                if let inner = error.closureError as? StoreError { throw inner }
                throw error
            }
        }
    }

    /// All rows of `query`, with their columns by name.
    func fetch(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await run { try await client.query(query, logger: logger).collect().map(PostgresRandomAccessRow.init) }
    }

    public func migrate() async throws {
        try await run {
            try await client.withConnection { connection in try await PostgresMigrations.apply(on: connection, logger: logger) }
        }
    }

    public func createTeam(name: String, key: String, createdAt: Date) async throws -> Team {
        do {
            let rows = try await fetch(
                "INSERT INTO teams (name, key, created_at) VALUES (\(name), \(key), \(createdAt.timeIntervalSince1970)) RETURNING id")
            return Team(id: try rows[0]["id"].decode(Int64.self), name: name, key: key, createdAt: createdAt)
        } catch let error as PostgresStoreError where error.sqlState == Self.uniqueViolation {
            throw StoreError.duplicate("team \(name)")
        }
    }

    public func team(named name: String) async throws -> Team? {
        try await fetch("SELECT * FROM teams WHERE name = \(name)").first.map(Self.team)
    }

    public func teams() async throws -> [Team] {
        try await fetch("SELECT * FROM teams ORDER BY name").map(Self.team)
    }

    public func insertToken(_ token: NewToken) async throws -> TokenRecord {
        do {
            return try await transaction { connection in
                let teams = try await connection.query("SELECT name FROM teams WHERE id = \(token.teamID)", logger: logger).collect()
                guard let team = teams.first else { throw StoreError.notFound("team #\(token.teamID)") }
                let inserted = try await connection.query(
                    """
                    INSERT INTO tokens (team_id, developer, role, named, prefix, hash, created_at)
                    VALUES (\(token.teamID), \(token.developer), \(token.role.rawValue), \(token.named), \(token.prefix),
                        \(token.hash), \(token.createdAt.timeIntervalSince1970))
                    RETURNING id
                    """,
                    logger: logger
                ).collect()
                return TokenRecord(
                    id: try inserted[0].decode(Int64.self), teamID: token.teamID, team: try team.decode(String.self),
                    developer: token.developer, role: token.role, named: token.named, prefix: token.prefix, hash: token.hash,
                    createdAt: token.createdAt, revokedAt: nil)
            }
        } catch let error as PostgresStoreError where error.sqlState == Self.uniqueViolation {
            throw StoreError.duplicate("token \(token.prefix)")
        }
    }

    public func token(hash: String) async throws -> TokenRecord? {
        try await fetch(
            """
            SELECT tokens.*, teams.name AS team_name FROM tokens JOIN teams ON teams.id = tokens.team_id
            WHERE tokens.hash = \(hash)
            """
        ).first.map(Self.token)
    }

    public func tokens(team: String?) async throws -> [TokenRecord] {
        if let team {
            return try await fetch(
                """
                SELECT tokens.*, teams.name AS team_name FROM tokens JOIN teams ON teams.id = tokens.team_id
                WHERE teams.name = \(team) ORDER BY tokens.id
                """
            ).map(Self.token)
        }
        return try await fetch(
            """
            SELECT tokens.*, teams.name AS team_name FROM tokens JOIN teams ON teams.id = tokens.team_id ORDER BY tokens.id
            """
        ).map(Self.token)
    }

    public func revokeToken(id: Int64, at date: Date) async throws -> Bool {
        let revoked = try await fetch(
            "UPDATE tokens SET revoked_at = \(date.timeIntervalSince1970) WHERE id = \(id) AND revoked_at IS NULL RETURNING id")
        return !revoked.isEmpty
    }

    public func replaceDays(teamID: Int64, developer: String, named: Bool, days: [UploadDay], at date: Date) async throws -> Int {
        // A day listed twice keeps its last rows, as the SQLite store's delete-then-insert per day does
        // (the API refuses such uploads anyway); the count is of every row given, as there.
        var latest: [String: [UsageRow]] = [:]
        for day in days { latest[day.day] = day.rows }
        let dayNames = days.map(\.day).reduce(into: [String]()) { names, day in if !names.contains(day) { names.append(day) } }
        let columns = UsageColumns(dayNames.flatMap { day in latest[day, default: []].map { (day, $0) } })
        return try await transaction { connection in
            // The upsert comes first on purpose: it locks this developer's row until commit, so two
            // uploads of the same developer run one after the other and the second one's DELETE sees
            // the first one's rows. Without it, both could delete the old rows, then both insert.
            try await connection.query(
                """
                INSERT INTO developers (team_id, email, named, updated_at)
                VALUES (\(teamID), \(developer), \(named), \(date.timeIntervalSince1970))
                ON CONFLICT (team_id, email) DO UPDATE SET named = excluded.named, updated_at = excluded.updated_at
                """,
                logger: logger)
            try await connection.query(
                "DELETE FROM usage_rows WHERE team_id = \(teamID) AND developer = \(developer) AND day = ANY(\(dayNames))",
                logger: logger)
            // One statement for all rows: each column travels as one array parameter.
            if !columns.day.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO usage_rows (team_id, developer, day, repo, tool, model, sessions,
                        input, output, cache_write, cache_read, reasoning, cost_usd, unpriced_tokens, wasted_cost_usd,
                        ai_lines_written, ai_lines_committed, ai_lines_landed, ai_lines_surviving, ai_lines_pending,
                        ai_lines_churned, human_lines_committed, commits, ai_assisted_commits, landed_ai_assisted_commits)
                    SELECT \(teamID), \(developer), day, repo, tool, model, sessions,
                        input, output, cache_write, cache_read, reasoning, cost_usd, unpriced_tokens, wasted_cost_usd,
                        ai_lines_written, ai_lines_committed, ai_lines_landed, ai_lines_surviving, ai_lines_pending,
                        ai_lines_churned, human_lines_committed, commits, ai_assisted_commits, landed_ai_assisted_commits
                    FROM UNNEST(
                        \(columns.day)::text[], \(columns.repo)::text[], \(columns.tool)::text[], \(columns.model)::text[],
                        \(columns.sessions)::bigint[], \(columns.input)::bigint[], \(columns.output)::bigint[],
                        \(columns.cacheWrite)::bigint[], \(columns.cacheRead)::bigint[], \(columns.reasoning)::bigint[],
                        \(columns.costUSD)::float8[], \(columns.unpricedTokens)::bigint[], \(columns.wastedCostUSD)::float8[],
                        \(columns.aiLinesWritten)::bigint[], \(columns.aiLinesCommitted)::bigint[], \(columns.aiLinesLanded)::bigint[],
                        \(columns.aiLinesSurviving)::bigint[], \(columns.aiLinesPending)::bigint[], \(columns.aiLinesChurned)::bigint[],
                        \(columns.humanLinesCommitted)::bigint[], \(columns.commits)::bigint[], \(columns.aiAssistedCommits)::bigint[],
                        \(columns.landedAIAssistedCommits)::bigint[]
                    ) WITH ORDINALITY AS given(day, repo, tool, model, sessions,
                        input, output, cache_write, cache_read, reasoning, cost_usd, unpriced_tokens, wasted_cost_usd,
                        ai_lines_written, ai_lines_committed, ai_lines_landed, ai_lines_surviving, ai_lines_pending,
                        ai_lines_churned, human_lines_committed, commits, ai_assisted_commits, landed_ai_assisted_commits, position)
                    ORDER BY position
                    """,
                    logger: logger)
            }
            return days.reduce(0) { $0 + $1.rows.count }
        }
    }

    public func developerNamed(teamID: Int64, developer: String) async throws -> Bool? {
        try await fetch("SELECT named FROM developers WHERE team_id = \(teamID) AND email = \(developer)")
            .first.map { try $0["named"].decode(Bool.self) }
    }

    public func days(teamID: Int64, developer: String) async throws -> [UploadDay] {
        let rows = try await fetch(
            "SELECT * FROM usage_rows WHERE team_id = \(teamID) AND developer = \(developer) ORDER BY day, id")
        var days: [UploadDay] = []
        for row in rows {
            let day = try row["day"].decode(String.self)
            if days.last?.day != day { days.append(UploadDay(day: day, rows: [])) }
            days[days.count - 1].rows.append(try Self.usage(row))
        }
        return days
    }

    public func deleteDeveloper(teamID: Int64, developer: String) async throws -> Int {
        try await transaction { connection in
            // The naming record goes first: deleting it waits for an upload of this developer in
            // progress (which holds that row), so the rows deleted next include the upload's.
            try await connection.query(
                "DELETE FROM developers WHERE team_id = \(teamID) AND email = \(developer)", logger: logger)
            return try await connection.query(
                "DELETE FROM usage_rows WHERE team_id = \(teamID) AND developer = \(developer) RETURNING id", logger: logger
            ).collect().count
        }
    }

    public func rows(teamID: Int64, since: String, until: String) async throws -> [TeamRow] {
        try await fetch(
            """
            SELECT usage_rows.*, COALESCE(developers.named, FALSE) AS developer_named FROM usage_rows
            LEFT JOIN developers ON developers.team_id = usage_rows.team_id AND developers.email = usage_rows.developer
            WHERE usage_rows.team_id = \(teamID) AND usage_rows.day >= \(since) AND usage_rows.day <= \(until)
            ORDER BY usage_rows.day, usage_rows.developer, usage_rows.id
            """
        ).map { row in
            TeamRow(
                developer: try row["developer"].decode(String.self), named: try row["developer_named"].decode(Bool.self),
                day: try row["day"].decode(String.self), row: try Self.usage(row))
        }
    }

    // MARK: Dashboard sessions

    public func createSession(_ session: DashboardSession) async throws {
        _ = try await fetch(
            """
            INSERT INTO dashboard_sessions (hash, token_hash, created_at, expires_at)
            VALUES (\(session.hash), \(session.tokenHash), \(session.createdAt.timeIntervalSince1970),
                \(session.expiresAt.timeIntervalSince1970))
            """)
    }

    public func session(hash: String, at date: Date) async throws -> DashboardSession? {
        try await fetch(
            "SELECT * FROM dashboard_sessions WHERE hash = \(hash) AND expires_at > \(date.timeIntervalSince1970)"
        ).first.map { row in
            DashboardSession(
                hash: try row["hash"].decode(String.self), tokenHash: try row["token_hash"].decode(String.self),
                createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self)),
                expiresAt: Date(timeIntervalSince1970: try row["expires_at"].decode(Double.self)))
        }
    }

    public func deleteSession(hash: String) async throws {
        _ = try await fetch("DELETE FROM dashboard_sessions WHERE hash = \(hash)")
    }

    @discardableResult public func deleteExpiredSessions(at date: Date) async throws -> Int {
        try await fetch("DELETE FROM dashboard_sessions WHERE expires_at <= \(date.timeIntervalSince1970) RETURNING hash").count
    }

    // MARK: Row decoding

    static let uniqueViolation = "23505"

    static func team(_ row: PostgresRandomAccessRow) throws -> Team {
        Team(
            id: try row["id"].decode(Int64.self), name: try row["name"].decode(String.self), key: try row["key"].decode(String.self),
            createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self)))
    }

    static func token(_ row: PostgresRandomAccessRow) throws -> TokenRecord {
        let revoked = try row["revoked_at"].decode(Double?.self)
        return TokenRecord(
            id: try row["id"].decode(Int64.self), teamID: try row["team_id"].decode(Int64.self),
            team: try row["team_name"].decode(String.self), developer: try row["developer"].decode(String.self),
            role: Role(rawValue: try row["role"].decode(String.self)) ?? .viewer, named: try row["named"].decode(Bool.self),
            prefix: try row["prefix"].decode(String.self), hash: try row["hash"].decode(String.self),
            createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self)),
            revokedAt: revoked.map(Date.init(timeIntervalSince1970:)))
    }

    static func usage(_ row: PostgresRandomAccessRow) throws -> UsageRow {
        func int(_ column: String) throws -> Int64 { try row[column].decode(Int64.self) }
        var usage = UsageRow(
            repo: try row["repo"].decode(String.self), tool: try row["tool"].decode(String.self),
            model: try row["model"].decode(String.self))
        usage.sessions = try int("sessions")
        usage.input = try int("input")
        usage.output = try int("output")
        usage.cacheWrite = try int("cache_write")
        usage.cacheRead = try int("cache_read")
        usage.reasoning = try int("reasoning")
        usage.costUSD = try row["cost_usd"].decode(Double.self)
        usage.unpricedTokens = try int("unpriced_tokens")
        usage.wastedCostUSD = try row["wasted_cost_usd"].decode(Double.self)
        usage.aiLinesWritten = try int("ai_lines_written")
        usage.aiLinesCommitted = try int("ai_lines_committed")
        usage.aiLinesLanded = try int("ai_lines_landed")
        usage.aiLinesSurviving = try int("ai_lines_surviving")
        usage.aiLinesPending = try int("ai_lines_pending")
        usage.aiLinesChurned = try int("ai_lines_churned")
        usage.humanLinesCommitted = try int("human_lines_committed")
        usage.commits = try int("commits")
        usage.aiAssistedCommits = try int("ai_assisted_commits")
        usage.landedAIAssistedCommits = try int("landed_ai_assisted_commits")
        return usage
    }
}
