import Foundation
internal import GRDB
internal import GRDBSQLite

/// Binds and steps a GRDB cached statement through SQLite's C API, for the ingest's bulk
/// upserts only.
///
/// `Statement.execute(arguments:)` boxes every value into a `DatabaseValue` array per
/// row; with tens of thousands of rows per gigabyte of transcripts that boxing was a
/// visible share of the single writer thread. Values are bound as SQLite copies them
/// (`SQLITE_TRANSIENT`), and the statement is reset afterwards, so GRDB finds it as it
/// left it.
struct BulkStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?
    private var index: Int32 = 0

    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        self.connection = db.sqliteConnection
        sqlite3_reset(handle)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: String) {
        index += 1
        var value = value
        value.withUTF8 { bytes in
            _ =
                bytes.baseAddress.map { sqlite3_bind_text(handle, index, $0, Int32(bytes.count), Self.transient) }
                ?? sqlite3_bind_text(handle, index, "", 0, Self.transient)
        }
    }

    mutating func bind(_ value: String?) {
        guard let value else {
            index += 1
            sqlite3_bind_null(handle, index)
            return
        }
        bind(value)
    }

    mutating func bind(_ value: Int64?) {
        guard let value else {
            index += 1
            sqlite3_bind_null(handle, index)
            return
        }
        bind(value)
    }

    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: Double) {
        index += 1
        sqlite3_bind_double(handle, index, value)
    }

    mutating func bind(_ value: Double?) {
        guard let value else {
            index += 1
            sqlite3_bind_null(handle, index)
            return
        }
        bind(value)
    }

    mutating func bind(_ value: Data) {
        index += 1
        value.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
        }
    }

    /// Runs the statement with the values bound since the last step, then resets it.
    mutating func step() throws {
        index = 0
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// As `step`, for an upsert that may write nothing (a `WHERE` on its update):
    /// whether it inserted or updated a row, as SQLite counts the statement's changes.
    /// A `RETURNING` clause told the same, at the cost of SQLite collecting the returned
    /// rows of every step in a temporary table first: without it, the writer thread of a
    /// first 1 GB ingest used 29 % less CPU.
    mutating func stepWrote() throws -> Bool {
        index = 0
        let code = sqlite3_step(handle)
        let wrote = code == SQLITE_DONE && connection.map { sqlite3_changes($0) > 0 } == true
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) }
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        return wrote
    }

    /// Drops the bound values (SQLite kept copies) once the batch is done.
    func finish() {
        sqlite3_clear_bindings(handle)
    }
}
