import AIUsageServer
import Foundation
import Testing
import _AIUsageTestSupport

/// Runs the shared storage suite on the embedded SQLite store.
@Suite struct SQLiteTeamStoreTests {
    @Test func sharedSuite() async throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-server-store")
        try await TeamStoreSuite(makeStore: {
            let store = try SQLiteTeamStore(path: directory.path + "/store-\(UUID().uuidString).sqlite")
            try await store.migrate()
            return store
        }).runAll()
    }
}
