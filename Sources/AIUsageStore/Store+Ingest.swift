import AIUsageCore
import Foundation
internal import GRDB

/// How far one record file has been read, and how to tell it is still the same file.
public struct FileCursor: Sendable, Equatable {
    public var path: String
    public var tool: ToolKind
    public var offset: Int64
    public var size: Int64
    public var inode: Int64
    public var mtime: Double
    /// FNV-1a of the first `min(offset, 4096)` bytes: the part already consumed, which
    /// an append-only transcript never changes. A mismatch means the file was replaced
    /// (rotated, rewritten) and must be read again from the start.
    public var fingerprint: Int64
    public var state: Data?
    public var linesRead: Int
    public var linesSkipped: Int
    /// FNV-1a of the last `min(offset, 4096)` bytes before `offset`: with the head and
    /// the size, what tells cheaply that the region already read was not rewritten
    /// (a rewrite of the same size and head was once never read again).
    public var tailFingerprint: Int64 = 0
    /// The file's id in the store: every row read from it carries it.
    public var fileID: Int64 = 0

    public init(
        path: String, tool: ToolKind, offset: Int64, size: Int64, inode: Int64, mtime: Double, fingerprint: Int64,
        state: Data?, linesRead: Int, linesSkipped: Int, tailFingerprint: Int64 = 0, fileID: Int64 = 0
    ) {
        self.path = path
        self.tool = tool
        self.offset = offset
        self.size = size
        self.inode = inode
        self.mtime = mtime
        self.fingerprint = fingerprint
        self.state = state
        self.linesRead = linesRead
        self.linesSkipped = linesSkipped
        self.tailFingerprint = tailFingerprint
        self.fileID = fileID
    }
}

/// What a file's rows should become before the rows of this read are stored.
public enum FileTakeover: Sendable, Equatable {
    /// Nothing: rows are added (an append, or a first read).
    case none
    /// The file was replaced or rewritten: its earlier rows go.
    case replace
    /// The file was renamed: the rows of its old name are its own now.
    case renamed(from: String)
}

extension Store {
    /// Every file cursor, by path.
    public func cursors() throws -> [String: FileCursor] {
        try read { db in
            var result: [String: FileCursor] = [:]
            result.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM files") ?? 0)
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT f.path, f.tool, f.offset, f.size, f.inode, f.mtime, f.fingerprint, f.state, f.lines_read, f.lines_skipped,
                      f.tail_fingerprint, coalesce(i.id, 0)
                    FROM files f LEFT JOIN file_ids i ON i.path = f.path
                    """)
            while let row = try cursor.next() {
                let file = FileCursor(
                    path: row[0], tool: ToolKind(rawValue: row[1]), offset: row[2], size: row[3], inode: row[4], mtime: row[5],
                    fingerprint: row[6], state: row[7], linesRead: row[8], linesSkipped: row[9], tailFingerprint: row[10],
                    fileID: row[11])
                result[file.path] = file
            }
            return result
        }
    }

    /// The store's id of each path, given on first sight and never reused.
    public func fileIDs(for paths: [String]) throws -> [String: Int64] {
        guard !paths.isEmpty else { return [:] }
        var known: [String: Int64] = try read { db in
            var result: [String: Int64] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT path, id FROM file_ids")
            while let row = try cursor.next() { result[row[0]] = row[1] }
            return result
        }
        let missing = paths.filter { known[$0] == nil }
        if !missing.isEmpty {
            try write { db in
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO file_ids (path) VALUES (?)")
                let select = try db.cachedStatement(sql: "SELECT id FROM file_ids WHERE path = ?")
                for path in missing {
                    try insert.execute(arguments: [path])
                    known[path] = try Int64.fetchOne(select, arguments: [path])
                }
            }
        }
        var result: [String: Int64] = [:]
        for path in paths { result[path] = known[path] }
        return result
    }

    /// Runs `body` in one write transaction of an ingest run: everything the body
    /// applies commits together or not at all (group commit).
    public func ingestTransaction<T>(_ body: (IngestTransaction) throws -> T) throws -> T {
        try write { db in try body(IngestTransaction(store: self, db: db)) }
    }

    /// Records when the last ingest ran, for `doctor`.
    public func setLastIngest(_ date: Date) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_ingest', ?)", arguments: [String(date.timeIntervalSince1970)])
        }
    }

    func saveCursor(_ cursor: FileCursor, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO files (path, tool, offset, size, inode, mtime, fingerprint, state, lines_read, lines_skipped, updated_at,
                  tail_fingerprint)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(path) DO UPDATE SET tool = excluded.tool, offset = excluded.offset, size = excluded.size,
                  inode = excluded.inode, mtime = excluded.mtime, fingerprint = excluded.fingerprint, state = excluded.state,
                  lines_read = excluded.lines_read, lines_skipped = excluded.lines_skipped, updated_at = excluded.updated_at,
                  tail_fingerprint = excluded.tail_fingerprint
                """
        ).execute(arguments: [
            cursor.path, cursor.tool.rawValue, cursor.offset, cursor.size, cursor.inode, cursor.mtime,
            cursor.fingerprint, cursor.state, cursor.linesRead, cursor.linesSkipped, Date().timeIntervalSince1970,
            cursor.tailFingerprint,
        ])
        try db.cachedStatement(sql: "DELETE FROM file_errors WHERE path = ?").execute(arguments: [cursor.path])
    }

