internal import CSQLiteSetup
import Foundation
internal import GRDB

/// A large ingest's writes: a larger page cache while it runs, and on an empty store the
/// secondary indexes of the ingested tables built once after the rows rather than kept
/// up to date row by row.
extension Store {
    /// The indexes a first ingest builds after its rows: each row put a key at a random
    /// place in each of them (a session id, a file path), so every group commit wrote
    /// their pages to the log again. Built after, one sort each. As the migrations
    /// created them; `IF NOT EXISTS` makes building one that is there a no-op.
    static let deferredIndexes: [(name: String, create: String)] = [
        ("usage_session", "CREATE INDEX IF NOT EXISTS usage_session ON usage(tool, session_id)"),
        ("edits_session", "CREATE INDEX IF NOT EXISTS edits_session ON edits(tool, session_id)"),
        ("edits_path_time", "CREATE INDEX IF NOT EXISTS edits_path_time ON edits(path, ts)"),
    ]

    /// Runs `body` (a large ingest) with the writer's page cache at `cacheMegabytes`,
    /// then gives the memory back; into an empty store, without the deferred indexes,
    /// which are built when `body` returns or throws.
    ///
    /// The cache: a first ingest inserts rows under random keys into indexes of tens of
    /// MB; with SQLite's default 2 MB cache, each insert read index pages back from the
    /// file and each group commit wrote them again (on 1 GB of transcripts, 1 GB of
    /// `pread` and 700 MB of `pwrite` for a 70 MB store). It is released after, before
    /// the repositories' work needs the memory. The indexes: on the same gigabyte, a
    /// tenth to a fifth less time for the whole first report. A process that dies in
    /// `body` leaves them missing; the next open of the store builds them.
    public func withLargeIngest<T>(cacheMegabytes: Int, _ body: () throws -> T) rethrows -> T {
        let previous = try? pool.writeWithoutTransaction { db -> Int? in
            let previous = try Int.fetchOne(db, sql: "PRAGMA cache_size")
            try db.execute(sql: "PRAGMA cache_size = \(-1024 * max(1, cacheMegabytes))")
            let empty = try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM usage) AND NOT EXISTS (SELECT 1 FROM edits)")
            if empty == true {
                try db.inTransaction {
                    for index in Self.deferredIndexes { try db.execute(sql: "DROP INDEX IF EXISTS \(index.name)") }
                    return .commit
                }
            }
            return previous
        }
        defer {
            try? restoreDeferredIndexes()
            try? pool.writeWithoutTransaction { db in
                if let previous = previous ?? nil { try db.execute(sql: "PRAGMA cache_size = \(previous)") }
                try db.execute(sql: "PRAGMA shrink_memory")
            }
            aiusage_return_freed_memory()
        }
        return try body()
    }

    /// Builds the deferred indexes that are missing (after a large ingest, or at open
    /// when a process died in one); reads only, when none is.
    func restoreDeferredIndexes() throws {
        let names = Self.deferredIndexes.map(\.name)
        let present = try pool.read { db in
            try Set(
                String.fetchAll(
                    db,
                    sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (\(databaseQuestionMarks(count: names.count)))",
                    arguments: StatementArguments(names)))
        }
        guard present.count < names.count else { return }
        try pool.write { db in
            for index in Self.deferredIndexes where !present.contains(index.name) { try db.execute(sql: index.create) }
        }
    }
}
