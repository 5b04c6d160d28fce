import AIUsageCore
import Foundation
internal import GRDB

/// The local SQLite store: ingest cursors, sessions, usage, AI-written line hashes,
/// commits and their attribution. It never holds prompts, replies or code text.
///
/// Opened in WAL mode with a busy timeout, so that hooks of two repositories
/// committing at the same moment both get their writes in. Every write is an
/// idempotent upsert keyed by the tools' own ids, so a crash or a concurrent run can
/// repeat work but never double-count it.
public final class Store: Sendable {
    public let location: StoreLocation
    let pool: DatabasePool

    public init(location: StoreLocation) throws {
        self.location = location
        try FileManager.default.createDirectory(atPath: location.directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.label = "aiusage"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A first ingest writes tens of MB: checkpoint every 32 MB of WAL rather than
            // every 4 MB (each checkpoint copies pages and fsyncs), and shrink the WAL file
            // back to 4 MB afterwards so it does not keep its peak size on disk.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
            try db.execute(sql: "PRAGMA journal_size_limit = 4194304")
        }
        // Two hooks may open a new store at the same moment: switching it to WAL and
        // migrating take locks SQLite's busy timeout does not wait for, so processes
        // take turns here (an flock costs microseconds).
        let lock = FileLock(path: location.directory + "/open.lock")
        lock?.lock()
        defer { lock?.unlock() }
        do {
            pool = try DatabasePool(path: location.databasePath, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: location.databasePath, reason: error.message ?? "\(error)")
        }
    }

    /// Named, ordered migrations; a shipped migration is never edited.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE files (
                    path TEXT PRIMARY KEY, tool TEXT NOT NULL,
                    offset INTEGER NOT NULL, size INTEGER NOT NULL, inode INTEGER NOT NULL,
                    mtime REAL NOT NULL, fingerprint INTEGER NOT NULL, state BLOB,
                    lines_read INTEGER NOT NULL DEFAULT 0, lines_skipped INTEGER NOT NULL DEFAULT 0,
                    updated_at REAL NOT NULL);
                CREATE TABLE sessions (
                    tool TEXT NOT NULL, id TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL NOT NULL,
                    models TEXT NOT NULL DEFAULT '', PRIMARY KEY (tool, id));
                CREATE TABLE session_cwds (
                    tool TEXT NOT NULL, session_id TEXT NOT NULL, cwd TEXT NOT NULL,
                    PRIMARY KEY (tool, session_id, cwd));
                CREATE TABLE usage (
                    tool TEXT NOT NULL, dedup_key TEXT NOT NULL, session_id TEXT NOT NULL,
                    ts REAL NOT NULL, model TEXT NOT NULL,
                    input INTEGER NOT NULL, output INTEGER NOT NULL, cache_write INTEGER NOT NULL,
                    cache_read INTEGER NOT NULL, reasoning INTEGER NOT NULL, recorded_cost REAL,
                    PRIMARY KEY (tool, dedup_key));
                CREATE INDEX usage_session ON usage(tool, session_id);
                CREATE TABLE edits (
                    tool TEXT NOT NULL, dedup_key TEXT NOT NULL, session_id TEXT NOT NULL,
                    ts REAL NOT NULL, path TEXT NOT NULL, line_count INTEGER NOT NULL, lines BLOB NOT NULL,
                    PRIMARY KEY (tool, dedup_key));
                CREATE INDEX edits_path ON edits(path);
                CREATE TABLE repos (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, common_dir TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL, roots TEXT NOT NULL, user_email TEXT,
                    default_branch TEXT, synced_at REAL);
                CREATE TABLE commits (
                    repo_id INTEGER NOT NULL, sha TEXT NOT NULL, seq INTEGER NOT NULL,
                    author_email TEXT NOT NULL, author_time REAL NOT NULL, commit_time REAL NOT NULL,
                    is_merge INTEGER NOT NULL, ai_trailer INTEGER NOT NULL, ai_trailer_tool TEXT, on_default INTEGER NOT NULL,
                    patch_id TEXT, ai_lines INTEGER NOT NULL, human_lines INTEGER NOT NULL,
                    source_lines INTEGER NOT NULL DEFAULT 0,
                    landed_how TEXT, landed_into TEXT, landed_at REAL,
                    landed_ai_lines INTEGER NOT NULL DEFAULT 0, superseded_by TEXT,
                    copy_how TEXT, copy_into TEXT, copy_ai_lines INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (repo_id, sha));
                CREATE INDEX commits_time ON commits(repo_id, commit_time);
                CREATE TABLE commit_lines (
                    repo_id INTEGER NOT NULL, sha TEXT NOT NULL, path TEXT NOT NULL, line_hash INTEGER NOT NULL,
                    edit_tool TEXT, edit_key TEXT, session_id TEXT);
                CREATE INDEX commit_lines_commit ON commit_lines(repo_id, sha);
                CREATE INDEX commit_lines_edit ON commit_lines(edit_tool, edit_key);
                CREATE TABLE rewrites (
                    repo_id INTEGER NOT NULL, old_sha TEXT NOT NULL, new_sha TEXT NOT NULL,
                    PRIMARY KEY (repo_id, old_sha));
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
        }
        // Opt-in sharing (issue 3): one row while sharing is on, none while it is off.
        migrator.registerMigration("v2-sharing") { db in
            try db.execute(sql: """
                CREATE TABLE sharing (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    server TEXT NOT NULL, token TEXT NOT NULL, named INTEGER NOT NULL, repo_names TEXT NOT NULL,
                    team TEXT NOT NULL, team_key TEXT NOT NULL, developer TEXT NOT NULL, enabled_at REAL NOT NULL,
                    last_attempt_at REAL, last_success_at REAL, last_result TEXT);
                """)
        }
        return migrator
    }

    /// Runs `body` in one write transaction.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.write(body)
    }

    /// Runs `body` with a read-only snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }
}

/// Store failures, each with a sentence a user can act on.
public enum StoreError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open the aiusage store at \(path): \(reason) (set AIUSAGE_HOME to use another folder)"
        }
    }
}
