import AIUsageCore
import Foundation
import GRDB

/// Reads Cursor's SQLite stores. Every table and field is optional: each is checked
/// before use, and a store whose shape is unknown gives nothing rather than failing.
///
/// - Editor `state.vscdb` (`~/.config/Cursor/User/globalStorage/`, macOS
///   `~/Library/Application Support/Cursor/User/globalStorage/`), table `cursorDiskKV`:
///   `composerData:<composer>` JSON (session: `createdAt`, `modelConfig.modelName`) and
///   `bubbleId:<composer>:<bubble>` JSON (one message: `tokenCount.inputTokens` /
///   `outputTokens` — best effort, often zero, then no usage event — `modelInfo`,
///   `createdAt`, and `toolFormerData` for agent tool calls, whose edit arguments give
///   edits). Usage keys `<composer>:<bubble>`, edit keys `<composer>:<bubble>:<file>`.
/// - `~/.cursor/ai-tracking/ai-code-tracking.db`, table `ai_code_hashes`
///   (`conversationId`, `model`, `createdAt`/`timestamp`): sessions and models only.
///   Its line hashes are Cursor's own (not our line identity) and `scored_commits`
///   (per-commit AI line scores) has no place in a `ReadBatch`: rows are counted as
///   read, nothing more (a gap the integrator could close with a new batch kind).
/// - Cursor CLI chat stores `~/.cursor/chats/<workspace hash>/<agent>/store.db`:
///   `meta` key `0` (hex JSON: `agentId`, `createdAt`, `lastUsedModel`) → a session.
///   Its `blobs` are protobuf/JSON trees, not read.
///
/// A database with none of these tables, and a tool name no Cursor reader knows, are
/// counted as format drift (`ReadBatch.drift`). All are rewritten in place (`.rewritten`). `cursorDiskKV` and `ai_code_hashes` rows
/// replaced on update get a new rowid, so the state is the largest rowid seen per table.
public struct CursorDatabaseReader: SessionReader {
    public let tool: ToolKind = .cursor

    public init() {}

    public var fileKind: RecordFileKind { .rewritten }

    static let batchLimit = 2000

    public func searchRoots(in environment: ReaderEnvironment) -> [String] {
        let home = environment.home.hasSuffix("/") ? String(environment.home.dropLast()) : environment.home
        var config = environment.variables["XDG_CONFIG_HOME"] ?? ""
        if !config.hasPrefix("/") { config = home + "/.config" }
        return [
            home + "/.cursor/ai-tracking",
            config + "/Cursor/User/globalStorage",
            home + "/Library/Application Support/Cursor/User/globalStorage",
            home + "/.cursor/chats",
        ]
    }

    public func discoverFiles(in environment: ReaderEnvironment) -> [String] {
        searchRoots(in: environment).flatMap { root -> [String] in
            if root.hasSuffix("/chats") {
                return RecordFileWalker.files(under: root, maxDepth: 2) { $0 == "store.db" }.files
            }
            return RecordFileWalker.files(under: root, maxDepth: 0) { $0 == "ai-code-tracking.db" || $0 == "state.vscdb" }.files
        }
    }

    struct State: Codable {
        var rowids: [String: Int64] = [:]
    }

    public func readRecords(path: String, from offset: Int64, state: Data?, sink: (ReadBatch) throws -> Void) throws -> ReadProgress {
        var watermark = state.flatMap { try? JSONDecoder().decode(State.self, from: $0) } ?? State()
        let queue = try ReadOnlyDatabase.open(path)
        var counts = (read: 0, skipped: 0)
        try queue.read { db in
            var batch = ReadBatch()
            var known = false
            if try columns(db, "cursorDiskKV").isSuperset(of: ["key", "value"]) {
                known = true
                try readKeyValues(db, &watermark, &counts, &batch, sink)
            }
            let hashColumns = try columns(db, "ai_code_hashes")
            if hashColumns.contains("conversationId") {
                known = true
                try readCodeHashes(db, hashColumns, &watermark, &counts, &batch)
            }
            if try columns(db, "scored_commits").isEmpty == false {
                known = true
                counts.read += try Int.fetchOne(db, sql: "SELECT count(*) FROM scored_commits") ?? 0
            }
            if try columns(db, "meta").isSuperset(of: ["key", "value"]) {
                known = true
                try readChatMeta(db, &counts, &batch)
            }
            if !known { batch.noteUnrecognized(.shape, "database-without-known-tables") }
            if !batch.isEmpty { try sink(batch) }
        }
        return ReadProgress(offset: 0, state: try? JSONEncoder().encode(watermark), linesRead: counts.read, linesSkipped: counts.skipped)
    }

