import AIUsageCore
import Foundation
import GRDB

/// Reads current OpenCode's SQLite store, `${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db`:
/// tables `message` and `part` (id, message_id, session_id, time_created, time_updated,
/// data = the JSON document OpenCode used to write to `storage/`) and `session`
/// (directory). The documents are turned into events by `OpenCodeRecords`, so a
/// session migrated from the JSON tree gives the same keys from either source.
///
/// The database is rewritten in place (`.rewritten`). The state carries the largest
/// `time_updated` seen per table, so a later run only reads rows added or updated since
/// (a message is updated as it streams and when its tokens are final; the store keeps
/// the last version under the same key).
public struct OpenCodeDatabaseReader: SessionReader {
    public let tool: ToolKind = .opencode

    public init() {}

    public var fileKind: RecordFileKind { .rewritten }

    static let batchLimit = 2000

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        [OpenCodeStorageReader.dataFolder(in: environment)]
    }

    /// `opencode.db`, and the per-channel `opencode-<channel>.db` of preview builds.
    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        searchRoots(in: environment).flatMap { root in
            RecordFileWalker.files(under: root, maxDepth: 0) { name in
                name.hasPrefix("opencode") && name.hasSuffix(".db")
            }.files
        }
    }

    /// Largest `time_updated` handed out per table.
    struct State: Codable, Equatable {
        var message: Int64 = Int64.min
        var part: Int64 = Int64.min
        var session: Int64 = Int64.min
    }

    public func read(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        var watermark = state.flatMap { try? JSONDecoder().decode(State.self, from: $0) } ?? State()
        let queue = try ReadOnlyDatabase.open(path)
        var read = 0
        var skipped = 0
        try queue.read { db in
            var batch = ReadBatch()
            func flushIfFull() throws {
                if batch.count >= Self.batchLimit {
                    try sink(batch)
                    batch = ReadBatch()
                }
            }
            let sessionColumns = try columns(db, "session")
            var directories: [String: String] = [:]
            if sessionColumns.isSuperset(of: ["id", "directory"]) {
                let hasTime = sessionColumns.contains("time_updated")
                let hasCreated = sessionColumns.contains("time_created")
                let rows = try Row.fetchCursor(
                    db,
                    sql: "SELECT id, directory, \(hasCreated ? "time_created" : "0"), \(hasTime ? "time_updated" : "0") FROM session")
                while let row = try rows.next() {
                    guard let id = row[0] as String?, let directory = row[1] as String? else { continue }
                    directories[id] = directory
                    let updated = row[3] as Int64? ?? 0
                    guard !hasTime || updated > watermark.session else { continue }
                    watermark.session = max(watermark.session, updated)
                    read += 1
                    batch.observations.append(
                        SessionObservation(
                            tool: .opencode, sessionID: id, cwd: directory,
                            timestamp: JSONDict.date(row[2] as Int64?) ?? Date(timeIntervalSince1970: 0)))
                    try flushIfFull()
                }
            }

            let messageColumns = try columns(db, "message")
            if messageColumns.isSuperset(of: ["id", "session_id", "data"]) {
                let cursor = try rowsSince(db, table: "message", columns: messageColumns, watermark: watermark.message)
                while let row = try cursor.rows.next() {
                    let updated = row["time_updated"] as Int64? ?? 0
                    if cursor.hasTime { watermark.message = max(watermark.message, updated) }
                    guard let data = row["data"] as String?, let json = JSONDict.object(data),
                        let message = OpenCodeRecords.message(
                            json, fallbackID: row["id"], fallbackSessionID: row["session_id"],
                            fallbackTime: JSONDict.date(row["time_created"] as Int64?) ?? Date(timeIntervalSince1970: 0))
                    else {
                        skipped += 1
                        continue
                    }
                    read += 1
                    var observation = message.observation
                    if observation.cwd == nil { observation.cwd = directories[message.sessionID] }
                    batch.observations.append(observation)
                    if let usage = message.usage { batch.usage.append(usage) }
                    try flushIfFull()
                }
            }

            let partColumns = try columns(db, "part")
            if partColumns.isSuperset(of: ["id", "session_id", "data"]) {
                // Only tool parts can be edits: skip text and reasoning parts in SQL.
                let cursor = try rowsSince(
                    db, table: "part", columns: partColumns, watermark: watermark.part, filter: "data LIKE '%\"tool\"%'")
                var messageCWD: [String: String?] = [:]
                let canLookUpMessages = messageColumns.isSuperset(of: ["id", "data"]) && partColumns.contains("message_id")
                while let row = try cursor.rows.next() {
                    let updated = row["time_updated"] as Int64? ?? 0
                    if cursor.hasTime { watermark.part = max(watermark.part, updated) }
                    guard let data = row["data"] as String?, let json = JSONDict.object(data),
                        let sessionID = row["session_id"] as String? ?? JSONDict.string(json, "sessionID")
                    else {
                        skipped += 1
                        continue
                    }
                    read += 1
                    guard OpenCodeRecords.isEditPart(json) else { continue }
                    var cwd: String?
                    if canLookUpMessages, let messageID = row["message_id"] as String? {
                        if let known = messageCWD[messageID] {
                            cwd = known
                        } else {
                            let found = try String.fetchOne(db, sql: "SELECT data FROM message WHERE id = ?", arguments: [messageID])
                                .flatMap { JSONDict.object($0) }
                                .flatMap { JSONDict.string($0, "path", "cwd") ?? JSONDict.string($0, "path", "root") }
                            messageCWD[messageID] = found
                            cwd = found
                        }
                    }
                    batch.edits += OpenCodeRecords.edits(
                        part: json, sessionID: sessionID, cwd: cwd ?? directories[sessionID],
                        fallbackTime: JSONDict.date(row["time_created"] as Int64?) ?? Date(timeIntervalSince1970: 0))
                    try flushIfFull()
                }
            }
            if !batch.isEmpty { try sink(batch) }
        }
        return ReadProgress(
            offset: 0, state: try? JSONEncoder().encode(watermark), linesRead: read, linesSkipped: skipped)
    }

    /// The column names of `table`, empty when the table does not exist.
    func columns(_ db: Database, _ table: String) throws -> Set<String> {
        guard try ReadOnlyDatabase.hasTable(db, table) else { return [] }
        return Set(try db.columns(in: table).map(\.name))
    }

    /// Rows of `table` updated after `watermark`, oldest first. Without a
    /// `time_updated` column every row is read each time (keys absorb the repeats).
    func rowsSince(
        _ db: Database, table: String, columns: Set<String>, watermark: Int64, filter: String? = nil
    ) throws -> (rows: RowCursor, hasTime: Bool) {
        let hasTime = columns.contains("time_updated")
        let wanted = ["id", "message_id", "session_id", "time_created", "time_updated", "data"]
            .map { columns.contains($0) ? $0 : "NULL AS \($0)" }
        var conditions: [String] = []
        if hasTime { conditions.append("time_updated > ?") }
        if let filter { conditions.append(filter) }
        let sql =
            "SELECT \(wanted.joined(separator: ", ")) FROM \(table)"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + (hasTime ? " ORDER BY time_updated" : "")
        let arguments: StatementArguments = hasTime ? [watermark] : []
        return (try Row.fetchCursor(db, sql: sql, arguments: arguments), hasTime)
    }
}
