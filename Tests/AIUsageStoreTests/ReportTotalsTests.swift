import AIUsageCore
import Foundation
import GRDB
import Testing
import _AIUsageTestSupport

@testable import AIUsageStore

/// Issue 8: a report without quarter hours reads sessions (and authors' commits) the
/// window holds whole from kept totals, and sums only the rest. Whatever the window,
/// that must equal summing the quarter-hour rows, and the totals must follow every
/// change to what they sum.
@Suite struct ReportTotalsTests {
    static let day0 = 1_790_000_000.0  // 2026-09-21, a whole quarter hour

    /// Sessions of two tools spread over two days, with requests on two models and edits
    /// in the folder they worked in.
    static func batch(sessions: Range<Int>, offset: Double = 0) -> ReadBatch {
        var batch = ReadBatch()
        for number in sessions {
            let tool: ToolKind = number.isMultiple(of: 2) ? .claudeCode : .codex
            let id = "session-\(number)"
            let start = day0 + Double(number) * 1_337 + offset
            batch.observations.append(
                SessionObservation(tool: tool, sessionID: id, cwd: "/work/repo", timestamp: Date(timeIntervalSince1970: start)))
            for request in 0..<(3 + number % 5) {
                let time = start + Double(request) * 611
                batch.usage.append(
                    UsageEvent(
                        tool: tool, sessionID: id, timestamp: Date(timeIntervalSince1970: time),
                        model: request.isMultiple(of: 3) ? "model-b" : "model-a",
                        tokens: TokenCounts(input: Int64(100 + request), output: Int64(10 * request), cacheWrite: 1, cacheRead: 7),
                        dedupKey: "\(id)-\(request)-\(offset)"))
                if request.isMultiple(of: 2) {
                    batch.edits.append(
                        EditEvent(
                            tool: tool, sessionID: id, timestamp: Date(timeIntervalSince1970: time + 5),
                            dedupKey: "\(id)-edit-\(request)-\(offset)",
                            filePath: "/work/repo/file\(request).swift", cwd: "/work/repo",
                            addedLines: (0...(request % 4)).map { LineHash(value: UInt64($0 + 1)) }))
                }
            }
        }
        return batch
    }

    /// Windows that hold everything, nothing, and cut through sessions and quarter hours.
    static let windows: [(Double?, Double?)] = [
        (nil, nil), (nil, day0 + 400_000), (day0 - 10, nil), (day0 + 5_000, nil), (nil, day0 + 20_000),
        (day0 + 3_000, day0 + 90_000), (day0 + 7_777, day0 + 7_778), (day0 + 200_000, day0 + 300_000),
        (day0 + 911, day0 + 40_123),
    ]

    static func query(_ window: (Double?, Double?), byBucket: Bool) -> UsageQuery {
        UsageQuery(
            since: window.0.map(Date.init(timeIntervalSince1970:)), until: window.1.map(Date.init(timeIntervalSince1970:)),
            byBucket: byBucket)
    }

    /// Costs are binary fractions, so sums in any order are exact.
    static func fold(_ store: Store) throws {
        try store.refreshUsageRollup(pricing: "test") { record in Double(record.tokens.input) / 64 }
    }

    /// The quarter-hour rows summed per session and model, as the totals path must give.
    static func summed(_ rows: [UsageAggregate]) -> [UsageAggregate] {
        var result: [String: UsageAggregate] = [:]
        for row in rows {
            let key = "\(row.session.tool.rawValue):\(row.session.id):\(row.model)"
            if var known = result[key] {
                known.add(row)
                result[key] = known
            } else {
                result[key] = row
            }
        }
        return result.values.sorted { ($0.session, $0.model) < ($1.session, $1.model) }
    }

    static func summed(_ rows: [EditAggregate]) -> [EditAggregate] {
        var result: [SessionKey: EditAggregate] = [:]
        for row in rows {
            if var known = result[row.session] {
                known.add(row)
                result[row.session] = known
            } else {
                result[row.session] = row
            }
        }
        return result.values.sorted { $0.session < $1.session }
    }

    func expectTotalsMatchQuarterHours(_ store: Store) throws {
        for window in Self.windows {
            let price: (UsageRecord) -> Double? = { Double($0.tokens.input) / 64 }
            let whole = try store.usage(Self.query(window, byBucket: false), price: price)
            let byQuarter = try store.usage(Self.query(window, byBucket: true), price: price)
            #expect(whole == Self.summed(byQuarter), "usage in \(window)")
            let edits = try store.edits(Self.query(window, byBucket: false))
            #expect(edits == Self.summed(try store.edits(Self.query(window, byBucket: true))), "edits in \(window)")
        }
    }

    @Test func usageAndEditTotalsEqualTheirQuarterHoursInEveryWindow() throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-totals")
        let store = try Store(location: StoreLocation(directory: directory.path))
        try store.ingestTransaction { try $0.apply(Self.batch(sessions: 0..<40)) }
        try Self.fold(store)
        try expectTotalsMatchQuarterHours(store)
        #expect(try !store.usage(Self.query((nil, nil), byBucket: false), price: { _ in 1 }).isEmpty)

