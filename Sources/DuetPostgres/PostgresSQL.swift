import DuetCore
import DuetStoreAPI
import PostgresNIO

/// A statement and its binds, built piece by piece: `bind` appends a value and returns its placeholder.
struct PostgresStatement {
    var sql: String
    var binds = PostgresBindings()

    init(_ sql: String = "") { self.sql = sql }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}

/// A PostgreSQL row read by DuetStoreAPI's decoders (`StoredRows`): booleans read as 0 or 1.
struct PostgresColumns: StoredColumns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    func text(_ i: Int32) -> String? { (try? row[Int(i)].decode(String?.self)) ?? nil }

    func int64(_ i: Int32) -> Int64? {
        let cell = row[Int(i)]
        if cell.dataType == .bool { return ((try? cell.decode(Bool?.self)) ?? nil).map { $0 ? 1 : 0 } }
        return (try? cell.decode(Int64?.self)) ?? nil
    }

    func double(_ i: Int32) -> Double? { (try? row[Int(i)].decode(Double?.self)) ?? nil }
}

extension PostgresStore {
    /// A failure as a person reads it: stored data that cannot be read back, or what the server said.
    static func storeError(_ error: any Error, doing: String) -> any Error {
        if let corrupt = error as? CorruptStoredData { return PostgresStoreError("the store is damaged: \(corrupt.detail)") }
        if let tx = error as? PostgresTransactionError, let inner = tx.closureError, inner is CorruptStoredData {
            return storeError(inner, doing: doing)
        }
        return PostgresStoreError(error, doing: doing)
    }

    /// Every row of `statement`, each read by `map`.
    static func rows<T>(_ statement: PostgresStatement, on db: PostgresConnection,
                        _ map: (PostgresColumns) throws -> T) async throws -> [T] {
        var out: [T] = []
        for try await row in try await db.query(statement.query, logger: PostgresPool.quiet) {
            out.append(try map(PostgresColumns(row)))
        }
        return out
    }

    /// The first row of `statement` read by `map` (nil when there is none).
    static func row<T>(_ statement: PostgresStatement, on db: PostgresConnection,
                       _ map: (PostgresColumns) throws -> T) async throws -> T? {
        try await rows(statement, on: db, map).first
    }

    /// The first column of the first row of `statement` as an integer (0 when there is none).
    static func integer(_ statement: PostgresStatement, on db: PostgresConnection) async throws -> Int {
        Int((try await row(statement, on: db) { $0.int64(0) }).flatMap { $0 } ?? 0)
    }

    /// Items read by `statement`, whose first columns are `StoredRows.itemColumns`.
    static func items(_ statement: PostgresStatement, on db: PostgresConnection) async throws -> [StoredItem] {
        try await rows(statement, on: db) { try StoredRows.item(reading: $0) }
    }
}
