import AIUsageCore
import Foundation
import GRDB

/// Reads current OpenCode's SQLite store, `${XDG_DATA_HOME:-~/.local/share}/opencode/opencode.db`
/// (the only store OpenCode 1.16 and later write): tables `message` and `part` (id,
/// message_id, session_id, time_created, time_updated, data = the JSON document
/// OpenCode used to write to `storage/`) and `session` (directory, `parent_id`, and
/// since 1.16 the session's usage columns `cost`, `tokens_input`, `tokens_output`,
/// `tokens_reasoning`, `tokens_cache_read`, `tokens_cache_write`). The documents are
/// turned into events by `OpenCodeRecords`, so a session migrated from the JSON tree
/// gives the same keys from either source.
///
/// - Child sessions (`parent_id`: the `task` tool's subagents) are subagents of their
///   root session: their usage, edits and observations carry the root's session id,
///   their dedup keys stay their own.
/// - Usage per assistant message, its tokens the larger of the message's own and the
///   sum of its `step-finish` parts (OpenCode keeps only the last step's tokens on a
///   message of several steps). A session whose messages record no usage at all but
///   whose usage columns do (messages pruned, or a store that keeps usage only on the
///   session) gets one event with the session's totals, keyed `<session>:session`.
/// - Format drift: unknown part types, tool names and message roles are counted
///   (`ReadBatch.drift`), and so is a store without any of the tables above.
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

    /// What the session table says about every session.
    struct Sessions {
        var directory: [String: String] = [:]
        var parent: [String: String] = [:]
        var known: Set<String> = []

        /// The top of a session's parent chain (itself when it has no parent). A parent
        /// that is not in the store (deleted) ends the chain: the child stays its own.
        func root(_ id: String) -> String {
            var current = id
            var seen: Set<String> = [id]
            while let next = parent[current], known.contains(next), seen.insert(next).inserted { current = next }
            return current
        }
    }

    static let usageColumns = [
        "tokens_input", "tokens_output", "tokens_reasoning", "tokens_cache_read", "tokens_cache_write", "cost",
    ]

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
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
            let messageColumns = try columns(db, "message")
            let partColumns = try columns(db, "part")
            if sessionColumns.isEmpty && messageColumns.isEmpty && partColumns.isEmpty {
                batch.noteUnrecognized(.shape, "database-without-known-tables")
            }
            var sessions = Sessions()
            var changedSessions: [Row] = []
            if sessionColumns.contains("id") {
                let hasTime = sessionColumns.contains("time_updated")
                let wanted = ["id", "directory", "parent_id", "time_created", "time_updated", "model"] + Self.usageColumns
                let select = wanted.map { sessionColumns.contains($0) ? $0 : "NULL AS \($0)" }.joined(separator: ", ")
                let rows = try Row.fetchCursor(db, sql: "SELECT \(select) FROM session")
                while let row = try rows.next() {
                    guard let id = row["id"] as String? else { continue }
                    sessions.known.insert(id)
                    if let directory = row["directory"] as String? { sessions.directory[id] = directory }
                    if let parent = row["parent_id"] as String?, !parent.isEmpty, parent != id { sessions.parent[id] = parent }
                    let updated = row["time_updated"] as Int64? ?? 0
                    guard !hasTime || updated > watermark.session else { continue }
                    changedSessions.append(row.copy())
                }
                let candidates = changedSessions.compactMap { sessionUsage($0, sessions: sessions) }
                let counted =
                    messageColumns.isSuperset(of: ["session_id", "data"])
                    ? try sessionsWithMessageUsage(db, candidates.map(\.session)) : []
                let sessionEvents = Dictionary(
                    candidates.filter { !counted.contains($0.session) }.map { ($0.session, $0.event) },
                    uniquingKeysWith: { first, _ in first })
                for row in changedSessions {
                    let id: String = row["id"]
                    watermark.session = max(watermark.session, row["time_updated"] as Int64? ?? 0)
                    read += 1
                    batch.observations.append(
                        SessionObservation(
                            tool: .opencode, sessionID: sessions.root(id), cwd: sessions.directory[id],
                            timestamp: JSONDict.date(row["time_created"] as Int64?) ?? Date(timeIntervalSince1970: 0)))
                    if let usage = sessionEvents[id] { batch.usage.append(usage) }
                    try flushIfFull()
                }
            }

            // Step sums need an index on `part.message_id` (OpenCode has one); without it
            // each lookup would scan every part, so messages keep their own tokens.
            let partIndexes = partColumns.isEmpty ? [] : try db.indexes(on: "part")
            let canSumSteps =
                partColumns.isSuperset(of: ["message_id", "data"])
                && partIndexes.contains { $0.columns.first == "message_id" }
            /// Assistant messages waiting for their step sums: looked up 256 at a time.
            var waiting: [OpenCodeRecords.Message] = []
            func emitWaiting() throws {
                guard !waiting.isEmpty else { return }
                let steps = canSumSteps ? try stepTotals(db, messageIDs: waiting.map(\.id)) : [:]
                for var message in waiting {
                    if let sum = steps[message.id] { OpenCodeRecords.raise(&message, toSteps: sum) }
                    if var usage = message.usage {
                        usage.sessionID = sessions.root(message.sessionID)
                        batch.usage.append(usage)
                    }
                }
                waiting.removeAll(keepingCapacity: true)
                try flushIfFull()
            }
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
                    message.noteDrift(into: &batch)
                    let root = sessions.root(message.sessionID)
                    var observation = message.observation
                    observation.sessionID = root
                    if observation.cwd == nil { observation.cwd = sessions.directory[message.sessionID] }
                    batch.observations.append(observation)
                    if message.role == "assistant" {
                        waiting.append(message)
                        if waiting.count >= 256 { try emitWaiting() }
                    }
                    try flushIfFull()
                }
                try emitWaiting()
            }

            if partColumns.isSuperset(of: ["id", "session_id", "data"]) {
                // Text and reasoning parts carry nothing to take: skipped in SQL.
                let cursor = try rowsSince(
                    db, table: "part", columns: partColumns, watermark: watermark.part,
                    filter: "data NOT LIKE '{\"type\":\"text\"%' AND data NOT LIKE '{\"type\":\"reasoning\"%'")
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
                    OpenCodeRecords.noteDrift(ofPart: json, into: &batch)
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
                    var edits = OpenCodeRecords.edits(
                        part: json, sessionID: sessionID, cwd: cwd ?? sessions.directory[sessionID],
                        fallbackTime: JSONDict.date(row["time_created"] as Int64?) ?? Date(timeIntervalSince1970: 0))
                    let root = sessions.root(sessionID)
                    for index in edits.indices { edits[index].sessionID = root }
                    batch.edits += edits
                    try flushIfFull()
                }
            }
            if !batch.isEmpty { try sink(batch) }
        }
        return ReadProgress(
            offset: 0, state: try? JSONEncoder().encode(watermark), linesRead: read, linesSkipped: skipped)
    }

    /// Sums of the `step-finish` parts (one per model call) of the given messages.
    func stepTotals(_ db: Database, messageIDs: [String]) throws -> [String: TokenCounts] {
        var totals: [String: TokenCounts] = [:]
        let marks = databaseQuestionMarks(count: messageIDs.count)
        let rows = try Row.fetchCursor(
            db, sql: "SELECT message_id, data FROM part WHERE message_id IN (\(marks)) AND data LIKE '%\"step-finish\"%'",
            arguments: StatementArguments(messageIDs))
        while let row = try rows.next() {
            guard let id = row[0] as String?, let data = row[1] as String?, let json = JSONDict.object(data),
                JSONDict.string(json, "type") == "step-finish"
            else { continue }
            totals[id, default: .zero] += OpenCodeRecords.tokenCounts(JSONDict.object(json, "tokens"))
        }
        return totals
    }

    /// A session's usage columns as one event (nil when they are all zero). Handed out
    /// only for sessions none of whose messages records usage, else the messages are
    /// counted and this would count them twice.
    func sessionUsage(_ row: Row, sessions: Sessions) -> (session: String, event: UsageEvent)? {
        let id: String = row["id"]
        func number(_ column: String) -> Int64 { max(0, row[column] as Int64? ?? 0) }
        let reasoning = number("tokens_reasoning")
        let tokens = TokenCounts(
            input: number("tokens_input"), output: number("tokens_output") + reasoning,
            cacheWrite: number("tokens_cache_write"), cacheRead: number("tokens_cache_read"), reasoning: reasoning)
        let cost = (row["cost"] as Double?).flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        guard !tokens.isZero || cost != nil else { return nil }
        // The session's model: a JSON `{"id": …}` (1.18) or plain text.
        let modelText = row["model"] as String?
        let model = modelText.flatMap { JSONDict.object($0).flatMap { JSONDict.string($0, "id") } ?? ($0.hasPrefix("{") ? nil : $0) }
        let time =
            JSONDict.date(row["time_updated"] as Int64?) ?? JSONDict.date(row["time_created"] as Int64?)
            ?? Date(timeIntervalSince1970: 0)
        return (
            id,
            UsageEvent(
                tool: .opencode, sessionID: sessions.root(id), timestamp: time, model: model ?? "unknown", tokens: tokens,
                dedupKey: "\(id):session", recordedCostUSD: cost)
        )
    }

    /// Which of `ids` have a message that records usage (500 sessions per query).
    func sessionsWithMessageUsage(_ db: Database, _ ids: [String]) throws -> Set<String> {
        var found: Set<String> = []
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            start += chunk.count
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT session_id, data FROM message WHERE session_id IN (\(databaseQuestionMarks(count: chunk.count)))
                    AND (data LIKE '%"tokens"%' OR data LIKE '%"cost"%')
                    """, arguments: StatementArguments(chunk))
            while let row = try rows.next() {
                guard let session = row[0] as String?, !found.contains(session), let data = row[1] as String?,
                    let json = JSONDict.object(data),
                    OpenCodeRecords.message(json, fallbackID: "-", fallbackSessionID: session, fallbackTime: Date())?.usage != nil
                else { continue }
                found.insert(session)
            }
        }
        return found
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
