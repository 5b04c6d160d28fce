import AIUsageCore
import Foundation
internal import GRDB

/// A folder looked up once: the repository it is in, or none.
public struct PlaceRecord: Sendable, Equatable {
    public var repoID: Int64?
    public var checkedAt: Date

    public init(repoID: Int64?, checkedAt: Date) {
        self.repoID = repoID
        self.checkedAt = checkedAt
    }
}

/// A ref as last checked: its tip, whether it shares history with the default branch,
/// when the tip was made (a branch without a new commit for weeks is not open any more).
public struct RefVerdict: Sendable, Equatable {
    public var tip: String
    public var related: Bool
    public var tipTime: Date

    public init(tip: String, related: Bool, tipTime: Date) {
        self.tip = tip
        self.related = related
        self.tipTime = tipTime
    }
}

/// What a sync of one repository left, so the next can tell whether anything changed.
public struct RepoSyncState: Sendable, Equatable {
    /// Hash of every ref and where it points, and of the window's start.
    public var refsFingerprint: String?
    public var floor: Date?
    /// Commits left out because git could not read them (partial or shallow clone).
    public var skippedCommits: Int
    /// Refs that share no history with the default branch, left out.
    public var orphanRefs: [String]
    /// The history walk stopped at a missing object.
    public var historyIncomplete: Bool

    public init(refsFingerprint: String?, floor: Date?, skippedCommits: Int, orphanRefs: [String], historyIncomplete: Bool) {
        self.refsFingerprint = refsFingerprint
        self.floor = floor
        self.skippedCommits = skippedCommits
        self.orphanRefs = orphanRefs
        self.historyIncomplete = historyIncomplete
    }
}

extension Store {
    // MARK: Placing sessions in repositories

    /// Sessions whose repository was not looked for since a new folder was seen for
    /// them, with every folder they worked in.
    public func unplacedSessions() throws -> [(key: SessionKey, cwds: [String])] {
        try read { db in
            var result: [SessionKey: [String]] = [:]
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT s.tool, s.id, c.cwd FROM sessions s LEFT JOIN session_cwds c ON c.tool = s.tool AND c.session_id = s.id
                    WHERE s.placed = 0 ORDER BY c.cwd
                    """)
            while let row = try cursor.next() {
                let key = SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1])
                let cwd: String? = row[2]
                result[key, default: []].append(contentsOf: cwd.map { [$0] } ?? [])
            }
            return result.map { ($0.key, $0.value) }.sorted { $0.key < $1.key }
        }
    }

    /// Paths the given sessions edited, by session.
    public func editedPaths(of sessions: Set<SessionKey>) throws -> [SessionKey: [String]] {
        guard !sessions.isEmpty else { return [:] }
        return try read { db in
            var result: [SessionKey: Set<String>] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT tool, session_id, path FROM edits")
            while let row = try cursor.next() {
                let key = SessionKey(tool: ToolKind(rawValue: row[0]), id: row[1])
                guard sessions.contains(key) else { continue }
                result[key, default: []].insert(row[2])
            }
            return result.mapValues { $0.sorted() }
        }
    }

    /// Records where sessions worked (a repository id, or nil for none).
    public func place(_ placements: [(key: SessionKey, repoID: Int64?)]) throws {
        guard !placements.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(sql: "UPDATE sessions SET repo_id = ?, placed = 1 WHERE tool = ? AND id = ?")
            // Where a session worked decides which of its edits count: fold it again.
            let mark = try db.cachedStatement(sql: "INSERT OR IGNORE INTO dirty_sessions (tool, session_id) VALUES (?, ?)")
            for placement in placements {
                try statement.execute(arguments: [placement.repoID, placement.key.tool.rawValue, placement.key.id])
                try mark.execute(arguments: [placement.key.tool.rawValue, placement.key.id])
            }
        }
    }

    public func places() throws -> [String: PlaceRecord] {
        try read { db in
            var result: [String: PlaceRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT path, repo_id, checked_at FROM places") {
                result[row[0]] = PlaceRecord(repoID: row[1], checkedAt: Date(timeIntervalSince1970: row[2]))
            }
            return result
        }
    }

    public func savePlaces(_ places: [String: PlaceRecord]) throws {
        guard !places.isEmpty else { return }
        try write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO places (path, repo_id, checked_at) VALUES (?, ?, ?)")
            for (path, place) in places {
                try statement.execute(arguments: [path, place.repoID, place.checkedAt.timeIntervalSince1970])
            }
        }
    }

    // MARK: Sync state

    public func syncState(repo: Int64) throws -> RepoSyncState {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT refs_fingerprint, sync_floor, skipped_commits, orphan_refs, history_incomplete FROM repos WHERE id = ?",
                    arguments: [repo])
            else { return RepoSyncState(refsFingerprint: nil, floor: nil, skippedCommits: 0, orphanRefs: [], historyIncomplete: false) }
            let orphans: String = row[3]
            let floor: Double? = row[1]
            return RepoSyncState(
                refsFingerprint: row[0], floor: floor.map(Date.init(timeIntervalSince1970:)), skippedCommits: row[2],
                orphanRefs: orphans.isEmpty ? [] : orphans.split(separator: "\n").map(String.init), historyIncomplete: row[4])
        }
    }

    public func saveSyncState(repo: Int64, _ state: RepoSyncState) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE repos SET refs_fingerprint = ?, sync_floor = ?, skipped_commits = ?, orphan_refs = ?, history_incomplete = ?,
                      synced_at = ? WHERE id = ?
                    """,
                arguments: [
                    state.refsFingerprint, state.floor?.timeIntervalSince1970, state.skippedCommits,
                    state.orphanRefs.joined(separator: "\n"), state.historyIncomplete, Date().timeIntervalSince1970, repo,
                ])
        }
    }

    /// Whether each ref's tip shares history with the default branch, as last checked,
    /// and when that tip was made.
    public func refVerdicts(repo: Int64) throws -> [String: RefVerdict] {
        try read { db in
            var result: [String: RefVerdict] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT ref, tip, related, tip_time FROM ref_history WHERE repo_id = ?", arguments: [repo])
            {
                result[row[0]] = RefVerdict(tip: row[1], related: row[2], tipTime: Date(timeIntervalSince1970: row[3]))
            }
            return result
        }
    }

    public func saveRefVerdicts(repo: Int64, _ verdicts: [String: RefVerdict]) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM ref_history WHERE repo_id = ?", arguments: [repo])
            let statement = try db.cachedStatement(
                sql: "INSERT INTO ref_history (repo_id, ref, tip, related, tip_time) VALUES (?, ?, ?, ?, ?)")
            for (ref, verdict) in verdicts {
                try statement.execute(arguments: [repo, ref, verdict.tip, verdict.related, verdict.tipTime.timeIntervalSince1970])
            }
        }
    }

    /// Records, for commits not landed, the branches that hold them (others: none).
    public func saveBranches(repo: Int64, _ branches: [String: [String]]) throws {
        try write { db in
            try db.execute(sql: "UPDATE commits SET branches = '' WHERE repo_id = ? AND branches != ''", arguments: [repo])
            let statement = try db.cachedStatement(sql: "UPDATE commits SET branches = ? WHERE repo_id = ? AND sha = ?")
            for (sha, names) in branches where !names.isEmpty {
                try statement.execute(arguments: [names.sorted().joined(separator: "\n"), repo, sha])
            }
        }
    }
}