    /// Records why a record file could not be read (shown by `doctor`).
    public func recordFileError(path: String, tool: ToolKind, message: String) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO file_errors (path, tool, message, at) VALUES (?, ?, ?, ?)",
                arguments: [path, tool.rawValue, message, Date().timeIntervalSince1970])
        }
    }

    /// Before a file's new rows: a replaced file's part of every record goes (a record
    /// only it gave is deleted; one another file gave too is kept with that file's
    /// counts), and a renamed file takes over the rows of its old name.
    func takeOver(_ takeover: FileTakeover, fileID: Int64, path: String, in db: Database) throws {
        switch takeover {
        case .none:
            return
        case .replace:
            for table in ["usage", "edits"] {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO dirty_sessions SELECT DISTINCT tool, session_id FROM \(table) WHERE file_id = ?",
                    arguments: [fileID])
            }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO dirty_sessions SELECT DISTINCT u.tool, u.session_id FROM shared_usage s
                    JOIN usage u ON u.tool = s.tool AND u.dedup_key = s.dedup_key WHERE s.file_id = ?
                    """, arguments: [fileID])
            // Its part of records other files own (their rows are checked again below).
            try db.execute(
                sql: """
                    UPDATE usage SET shared = 2 WHERE shared > 0
                      AND (tool, dedup_key) IN (SELECT tool, dedup_key FROM shared_usage WHERE file_id = ?)
                    """, arguments: [fileID])
            try db.execute(sql: "DELETE FROM shared_usage WHERE file_id = ?", arguments: [fileID])
            try db.execute(sql: "DELETE FROM shared_edits WHERE file_id = ?", arguments: [fileID])
            // Records it owns that another file also gave: that file's counts take over.
            try db.execute(
                sql: """
                    UPDATE usage SET (file_id, input, output, cache_write, cache_read, reasoning, cache_write_1h, recorded_cost, shared) = (
                      SELECT s.file_id, s.input, s.output, s.cache_write, s.cache_read, s.reasoning, s.cache_write_1h, s.recorded_cost, 2
                      FROM shared_usage s WHERE s.tool = usage.tool AND s.dedup_key = usage.dedup_key ORDER BY s.file_id LIMIT 1)
                    WHERE file_id = ?1 AND EXISTS (SELECT 1 FROM shared_usage s WHERE s.tool = usage.tool AND s.dedup_key = usage.dedup_key)
                    """, arguments: [fileID])
            try db.execute(
                sql: """
                    DELETE FROM shared_usage WHERE EXISTS (SELECT 1 FROM usage u WHERE u.tool = shared_usage.tool
                      AND u.dedup_key = shared_usage.dedup_key AND u.file_id = shared_usage.file_id)
                    """)
            try db.execute(
                sql: """
                    UPDATE edits SET file_id = (SELECT s.file_id FROM shared_edits s WHERE s.tool = edits.tool AND s.dedup_key = edits.dedup_key
                      ORDER BY s.file_id LIMIT 1)
                    WHERE file_id = ?1 AND EXISTS (SELECT 1 FROM shared_edits s WHERE s.tool = edits.tool AND s.dedup_key = edits.dedup_key)
                    """, arguments: [fileID])
            try db.execute(
                sql: """
                    DELETE FROM shared_edits WHERE EXISTS (SELECT 1 FROM edits e WHERE e.tool = shared_edits.tool
                      AND e.dedup_key = shared_edits.dedup_key AND e.file_id = shared_edits.file_id)
                    """)
            // Records only it gave.
            try db.execute(sql: "DELETE FROM usage WHERE file_id = ?", arguments: [fileID])
            try db.execute(sql: "DELETE FROM edits WHERE file_id = ?", arguments: [fileID])
            try db.execute(
                sql: """
                    UPDATE usage SET shared = EXISTS (SELECT 1 FROM shared_usage s WHERE s.tool = usage.tool AND s.dedup_key = usage.dedup_key)
                    WHERE shared > 0 AND shared = 2
                    """)
            try db.execute(sql: "DELETE FROM format_drift WHERE path = ?", arguments: [path])
        case .renamed(let old):
            guard let oldID = try Int64.fetchOne(db, sql: "SELECT id FROM file_ids WHERE path = ?", arguments: [old]) else { return }
            try db.execute(sql: "UPDATE usage SET file_id = ? WHERE file_id = ?", arguments: [fileID, oldID])
            try db.execute(sql: "UPDATE edits SET file_id = ? WHERE file_id = ?", arguments: [fileID, oldID])
            try db.execute(sql: "UPDATE OR REPLACE shared_usage SET file_id = ? WHERE file_id = ?", arguments: [fileID, oldID])
            try db.execute(sql: "UPDATE OR REPLACE shared_edits SET file_id = ? WHERE file_id = ?", arguments: [fileID, oldID])
            try db.execute(sql: "UPDATE OR IGNORE format_drift SET path = ? WHERE path = ?", arguments: [path, old])
            try db.execute(sql: "DELETE FROM files WHERE path = ?", arguments: [old])
        }
    }

    /// Keeps `fileID`'s counts of a record another file owns (largest per field).
    func share(_ event: UsageEvent, fileID: Int64, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO shared_usage (tool, dedup_key, file_id, input, output, cache_write, cache_read, reasoning, cache_write_1h, recorded_cost)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(tool, dedup_key, file_id) DO UPDATE SET
                  input = max(input, excluded.input), output = max(output, excluded.output),
                  cache_write = max(cache_write, excluded.cache_write), cache_read = max(cache_read, excluded.cache_read),
                  reasoning = max(reasoning, excluded.reasoning), cache_write_1h = max(cache_write_1h, excluded.cache_write_1h),
                  recorded_cost = coalesce(max(recorded_cost, excluded.recorded_cost), recorded_cost, excluded.recorded_cost)
                """
        ).execute(arguments: [
            event.tool.rawValue, event.dedupKey, fileID, event.tokens.input, event.tokens.output, event.tokens.cacheWrite,
            event.tokens.cacheRead, event.tokens.reasoning, event.tokens.cacheWrite1h, event.recordedCostUSD,
        ])
        try db.cachedStatement(sql: "UPDATE usage SET shared = 1 WHERE tool = ? AND dedup_key = ? AND shared = 0")
            .execute(arguments: [event.tool.rawValue, event.dedupKey])
    }

    /// Stores one batch of reader output with idempotent upserts:
    /// - usage keeps the field-wise maximum per (tool, dedup key): Claude Code repeats a
    ///   request's usage per content block, and subagent replays repeat whole messages;
    /// - an edit keeps its last version: a tool call's result, read after the call, says
    ///   what was really applied;
    /// - sessions widen to the earliest start and latest end seen, collecting models.
    /// - the sessions whose usage changed are marked, so their report aggregates are
    ///   folded again (`refreshUsageRollup`);
    /// - what the reader did not recognise is counted against the file it came from.
    func apply(_ batch: ReadBatch, path: String?, fileID: Int64?, in db: Database) throws {
        if !batch.usage.isEmpty {
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO usage (tool, dedup_key, session_id, ts, model, input, output, cache_write, cache_read, reasoning,
                      recorded_cost, cache_write_1h, file_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(tool, dedup_key) DO UPDATE SET
                      input = max(input, excluded.input), output = max(output, excluded.output),
                      cache_write = max(cache_write, excluded.cache_write), cache_read = max(cache_read, excluded.cache_read),
                      reasoning = max(reasoning, excluded.reasoning), cache_write_1h = max(cache_write_1h, excluded.cache_write_1h),
                      recorded_cost = coalesce(max(recorded_cost, excluded.recorded_cost), recorded_cost, excluded.recorded_cost),
                      file_id = coalesce(file_id, excluded.file_id)
                    WHERE file_id IS excluded.file_id OR file_id IS NULL OR excluded.file_id IS NULL
                    """)
            var insert = BulkStatement(statement, in: db)
            defer { insert.finish() }
            var touched: Set<SessionKey> = []
            for event in batch.usage {
                insert.bind(event.tool.rawValue)
                insert.bind(event.dedupKey)
                insert.bind(event.sessionID)
                insert.bind(event.timestamp.timeIntervalSince1970)
                insert.bind(event.model)
                insert.bind(event.tokens.input)
                insert.bind(event.tokens.output)
                insert.bind(event.tokens.cacheWrite)
                insert.bind(event.tokens.cacheRead)
                insert.bind(event.tokens.reasoning)
                insert.bind(event.recordedCostUSD)
                insert.bind(event.tokens.cacheWrite1h)
                insert.bind(fileID)
                // Nothing written: another file owns the record; its counts stay, and this
                // file's are kept beside them.
                if try !insert.stepWrote(), let fileID { try share(event, fileID: fileID, in: db) }
                touched.insert(SessionKey(tool: event.tool, id: event.sessionID))
            }
            let mark = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dirty_sessions (tool, session_id) VALUES (?, ?)")
            for key in touched { try mark.execute(arguments: [key.tool.rawValue, key.id]) }
        }
        if !batch.edits.isEmpty {
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO edits (tool, dedup_key, session_id, ts, path, line_count, lines, commit_hint, file_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(tool, dedup_key) DO UPDATE SET session_id = excluded.session_id, ts = excluded.ts,
                      path = excluded.path, line_count = excluded.line_count, lines = excluded.lines, commit_hint = excluded.commit_hint,
                      file_id = coalesce(file_id, excluded.file_id)
                    WHERE file_id IS excluded.file_id OR file_id IS NULL OR excluded.file_id IS NULL
                    """)
            var insert = BulkStatement(statement, in: db)
            defer { insert.finish() }
            var touched: Set<SessionKey> = []
            for edit in batch.edits {
                touched.insert(SessionKey(tool: edit.tool, id: edit.sessionID))
                // Tool call ids are only unique within a session (sample rollouts reuse
                // `call_abc123`), so the stored key carries the session too.
                insert.bind(edit.tool.rawValue)
                insert.bind(edit.sessionID + "/" + edit.dedupKey)
                insert.bind(edit.sessionID)
                insert.bind(edit.timestamp.timeIntervalSince1970)
                insert.bind(Paths.normalize(edit.absolutePath))
                insert.bind(edit.addedLines.count)
                insert.bind(LineHashBlob.encode(edit.addedLines))
                insert.bind(edit.commitHint)
                insert.bind(fileID)
                if try !insert.stepWrote(), let fileID {
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO shared_edits (tool, dedup_key, file_id) VALUES (?, ?, ?)")
                        .execute(arguments: [edit.tool.rawValue, edit.sessionID + "/" + edit.dedupKey, fileID])
                }
            }
            let mark = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dirty_sessions (tool, session_id) VALUES (?, ?)")
            for key in touched { try mark.execute(arguments: [key.tool.rawValue, key.id]) }
        }
        if !batch.observations.isEmpty {
            try applyObservations(batch.observations, in: db)
        }

        if !batch.drift.isEmpty, let path {
            let tool = batch.usage.first?.tool ?? batch.edits.first?.tool ?? batch.observations.first?.tool
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO format_drift (path, tool, kind, name, count, seen_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(path, kind, name) DO UPDATE SET count = count + excluded.count, seen_at = excluded.seen_at
                    """)
            let now = Date().timeIntervalSince1970
            for (drift, count) in batch.drift {
                try upsert.execute(arguments: [path, tool?.rawValue ?? "", drift.kind.rawValue, drift.name, count, now])
            }
        }
    }

    /// Forgets what was counted of a file before it is read again from its start.
    func forgetFile(_ path: String, in db: Database) throws {
        // Cached: a first ingest runs this once per file (compiling it each time was 4 % of
        // the writer thread).
        try db.cachedStatement(sql: "DELETE FROM format_drift WHERE path = ?").execute(arguments: [path])
    }

    private func applyObservations(_ observations: [SessionObservation], in db: Database) throws {
        // Fold the batch first: a transcript repeats the same session on every line.
        struct Folded { var start: Double; var end: Double; var models: Set<String>; var cwds: Set<String> }
        var folded: [SessionKey: Folded] = [:]
        for observation in observations {
            let key = SessionKey(tool: observation.tool, id: observation.sessionID)
            let time = observation.timestamp.timeIntervalSince1970
            var entry = folded[key] ?? Folded(start: time, end: time, models: [], cwds: [])
            entry.start = min(entry.start, time)
            entry.end = max(entry.end, time)
            if let model = observation.model, !model.isEmpty, model != "<synthetic>" { entry.models.insert(model) }
            if let cwd = observation.cwd, !cwd.isEmpty { entry.cwds.insert(Paths.normalize(cwd)) }
            folded[key] = entry
        }
        let select = try db.cachedStatement(sql: "SELECT started_at, ended_at, models FROM sessions WHERE tool = ? AND id = ?")
        // An upsert, not a replace: the session's placement (repository) is kept.
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO sessions (tool, id, started_at, ended_at, models) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(tool, id) DO UPDATE SET started_at = excluded.started_at, ended_at = excluded.ended_at,
                  models = excluded.models
                """)
        let addCwd = try db.cachedStatement(sql: "INSERT OR IGNORE INTO session_cwds (tool, session_id, cwd) VALUES (?, ?, ?)")
        // A folder not seen before for this session may put it in a repository.
        let unplace = try db.cachedStatement(sql: "UPDATE sessions SET placed = 0 WHERE tool = ? AND id = ?")
        for (key, entry) in folded {
            var start = entry.start
            var end = entry.end
            var models = entry.models
            if let row = try Row.fetchOne(select, arguments: [key.tool.rawValue, key.id]) {
                start = min(start, row["started_at"])
                end = max(end, row["ended_at"])
                let known: String = row["models"]
                models.formUnion(known.split(separator: ",").map(String.init))
            }
            try upsert.execute(arguments: [key.tool.rawValue, key.id, start, end, models.sorted().joined(separator: ",")])
            for cwd in entry.cwds {
                try addCwd.execute(arguments: [key.tool.rawValue, key.id, cwd])
                if db.changesCount > 0 { try unplace.execute(arguments: [key.tool.rawValue, key.id]) }
            }
        }
    }
}

