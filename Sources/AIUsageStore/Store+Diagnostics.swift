import AIUsageCore
import Foundation
internal import GRDB

/// Something a reader saw and did not understand, summed over files.
public struct DriftSummary: Sendable, Equatable {
    public var tool: ToolKind
    public var kind: String
    public var name: String
    public var count: Int
    /// The file where it was seen last, and when.
    public var newestFile: String
    public var seenAt: Date
}

/// A record file that could not be read.
public struct FileErrorSummary: Sendable, Equatable {
    public var path: String
    public var tool: ToolKind
    public var message: String
    public var at: Date
}

/// What `doctor` says of one repository.
public struct RepoDiagnostics: Sendable, Equatable {
    public var repo: RepoRecord
    public var commits: Int
    public var sessions: Int
    public var state: RepoSyncState
}

extension Store {
    /// Unrecognised record types, tool names and shapes per tool, most frequent first.
    public func formatDrift() throws -> [DriftSummary] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.tool, d.kind, d.name, sum(d.count),
                      (SELECT x.path FROM format_drift x WHERE x.tool = d.tool AND x.kind = d.kind AND x.name = d.name ORDER BY x.seen_at DESC LIMIT 1),
                      max(d.seen_at)
                    FROM format_drift d GROUP BY d.tool, d.kind, d.name ORDER BY d.tool, sum(d.count) DESC, d.name
                    """
            ).map { row in
                DriftSummary(
                    tool: ToolKind(rawValue: row[0]), kind: row[1], name: row[2], count: row[3], newestFile: row[4] ?? "",
                    seenAt: Date(timeIntervalSince1970: row[5]))
            }
        }
    }

    public func fileErrors() throws -> [FileErrorSummary] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT path, tool, message, at FROM file_errors ORDER BY tool, path").map { row in
                FileErrorSummary(path: row[0], tool: ToolKind(rawValue: row[1]), message: row[2], at: Date(timeIntervalSince1970: row[3]))
            }
        }
    }

    /// Models whose requests had no price, with their tokens (from the usage rollup).
    public func unpricedModels() throws -> [(model: String, tokens: Int64, requests: Int)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT model, sum(unpriced_tokens), sum(CASE WHEN unpriced_tokens > 0 THEN requests - recorded_requests ELSE 0 END)
                    FROM usage_rollup GROUP BY model HAVING sum(unpriced_tokens) > 0 ORDER BY model
                    """
            ).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Sessions that worked in no repository (or whose folder is gone).
    public func unplacedSessionCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions WHERE repo_id IS NULL") ?? 0 }
    }

    public func repoDiagnostics() throws -> [RepoDiagnostics] {
        let repos = try repos()
        return try repos.map { repo in
            let (commits, sessions) = try read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM commits WHERE repo_id = ?", arguments: [repo.id]) ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions WHERE repo_id = ?", arguments: [repo.id]) ?? 0
                )
            }
            return RepoDiagnostics(repo: repo, commits: commits, sessions: sessions, state: try syncState(repo: repo.id))
        }
    }
}
