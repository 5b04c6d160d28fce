import AIUsageServer
import AIUsageUploadContract
import Foundation
import Testing

/// Runs the shared storage suite, and what only a server database has (concurrent
/// migrations, concurrent uploads, connection errors), on PostgreSQL.
@Suite struct PostgresTeamStoreTests {
    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func sharedSuite() async throws {
        try await TestPostgres.withDatabases { databases in
            try await TeamStoreSuite(makeStore: { try await databases.makeStore() }).runAll()
        }
    }

    /// Two servers starting on one new database: the advisory lock makes one wait, then find
    /// the schema in place.
    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func twoProcessesMigrateAtOnce() async throws {
        try await TestPostgres.withDatabases { databases in
            let first = try await databases.makeUnmigratedStore()
            let second = try await databases.makeStore(sharingWith: first)
            async let one: Void = first.migrate()
            async let two: Void = second.migrate()
            _ = try await (one, two)
            _ = try await first.createTeam(name: "web", key: "k", createdAt: Date())
            #expect(try await second.teams().map(\.name) == ["web"])
            try await second.migrate()
        }
    }

    /// Uploads of one developer at the same time are applied one after the other: the rows of
    /// a day are replaced, never doubled.
    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func concurrentUploadsOfOneDeveloperNeverDouble() async throws {
        try await TestPostgres.withDatabases { databases in
            let store = try await databases.makeStore()
            let team = try await store.createTeam(name: "web", key: "k", createdAt: Date())
            let row = UsageRow(repo: "r", tool: "t", model: "m")
            let days = (1...9).map { UploadDay(day: "2026-11-0\($0)", rows: [row, row, row]) }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.replaceDays(teamID: team.id, developer: "a", named: true, days: days, at: Date()) }
                }
                for try await written in group { #expect(written == 27) }
            }
            #expect(try await store.rows(teamID: team.id, since: "2026-11-01", until: "2026-11-30").count == 27)
            #expect(try await store.deleteDeveloper(teamID: team.id, developer: "a") == 27)
        }
    }

    /// Sorting and range filters compare bytes, as SQLite does, whatever the server's locale.
    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func namesSortAsInSQLite() async throws {
        try await TestPostgres.withDatabases { databases in
            let store = try await databases.makeStore()
            for name in ["b", "B", "a-1", "a_1", "A"] { _ = try await store.createTeam(name: name, key: "k", createdAt: Date()) }
            #expect(try await store.teams().map(\.name) == ["A", "B", "a-1", "a_1", "b"])
        }
    }

    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func wrongPasswordAndMissingDatabaseAreOneLineErrors() async throws {
        var url = try PostgresDatabaseURL(try TestPostgres.requireURL())
        url.password = "wrong"
        do {
            _ = try await PostgresTeamStore.connect(url)
            Issue.record("connected with a wrong password")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("password authentication failed"))
            #expect(!error.description.contains("\n") && !error.description.contains("wrong"))
        }
        url = try PostgresDatabaseURL(try TestPostgres.requireURL())
        url.database = "aiusage_no_such_database"
        do {
            _ = try await PostgresTeamStore.connect(url)
            Issue.record("connected to a database that does not exist")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("database \"aiusage_no_such_database\" does not exist"))
        }
    }

    /// Needs no server: nothing listens on port 1.
    @Test func unreachableServerIsOneLineError() async throws {
        var configuration = ServerConfiguration(dataDirectory: "/nonexistent")
        configuration.databaseURL = "postgres://someone:secret@127.0.0.1:1/aiusage?sslmode=disable"
        do {
            _ = try await configuration.openStore()
            Issue.record("connected to port 1")
        } catch let error as ConfigurationError {
            #expect(
                error.description == "Cannot connect to PostgreSQL (database \"aiusage\" at 127.0.0.1:1 as someone): connection refused.")
        }
    }
}
