import AIUsageCore
import Foundation
internal import GRDB

/// A session row with the folders it worked in.
public struct SessionRecord: Sendable, Equatable {
    public var key: SessionKey
    public var startedAt: Date
    public var endedAt: Date
    public var models: [String]
    public var cwds: [String]
}

/// A usage row.
public struct UsageRecord: Sendable, Equatable {
    public var session: SessionKey
    public var timestamp: Date
    public var model: String
    public var tokens: TokenCounts
    public var recordedCostUSD: Double?
}

/// An edit row without its line hashes.
public struct EditRecord: Sendable, Equatable {
    public var session: SessionKey
    public var editKey: String
    public var timestamp: Date
    public var path: String
    public var lineCount: Int
}

/// Counts for `doctor`.
public struct StoreStatistics: Sendable {
    public var filesByTool: [ToolKind: (files: Int, lines: Int, skipped: Int, bytes: Int64)]
    public var sessionsByTool: [ToolKind: Int]
    public var usageByTool: [ToolKind: Int]
    public var editsByTool: [ToolKind: Int]
    public var commits: Int
    public var repos: Int
    public var lastIngest: Date?
}

extension Store {
    public func sessions() throws -> [SessionRecord] {
        try read { db in
            var cwds: [SessionKey: [String]] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT tool, session_id, cwd FROM session_cwds ORDER BY cwd")
            while let row = try cursor.next() {
                cwds[SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1]), default: []].append(row[2])
            }
            return try rows(db, "SELECT tool, id, started_at, ended_at, models FROM sessions ORDER BY started_at, tool, id") { row in
                let key = SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1])
                let models: String = row[4]
                return SessionRecord(
                    key: key, startedAt: Date(timeIntervalSince1970: row[2]), endedAt: Date(timeIntervalSince1970: row[3]),
                    models: models.split(separator: ",").map(String.init), cwds: cwds[key] ?? [])
            }
        }
    }

    public func usage() throws -> [UsageRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM usage_effective ORDER BY ts").map { row in
                UsageRecord(
                    session: SessionKey(tool: ToolKind(rawValue: row["tool"]), id: row["session_id"]),
                    timestamp: Date(timeIntervalSince1970: row["ts"]), model: row["model"],
                    tokens: TokenCounts(
                        input: row["input"], output: row["output"], cacheWrite: row["cache_write"],
                        cacheRead: row["cache_read"], reasoning: row["reasoning"]),
                    recordedCostUSD: row["recorded_cost"])
            }
        }
    }

    public func edits() throws -> [EditRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT tool, dedup_key, session_id, ts, path, line_count FROM edits ORDER BY ts").map { row in
                EditRecord(
                    session: SessionKey(tool: ToolKind(rawValue: row["tool"]), id: row["session_id"]), editKey: row["dedup_key"],
                    timestamp: Date(timeIntervalSince1970: row["ts"]), path: row["path"], lineCount: row["line_count"])
            }
        }
    }

    public func statistics() throws -> StoreStatistics {
        try read { db in
            var files: [ToolKind: (Int, Int, Int, Int64)] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT tool, count(*) n, sum(lines_read) l, sum(lines_skipped) s, sum(offset) b FROM files GROUP BY tool")
            {
                files[ToolKind(rawValue: row["tool"])] = (row["n"], row["l"] ?? 0, row["s"] ?? 0, row["b"] ?? 0)
            }
            func counts(_ sql: String) throws -> [ToolKind: Int] {
                var result: [ToolKind: Int] = [:]
                for row in try Row.fetchAll(db, sql: sql) { result[ToolKind(rawValue: row["tool"])] = row["n"] }
                return result
            }
            let last = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'last_ingest'").flatMap(Double.init)
            return StoreStatistics(
                filesByTool: files.mapValues { (files: $0.0, lines: $0.1, skipped: $0.2, bytes: $0.3) },
                sessionsByTool: try counts("SELECT tool, count(*) n FROM sessions GROUP BY tool"),
                usageByTool: try counts("SELECT tool, count(*) n FROM usage GROUP BY tool"),
                editsByTool: try counts("SELECT tool, count(*) n FROM edits GROUP BY tool"),
                commits: try Int.fetchOne(db, sql: "SELECT count(*) FROM commits") ?? 0,
                repos: try Int.fetchOne(db, sql: "SELECT count(*) FROM repos") ?? 0,
                lastIngest: last.map(Date.init(timeIntervalSince1970:)))
        }
    }
}
