import AIUsageCore
import Foundation
import GRDB
import Testing
import _AIUsageTestSupport

@testable import AIUsageStore

/// Issue 8: a large first ingest runs with a larger page cache for the store's writer
/// (`Store.withWriteCache`). What it writes must land as any write does, and afterwards
/// the writer must be back on its usual cache, so that the memory is not held through
/// the rest of the run (the repositories' work, where a command's peak memory is).
@Suite struct WriteCacheTests {
    private func cacheSize(_ store: Store) throws -> Int? {
        try store.pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA cache_size") }
    }

    @Test func theCacheIsLargerOnlyWhileTheBodyRunsAndItsWritesLand() throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-write-cache")
        let store = try Store(location: StoreLocation(directory: directory.path))
        let before = try cacheSize(store)
        let inside = try store.withWriteCache(megabytes: 24) { () -> Int? in
            try store.ingestTransaction { transaction in
                try transaction.apply(ReportTotalsTests.batch(sessions: 0..<40))
            }
            return try cacheSize(store)
        }
        #expect(inside == -24 * 1024)
        #expect(try cacheSize(store) == before)
        let rows = try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM usage") }
        #expect(rows == ReportTotalsTests.batch(sessions: 0..<40).usage.count)
    }

    @Test func aFailingBodyStillRestoresTheCache() throws {
        struct Stop: Error {}
        let directory = try TemporaryDirectory(prefix: "aiusage-write-cache")
        let store = try Store(location: StoreLocation(directory: directory.path))
        let before = try cacheSize(store)
        #expect(throws: Stop.self) { try store.withWriteCache(megabytes: 24) { throw Stop() } }
        #expect(try cacheSize(store) == before)
    }
}
