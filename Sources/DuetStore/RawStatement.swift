import DuetCore
import DuetStoreAPI
import GRDB
import GRDBSQLite

/// A prepared statement driven through SQLite's C API, for the hot paths
/// where GRDB's per-call boxing showed in profiles: inserting 10^6 items in
/// one import, and reading items and their log for exports. Lives only
/// inside one transaction (or read), on that connection.
final class RawStatement {
    private let statement: OpaquePointer
    private let connection: OpaquePointer
    private var index: Int32 = 0

    /// SQLite copies bound text (SQLITE_TRANSIENT), so Swift strings need not outlive the call.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw StoreError.cannotOpen(path: "(closed connection)", reason: "no connection") }
        self.connection = connection
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        statement = stmt
    }

    deinit { sqlite3_finalize(statement) }

    func bind(_ text: String?) {
        index += 1
        guard var text else {
            sqlite3_bind_null(statement, index)
            return
        }
        if text.isEmpty {
            // An empty buffer may have no address, and SQLite reads a NULL pointer as NULL, not "".
            sqlite3_bind_text(statement, index, "", 0, RawStatement.transient)
            return
        }
        text.withUTF8 { p in
            p.withMemoryRebound(to: CChar.self) { c in
                _ = sqlite3_bind_text(statement, index, c.baseAddress, Int32(c.count), RawStatement.transient)
            }
        }
    }

    /// Binds `count` bytes at `text` as text without copying them (SQLITE_STATIC):
    /// they must stay in place until the statement is rebound, reset by
    /// `clearBindings()`, or finalized. A negative count binds NULL.
    func bindStatic(_ text: UnsafePointer<UInt8>?, count: Int) {
        index += 1
        if count < 0 {
            sqlite3_bind_null(statement, index)
        } else {
            // A NULL pointer would bind NULL, not "".
            let p = count == 0 ? UnsafeRawPointer(("" as StaticString).utf8Start) : UnsafeRawPointer(text)
            sqlite3_bind_text(statement, index, p?.assumingMemoryBound(to: CChar.self), Int32(count), nil)
        }
    }

    func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    func bind(_ value: Double?) {
        index += 1
        if let value { sqlite3_bind_double(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    /// Steps a query: true while it has a row (read it with `text`, `int64`, `double`).
    func step() throws -> Bool {
        let rc = sqlite3_step(statement)
        if rc == SQLITE_ROW { return true }
        index = 0
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        guard rc == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)))
        }
        return false
    }

    /// Runs the statement with the values bound since the last run, and
    /// leaves them bound (bind every parameter again before the next run;
    /// `clearBindings()` when done).
    func run() throws {
        index = 0
        let rc = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard rc == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)))
        }
    }

    func clearBindings() {
        index = 0
        sqlite3_clear_bindings(statement)
    }

    /// Rows changed by the connection's last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(connection)) }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(connection) }
}

/// Reading the current row's columns (0-based), for `Rows` (DuetStoreAPI's protocol, shared with every backend).
typealias ColumnReader = StoredColumns

extension RawStatement: ColumnReader {
    func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(statement, i) else { return nil }
        let n = Int(sqlite3_column_bytes(statement, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func int64(_ i: Int32) -> Int64? {
        sqlite3_column_type(statement, i) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, i)
    }

    func double(_ i: Int32) -> Double? {
        sqlite3_column_type(statement, i) == SQLITE_NULL ? nil : sqlite3_column_double(statement, i)
    }

    /// Parsed from SQLite's bytes, without a String in between (exports read
    /// three JSON columns per item). Parsing succeeds only on valid UTF-8, for
    /// which that String would hold the same bytes; anything else goes the
    /// way `text` reads it (invalid UTF-8 repaired), so the outcome is the same.
    func json(_ i: Int32) throws(JSONSyntaxError) -> JSONValue? {
        guard let p = sqlite3_column_text(statement, i) else { return nil }
        let bytes = UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, i)))
        if let value = try? JSONParser.parse(bytes) { return value }
        return try JSONValue.parse(String(decoding: bytes, as: UTF8.self))
    }
}

/// A GRDB row read by `Rows` (a wrapper: GRDB's type and DuetStoreAPI's protocol are both imported).
struct GRDBColumns: ColumnReader {
    let row: GRDB.Row
    func text(_ i: Int32) -> String? { row[Int(i)] }
    func int64(_ i: Int32) -> Int64? { row[Int(i)] }
    func double(_ i: Int32) -> Double? { row[Int(i)] }
}
