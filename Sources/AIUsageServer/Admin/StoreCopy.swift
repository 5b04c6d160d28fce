import AIUsageUploadContract
import Foundation

/// Copies everything one team store holds into another, empty one: how a team moves from
/// the embedded SQLite database to PostgreSQL (`aiusage-server copy-to URL`).
///
/// It goes through the `TeamStore` protocol only, so it copies between any two stores and
/// keeps each store's own transactions: teams with their repository-hashing keys (so
/// developers' hashed repository names still match), tokens as their hashes (with role,
/// naming, creation and revocation; ids are the destination's own, and nothing refers to
/// them outside the store), and every developer's rows day by day with their naming choice.
public enum StoreCopy {
    public struct Summary: Sendable, Equatable {
        public var teams = 0
        public var tokens = 0
        public var developers = 0
        public var rows = 0

        public init(teams: Int = 0, tokens: Int = 0, developers: Int = 0, rows: Int = 0) {
            self.teams = teams
            self.tokens = tokens
            self.developers = developers
            self.rows = rows
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Every day a store can hold: days are ISO dates, compared as text.
    static let allDays = (since: "0000-01-01", until: "9999-12-31")

    public static func copy(
        from source: any TeamStore, to destination: any TeamStore,
        progress: ((String) -> Void)? = nil
    ) async throws -> Summary {
        guard try await destination.teams().isEmpty else {
            throw Failure(description: "The destination already has teams; copy into a new, empty database.")
        }
        var summary = Summary()
        let tokens = try await source.tokens(team: nil)
        for team in try await source.teams() {
            let copied = try await destination.createTeam(name: team.name, key: team.key, createdAt: team.createdAt)
            summary.teams += 1
            for token in tokens where token.teamID == team.id {
                let inserted = try await destination.insertToken(
                    NewToken(
                        teamID: copied.id, developer: token.developer, role: token.role, named: token.named,
                        prefix: token.prefix, hash: token.hash, createdAt: token.createdAt))
                if let revokedAt = token.revokedAt { _ = try await destination.revokeToken(id: inserted.id, at: revokedAt) }
                summary.tokens += 1
            }
            let rows = try await source.rows(teamID: team.id, since: allDays.since, until: allDays.until)
            let byDeveloper = Dictionary(grouping: rows, by: \.developer)
            for developer in byDeveloper.keys.sorted() {
                let mine = byDeveloper[developer] ?? []
                let named = try await source.developerNamed(teamID: team.id, developer: developer) ?? false
                let days = Dictionary(grouping: mine, by: \.day).sorted { $0.key < $1.key }
                    .map { UploadDay(day: $0.key, rows: $0.value.map(\.row)) }
                summary.rows += try await destination.replaceDays(
                    teamID: copied.id, developer: developer, named: named, days: days, at: Date())
                summary.developers += 1
            }
            progress?("team \(team.name): \(byDeveloper.count) developers, \(rows.count) rows")
        }
        return summary
    }
}