/// One write transaction of an ingest run, handed out by `Store.ingestTransaction`.
public struct IngestTransaction {
    let store: Store
    let db: Database

    /// Stores one batch of reader output read from `path` (idempotent upserts; see `Store.apply`).
    public func apply(_ batch: ReadBatch, from path: String? = nil, fileID: Int64? = nil) throws {
        try store.apply(batch, path: path, fileID: fileID, in: db)
    }

    /// Forgets what was counted of a file that is read again from its start.
    public func forgetFile(_ path: String) throws { try store.forgetFile(path, in: db) }

    /// Replaces a file's earlier rows, or takes over those of its old name (see `FileTakeover`).
    public func takeOver(_ takeover: FileTakeover, fileID: Int64, path: String) throws {
        try store.takeOver(takeover, fileID: fileID, path: path, in: db)
    }

    /// Moves a file's cursor.
    public func saveCursor(_ cursor: FileCursor) throws { try store.saveCursor(cursor, in: db) }
}

/// A session's identity across tools.
public struct SessionKey: Hashable, Sendable, Comparable {
    public var tool: ToolKind
    public var id: String
    public init(tool: ToolKind, id: String) {
        self.tool = tool
        self.id = id
    }
    public static func < (lhs: SessionKey, rhs: SessionKey) -> Bool {
        (lhs.tool.rawValue, lhs.id) < (rhs.tool.rawValue, rhs.id)
    }
}

