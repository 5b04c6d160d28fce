import AIUsageCore
internal import CSQLiteSetup
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
        _ = Self.sqliteSetUp
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
            // Statement journals (a few pages for each statement of an ingest that may stop
            // half-way) stay in memory: as temporary files they were 3.4 GB of writes to
            // /var/tmp on a 1 GB first ingest of 3,000 files, a third of its time.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if Self.traceSQL {
                db.trace(options: .profile) { event in
                    if case .profile(let statement, let duration) = event, duration > 0.0005 {
                        let line = String(format: "aiusage: sql %7.2f ms  %@\n", duration * 1000, statement.sql)
                        FileHandle.standardError.write(Data(line.utf8))
                    }
                }
            }
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
            // Best effort: without them every query still answers, only slower (a store
            // opened read-only, or one another process holds the write lock of for long).
            try? restoreDeferredIndexes()
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: location.databasePath, reason: error.message ?? "\(error)")
        }
    }

    /// SQLite's process-wide settings, made once before the first connection: no mutex
    /// around each call on a connection (GRDB uses each from one queue at a time), no
    /// global allocation counter. Profiled on a first 1 GB ingest, the two mutexes were a
    /// tenth of the store's writer thread. A process that opened SQLite before (a reader
    /// of another tool's database) keeps the defaults: the calls then change nothing.
    static let sqliteSetUp: Void = {
        _ = aiusage_sqlite_multithread()
        _ = aiusage_sqlite_no_memstatus()
    }()

    /// `AIUSAGE_TRACE=sql`: every statement slower than half a millisecond, on stderr.
    static let traceSQL = getenv("AIUSAGE_TRACE").map { String(cString: $0) } == "sql"

    /// Named, ordered migrations; a shipped migration is never edited.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
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
            try db.execute(
                sql: """
                    CREATE TABLE sharing (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        server TEXT NOT NULL, token TEXT NOT NULL, named INTEGER NOT NULL, repo_names TEXT NOT NULL,
                        team TEXT NOT NULL, team_key TEXT NOT NULL, developer TEXT NOT NULL, enabled_at REAL NOT NULL,
                        last_attempt_at REAL, last_success_at REAL, last_result TEXT);
                    """)
        }
        // Issues 8 and 11: the report computed by the store from aggregates, sessions
        // placed in the repository they worked in (or none), landing and survival kept
        // instead of recomputed, what readers and git could not read counted.
        migrator.registerMigration("v3-engine") { db in
            try db.execute(
                sql: """
                    ALTER TABLE usage ADD COLUMN cache_write_1h INTEGER NOT NULL DEFAULT 0;
                    -- Per session, model and quarter hour: what every report reads instead of
                    -- every request. Costs are priced per request when a session's rows are
                    -- folded (tiers depend on the request), with the price table named in meta.
                    CREATE TABLE usage_rollup (
                        tool TEXT NOT NULL, session_id TEXT NOT NULL, model TEXT NOT NULL, bucket INTEGER NOT NULL,
                        requests INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL,
                        cache_write INTEGER NOT NULL, cache_write_1h INTEGER NOT NULL, cache_read INTEGER NOT NULL,
                        reasoning INTEGER NOT NULL, cost REAL NOT NULL, unpriced_tokens INTEGER NOT NULL,
                        recorded_requests INTEGER NOT NULL, min_ts REAL NOT NULL, max_ts REAL NOT NULL,
                        PRIMARY KEY (tool, session_id, model, bucket)) WITHOUT ROWID;
                    -- Sessions whose usage rows changed since they were last folded.
                    CREATE TABLE dirty_sessions (tool TEXT NOT NULL, session_id TEXT NOT NULL,
                        PRIMARY KEY (tool, session_id)) WITHOUT ROWID;
                    INSERT INTO dirty_sessions SELECT DISTINCT tool, session_id FROM usage;
                    INSERT OR IGNORE INTO dirty_sessions SELECT DISTINCT tool, session_id FROM edits;
                    -- Lines a session's edits wrote where it worked (its repository, or its own
                    -- folders when it worked in none), per quarter hour: what reports read
                    -- instead of every edit.
                    CREATE TABLE edit_rollup (
                        tool TEXT NOT NULL, session_id TEXT NOT NULL, bucket INTEGER NOT NULL,
                        edits INTEGER NOT NULL, lines INTEGER NOT NULL, min_ts REAL NOT NULL, max_ts REAL NOT NULL,
                        PRIMARY KEY (tool, session_id, bucket)) WITHOUT ROWID;
                    CREATE INDEX edits_session ON edits(tool, session_id);
                    -- The model a session made most requests on (ties: the smaller name), kept
                    -- when its usage is folded: lines are grouped under it with `--by model`.
                    ALTER TABLE sessions ADD COLUMN primary_model TEXT;
                    -- The repository a session worked in (NULL: none), looked for once per new cwd.
                    ALTER TABLE sessions ADD COLUMN repo_id INTEGER;
                    ALTER TABLE sessions ADD COLUMN placed INTEGER NOT NULL DEFAULT 0;
                    -- Folders already looked up: the repository they are in, or none.
                    CREATE TABLE places (path TEXT PRIMARY KEY, repo_id INTEGER, checked_at REAL NOT NULL);
                    ALTER TABLE repos ADD COLUMN refs_fingerprint TEXT;
                    ALTER TABLE repos ADD COLUMN sync_floor REAL;
                    ALTER TABLE repos ADD COLUMN skipped_commits INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE repos ADD COLUMN orphan_refs TEXT NOT NULL DEFAULT '';
                    ALTER TABLE repos ADD COLUMN history_incomplete INTEGER NOT NULL DEFAULT 0;
                    -- Whether a ref's tip shares history with the default branch (per tip).
                    CREATE TABLE ref_history (repo_id INTEGER NOT NULL, ref TEXT NOT NULL, tip TEXT NOT NULL,
                        related INTEGER NOT NULL, tip_time REAL NOT NULL DEFAULT 0, PRIMARY KEY (repo_id, ref)) WITHOUT ROWID;
                    -- Branches (refs) that hold a commit not landed yet, newline-separated: where
                    -- a session's work waits, or stayed.
                    ALTER TABLE commits ADD COLUMN branches TEXT NOT NULL DEFAULT '';
                    -- AI lines of each commit per session: what reports read instead of every line.
                    CREATE TABLE commit_sessions (repo_id INTEGER NOT NULL, sha TEXT NOT NULL, tool TEXT NOT NULL,
                        session_id TEXT NOT NULL, ai_lines INTEGER NOT NULL,
                        PRIMARY KEY (repo_id, sha, tool, session_id)) WITHOUT ROWID;
                    -- Commits are attributed again by the new engine (patch hashes are now its
                    -- own, and what it keeps per commit grew): rewrites recorded by the hook stay.
                    DELETE FROM commit_lines;
                    DELETE FROM commits;
                    UPDATE repos SET synced_at = NULL;
                    -- Survival, pending and churn per commit and session, for a number of days;
                    -- final once both horizons have passed, else valid for the default-branch tip.
                    CREATE TABLE survival (repo_id INTEGER NOT NULL, sha TEXT NOT NULL, tool TEXT NOT NULL,
                        session_id TEXT NOT NULL, days INTEGER NOT NULL, landed INTEGER NOT NULL, into_sha TEXT NOT NULL,
                        surviving INTEGER NOT NULL, pending INTEGER NOT NULL, churned INTEGER NOT NULL,
                        tip TEXT NOT NULL, final INTEGER NOT NULL,
                        PRIMARY KEY (repo_id, sha, tool, session_id, days)) WITHOUT ROWID;
                    CREATE INDEX commit_lines_claims ON commit_lines(repo_id) WHERE edit_tool IS NOT NULL;
                    ALTER TABLE edits ADD COLUMN commit_hint TEXT;
                    -- A commit git could not read (blobs missing in a partial or shallow clone):
                    -- kept, with no lines, so it is not tried again on every run.
                    ALTER TABLE commits ADD COLUMN unreadable INTEGER NOT NULL DEFAULT 0;
                    -- Record files that could not be read, with why (cleared once one is read).
                    CREATE TABLE file_errors (path TEXT PRIMARY KEY, tool TEXT NOT NULL, message TEXT NOT NULL, at REAL NOT NULL);
                    -- Issue 10: a file's identity covers what was read (its head and the last
                    -- block before the cursor), and rows know the file they came from, so a
                    -- rewritten file replaces its rows instead of adding to them.
                    CREATE TABLE file_ids (id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL UNIQUE);
                    INSERT INTO file_ids (path) SELECT path FROM files ORDER BY path;
                    ALTER TABLE files ADD COLUMN tail_fingerprint INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE usage ADD COLUMN file_id INTEGER;
                    ALTER TABLE edits ADD COLUMN file_id INTEGER;
                    -- A record several files give (copies, forks, subagent replays, renames): the
                    -- row keeps its first file's counts, every other file's go here. What counts
                    -- is the largest per field over all of them (`usage_effective`); when a file
                    -- is replaced, its part goes and the others' stays exact.
                    CREATE TABLE shared_usage (tool TEXT NOT NULL, dedup_key TEXT NOT NULL, file_id INTEGER NOT NULL,
                        input INTEGER NOT NULL, output INTEGER NOT NULL, cache_write INTEGER NOT NULL, cache_read INTEGER NOT NULL,
                        reasoning INTEGER NOT NULL, cache_write_1h INTEGER NOT NULL, recorded_cost REAL,
                        PRIMARY KEY (tool, dedup_key, file_id)) WITHOUT ROWID;
                    CREATE INDEX shared_usage_file ON shared_usage(file_id);
                    CREATE TABLE shared_edits (tool TEXT NOT NULL, dedup_key TEXT NOT NULL, file_id INTEGER NOT NULL,
                        PRIMARY KEY (tool, dedup_key, file_id)) WITHOUT ROWID;
                    CREATE INDEX shared_edits_file ON shared_edits(file_id);
                    -- Set while some other file's counts of the row's record are in shared_usage.
                    ALTER TABLE usage ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX usage_shared ON usage(shared) WHERE shared > 0;
                    CREATE VIEW usage_effective AS
                        SELECT u.tool, u.dedup_key, u.session_id, u.ts, u.model,
                          CASE WHEN u.shared = 0 THEN u.input ELSE max(u.input, coalesce((SELECT max(s.input) FROM shared_usage s WHERE s.tool = u.tool AND s.dedup_key = u.dedup_key), 0)) END AS input,
                          CASE WHEN u.shared = 0 THEN u.output ELSE max(u.output, coalesce((SELECT max(s.output) FROM shared_usage s WHERE s.tool = u.tool AND s.dedup_key = u.dedup_key), 0)) END AS output,
                          CASE WHEN u.shared = 0 THEN u.cache_write ELSE max(u.cache_write, coalesce((SELECT max(s.cache_write) FROM shared_usage s WHERE s.tool = u.tool AND s.dedup_key = u.dedup_key), 0)) END AS cache_write,
                          CASE WHEN u.shared = 0 THEN u.cache_read ELSE max(u.cache_read, coalesce((SELECT max(s.cache_read) FROM shared_usage s WHERE s.tool = u.tool AND s.dedup_key = u.dedup_key), 0)) END AS cache_read,
                          CASE WHEN u.shared = 0 THEN u.reasoning ELSE max(u.reasoning, coalesce((SELECT max(s.reasoning) FROM shared_usage s WHERE s.tool = u.tool AND s.dedup_key = u.dedup_key), 0)) END AS reasoning,
                          CASE WHEN u.shared = 0 THEN u.cache_write_1h ELSE max(u.cache_write_1h, coalesce((SELECT max(s.cache_write_1h) FROM shared_usage s WHERE s.tool = u.tool AND s.dedup_key = u.dedup_key), 0)) END AS cache_write_1h,
                          CASE WHEN u.shared = 0 THEN u.recorded_cost ELSE coalesce(max(u.recorded_cost,
                            (SELECT max(s.recorded_cost) FROM shared_usage s WHERE s.tool = u.tool AND s.dedup_key = u.dedup_key)),
                            u.recorded_cost, (SELECT max(s.recorded_cost) FROM shared_usage s WHERE s.tool = u.tool AND s.dedup_key = u.dedup_key))
                          END AS recorded_cost,
                          u.file_id
                        FROM usage u;
                    -- What readers saw and did not understand, per file (replaced on a re-read).
                    CREATE TABLE format_drift (path TEXT NOT NULL, tool TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
                        count INTEGER NOT NULL, seen_at REAL NOT NULL, PRIMARY KEY (path, kind, name)) WITHOUT ROWID;
                    DELETE FROM meta WHERE key = 'rollup_prices';
                    """)
        }
        // Issue 8, the report at volume: what every warm report reads, read in one pass.
        migrator.registerMigration("v4-report") { db in
            try db.execute(
                sql: """
                    -- Each sync asks when the first edit under a repository's folder was made:
                    -- answered from the index alone (it read ~3,600 table rows per repository).
                    CREATE INDEX edits_path_time ON edits(path, ts);
                    DROP INDEX edits_path;
                    -- The rollups summed per session (and model): a report whose window holds a
                    -- session whole reads one row for it instead of summing its quarter hours.
                    CREATE TABLE usage_totals (
                        tool TEXT NOT NULL, session_id TEXT NOT NULL, model TEXT NOT NULL, first_bucket INTEGER NOT NULL,
                        requests INTEGER NOT NULL, input INTEGER NOT NULL, output INTEGER NOT NULL,
                        cache_write INTEGER NOT NULL, cache_write_1h INTEGER NOT NULL, cache_read INTEGER NOT NULL,
                        reasoning INTEGER NOT NULL, cost REAL NOT NULL, unpriced_tokens INTEGER NOT NULL,
                        recorded_requests INTEGER NOT NULL, min_ts REAL NOT NULL, max_ts REAL NOT NULL,
                        PRIMARY KEY (tool, session_id, model)) WITHOUT ROWID;
                    CREATE TABLE edit_totals (
                        tool TEXT NOT NULL, session_id TEXT NOT NULL, first_bucket INTEGER NOT NULL,
                        edits INTEGER NOT NULL, lines INTEGER NOT NULL, min_ts REAL NOT NULL, max_ts REAL NOT NULL,
                        PRIMARY KEY (tool, session_id)) WITHOUT ROWID;
                    -- Commits with no AI line, summed per repository and author: what a report
                    -- whose window holds all of an author's commits reads. Rebuilt when
                    -- `commit_epoch` (moved by every change to commits and their sessions) is
                    -- no longer the one it was built at (`meta.commit_tallies_epoch`).
                    CREATE TABLE commit_tallies (repo_id INTEGER NOT NULL, author_email TEXT NOT NULL,
                        commits INTEGER NOT NULL, human_lines INTEGER NOT NULL, ai_assisted INTEGER NOT NULL,
                        landed_ai_assisted INTEGER NOT NULL, first_time REAL NOT NULL, last_time REAL NOT NULL,
                        PRIMARY KEY (repo_id, author_email)) WITHOUT ROWID;
                    CREATE TABLE commit_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
                    INSERT INTO commit_epoch (id, n) VALUES (1, 1);
                    CREATE TRIGGER commits_inserted AFTER INSERT ON commits BEGIN UPDATE commit_epoch SET n = n + 1; END;
                    CREATE TRIGGER commits_updated AFTER UPDATE ON commits BEGIN UPDATE commit_epoch SET n = n + 1; END;
                    CREATE TRIGGER commits_deleted AFTER DELETE ON commits BEGIN UPDATE commit_epoch SET n = n + 1; END;
                    CREATE TRIGGER commit_sessions_inserted AFTER INSERT ON commit_sessions BEGIN UPDATE commit_epoch SET n = n + 1; END;
                    CREATE TRIGGER commit_sessions_updated AFTER UPDATE ON commit_sessions BEGIN UPDATE commit_epoch SET n = n + 1; END;
                    CREATE TRIGGER commit_sessions_deleted AFTER DELETE ON commit_sessions BEGIN UPDATE commit_epoch SET n = n + 1; END;
                    """)
            try db.execute(sql: "INSERT INTO usage_totals \(Self.usageTotalsSelect) GROUP BY tool, session_id, model")
            try db.execute(sql: "INSERT INTO edit_totals \(Self.editTotalsSelect) GROUP BY tool, session_id")
        }
        return migrator
    }

    /// The rows of a query, each turned into a value as it is read. Unlike
    /// `Row.fetchAll`, no row is copied and boxed first: columns are read by position
    /// straight from the statement (a visible share of a report's time before).
    func rows<T>(_ db: Database, _ sql: String, _ arguments: StatementArguments = [], _ transform: (Row) throws -> T) throws -> [T] {
        var result: [T] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() { result.append(try transform(row)) }
        return result
    }

    /// Copies the write-ahead log into the database and empties it when it grew past
    /// 4 MB (a first ingest leaves up to 32 MB there). Each new process otherwise reads
    /// the whole log to rebuild its index before its first query (3 ms for 11 MB), and
    /// every process is a command. Readers in other processes may keep part of it: then
    /// it is tried again next time.
    public func checkpointIfLarge() {
        let size = (try? FileManager.default.attributesOfItem(atPath: location.databasePath + "-wal")[.size] as? Int) ?? 0
        guard size > 4 << 20 else { return }
        try? pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// Rows this process has inserted, updated or deleted since it opened the store
    /// (SQLite's `total_changes` of the one writer connection, triggers included): the
    /// same number before and after a step means the step wrote nothing. Nil if SQLite
    /// cannot say.
    public func changeCount() -> Int? { try? pool.writeWithoutTransaction { $0.totalChangesCount } }

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
