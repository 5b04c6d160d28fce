import AIUsageCore
import Foundation
import GRDB

/// Opens another tool's SQLite database read-only, without ever writing to it or
/// taking a lock that would stall the tool: readers of tools that keep their records
/// in SQLite (OpenCode, Cursor) go through here.
public enum ReadOnlyDatabase {
    /// A read-only queue on `path`, or throws when it cannot be opened (locked, not a
    /// database); the caller skips the file and the next run retries it.
    public static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        configuration.label = "aiusage.read-only"
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Whether `table` exists, so a reader checks before it queries a schema that
    /// changes between versions of the tool.
    public static func hasTable(_ db: Database, _ table: String) throws -> Bool {
        try db.tableExists(table)
    }
}