    func columns(_ db: Database, _ table: String) throws -> Set<String> {
        guard try ReadOnlyDatabase.hasTable(db, table) else { return [] }
        return Set(try db.columns(in: table).map(\.name))
    }

    /// The JSON of a key-value row, stored as TEXT or as a BLOB of UTF-8.
    static func json(_ value: DatabaseValue) -> [String: Any]? {
        switch value.storage {
        case .string(let text): JSONDict.object(text)
        case .blob(let data): JSONDict.object(data)
        default: nil
        }
    }

    func readKeyValues(
        _ db: Database, _ watermark: inout State, _ counts: inout (read: Int, skipped: Int), _ batch: inout ReadBatch,
        _ sink: (ReadBatch) throws -> Void
    ) throws {
        let since = watermark.rowids["cursorDiskKV"] ?? 0
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT rowid, key, value FROM cursorDiskKV
                WHERE rowid > ? AND (key LIKE 'composerData:%' OR key LIKE 'bubbleId:%') ORDER BY rowid
                """, arguments: [since])
        while let row = try rows.next() {
            let rowid: Int64 = row[0]
            watermark.rowids["cursorDiskKV"] = max(watermark.rowids["cursorDiskKV"] ?? 0, rowid)
            guard let key = row[1] as String?, let json = Self.json(row[2]) else {
                counts.skipped += 1
                continue
            }
            counts.read += 1
            let parts = key.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if parts[0] == "composerData" {
                let composer = JSONDict.string(json, "composerId") ?? parts.dropFirst().joined(separator: ":")
                guard !composer.isEmpty, let time = JSONDict.date(json, "createdAt") ?? JSONDict.date(json, "lastUpdatedAt")
                else { continue }
                batch.observations.append(
                    SessionObservation(
                        tool: .cursor, sessionID: composer, cwd: nil, timestamp: time,
                        model: JSONDict.string(json, "modelConfig", "modelName")))
            } else if parts.count >= 3 {
                bubble(json, composer: parts[1], bubble: parts[2...].joined(separator: ":"), into: &batch)
            }
            if batch.count >= Self.batchLimit {
                try sink(batch)
                batch = ReadBatch()
            }
        }
    }

    func bubble(_ json: [String: Any], composer: String, bubble: String, into batch: inout ReadBatch) {
        let time =
            JSONDict.date(json, "createdAt") ?? JSONDict.date(json, "timingInfo", "clientEndTime")
            ?? JSONDict.date(json, "timingInfo", "clientStartTime")
        let model = JSONDict.string(json, "modelInfo", "modelName")
        let tokens = TokenCounts(
            input: max(0, JSONDict.int64(json, "tokenCount", "inputTokens") ?? 0),
            output: max(0, JSONDict.int64(json, "tokenCount", "outputTokens") ?? 0))
        // Zero counts are Cursor's "not recorded", never a real zero: no event.
        if !tokens.isZero, let time {
            batch.usage.append(
                UsageEvent(
                    tool: .cursor, sessionID: composer, timestamp: time, model: model ?? "unknown", tokens: tokens,
                    dedupKey: "\(composer):\(bubble)"))
        }
        if let time, model != nil {
            batch.observations.append(SessionObservation(tool: .cursor, sessionID: composer, cwd: nil, timestamp: time, model: model))
        }
        guard let toolData = JSONDict.object(json, "toolFormerData"), let name = JSONDict.string(toolData, "name") else { return }
        if !CursorTranscriptReader.isEditTool(name), !CursorTranscriptReader.otherTools.contains(name.lowercased()),
            !name.lowercased().hasPrefix("mcp")
        {
            batch.noteUnrecognized(.toolName, name)
        }
        let status = JSONDict.string(toolData, "status")
        guard status == nil || status == "completed" else { return }
        // Arguments arrive as a JSON string (`rawArgs` / `params`) or an object.
        var input: [String: Any]?
        for field in ["rawArgs", "params"] {
            if let object = JSONDict.object(toolData, field) {
                input = object
            } else if let text = JSONDict.string(toolData, field) {
                input = JSONDict.object(text)
            }
            if input != nil { break }
        }
        guard let input else { return }
        for (index, change) in EditToolCalls.files(tool: name, input).enumerated() {
            batch.edits.append(
                EditEvent(
                    tool: .cursor, sessionID: composer, timestamp: time ?? Date(timeIntervalSince1970: 0),
                    dedupKey: "\(composer):\(bubble):\(index)", filePath: change.path, cwd: nil, addedLines: change.added))
        }
    }

    func readCodeHashes(
        _ db: Database, _ columns: Set<String>, _ watermark: inout State, _ counts: inout (read: Int, skipped: Int),
        _ batch: inout ReadBatch
    ) throws {
        let since = watermark.rowids["ai_code_hashes"] ?? 0
        let time = columns.contains("createdAt") ? "createdAt" : columns.contains("timestamp") ? "timestamp" : "NULL"
        let model = columns.contains("model") ? "model" : "NULL"
        let rows = try Row.fetchCursor(
            db, sql: "SELECT rowid, conversationId, \(model), \(time) FROM ai_code_hashes WHERE rowid > ? ORDER BY rowid",
            arguments: [since])
        var seen: [String: (Date, String?)] = [:]
        while let row = try rows.next() {
            let rowid: Int64 = row[0]
            watermark.rowids["ai_code_hashes"] = max(watermark.rowids["ai_code_hashes"] ?? 0, rowid)
            counts.read += 1
            guard let conversation = row[1] as String?, !conversation.isEmpty,
                let date = JSONDict.date(row[3] as Int64?) ?? JSONDict.date(row[3] as String?)
            else { continue }
            let previous = seen[conversation]
            seen[conversation] = (min(previous?.0 ?? date, date), (row[2] as String?) ?? previous?.1)
        }
        for (conversation, value) in seen.sorted(by: { $0.key < $1.key }) {
            batch.observations.append(
                SessionObservation(tool: .cursor, sessionID: conversation, cwd: nil, timestamp: value.0, model: value.1))
        }
    }

    func readChatMeta(_ db: Database, _ counts: inout (read: Int, skipped: Int), _ batch: inout ReadBatch) throws {
        guard let value = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = '0'") else { return }
        let text = value.hasPrefix("{") ? value : Self.hexDecoded(value).map { String(decoding: $0, as: UTF8.self) }
        guard let text, let json = JSONDict.object(text), let agent = JSONDict.string(json, "agentId"),
            let time = JSONDict.date(json, "createdAt")
        else {
            counts.skipped += 1
            return
        }
        counts.read += 1
        batch.observations.append(
            SessionObservation(tool: .cursor, sessionID: agent, cwd: nil, timestamp: time, model: JSONDict.string(json, "lastUsedModel")))
    }

    static func hexDecoded(_ text: String) -> Data? {
        let bytes = Array(text.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x37
            case 0x61...0x66: byte - 0x57
            default: nil
            }
        }
        var data = Data(capacity: bytes.count / 2)
        var index = 0
        while index < bytes.count {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { return nil }
            data.append(high << 4 | low)
            index += 2
        }
        return data
    }
}