/// Line hashes packed as little-endian 64-bit integers: compact, and no code text.
enum LineHashBlob {
    static func encode(_ hashes: [LineHash]) -> Data {
        let words = hashes.map { $0.value.littleEndian }
        return words.withUnsafeBytes { Data($0) }
    }

    static func decode(_ data: Data) -> [LineHash] {
        var result: [LineHash] = []
        result.reserveCapacity(data.count / 8)
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                let value = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                result.append(LineHash(value: UInt64(littleEndian: value)))
                offset += 8
            }
        }
        return result
    }
}

/// Path normalisation shared by sessions, edits and repositories, so that a session's
/// working directory and a repository's work tree compare equal when they are.
public enum Paths {
    /// Collapses `.`/`..` and duplicate slashes and drops a trailing slash. Symlinks are
    /// resolved with `resolve` only for paths that exist (repository roots).
    public static func normalize(_ path: String) -> String {
        guard path.hasPrefix("/") else { return path }
        if isNormal(path) { return path }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` has no empty, `.` or `..` component and no trailing slash — true
    /// of nearly every path a tool records, which then needs no rebuilding.
    static func isNormal(_ path: String) -> Bool {
        // Walk the components after the leading "/": each must be non-empty and
        // neither "." nor "..".
        var length = 0  // of the current component
        var dotsOnly = true
        for byte in path.utf8.dropFirst() {
            if byte == 0x2F {
                if length == 0 || (dotsOnly && length <= 2) { return false }
                length = 0
                dotsOnly = true
            } else {
                length += 1
                if byte != 0x2E { dotsOnly = false }
            }
        }
        if path.utf8.count > 1 && (length == 0 || (dotsOnly && length <= 2)) { return false }
        return true
    }

    /// The real path of an existing file or folder (symlinks resolved), normalised.
    public static func resolve(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return normalize(path) }
        defer { free(real) }
        return normalize(String(cString: real))
    }

    /// `path` relative to `root` when it is inside it, else nil.
    public static func relative(_ path: String, to root: String) -> String? {
        if path == root { return "" }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        guard path.hasPrefix(prefix) else { return nil }
        return String(path.dropFirst(prefix.count))
    }
}
