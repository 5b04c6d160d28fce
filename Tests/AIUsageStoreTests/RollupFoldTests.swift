import AIUsageCore
import Foundation
import Testing
import _AIUsageTestSupport

@testable import AIUsageStore

/// Issue 8: the rollup folds many changed sessions (a first report's thousands) in one
/// pass over the table, reading rows through SQLite's C API and keeping each session's
/// Strings while its rows run on (`UsageRowStream`, `UsageFold`); a few sessions go
/// through the session index, row by row. Both must give the same rollup, including
/// for sessions whose rows are not next to each other in the table, and with a cost
/// that depends on the order rows are summed in (each quarter hour sums its rows in
/// table order either way).
@Suite struct RollupFoldTests {
    /// 300 sessions twice: the second batch adds rows to every session after all the
    /// first batch's rows, so no session's rows are one run.
    static let first = ReportTotalsTests.batch(sessions: 0..<300)
    static let second = ReportTotalsTests.batch(sessions: 0..<300, offset: 97)

    /// A price whose sums are not exact in floating point, so that a different order of
    /// summing would show.
    static func fold(_ store: Store) throws {
        try store.refreshUsageRollup(pricing: "test") { record in Double(record.tokens.input) / 3 + 0.1 }
    }

    static func everything(_ store: Store) throws -> [UsageAggregate] {
        try store.usage(UsageQuery(byBucket: true)) { record in Double(record.tokens.input) / 3 + 0.1 }
    }

    @Test func oneWholeTablePassEqualsSessionBySessionFolds() throws {
        let wholeDirectory = try TemporaryDirectory(prefix: "aiusage-fold-whole")
        let whole = try Store(location: StoreLocation(directory: wholeDirectory.path))
        try whole.ingestTransaction { try $0.apply(Self.first) }
        try whole.ingestTransaction { try $0.apply(Self.second) }
        #expect(try whole.refreshUsageRollup(pricing: "test") { Double($0.tokens.input) / 3 + 0.1 } == 300)

        // The same rows, folded 50 sessions at a time (each fold below the whole-table
        // threshold), in the same table order.
        let partsDirectory = try TemporaryDirectory(prefix: "aiusage-fold-parts")
        let parts = try Store(location: StoreLocation(directory: partsDirectory.path))
        try parts.ingestTransaction { try $0.apply(Self.first) }
        try parts.ingestTransaction { try $0.apply(Self.second) }
        try parts.pool.write { try $0.execute(sql: "DELETE FROM dirty_sessions") }
        for start in stride(from: 0, to: 300, by: 50) {
            try parts.pool.write { db in
                for number in start..<(start + 50) {
                    let tool: ToolKind = number.isMultiple(of: 2) ? .claudeCode : .codex
                    try db.execute(
                        sql: "INSERT INTO dirty_sessions (tool, session_id) VALUES (?, ?)", arguments: [tool.rawValue, "session-\(number)"])
                }
            }
            try Self.fold(parts)
        }

        let expected = try Self.everything(parts)
        #expect(!expected.isEmpty)
        #expect(try Self.everything(whole) == expected)
    }

    @Test func theWholeTablePassFoldsOnlyTheChangedSessions() throws {
        let directory = try TemporaryDirectory(prefix: "aiusage-fold-changed")
        let store = try Store(location: StoreLocation(directory: directory.path))
        try store.ingestTransaction { try $0.apply(Self.first) }
        try Self.fold(store)
        let before = try Self.everything(store)
        // 250 sessions change (a whole-table pass); the other 50 must keep their rows.
        try store.ingestTransaction { try $0.apply(ReportTotalsTests.batch(sessions: 0..<250, offset: 97)) }
        try Self.fold(store)
        let after = try Self.everything(store)
        let untouched = { (rows: [UsageAggregate]) in
            rows.filter { Int($0.session.id.dropFirst("session-".count)).map { $0 >= 250 } ?? false }
        }
        #expect(untouched(after) == untouched(before))
        #expect(!untouched(after).isEmpty)
        #expect(after.reduce(0) { $0 + $1.requests } > before.reduce(0) { $0 + $1.requests })
    }
}
