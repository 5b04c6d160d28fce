import AIUsageCore
import Foundation
internal import GRDB

/// A repository known to the store, identified by its common git folder so that
/// linked worktrees share one record.
public struct RepoRecord: Sendable, Equatable {
    public var id: Int64
    public var commonDirectory: String
    public var name: String
    /// Resolved work tree roots: the main one and every linked worktree.
    public var roots: [String]
    public var userEmail: String?
    public var defaultBranch: String?
}

/// A stored commit and its attribution.
public struct CommitRecord: Sendable, Equatable {
    public var sha: String
    public var seq: Int64
    public var authorEmail: String
    public var authorTime: Date
    public var commitTime: Date
    public var isMerge: Bool
    public var aiTrailer: ToolKind?
    public var onDefault: Bool
    public var patchID: String?
    public var aiLines: Int
    public var humanLines: Int
    public var sourceLines: Int
    public var landedHow: LandingKind?
    public var landedInto: String?
    public var landedAt: Date?
    public var landedAILines: Int
    public var supersededBy: String?
    /// A default-branch commit that copies this one (squash, cherry-pick, rebase
    /// merge): the commit lands when that copy does.
    public var copyHow: LandingKind?
    public var copyInto: String?
    public var copyAILines = 0
    /// Git could not read it (blobs missing in a partial or shallow clone): kept with
    /// no lines so it is not tried again, and counted by `doctor`.
    public var unreadable = false
    /// Branches that hold it, while it has not landed (from the last sync).
    public var branches: [String] = []

    public init(
        sha: String, seq: Int64, authorEmail: String, authorTime: Date, commitTime: Date, isMerge: Bool, aiTrailer: ToolKind?,
        onDefault: Bool, patchID: String?, aiLines: Int, humanLines: Int, sourceLines: Int, landedHow: LandingKind?,
        landedInto: String?, landedAt: Date?, landedAILines: Int, supersededBy: String?,
        copy: LandingKind? = nil, copyInto: String? = nil, copyAILines: Int = 0
    ) {
        self.copyHow = copy
        self.copyInto = copyInto
        self.copyAILines = copyAILines
        self.sha = sha
        self.seq = seq
        self.authorEmail = authorEmail
        self.authorTime = authorTime
        self.commitTime = commitTime
        self.isMerge = isMerge
        self.aiTrailer = aiTrailer
        self.onDefault = onDefault
        self.patchID = patchID
        self.aiLines = aiLines
        self.humanLines = humanLines
        self.sourceLines = sourceLines
        self.landedHow = landedHow
        self.landedInto = landedInto
        self.landedAt = landedAt
        self.landedAILines = landedAILines
        self.supersededBy = supersededBy
    }
}

/// Commits of one author that hold no AI line, counted together as a report counts
/// them: per quarter hour (time groupings) or over the whole window.
public struct CommitTally: Sendable, Equatable {
    public var repoID: Int64
    public var authorEmail: String
    /// The earliest commit's time.
    public var first: Date
    public var commits: Int
    public var humanLines: Int
    /// Commits with an AI trailer (they hold no matched AI line), and those of them landed.
    public var aiAssisted: Int
    public var landedAIAssisted: Int
}

/// One commit's attribution, to be stored.
public struct AttributionSave: Sendable {
    public var record: CommitRecord
    public var attribution: CommitAttribution
    public var sourceLandings: [(sha: String, how: LandingKind, landedAILines: Int)]

    public init(record: CommitRecord, attribution: CommitAttribution, sourceLandings: [(sha: String, how: LandingKind, landedAILines: Int)])
    {
        self.record = record
        self.attribution = attribution
        self.sourceLandings = sourceLandings
    }
}

/// That a commit reached the default branch: how, through which commit, when.
public struct LandingMark: Sendable, Equatable {
    public var sha: String
    public var how: LandingKind
    public var into: String
    public var at: Date
    public var landedAILines: Int

