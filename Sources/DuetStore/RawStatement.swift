import GRDB
import GRDBSQLite

/// A prepared statement driven through SQLite's C API, for the one hot path
/// where GRDB's per-call argument boxing showed in profiles: inserting
/// 10^6 items in one import. Lives only inside one write transaction, on
/// that transaction's connection.
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

    func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    /// Runs the statement with the values bound since the last run.
    func run() throws {
        index = 0
        let rc = sqlite3_step(statement)
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        guard rc == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)))
        }
    }
}
