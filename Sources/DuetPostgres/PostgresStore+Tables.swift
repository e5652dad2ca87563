import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

/// `duet store copy` on PostgreSQL: tables read a page at a time in key order; a copy in runs on a
/// connection of its own in one transaction held across the caller's awaits, committed whole or not at all.
extension PostgresStore: TableAccess {
    public func rows(of table: StoreTable, after: [ColumnValue]?, limit: Int) async throws -> [[ColumnValue]] {
        var statement = PostgresStatement()
        let key = table.key.map { "\"\($0)\"" }.joined(separator: ", ")
        var sql = "SELECT \(table.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")) FROM \"\(table.name)\""
        if let after {
            let positions = table.keyPositions
            let marks = zip(after, positions).map { value, i in Self.bind(value, as: table.columns[i].type, into: &statement) }
            sql += " WHERE (\(key)) > (\(marks.joined(separator: ", ")))"
        }
        sql += " ORDER BY \(key) LIMIT \(statement.bind(Int64(limit)))"
        statement.sql = sql
        let types = table.columns.map(\.type)
        let query = statement.query
        return try await read("reading \(table.name)") { db in
            var out: [[ColumnValue]] = []
            for try await row in try await db.query(query, logger: PostgresPool.quiet) {
                let cells = row.makeRandomAccess()
                out.append(try types.indices.map { try Self.columnValue(cells[$0], types[$0]) })
            }
            return out
        }
    }

    public func rowCount(of table: StoreTable) async throws -> Int {
        try await read("counting \(table.name)") { db in
            for try await n in try await db.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \"\(table.name)\""),
                                                  logger: PostgresPool.quiet).decode(Int64.self) { return Int(n) }
            return 0
        }
    }

    public func beginTableCopy() async throws -> any TableCopySession {
        let connection = try await pool.connect()
        let session = PostgresTableCopy(connection: connection, database: pool.config.database)
        do {
            try await session.begin()
        } catch {
            await session.cancel()
            throw error
        }
        return session
    }

    /// Binds `value` as the column's type (a NULL needs one) and returns its placeholder.
    static func bind(_ value: ColumnValue, as type: StoreTable.ColumnType, into statement: inout PostgresStatement) -> String {
        switch (value, type) {
        case (.null, .integer): return statement.bind(Int64?.none)
        case (.null, .real): return statement.bind(Double?.none)
        case (.null, .text): return statement.bind(String?.none)
        case (.null, .flag): return statement.bind(Bool?.none)
        case (.integer(let v), .flag): return statement.bind(v != 0)
        case (.integer(let v), .real): return statement.bind(Double(v))
        case (.integer(let v), _): return statement.bind(v)
        case (.real(let v), _): return statement.bind(v)
        case (.text(let v), _): return statement.bind(v)
        }
    }

    static func columnValue(_ cell: PostgresCell, _ type: StoreTable.ColumnType) throws -> ColumnValue {
        switch type {
        case .integer: return try cell.decode(Int64?.self).map(ColumnValue.integer) ?? .null
        case .real: return try cell.decode(Double?.self).map(ColumnValue.real) ?? .null
        case .text: return try cell.decode(String?.self).map(ColumnValue.text) ?? .null
        case .flag: return try cell.decode(Bool?.self).map { .integer($0 ? 1 : 0) } ?? .null
        }
    }
}

/// See `PostgresStore.beginTableCopy`. Dropping it without `commit` closes its connection: the server
/// rolls the transaction back.
final class PostgresTableCopy: TableCopySession, @unchecked Sendable {
    /// The copy's connection: every statement goes through its `run` (a closed connection ends it).
    private let connection: WatchedConnection
    private let database: String
    private var open = true

    init(connection: WatchedConnection, database: String) {
        self.connection = connection
        self.database = database
    }

    deinit {
        if open { connection.closeDropped() }
    }

    private func run(_ query: PostgresQuery, doing: String) async throws {
        do {
            try await connection.run { try await $0.execute(query) }
        } catch {
            throw PostgresStore.storeError(error, doing: doing)
        }
    }

    func begin() async throws {
        try await run("BEGIN", doing: "starting the copy")
        // The target must hold no project: the check and the copy in one transaction, the tables locked.
        try await run("LOCK TABLE tasks, items, annotations IN SHARE ROW EXCLUSIVE MODE", doing: "locking the target")
        let held: Int64
        do {
            held = try await connection.run { db in
                try await db.rows("""
                    SELECT (SELECT count(*) FROM tasks) + (SELECT count(*) FROM items) + (SELECT count(*) FROM annotations)
                    """).decode(Int64.self).firstElement() ?? 0
            }
        } catch {
            throw PostgresStore.storeError(error, doing: "reading the target's tables")
        }
        if held > 0 {
            throw PostgresStoreError("database \(database) already holds a project (tasks, items or decisions); a copy goes only into an empty one")
        }
    }

    func add(_ rows: [[ColumnValue]], to table: StoreTable) async throws {
        // Many rows per statement, within PostgreSQL's 65,535 binds.
        let perStatement = max(1, min(rows.count, 60_000 / max(1, table.columns.count)))
        let columns = table.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var statement = PostgresStatement()
            let values = chunk.map { row in
                "(" + zip(row, table.columns).map { PostgresStore.bind($0, as: $1.type, into: &statement) }.joined(separator: ", ") + ")"
            }
            statement.sql = "INSERT INTO \"\(table.name)\" (\(columns)) OVERRIDING SYSTEM VALUE VALUES \(values.joined(separator: ", "))"
            try await run(statement.query, doing: "copying \(table.name)")
            start += chunk.count
        }
    }

    func commit() async throws {
        // New rows get ids past the copied ones.
        for table in StoreTables.copied where table.identity {
            try await run(PostgresQuery(unsafeSQL: """
                SELECT setval(pg_get_serial_sequence('\(table.name)', 'id'), COALESCE(max(id), 1), max(id) IS NOT NULL) FROM \(table.name)
                """), doing: "moving \(table.name)'s ids on")
        }
        try await run("COMMIT", doing: "committing the copy")
        open = false
        await connection.close()
    }

    func cancel() async {
        guard open else { return }
        open = false
        _ = try? await connection.run { try await $0.execute("ROLLBACK") }
        await connection.close()
    }
}
