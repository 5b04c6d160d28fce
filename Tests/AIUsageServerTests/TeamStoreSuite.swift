import AIUsageServer
import AIUsageUploadContract
import Foundation
import Testing

/// Storage behaviour every `TeamStore` must have, written against the protocol so that the
/// PostgreSQL store can run the same checks: call `TeamStoreSuite(makeStore:).runAll()`.
struct TeamStoreSuite {
    /// Returns a fresh, migrated, empty store.
    let makeStore: () async throws -> any TeamStore

    func runAll() async throws {
        try await teamsAreUniqueAndKeyed()
        try await tokensAreFoundByHashAndRevoked()
        try await replaceDaysIsIdempotentAndScoped()
        try await deleteRemovesOnlyTheDeveloper()
        try await migrateTwiceIsHarmless()
    }

    func teamsAreUniqueAndKeyed() async throws {
        let store = try await makeStore()
        let team = try await store.createTeam(name: "web", key: "k1", createdAt: Date(timeIntervalSince1970: 1000))
        #expect(try await store.team(named: "web") == team)
        #expect(try await store.team(named: "nope") == nil)
        await #expect(throws: StoreError.self) { try await store.createTeam(name: "web", key: "k2", createdAt: Date()) }
        _ = try await store.createTeam(name: "app", key: "k3", createdAt: Date())
        #expect(try await store.teams().map(\.name) == ["app", "web"])
    }

    func tokensAreFoundByHashAndRevoked() async throws {
        let store = try await makeStore()
        let team = try await store.createTeam(name: "web", key: "k", createdAt: Date())
        let token = try await store.insertToken(
            NewToken(
                teamID: team.id, developer: "a@example.com", role: .member, named: true, prefix: "aiu_12345678", hash: "h1",
                createdAt: Date(timeIntervalSince1970: 2000)))
        #expect(try await store.token(hash: "h1") == token)
        #expect(token.team == "web")
        #expect(try await store.token(hash: "h2") == nil)
        #expect(try await store.revokeToken(id: token.id, at: Date()))
        #expect(try await store.revokeToken(id: token.id, at: Date()) == false)
        #expect(try await store.token(hash: "h1")?.isRevoked == true)
        #expect(try await store.tokens(team: "web").count == 1)
        #expect(try await store.tokens(team: "other").isEmpty)
        await #expect(throws: (any Error).self) {
            try await store.insertToken(
                NewToken(teamID: 999, developer: "x", role: .viewer, named: false, prefix: "p", hash: "h3", createdAt: Date()))
        }
    }

    func replaceDaysIsIdempotentAndScoped() async throws {
        let store = try await makeStore()
        let web = try await store.createTeam(name: "web", key: "k", createdAt: Date())
        let app = try await store.createTeam(name: "app", key: "k", createdAt: Date())
        var row = UsageRow(repo: "r", tool: "claude-code", model: "m")
        row.costUSD = 1.5
        row.aiLinesLanded = 7
        let days = [UploadDay(day: "2026-11-20", rows: [row, row]), UploadDay(day: "2026-11-21", rows: [row])]
        #expect(try await store.replaceDays(teamID: web.id, developer: "a", named: true, days: days, at: Date()) == 3)
        #expect(try await store.replaceDays(teamID: web.id, developer: "a", named: false, days: days, at: Date()) == 3)
        _ = try await store.replaceDays(teamID: web.id, developer: "b", named: true, days: days, at: Date())
        _ = try await store.replaceDays(teamID: app.id, developer: "a", named: true, days: days, at: Date())
        let rows = try await store.rows(teamID: web.id, since: "2026-11-01", until: "2026-11-30")
        #expect(rows.count == 6)
        #expect(rows.filter { $0.developer == "a" }.allSatisfy { !$0.named })
        #expect(rows.filter { $0.developer == "b" }.allSatisfy { $0.named })
        #expect(rows.first?.row == row)
        #expect(try await store.rows(teamID: web.id, since: "2026-11-21", until: "2026-11-21").count == 2)
        #expect(try await store.developerNamed(teamID: web.id, developer: "a") == false)
        #expect(try await store.developerNamed(teamID: web.id, developer: "z") == nil)

        _ = try await store.replaceDays(
            teamID: web.id, developer: "a", named: false, days: [UploadDay(day: "2026-11-20", rows: [])], at: Date())
        let own = try await store.days(teamID: web.id, developer: "a")
        #expect(own == [UploadDay(day: "2026-11-21", rows: [row])])
    }

    func deleteRemovesOnlyTheDeveloper() async throws {
        let store = try await makeStore()
        let web = try await store.createTeam(name: "web", key: "k", createdAt: Date())
        let row = UsageRow(repo: "r", tool: "t", model: "m")
        let days = [UploadDay(day: "2026-11-20", rows: [row, row])]
        _ = try await store.replaceDays(teamID: web.id, developer: "a", named: true, days: days, at: Date())
        _ = try await store.replaceDays(teamID: web.id, developer: "b", named: true, days: days, at: Date())
        #expect(try await store.deleteDeveloper(teamID: web.id, developer: "a") == 2)
        #expect(try await store.days(teamID: web.id, developer: "a").isEmpty)
        #expect(try await store.developerNamed(teamID: web.id, developer: "a") == nil)
        #expect(try await store.days(teamID: web.id, developer: "b").count == 1)
    }

    func migrateTwiceIsHarmless() async throws {
        let store = try await makeStore()
        _ = try await store.createTeam(name: "web", key: "k", createdAt: Date())
        try await store.migrate()
        #expect(try await store.team(named: "web") != nil)
    }
}
