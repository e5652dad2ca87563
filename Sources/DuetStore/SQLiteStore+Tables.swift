import DuetCore
import DuetStoreAPI
import Foundation
import GRDB

/// `duet store copy` on SQLite: tables read a page at a time in key order; a copy in is one write
/// transaction held across the caller's awaits (`HeldTransaction`), so it is kept whole or not at all.
extension SQLiteStore: TableAccess {
    public func rows(of table: StoreTable, after: [ColumnValue]?, limit: Int) async throws -> [[ColumnValue]] {
        try await writer.read { db in
            let columns = table.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
            let key = table.key.map { "\"\($0)\"" }.joined(separator: ", ")
            var sql = "SELECT \(columns) FROM \"\(table.name)\""
            var arguments: [DatabaseValue] = []
            if let after {
                sql += " WHERE (\(key)) > (\(Array(repeating: "?", count: after.count).joined(separator: ", ")))"
                arguments = after.map(Self.databaseValue)
            }
            sql += " ORDER BY \(key) LIMIT ?"
            arguments.append(limit.databaseValue)
            let types = table.columns.map(\.type)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                types.indices.map { Self.columnValue(row[$0] as DatabaseValue, types[$0]) }
            }
        }
    }

    public func rowCount(of table: StoreTable) async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table.name)\"") ?? 0 }
    }

    public func beginTableCopy() async throws -> any TableCopySession {
        let session = SQLiteTableCopy(store: self)
        do {
            try await session.requireEmpty()
        } catch {
            await session.cancel()
            throw error
        }
        return session
    }

    static func databaseValue(_ value: ColumnValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let v): v.databaseValue
        case .real(let v): v.databaseValue
        case .text(let v): v.databaseValue
        }
    }

    /// A stored value as the column's type reads it (SQLite may keep a REAL column's whole number as an
    /// integer, or text imported as bytes as a blob).
    static func columnValue(_ value: DatabaseValue, _ type: StoreTable.ColumnType) -> ColumnValue {
        switch value.storage {
        case .null: return .null
        case .int64(let v):
            return type == .real ? .real(Double(v)) : type == .text ? .text(String(v)) : .integer(v)
        case .double(let v): return type == .real ? .real(v) : .integer(Int64(v))
        case .string(let s): return .text(s)
        case .blob(let d): return .text(String(decoding: d, as: UTF8.self))
        }
    }
}

/// See `SQLiteStore.beginTableCopy`.
final class SQLiteTableCopy: TableCopySession, @unchecked Sendable {
    private let held: HeldTransaction<Database, Void>

    private let store: SQLiteStore

    init(store: SQLiteStore) {
        self.store = store
        held = HeldTransaction(name: "duet-copy-writer", finished: StoreError.sessionFinished) { serve in
            try store.writer.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try serve(db)
                    return .commit
                }
            }
        }
    }

    deinit { held.close() }

    func requireEmpty() async throws {
        let store = store
        try await held.perform { db in
            let held = try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM tasks) + (SELECT COUNT(*) FROM items) + (SELECT COUNT(*) FROM annotations)
                """) ?? 0
            if held > 0 { throw StoreError.copyTargetNotEmpty(store.path ?? "memory") }
        }
    }

    func add(_ rows: [[ColumnValue]], to table: StoreTable) async throws {
        try await held.perform { db in
            let columns = table.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
            let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
            let insert = try db.cachedStatement(sql: "INSERT INTO \"\(table.name)\" (\(columns)) VALUES (\(marks))")
            for row in rows {
                try insert.execute(arguments: StatementArguments(row.map(SQLiteStore.databaseValue)))
            }
        }
    }

    func commit() async throws {
        try await held.commit()
    }

    func cancel() async {
        await held.cancel()
    }
}
