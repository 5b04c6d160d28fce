import AIUsageCore
import Foundation
import GRDB
import Testing
import _AIUsageTestSupport

@testable import AIUsageStore

/// Issue 8: a large ingest runs with a larger page cache for the store's writer, and a
/// first one (into an empty store) builds the secondary indexes of the ingested tables
/// after its rows (`Store.withLargeIngest`). What it writes must land as any write does;
/// afterwards the writer must be back on its usual cache (the memory is not held through
/// the rest of the run, where a command's peak memory is) and the store must have every
/// index the migrations made, exactly as they made it, even when the body failed or the
/// process died inside it.
@Suite struct WriteCacheTests {
    private func cacheSize(_ store: Store) throws -> Int? {
        try store.pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA cache_size") }
    }

    /// The deferred indexes as SQLite holds them: name and definition.
    private func deferredIndexes(_ store: Store) throws -> [String: String] {
        let names = Store.deferredIndexes.map(\.name)
        return try store.pool.read { db in
            var found: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            where names.contains(row["name"]) {
                found[row["name"]] = row["sql"]
            }
            return found
        }
    }

    @Test func theCacheIsLargerOnlyWhileTheBodyRunsAndItsWritesLand() throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-write-cache")
        let store = try Store(location: StoreLocation(directory: directory.path))
        let before = try cacheSize(store)
        let inside = try store.withLargeIngest(cacheMegabytes: 24) { () -> Int? in
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

    @Test func aFailingBodyStillRestoresTheCacheAndTheIndexes() throws {
        struct Stop: Error {}
        let directory = try TemporaryDirectory(prefix: "aiusage-write-cache")
        let store = try Store(location: StoreLocation(directory: directory.path))
        let before = try cacheSize(store)
        let indexes = try deferredIndexes(store)
        #expect(throws: Stop.self) { try store.withLargeIngest(cacheMegabytes: 24) { throw Stop() } }
        #expect(try cacheSize(store) == before)
        #expect(try deferredIndexes(store) == indexes)
    }

    /// Into an empty store the indexes are built after the rows, and are then what the
    /// migrations made (same definitions), with every row in them.
    @Test func aFirstIngestBuildsTheIndexesAfterItsRows() throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-write-cache")
        let store = try Store(location: StoreLocation(directory: directory.path))
        let migrated = try deferredIndexes(store)
        #expect(migrated.count == Store.deferredIndexes.count)
        let batch = ReportTotalsTests.batch(sessions: 0..<40)
        let inside = try store.withLargeIngest(cacheMegabytes: 24) { () -> [String: String] in
            try store.ingestTransaction { try $0.apply(batch) }
            return try deferredIndexes(store)
        }
        #expect(inside.isEmpty)
        #expect(try deferredIndexes(store) == migrated)
        let (checked, bySession) = try store.pool.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM usage INDEXED BY usage_session WHERE tool = ? AND session_id = ?",
                    arguments: [batch.usage[0].tool.rawValue, batch.usage[0].sessionID])
            )
        }
        #expect(checked == "ok")
        #expect(bySession == batch.usage.filter { $0.tool == batch.usage[0].tool && $0.sessionID == batch.usage[0].sessionID }.count)
    }

    /// A store that holds rows keeps its indexes through a large ingest: they are
    /// dropped only when there is nothing in them.
    @Test func aLaterIngestKeepsTheIndexes() throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-write-cache")
        let store = try Store(location: StoreLocation(directory: directory.path))
        try store.ingestTransaction { try $0.apply(ReportTotalsTests.batch(sessions: 0..<2)) }
        let migrated = try deferredIndexes(store)
        let inside = try store.withLargeIngest(cacheMegabytes: 24) { try deferredIndexes(store) }
        #expect(inside == migrated)
    }

    /// A process that died during a first ingest left the indexes missing: the next
    /// open of the store builds them.
    @Test func openingTheStoreBuildsIndexesAProcessLeftMissing() throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-write-cache")
        let location = StoreLocation(directory: directory.path)
        let migrated: [String: String]
        do {
            let store = try Store(location: location)
            migrated = try deferredIndexes(store)
            try store.ingestTransaction { try $0.apply(ReportTotalsTests.batch(sessions: 0..<3)) }
            try store.pool.write { db in
                for index in Store.deferredIndexes { try db.execute(sql: "DROP INDEX \(index.name)") }
            }
            #expect(try deferredIndexes(store).isEmpty)
        }
        let reopened = try Store(location: location)
        #expect(try deferredIndexes(reopened) == migrated)
    }
}
