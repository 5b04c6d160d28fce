import AIUsageCore
import Foundation
internal import GRDB

/// A session as reports need it: where it worked (its repository, or none).
public struct SessionSummary: Sendable, Equatable {
    public var key: SessionKey
    public var startedAt: Date
    public var endedAt: Date
    public var models: [String]
    /// The repository it worked in; nil when it worked in none (or not looked for yet).
    public var repoID: Int64?
    /// The model it made most requests on (nil before its usage is folded, or with none).
    public var primaryModel: String?
}

/// An edit's size and place, without its line hashes.
public struct EditSummary: Sendable, Equatable {
    public var session: SessionKey
    public var timestamp: Date
    public var path: String
    public var lineCount: Int
}

/// AI lines a commit holds from one session.
public struct CommitSessionLines: Sendable, Hashable {
    public var repoID: Int64
    public var sha: String
    public var session: SessionKey
    public var aiLines: Int
}

/// Survival of one commit's landed AI lines from one session, kept between runs.
public struct SurvivalEntry: Sendable, Equatable {
    public var repoID: Int64
    public var sha: String
    public var session: SessionKey
    public var days: Int
    /// The landed lines and landing commit it was computed for.
    public var landed: Int
    public var into: String
    public var surviving: Int
    public var pending: Int
    public var churned: Int
    /// The default-branch tip it was computed against (matters until `final`).
    public var tip: String
    /// Both horizons (N days, and the 21 days of churn) had passed: it never changes.
    public var final: Bool

    public init(
        repoID: Int64, sha: String, session: SessionKey, days: Int, landed: Int, into: String, surviving: Int, pending: Int,
        churned: Int, tip: String, final: Bool
    ) {
        self.repoID = repoID
        self.sha = sha
        self.session = session
        self.days = days
        self.landed = landed
        self.into = into
        self.surviving = surviving
        self.pending = pending
        self.churned = churned
        self.tip = tip
        self.final = final
    }
}

extension Store {
    // MARK: Sessions and edits