    public init(sha: String, how: LandingKind, into: String, at: Date, landedAILines: Int) {
        self.sha = sha
        self.how = how
        self.into = into
        self.at = at
        self.landedAILines = landedAILines
    }
}

/// One significant line a commit added as its own; AI lines name the edit they claimed.
public struct CommitLineRecord: Sendable, Hashable {
    public var sha: String
    public var line: PathLine
    public var claim: ClaimKey?
    public var sessionID: String?
}

extension Store {
    // MARK: Repositories

    /// The record of the repository with this common git folder, created on first use
    /// and refreshed (roots, e-mail, default branch) on every call.
    public func upsertRepo(commonDirectory: String, name: String, roots: [String], userEmail: String?, defaultBranch: String?) throws
        -> RepoRecord
    {
        let rootsText = roots.joined(separator: "\n")
        // Most calls find it as it was: read first, so that a report writes nothing.
        let known = try read { db in
            try Row.fetchOne(
                db, sql: "SELECT id, name, roots, user_email, default_branch FROM repos WHERE common_dir = ?", arguments: [commonDirectory])
        }
        if let known, known[1] == name, known[2] == rootsText, known[3] == userEmail, known[4] == defaultBranch {
            return RepoRecord(
                id: known[0], commonDirectory: commonDirectory, name: name, roots: roots, userEmail: userEmail, defaultBranch: defaultBranch
            )
        }
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO repos (common_dir, name, roots, user_email, default_branch) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(common_dir) DO UPDATE SET name = excluded.name, roots = excluded.roots,
                      user_email = excluded.user_email, default_branch = excluded.default_branch
                    """, arguments: [commonDirectory, name, rootsText, userEmail, defaultBranch])
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM repos WHERE common_dir = ?", arguments: [commonDirectory]) else {
                throw StoreError.cannotOpen(path: location.databasePath, reason: "the repository record was not written")
            }
            if let known, known[2] != rootsText {
                // Its work trees moved: which of its sessions' edits count may change.
                try db.execute(
                    sql: "INSERT OR IGNORE INTO dirty_sessions SELECT tool, id FROM sessions WHERE repo_id = ?", arguments: [id])
            }
            if known == nil || known?[2] != rootsText {
                // A new or moved work tree may hold sessions placed nowhere so far, and
                // folders remembered as outside any repository.
                try db.execute(sql: "UPDATE sessions SET placed = 0 WHERE repo_id IS NULL")
                try db.execute(sql: "DELETE FROM places WHERE repo_id IS NULL")
            }
            return RepoRecord(
                id: id, commonDirectory: commonDirectory, name: name, roots: roots, userEmail: userEmail, defaultBranch: defaultBranch)
        }
    }

    public func repos() throws -> [RepoRecord] {
        try read { db in
            try rows(db, "SELECT id, common_dir, name, roots, user_email, default_branch FROM repos ORDER BY name, id") { row in
                let roots: String = row[3]
                return RepoRecord(
                    id: row[0], commonDirectory: row[1], name: row[2], roots: roots.split(separator: "\n").map(String.init),
                    userEmail: row[4], defaultBranch: row[5])
            }
        }
    }

    // MARK: AI-written lines

    /// Every AI-written line under one of `roots`, with its repository-relative path.
    public func aiWrittenLines(under roots: [String]) throws -> [AIWrittenLine] {
        try read { db in
            var result: [AIWrittenLine] = []
            for root in roots {
                let prefix = root.hasSuffix("/") ? root : root + "/"
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT tool, dedup_key, session_id, ts, path, lines, commit_hint FROM edits WHERE path >= ? AND path < ?",
                    arguments: [prefix, prefix + "\u{10FFFF}"])
                while let row = try rows.next() {
                    let path: String = row[4]
                    guard let relative = Paths.relative(path, to: root) else { continue }
                    let tool = ToolKind(rawValue: row[0])
                    let key: String = row[1]
                    let session: String = row[2]
                    let time = Date(timeIntervalSince1970: row[3])
                    let hint: String? = row[6]
                    for hash in LineHashBlob.decode(row[5]) {
                        result.append(
                            AIWrittenLine(
                                tool: tool, editKey: key, sessionID: session, timestamp: time, path: relative, hash: hash, commitHint: hint)
                        )
                    }
                }
            }
            return result
        }
    }

    /// Earliest AI activity (session start) of sessions working under `roots`.
    public func earliestSessionStart(under roots: [String]) throws -> Date? {
        try read { db in
            var earliest: Double?
            for root in roots {
                let prefix = root + "/"
                let value = try Double.fetchOne(
                    db,
                    sql: """
                        SELECT min(s.started_at) FROM sessions s JOIN session_cwds c ON c.tool = s.tool AND c.session_id = s.id
                        WHERE c.cwd = ? OR (c.cwd >= ? AND c.cwd < ?)
                        """, arguments: [root, prefix, prefix + "\u{10FFFF}"])
                if let value { earliest = min(earliest ?? value, value) }
                let edit = try Double.fetchOne(
                    db, sql: "SELECT min(ts) FROM edits WHERE path >= ? AND path < ?",
                    arguments: [prefix, prefix + "\u{10FFFF}"])
                if let edit { earliest = min(earliest ?? edit, edit) }
            }
            return earliest.map { Date(timeIntervalSince1970: $0) }
        }
    }

    // MARK: Commits

    public func commits(repo: Int64) throws -> [CommitRecord] {
        try read { db in
            try rows(db, "SELECT \(Self.commitColumns) FROM commits WHERE repo_id = ? ORDER BY seq", [repo], Self.commitRecord)
        }
    }

    /// The commits (not superseded) of `repos` that hold no AI line, in `[since, until)`,
    /// summed per repository and author (and per quarter hour when `byBucket`): a report
    /// reads a few rows instead of every commit of a long history. Without quarter hours,
    /// and when the window holds every such commit of each author, they come from
    /// `commit_tallies` (rebuilt first if commits changed since); else SQLite sums them.
    public func commitTallies(repos: [Int64], since: Date?, until: Date?, byBucket: Bool) throws -> [CommitTally] {
        guard !repos.isEmpty else { return [] }
        let repoList = repos.map(String.init).joined(separator: ",")
        if !byBucket {
            try refreshCommitTallies()
            let kept = try read { db in
                try rows(
                    db,
                    """
                    SELECT repo_id, author_email, first_time, commits, human_lines, ai_assisted, landed_ai_assisted, last_time
                    FROM commit_tallies WHERE repo_id IN (\(repoList)) ORDER BY repo_id, author_email
                    """
                ) { row in
                    (
                        CommitTally(
                            repoID: row[0], authorEmail: row[1], first: Date(timeIntervalSince1970: row[2]), commits: row[3],
                            humanLines: row[4], aiAssisted: row[5], landedAIAssisted: row[6]),
                        Date(timeIntervalSince1970: row[7])
                    )
                }
            }
            let whole = kept.allSatisfy { tally, last in
                (since.map { tally.first >= $0 } ?? true) && (until.map { last < $0 } ?? true)
            }
            if whole { return kept.map(\.0) }
        }
        return try read { db in
            var conditions = ["c.repo_id IN (\(repoList))", "c.superseded_by IS NULL"]
            var arguments: StatementArguments = []
            if let since {
                arguments += [since.timeIntervalSince1970]
                conditions.append("c.commit_time >= ?")
            }
            if let until {
                arguments += [until.timeIntervalSince1970]
                conditions.append("c.commit_time < ?")
            }
            // The quarter hour by integer floor division (commit times are whole seconds;
            // SQLite's floor() is an optional build feature).
            let seconds = "CAST(c.commit_time AS INTEGER)"
            let width = Int(Self.bucketSeconds)
            let bucket = byBucket ? ", (\(seconds) - ((\(seconds) % \(width)) + \(width)) % \(width)) / \(width)" : ""
            let sql = """
                SELECT c.repo_id, c.author_email, min(c.commit_time), \(Self.tallySums)
                FROM commits c
                WHERE \(conditions.joined(separator: " AND ")) AND \(Self.withoutAILines)
                GROUP BY c.repo_id, c.author_email\(bucket)
                ORDER BY c.repo_id, c.author_email\(bucket)
                """
            return try rows(db, sql, arguments) { row in
                CommitTally(
                    repoID: row[0], authorEmail: row[1], first: Date(timeIntervalSince1970: row[2]), commits: row[3], humanLines: row[4],
                    aiAssisted: row[5], landedAIAssisted: row[6])
            }
        }
    }

    /// What a tally sums over commits `c`: count, human lines, AI-assisted, and landed of those.
    private static let tallySums = """
        count(*), sum(c.human_lines), sum(c.ai_lines > 0 OR c.ai_trailer_tool IS NOT NULL),
        sum((c.ai_lines > 0 OR c.ai_trailer_tool IS NOT NULL) AND c.landed_how IS NOT NULL)
        """
    private static let withoutAILines = "NOT EXISTS (SELECT 1 FROM commit_sessions s WHERE s.repo_id = c.repo_id AND s.sha = c.sha)"

    /// Rebuilds `commit_tallies` when commits changed since it was built (see the v4 migration).
    private func refreshCommitTallies() throws {
        let current = try read { db in
            let epoch = try Int64.fetchOne(db, sql: "SELECT n FROM commit_epoch")
            let built = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'commit_tallies_epoch'")
            return epoch.map(String.init) == built
        }
        guard !current else { return }
        try write { db in
            let epoch = try Int64.fetchOne(db, sql: "SELECT n FROM commit_epoch") ?? 0
            try db.execute(sql: "DELETE FROM commit_tallies")
            try db.execute(
                sql: """
                    INSERT INTO commit_tallies (repo_id, author_email, first_time, commits, human_lines, ai_assisted, landed_ai_assisted, last_time)
                    SELECT c.repo_id, c.author_email, min(c.commit_time), \(Self.tallySums), max(c.commit_time)
                    FROM commits c WHERE c.superseded_by IS NULL AND \(Self.withoutAILines)
                    GROUP BY c.repo_id, c.author_email
                    """)
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('commit_tallies_epoch', ?)", arguments: [String(epoch)])
        }
    }

    /// The repository's commits (not superseded) that hold AI lines of some session.
    public func commitsWithSessionLines(repo: Int64) throws -> [CommitRecord] {
        try read { db in
            let columns = Self.commitColumns.split(separator: ",").map { "c." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            return try rows(
                db,
                """
                SELECT \(columns.joined(separator: ", ")) FROM commits c
                WHERE c.repo_id = ? AND c.superseded_by IS NULL
                  AND EXISTS (SELECT 1 FROM commit_sessions s WHERE s.repo_id = c.repo_id AND s.sha = c.sha)
                ORDER BY c.seq
                """, [repo], Self.commitRecord)
        }
    }

    static let commitColumns = """
        sha, seq, author_email, author_time, commit_time, is_merge, ai_trailer_tool, on_default, patch_id, ai_lines, human_lines,
        source_lines, landed_how, landed_into, landed_at, landed_ai_lines, superseded_by, copy_how, copy_into, copy_ai_lines,
        unreadable, branches
        """

    /// Reads a row of `commitColumns` by position (reading by name lower-cases every
    /// column name, a visible share of a report's time).
    static func commitRecord(_ row: Row) -> CommitRecord {
        let trailer: String? = row[6]
        let landed: String? = row[12]
        let landedAt: Double? = row[14]
        let copy: String? = row[17]
        var record = CommitRecord(
            sha: row[0], seq: row[1], authorEmail: row[2], authorTime: Date(timeIntervalSince1970: row[3]),
            commitTime: Date(timeIntervalSince1970: row[4]), isMerge: row[5], aiTrailer: trailer.map(ToolKind.init(rawValue:)),
            onDefault: row[7], patchID: row[8], aiLines: row[9], humanLines: row[10], sourceLines: row[11],
            landedHow: landed.flatMap(LandingKind.init(rawValue:)), landedInto: row[13],
            landedAt: landedAt.map(Date.init(timeIntervalSince1970:)), landedAILines: row[15], supersededBy: row[16],
            copy: copy.flatMap(LandingKind.init(rawValue:)), copyInto: row[18], copyAILines: row[19])
        record.unreadable = row[20]
        let branches: String = row[21]
        record.branches = branches.isEmpty ? [] : branches.split(separator: "\n").map(String.init)
        return record
    }

    /// How many of the repository's commits git could not read.
    public func unreadableCommitCount(repo: Int64) throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM commits WHERE repo_id = ? AND unreadable = 1", arguments: [repo]) ?? 0
        }
    }

    /// Claims made so far in the repository: the AI-written lines commits hold.
    public func claims(repo: Int64) throws -> [ClaimKey] {
        try read { db in
            var result: [ClaimKey] = []
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT edit_tool, edit_key, line_hash FROM commit_lines WHERE repo_id = ? AND edit_tool IS NOT NULL",
                arguments: [repo])
            while let row = try cursor.next() {
                result.append(ClaimKey(tool: ToolKind(rawValue: row[0]), editKey: row[1], hash: LineHash(storageValue: row[2])))
            }
            return result
        }
    }

    /// Own added lines of the given commits, by sha.
    public func commitLines(repo: Int64, shas: [String]) throws -> [String: [CommitLineRecord]] {
        try read { db in
            var result: [String: [CommitLineRecord]] = [:]
            let statement = try db.cachedStatement(
                sql:
                    "SELECT path, line_hash, edit_tool, edit_key, session_id FROM commit_lines WHERE repo_id = ? AND sha = ? ORDER BY rowid"
            )
            for sha in shas {
                let cursor = try Row.fetchCursor(statement, arguments: [repo, sha])
                var lines: [CommitLineRecord] = []
                while let row = try cursor.next() {
                    let line = PathLine(path: row[0], hash: LineHash(storageValue: row[1]))
                    let tool: String? = row[2]
                    let key: String? = row[3]
                    var claim: ClaimKey?
                    if let tool, let key { claim = ClaimKey(tool: ToolKind(rawValue: tool), editKey: key, hash: line.hash) }
                    lines.append(CommitLineRecord(sha: sha, line: line, claim: claim, sessionID: row[4]))
                }
                result[sha] = lines
            }
            return result
        }
    }

    /// Own added lines of the repository's commits (all of them, or of `sha`).
    public func commitLines(repo: Int64, sha: String? = nil) throws -> [CommitLineRecord] {
        try read { db in
            var sql = "SELECT sha, path, line_hash, edit_tool, edit_key, session_id FROM commit_lines WHERE repo_id = ?"
            var arguments: StatementArguments = [repo]
            if let sha {
                sql += " AND sha = ?"
                arguments += [sha]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY rowid", arguments: arguments).map { row in
                let tool: String? = row["edit_tool"]
                let key: String? = row["edit_key"]
                let line = PathLine(path: row["path"], hash: LineHash(storageValue: row["line_hash"]))
                var claim: ClaimKey?
                if let tool, let key { claim = ClaimKey(tool: ToolKind(rawValue: tool), editKey: key, hash: line.hash) }
                return CommitLineRecord(sha: row["sha"], line: line, claim: claim, sessionID: row["session_id"])
            }
        }
    }

    /// Stores a commit's attribution (replacing an earlier one) and the landing of its
    /// sources, in one transaction.
    public func saveAttribution(
        repo: Int64, record: CommitRecord, added: [PathLine], attribution: CommitAttribution,
        sourceLandings: [(sha: String, how: LandingKind, landedAILines: Int)]
    ) throws {
        try saveAttributions(
            repo: repo, [AttributionSave(record: record, attribution: attribution, sourceLandings: sourceLandings)])
    }

    /// Stores several commits' attributions, in order, in one transaction (a first run
    /// attributes thousands: one transaction each was a fifth of its time).
    public func saveAttributions(repo: Int64, _ saves: [AttributionSave]) throws {
        guard !saves.isEmpty else { return }
        try write { db in
            let deleteLines = try db.cachedStatement(sql: "DELETE FROM commit_lines WHERE repo_id = ? AND sha = ?")
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO commits (repo_id, sha, seq, author_email, author_time, commit_time, is_merge,
                      ai_trailer, ai_trailer_tool, on_default, patch_id, ai_lines, human_lines, source_lines, landed_how, landed_into,
                      landed_at, landed_ai_lines, superseded_by, unreadable)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            var insert = BulkStatement(
                try db.cachedStatement(
                    sql:
                        "INSERT INTO commit_lines (repo_id, sha, path, line_hash, edit_tool, edit_key, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)"
                ),
                in: db)
            defer { insert.finish() }
            let deleteSessions = try db.cachedStatement(sql: "DELETE FROM commit_sessions WHERE repo_id = ? AND sha = ?")
            let deleteSurvival = try db.cachedStatement(sql: "DELETE FROM survival WHERE repo_id = ? AND sha = ?")
            let perSession = try db.cachedStatement(
                sql: "INSERT INTO commit_sessions (repo_id, sha, tool, session_id, ai_lines) VALUES (?, ?, ?, ?, ?)")
            let copy = try db.cachedStatement(
                sql: "UPDATE commits SET copy_how = ?, copy_into = ?, copy_ai_lines = ? WHERE repo_id = ? AND sha = ?")
            for save in saves {
                let record = save.record
                try deleteLines.execute(arguments: [repo, record.sha])
                try upsert.execute(arguments: [
                    repo, record.sha, record.seq, record.authorEmail, record.authorTime.timeIntervalSince1970,
                    record.commitTime.timeIntervalSince1970, record.isMerge, record.aiTrailer != nil, record.aiTrailer?.rawValue,
                    record.onDefault, record.patchID, record.aiLines, record.humanLines, record.sourceLines,
                    record.landedHow?.rawValue, record.landedInto, record.landedAt?.timeIntervalSince1970,
                    record.landedAILines, record.supersededBy, record.unreadable,
                ])
                for line in save.attribution.aiLines {
                    insert.bind(repo)
                    insert.bind(record.sha)
                    insert.bind(line.path)
                    insert.bind(line.hash.storageValue)
                    insert.bind(line.tool.rawValue)
                    insert.bind(line.editKey)
                    insert.bind(line.sessionID)
                    try insert.step()
                }
                for line in save.attribution.humanLines {
                    insert.bind(repo)
                    insert.bind(record.sha)
                    insert.bind(line.path)
                    insert.bind(line.hash.storageValue)
                    insert.bind(nil as String?)
                    insert.bind(nil as String?)
                    insert.bind(nil as String?)
                    try insert.step()
                }
                try deleteSessions.execute(arguments: [repo, record.sha])
                try deleteSurvival.execute(arguments: [repo, record.sha])
                var bySession: [SessionKey: Int] = [:]
                for line in save.attribution.aiLines { bySession[SessionKey(tool: line.tool, id: line.sessionID), default: 0] += 1 }
                for (session, count) in bySession {
                    try perSession.execute(arguments: [repo, record.sha, session.tool.rawValue, session.id, count])
                }
                // A copy lands its sources only when it lands itself.
                for source in save.sourceLandings {
                    try copy.execute(arguments: [source.how.rawValue, record.sha, source.landedAILines, repo, source.sha])
                }
            }
        }
    }

    /// Records that a commit reached the default branch: as an ancestor, or through a
    /// copy that did.
    public func markLanded(repo: Int64, sha: String, how: LandingKind, into: String, at: Date, landedAILines: Int) throws {
        try markLanded(repo: repo, [LandingMark(sha: sha, how: how, into: into, at: at, landedAILines: landedAILines)])
    }

    /// Records several landings in one transaction.
    public func markLanded(repo: Int64, _ marks: [LandingMark]) throws {
        guard !marks.isEmpty else { return }
        try write { db in
            let update = try db.cachedStatement(
                sql: "UPDATE commits SET landed_how = ?, landed_into = ?, landed_at = ?, landed_ai_lines = ? WHERE repo_id = ? AND sha = ?")
            let forget = try db.cachedStatement(sql: "DELETE FROM survival WHERE repo_id = ? AND sha = ?")
            for mark in marks {
                try update.execute(arguments: [
                    mark.how.rawValue, mark.into, mark.at.timeIntervalSince1970, mark.landedAILines, repo, mark.sha,
                ])
                try forget.execute(arguments: [repo, mark.sha])
            }
        }
    }

    /// Removes the attribution of commits (to redo them in order), releasing their claims.
    public func deleteCommits(repo: Int64, shas: [String]) throws {
        try write { db in
            for sha in shas {
                try db.execute(sql: "DELETE FROM commit_lines WHERE repo_id = ? AND sha = ?", arguments: [repo, sha])
                try db.execute(sql: "DELETE FROM commit_sessions WHERE repo_id = ? AND sha = ?", arguments: [repo, sha])
                try db.execute(sql: "DELETE FROM survival WHERE repo_id = ? AND (sha = ? OR into_sha = ?)", arguments: [repo, sha, sha])
                try db.execute(sql: "DELETE FROM commits WHERE repo_id = ? AND sha = ?", arguments: [repo, sha])
                try db.execute(
                    sql:
                        "UPDATE commits SET landed_how = NULL, landed_into = NULL, landed_at = NULL, landed_ai_lines = 0 WHERE repo_id = ? AND landed_into = ? AND landed_how != 'ancestor'",
                    arguments: [repo, sha])
                try db.execute(
                    sql: "UPDATE commits SET copy_how = NULL, copy_into = NULL, copy_ai_lines = 0 WHERE repo_id = ? AND copy_into = ?",
                    arguments: [repo, sha])
            }
        }
    }

    // MARK: Rewrites

    /// Records `old → new` pairs from git's post-rewrite hook (amend, rebase).
    public func recordRewrites(repo: Int64, pairs: [(old: String, new: String)]) throws {
        try write { db in
            for pair in pairs where pair.old != pair.new {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO rewrites (repo_id, old_sha, new_sha) VALUES (?, ?, ?)",
                    arguments: [repo, pair.old, pair.new])
            }
        }
    }

    public func rewrites(repo: Int64) throws -> [String: String] {
        try read { db in
            var result: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT old_sha, new_sha FROM rewrites WHERE repo_id = ?", arguments: [repo]) {
                result[row["old_sha"]] = row["new_sha"]
            }
            return result
        }
    }

    /// Marks a commit as replaced by a rewrite; its claims are released so the new
    /// commit can take them.
    public func supersede(repo: Int64, sha: String, by newSha: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE commits SET superseded_by = ? WHERE repo_id = ? AND sha = ?", arguments: [newSha, repo, sha])
            try db.execute(sql: "DELETE FROM commit_lines WHERE repo_id = ? AND sha = ?", arguments: [repo, sha])
            try db.execute(sql: "DELETE FROM commit_sessions WHERE repo_id = ? AND sha = ?", arguments: [repo, sha])
            try db.execute(sql: "DELETE FROM survival WHERE repo_id = ? AND sha = ?", arguments: [repo, sha])
        }
    }

    public func setRepoSynced(repo: Int64) throws {
        try write { db in
            try db.execute(sql: "UPDATE repos SET synced_at = ? WHERE id = ?", arguments: [Date().timeIntervalSince1970, repo])
        }
    }
}
