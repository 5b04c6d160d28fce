import AIUsageServer
import Foundation
import Testing
import _AIUsageTestSupport

@Suite struct TeamAdminTests {
    @Test func tokensAreRandomHashedAndRevocableByPrefixOrID() async throws {
        let fixture = try await ServerFixture()
        _ = try await fixture.admin.createTeam("web")
        let first = try await fixture.admin.issueToken(team: "web", developer: "a@example.com", role: .member, named: false)
        let second = try await fixture.admin.issueToken(team: "web", developer: "a@example.com", role: .viewer, named: true)
        #expect(first.token.hasPrefix("aiu_") && first.token.count == 68)
        #expect(first.token != second.token)
        #expect(first.record.hash == Tokens.hash(first.token))
        #expect(first.record.hash != first.token && !first.record.hash.contains(first.token.dropFirst(4)))
        #expect(try await fixture.admin.revokeToken(String(first.token.dropFirst(4).prefix(8))).id == first.record.id)
        #expect(try await fixture.admin.revokeToken(String(second.record.id)).id == second.record.id)
        await #expect(throws: TeamAdmin.Failure.self) { try await fixture.admin.revokeToken(String(second.record.id)) }
        await #expect(throws: TeamAdmin.Failure.self) { try await fixture.admin.revokeToken("aiu_") }
        let listed = try await fixture.admin.listTokens(team: "web")
        #expect(listed.count == 2 && listed.allSatisfy(\.isRevoked))
    }

    /// About 2% of prefixes are all decimal digits; they must still revoke by prefix.
    @Test func anAllDigitPrefixRevokesByPrefix() async throws {
        let fixture = try await ServerFixture()
        let team = try await fixture.admin.createTeam("web")
        let digits = try await fixture.store.insertToken(
            NewToken(
                teamID: team.id, developer: "a@example.com", role: .member, named: false, prefix: "aiu_30624875", hash: "h1",
                createdAt: Date()))
        let other = try await fixture.store.insertToken(
            NewToken(
                teamID: team.id, developer: "b@example.com", role: .member, named: false, prefix: "aiu_0000abcd", hash: "h2",
                createdAt: Date()))
        #expect(try await fixture.admin.revokeToken("30624875").id == digits.id)
        // A short number that is an id means that id.
        #expect(try await fixture.admin.revokeToken(String(other.id)).id == other.id)
    }

    @Test func refusesBadNamesDuplicatesAndUnknownTeams() async throws {
        let fixture = try await ServerFixture()
        _ = try await fixture.admin.createTeam("web")
        await #expect(throws: TeamAdmin.Failure.self) { try await fixture.admin.createTeam("web") }
        await #expect(throws: TeamAdmin.Failure.self) { try await fixture.admin.createTeam("a/b") }
        await #expect(throws: TeamAdmin.Failure.self) {
            try await fixture.admin.issueToken(team: "nope", developer: "a@example.com", role: .member, named: false)
        }
        await #expect(throws: TeamAdmin.Failure.self) {
            try await fixture.admin.issueToken(team: "web", developer: "not an email", role: .member, named: false)
        }
    }
}

@Suite struct ServerConfigurationTests {
    @Test func flagsThenEnvironmentThenDefaults() throws {
        let environment = [
            "HOME": "/home/x", "AIUSAGE_SERVER_PORT": "9000", "AIUSAGE_SERVER_DATA_DIR": "/env/data", "AIUSAGE_SERVER_MIN_GROUP_SIZE": "3",
        ]
        let fromEnvironment = try ServerConfiguration.resolve(
            host: nil, port: nil, dataDirectory: nil, database: nil, minGroupSize: nil, environment: environment)
        #expect(fromEnvironment.port == 9000 && fromEnvironment.dataDirectory == "/env/data" && fromEnvironment.minGroupSize == 3)
        #expect(fromEnvironment.host == "127.0.0.1")
        let fromFlags = try ServerConfiguration.resolve(
            host: "0.0.0.0", port: 81, dataDirectory: "/flag", database: nil, minGroupSize: 7, environment: environment)
        #expect(fromFlags.port == 81 && fromFlags.dataDirectory == "/flag" && fromFlags.minGroupSize == 7 && fromFlags.host == "0.0.0.0")
        let defaults = try ServerConfiguration.resolve(
            host: nil, port: nil, dataDirectory: nil, database: nil, minGroupSize: nil, environment: ["HOME": "/home/x"])
        #expect(defaults.port == 8080 && defaults.dataDirectory == "/home/x/.local/share/aiusage-server" && defaults.minGroupSize == 5)
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.resolve(
                host: nil, port: nil, dataDirectory: nil, database: nil, minGroupSize: nil, environment: ["AIUSAGE_SERVER_PORT": "x"])
        }
    }

    @Test func unsupportedSchemesAreRefusedWithoutShowingThePassword() async throws {
        var configuration = ServerConfiguration(dataDirectory: "/nonexistent")
        configuration.databaseURL = "mysql://user:secret@localhost/aiusage"
        await #expect(
            throws: ConfigurationError(
                "Unsupported database URL scheme in \"mysql://user:***@localhost/aiusage\"; use sqlite:///path/file.sqlite or postgres://USER:PASSWORD@HOST:PORT/DATABASE."
            )
        ) {
            _ = try await configuration.openStore()
        }
    }

    @Test func sqliteURLAndDataDirectoryOpenAStore() async throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-server-config")
        var configuration = ServerConfiguration(dataDirectory: directory.path + "/data")
        _ = try await configuration.openStore()
        #expect(FileManager.default.fileExists(atPath: directory.path + "/data/aiusage-server.sqlite"))
        configuration.databaseURL = "sqlite://" + directory.path + "/other.sqlite"
        _ = try await configuration.openStore()
        #expect(FileManager.default.fileExists(atPath: directory.path + "/other.sqlite"))
    }
}