    /// Every session, with its placement; by start time when `ordered` (else in key order,
    /// cheaper, for callers that only look sessions up).
    public func sessionSummaries(ordered: Bool = true) throws -> [SessionSummary] {
        try read { db in
            var result: [SessionSummary] = []
            let cursor = try Row.fetchCursor(
                db,
                sql: "SELECT tool, id, started_at, ended_at, models, repo_id, primary_model FROM sessions"
                    + (ordered ? " ORDER BY started_at, tool, id" : ""))
            while let row = try cursor.next() {
                let models: String = row[4]
                result.append(
                    SessionSummary(
                        key: SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1]), startedAt: Date(timeIntervalSince1970: row[2]),
                        endedAt: Date(timeIntervalSince1970: row[3]),
                        models: models.isEmpty ? [] : models.split(separator: ",").map(String.init),
                        repoID: row[5], primaryModel: row[6]))
            }
            return result
        }
    }

    /// Edits made in `[since, until)` (all when nil), without their line hashes.
    public func editSummaries(since: Date? = nil, until: Date? = nil) throws -> [EditSummary] {
        try read { db in
            var sql = "SELECT tool, session_id, ts, path, line_count FROM edits"
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let since {
                conditions.append("ts >= ?")
                arguments += [since.timeIntervalSince1970]
            }
            if let until {
                conditions.append("ts < ?")
                arguments += [until.timeIntervalSince1970]
            }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            var result: [EditSummary] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() {
                result.append(
                    EditSummary(
                        session: SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1]), timestamp: Date(timeIntervalSince1970: row[2]),
                        path: row[3], lineCount: row[4]))
            }
            return result
        }
    }

    /// Earliest usage, edit or commit time among what `sessions` and `repos` hold.
    public func earliestActivity(repos: [Int64]?) throws -> Date? {
        try read { db in
            var values: [Double] = []
            if let usage = try Double.fetchOne(db, sql: "SELECT min(min_ts) FROM usage_rollup") { values.append(usage) }
            if let edit = try Double.fetchOne(db, sql: "SELECT min(ts) FROM edits") { values.append(edit) }
            let commitSQL = "SELECT min(commit_time) FROM commits WHERE superseded_by IS NULL"
            if let repos {
                for repo in repos {
                    if let time = try Double.fetchOne(db, sql: commitSQL + " AND repo_id = ?", arguments: [repo]) { values.append(time) }
                }
            } else if let time = try Double.fetchOne(db, sql: commitSQL) {
                values.append(time)
            }
            return values.min().map(Date.init(timeIntervalSince1970:))
        }
    }

    /// The model each session made most requests on (ties: the smaller name).
    public func primaryModels() throws -> [SessionKey: String] {
        try read { db in
            var best: [SessionKey: (model: String, requests: Int)] = [:]
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT tool, session_id, model, sum(requests) FROM usage_rollup GROUP BY tool, session_id, model")
            while let row = try cursor.next() {
                let key = SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1])
                let model: String = row[2]
                let requests: Int = row[3]
                if let known = best[key], known.requests > requests || (known.requests == requests && known.model <= model) { continue }
                best[key] = (model, requests)
            }
            return best.mapValues(\.model)
        }
    }

    // MARK: Commits by session

    /// AI lines per commit and session, for the given repositories (all when nil).
    public func commitSessionLines(repos: [Int64]?) throws -> [CommitSessionLines] {
        try read { db in
            var result: [CommitSessionLines] = []
            let sql = "SELECT repo_id, sha, tool, session_id, ai_lines FROM commit_sessions"
            let cursor =
                if let repos {
                    try Row.fetchCursor(db, sql: sql + " WHERE repo_id IN (\(repos.map(String.init).joined(separator: ",")))")
                } else {
                    try Row.fetchCursor(db, sql: sql)
                }
            while let row = try cursor.next() {
                result.append(
                    CommitSessionLines(
                        repoID: row[0], sha: row[1], session: SessionKey(tool: ToolKind(rawValue: row[2]), id: row[3]), aiLines: row[4]))
            }
            return result
        }
    }

    /// The AI lines of one commit that came from one session, for survival checks.
    public func aiLines(repo: Int64, sha: String, session: SessionKey) throws -> [PathLine] {
        try read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT path, line_hash FROM commit_lines WHERE repo_id = ? AND sha = ? AND edit_tool = ? AND session_id = ? ORDER BY rowid",
                arguments: [repo, sha, session.tool.rawValue, session.id]
            ).map { PathLine(path: $0[0], hash: LineHash(storageValue: $0[1])) }
        }
    }

    // MARK: Survival cache

    public func survivalEntries(repos: [Int64]?, days: Int) throws -> [SurvivalEntry] {
        try read { db in
            var sql =
                "SELECT repo_id, sha, tool, session_id, days, landed, into_sha, surviving, pending, churned, tip, final FROM survival WHERE days = ?"
            if let repos { sql += " AND repo_id IN (\(repos.map(String.init).joined(separator: ",")))" }
            return try rows(db, sql, [days]) { row in
                SurvivalEntry(
                    repoID: row[0], sha: row[1], session: SessionKey(tool: ToolKind(rawValue: row[2]), id: row[3]), days: row[4],
                    landed: row[5], into: row[6], surviving: row[7], pending: row[8], churned: row[9], tip: row[10], final: row[11])
            }
        }
    }

    public func saveSurvival(_ entries: [SurvivalEntry]) throws {
        guard !entries.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO survival (repo_id, sha, tool, session_id, days, landed, into_sha, surviving, pending, churned, tip, final)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for entry in entries {
                try statement.execute(arguments: [
                    entry.repoID, entry.sha, entry.session.tool.rawValue, entry.session.id, entry.days, entry.landed, entry.into,
                    entry.surviving, entry.pending, entry.churned, entry.tip, entry.final,
                ])
            }
        }
    }
}
