import Foundation
import GRDB
import Testing
import _AIUsageTestSupport
@testable import AIUsageReaders
import AIUsageCore

@Suite struct ReadOnlyDatabaseTests {
    @Test func opensReadOnlyAndChecksTables() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/tool.db"
        let writer = try DatabaseQueue(path: path)
        try writer.write { try $0.execute(sql: "CREATE TABLE message (id TEXT)") }
        let reader = try ReadOnlyDatabase.open(path)
        let tables = try reader.read { db in
            (try ReadOnlyDatabase.hasTable(db, "message"), try ReadOnlyDatabase.hasTable(db, "part"))
        }
        #expect(tables == (true, false))
        #expect(throws: (any Error).self) { try reader.write { try $0.execute(sql: "CREATE TABLE x (y)") } }
    }
}