        // A few sessions change (folded one by one), then many (folded in one pass).
        try store.ingestTransaction { try $0.apply(Self.batch(sessions: 3..<6, offset: 50)) }
        try Self.fold(store)
        try expectTotalsMatchQuarterHours(store)
        try store.ingestTransaction { try $0.apply(Self.batch(sessions: 0..<260, offset: 90)) }
        try Self.fold(store)
        try expectTotalsMatchQuarterHours(store)
    }

    // MARK: Commits

    static func insertCommit(
        _ db: Database, repo: Int64, sha: String, author: String, time: Double, human: Int, trailer: Bool = false, landed: Bool = false
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO commits (repo_id, sha, seq, author_email, author_time, commit_time, is_merge, ai_trailer, ai_trailer_tool,
                  on_default, ai_lines, human_lines, landed_how)
                VALUES (?, ?, 0, ?, ?, ?, 0, ?, ?, 0, 0, ?, ?)
                """,
            arguments: [repo, sha, author, time, time, trailer, trailer ? "claude-code" : nil, human, landed ? "direct" : nil])
    }

    /// The per-quarter-hour tallies summed per repository and author.
    static func summed(_ tallies: [CommitTally]) -> [CommitTally] {
        var result: [String: CommitTally] = [:]
        for tally in tallies {
            let key = "\(tally.repoID)\u{1F}\(tally.authorEmail)"
            guard var known = result[key] else {
                result[key] = tally
                continue
            }
            known.first = min(known.first, tally.first)
            known.commits += tally.commits
            known.humanLines += tally.humanLines
            known.aiAssisted += tally.aiAssisted
            known.landedAIAssisted += tally.landedAIAssisted
            result[key] = known
        }
        return result.values.sorted { ($0.repoID, $0.authorEmail) < ($1.repoID, $1.authorEmail) }
    }

    func expectTalliesMatchQuarterHours(_ store: Store) throws {
        for window in Self.windows {
            let since = window.0.map(Date.init(timeIntervalSince1970:))
            let until = window.1.map(Date.init(timeIntervalSince1970:))
            let whole = try store.commitTallies(repos: [1, 2], since: since, until: until, byBucket: false)
            let byQuarter = try store.commitTallies(repos: [1, 2], since: since, until: until, byBucket: true)
            #expect(whole == Self.summed(byQuarter), "commits in \(window)")
        }
    }

    @Test func commitTalliesFollowEveryChangeAndEqualTheirQuarterHours() throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-tallies")
        let store = try Store(location: StoreLocation(directory: directory.path))
        try store.write { db in
            for number in 0..<60 {
                try Self.insertCommit(
                    db, repo: Int64(1 + number % 2), sha: "c\(number)", author: "dev\(number % 3)@example.com",
                    time: Self.day0 + Double(number) * 2_011, human: number % 7, trailer: number % 5 == 0, landed: number % 10 == 0)
            }
            // A commit holding AI lines of a session is not tallied.
            try db.execute(sql: "INSERT INTO commit_sessions (repo_id, sha, tool, session_id, ai_lines) VALUES (1, 'c4', 'codex', 's', 3)")
        }
        try expectTalliesMatchQuarterHours(store)
        let before = try store.commitTallies(repos: [1, 2], since: nil, until: nil, byBucket: false)
        let counted = before.reduce(0) { $0 + $1.commits }
        #expect(counted == 59)

        // Every kind of change moves the tallies: a new commit, a landing, a superseded
        // commit, a commit that now holds a session's lines, a deleted commit.
        try store.write { db in try Self.insertCommit(db, repo: 2, sha: "new", author: "dev9@example.com", time: Self.day0 + 999, human: 5)
        }
        try expectTalliesMatchQuarterHours(store)
        try store.write { db in try db.execute(sql: "UPDATE commits SET landed_how = 'squash' WHERE sha = 'c5'") }
        try expectTalliesMatchQuarterHours(store)
        try store.write { db in try db.execute(sql: "UPDATE commits SET superseded_by = 'x' WHERE sha = 'c6'") }
        try expectTalliesMatchQuarterHours(store)
        try store.write { db in
            try db.execute(sql: "INSERT INTO commit_sessions (repo_id, sha, tool, session_id, ai_lines) VALUES (1, 'c8', 'codex', 's', 1)")
        }
        try expectTalliesMatchQuarterHours(store)
        try store.write { db in try db.execute(sql: "DELETE FROM commits WHERE sha = 'c10'") }
        try expectTalliesMatchQuarterHours(store)
        let after = try store.commitTallies(repos: [1, 2], since: nil, until: nil, byBucket: false)
        let commits = after.reduce(0) { $0 + $1.commits }
        #expect(commits == 57)  // 59, one new, one superseded, one now with AI lines, one deleted
        #expect(after.first { $0.authorEmail == "dev9@example.com" }?.humanLines == 5)
    }
}
