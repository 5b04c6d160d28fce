import AIUsageCore
import AIUsageReaders
import AIUsageEngine
import AIUsageReaders
@testable import AIUsageStore
import Foundation
import GRDB
import Testing
import _AIUsageTestSupport

/// Another tool's database that is locked when aiusage looks is skipped without harm
/// and read on a later run.
@Suite struct LockedDatabaseTests {
    @Test func aLockedToolDatabaseIsRetriedOnTheNextRun() throws {
        let home = try TemporaryDirectory(prefix: "aiusage-home")
        let storeDirectory = try TemporaryDirectory(prefix: "aiusage-store")
        let database = home.path + "/.local/share/opencode/opencode.db"
        try FileManager.default.createDirectory(atPath: home.path + "/.local/share/opencode", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Samples.path("opencode", "gitai-opencode-sqlite_opencode.db"), toPath: database)
        let store = try Store(location: StoreLocation(directory: storeDirectory.path))
        let ingestor = Ingestor(store: store, readers: [OpenCodeDatabaseReader()], environment: ReaderEnvironment(home: home.path))

        // The tool holds an exclusive lock (rollback journal: readers are shut out).
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the lock must outlive one access
        let tool = try DatabaseQueue(path: database, configuration: configuration)
        try tool.inDatabase { try $0.execute(sql: "PRAGMA journal_mode = DELETE; BEGIN EXCLUSIVE") }
        let blocked = try ingestor.run()
        #expect(blocked.errors.count == 1)
        #expect(try store.usage().isEmpty)
        #expect(try store.cursors()[database] == nil)

        try tool.inDatabase { try $0.execute(sql: "COMMIT") }
        let retried = try ingestor.run()
        #expect(retried.errors.isEmpty)
        #expect(try store.usage().count == 1)
    }
}
