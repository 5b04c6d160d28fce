import AIUsageServer
import Foundation
import Testing

/// The PostgreSQL server the tests use: `AIUSAGE_TEST_POSTGRES_URL`, which
/// `scripts/with-postgres.sh` sets (its role must be allowed to create databases).
///
/// Without it the PostgreSQL tests are skipped, except when `CI` is set: then they run and
/// fail, so that a CI machine without PostgreSQL cannot pass by skipping them.
enum TestPostgres {
    static let url: String? = ProcessInfo.processInfo.environment["AIUSAGE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty

    /// For `.enabled(if: TestPostgres.shouldRun, TestPostgres.skipped)`.
    static var shouldRun: Bool { url != nil || isCI }
    static let skipped: Comment = "AIUSAGE_TEST_POSTGRES_URL is not set; run `scripts/with-postgres.sh swift test --filter Postgres`"

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "CI is set but AIUSAGE_TEST_POSTGRES_URL is not: the PostgreSQL tests must run in CI (see scripts/with-postgres.sh)"
        }
    }

    /// The server's URL; throws (failing the test) when it is not given.
    static func requireURL() throws -> String {
        guard let url else { throw Missing() }
        return url
    }

    /// Set while `withDatabases` runs: `ServerFixture` then makes PostgreSQL stores.
    @TaskLocal static var databases: ScratchDatabases?

    /// Runs `body` with fresh databases made on demand, then closes their stores and drops them,
    /// whether `body` succeeded or not.
    static func withDatabases(_ body: (ScratchDatabases) async throws -> Void) async throws {
        let databases = try ScratchDatabases(server: try requireURL())
        do {
            try await $databases.withValue(databases) { try await body(databases) }
        } catch {
            await databases.dropAll()
            throw error
        }
        await databases.dropAll()
    }
}
