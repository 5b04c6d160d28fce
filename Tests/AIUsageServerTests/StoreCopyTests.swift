import AIUsageServer
import AIUsageUploadContract
import Foundation
import Testing
import _AIUsageTestSupport

/// `aiusage-server copy-to`: moving a team server to another database keeps every team key,
/// token (as its hash, revoked or not), developer naming choice and row.
@Suite struct StoreCopyTests {
    /// Two teams, four tokens (one revoked), two developers' rows over three days.
    static func filledStore(_ store: any TeamStore) async throws {
        let web = try await store.createTeam(
            name: "web", key: String(repeating: "ab", count: 32), createdAt: Date(timeIntervalSince1970: 1000))
        let app = try await store.createTeam(
            name: "app", key: String(repeating: "cd", count: 32), createdAt: Date(timeIntervalSince1970: 2000))
        func token(_ team: Team, _ developer: String, _ role: Role, _ hash: String, named: Bool = false) async throws -> TokenRecord {
            try await store.insertToken(
                NewToken(
                    teamID: team.id, developer: developer, role: role, named: named, prefix: "aiu_" + hash.prefix(8), hash: hash,
                    createdAt: Date(timeIntervalSince1970: 3000)))
        }
        _ = try await token(web, "a@example.com", .member, String(repeating: "1", count: 64), named: true)
        let revoked = try await token(web, "b@example.com", .member, String(repeating: "2", count: 64))
        _ = try await token(web, "lead@example.com", .viewer, String(repeating: "3", count: 64))
        _ = try await token(app, "a@example.com", .admin, String(repeating: "4", count: 64))
        #expect(try await store.revokeToken(id: revoked.id, at: Date(timeIntervalSince1970: 4000)))
        var row = UsageRow(repo: String(repeating: "ef", count: 32), tool: "claude-code", model: "claude-sonnet-4-5")
        row.sessions = 2
        row.costUSD = 1.25
        row.aiLinesLanded = 7
        var other = UsageRow(repo: "acme/shop", tool: "codex", model: "gpt-5-codex")
        other.input = 1000
        other.aiLinesWritten = 3
        _ = try await store.replaceDays(
            teamID: web.id, developer: "a@example.com", named: true,
            days: [
                UploadDay(day: "2026-11-01", rows: [row, other]), UploadDay(day: "2026-11-02", rows: [row]),
            ], at: Date())
        _ = try await store.replaceDays(
            teamID: web.id, developer: "b@example.com", named: false,
            days: [
                UploadDay(day: "2026-11-02", rows: [other])
            ], at: Date())
        _ = try await store.replaceDays(
            teamID: app.id, developer: "a@example.com", named: false,
            days: [
                UploadDay(day: "2026-10-30", rows: [row])
            ], at: Date())
    }

    /// What a store holds, without its own ids, in a stable order.
    static func contents(_ store: any TeamStore) async throws -> [String] {
        var lines: [String] = []
        for team in try await store.teams() {
            lines.append("team \(team.name) \(team.key) \(team.createdAt.timeIntervalSince1970)")
            for token in try await store.tokens(team: team.name) {
                lines.append(
                    "token \(token.team) \(token.developer) \(token.role) \(token.named) \(token.prefix) \(token.hash) \(token.createdAt.timeIntervalSince1970) \(token.revokedAt.map { "\($0.timeIntervalSince1970)" } ?? "-")"
                )
            }
            for row in try await store.rows(teamID: team.id, since: "0000-01-01", until: "9999-12-31") {
                lines.append("row \(team.name) \(row.developer) \(row.named) \(row.day) \(row.row)")
            }
            for developer in ["a@example.com", "b@example.com"] {
                lines.append(
                    "named \(team.name) \(developer) \(String(describing: try await store.developerNamed(teamID: team.id, developer: developer)))"
                )
            }
        }
        return lines.sorted()
    }

    func sqliteStore(_ directory: TemporaryDirectory, _ name: String) async throws -> SQLiteTeamStore {
        let store = try SQLiteTeamStore(path: directory.path + "/\(name).sqlite")
        try await store.migrate()
        return store
    }

    @Test func copiesEverythingIntoAnEmptyStore() async throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-server-copy")
        let source = try await sqliteStore(directory, "source")
        try await Self.filledStore(source)
        let destination = try await sqliteStore(directory, "destination")
        let summary = try await StoreCopy.copy(from: source, to: destination)
        #expect(summary == StoreCopy.Summary(teams: 2, tokens: 4, developers: 3, rows: 5))
        let copied = try await Self.contents(destination)
        #expect(copied == (try await Self.contents(source)))
        #expect(copied.count > 10)
        // A revoked token stays revoked; a live one still authenticates by its hash.
        #expect(try await destination.token(hash: String(repeating: "2", count: 64))?.isRevoked == true)
        #expect(try await destination.token(hash: String(repeating: "1", count: 64))?.isRevoked == false)
    }

    @Test func refusesADestinationThatHasTeams() async throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-server-copy")
        let source = try await sqliteStore(directory, "source")
        try await Self.filledStore(source)
        let destination = try await sqliteStore(directory, "destination")
        _ = try await destination.createTeam(name: "other", key: "k", createdAt: Date())
        await #expect(throws: StoreCopy.Failure.self) { try await StoreCopy.copy(from: source, to: destination) }
        #expect(try await destination.teams().map(\.name) == ["other"])
    }

    @Test(.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped))
    func copiesFromSQLiteIntoPostgreSQL() async throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-server-copy")
        let source = try await sqliteStore(directory, "source")
        try await Self.filledStore(source)
        try await TestPostgres.withDatabases { databases in
            let destination = try await databases.makeStore()
            _ = try await StoreCopy.copy(from: source, to: destination)
            #expect(try await Self.contents(destination) == (try await Self.contents(source)))
        }
    }

    /// The command as an administrator runs it: from the configured data folder into another
    /// database, which `serve --database` then uses.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ServerCLITests.binary)))
    func copyToCommandMovesAServer() throws {
        let cli = ServerCLITests()
        let directory = try TemporaryDirectory(prefix: "aiusage-server-copy-cli")
        let data = ["--data-dir", directory.path + "/old"]
        #expect(try cli.run(["team", "create", "web"] + data).status == 0)
        let token = try cli.run(["token", "issue", "--team", "web", "--developer", "dev@example.com", "--role", "member"] + data)
            .stdout.trimmingCharacters(in: .newlines)
        let target = "sqlite://" + directory.path + "/new.sqlite"
        let copied = try cli.run(["copy-to", target] + data)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("copied 1 teams, 1 tokens"))
        let listed = try cli.run(["token", "list", "--team", "web", "--database", target])
        #expect(listed.stdout.contains(String(token.prefix(12))))
        // A second copy into the same database is refused with one line.
        let again = try cli.run(["copy-to", target] + data)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already has teams") && again.stderr.split(separator: "\n").count == 1)
    }
}
