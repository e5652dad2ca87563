import DuetCore
import DuetStoreAPI
import PostgresNIO

/// The items, the log and what was imported: the same reads as SQLiteStore's, rows decoded by
/// DuetStoreAPI's `StoredRows` (one set of rules for every backend).
extension PostgresStore: ItemCatalog {
    public func itemCount() async throws -> Int {
        try await read("counting items") { db in
            try await Self.integer(PostgresStatement("SELECT COALESCE(SUM(items), 0)::bigint FROM dataset_counts"), on: db)
        }
    }

    /// One summary per dataset, by name.
    public func datasetSummaries() async throws -> [DatasetSummary] {
        let rows = try await read("reading the datasets") { db in
            try await Self.rows(PostgresStatement("""
                SELECT dataset, kind, items FROM dataset_counts WHERE items > 0 ORDER BY dataset COLLATE "C", kind COLLATE "C"
                """), on: db) { ($0.text(0) ?? "", $0.text(1) ?? "", Int($0.int64(2) ?? 0)) }
        }
        var summaries: [DatasetSummary] = []
        for (name, kind, n) in rows {
            if summaries.last?.name != name { summaries.append(DatasetSummary(name: name, items: 0, kinds: [:])) }
            summaries[summaries.count - 1].items += n
            summaries[summaries.count - 1].kinds[kind] = n
        }
        return summaries
    }

    public func item(rowID: Int64) async throws -> StoredItem? {
        var s = PostgresStatement()
        s.sql = "SELECT \(StoredRows.itemColumns) FROM items WHERE id = \(s.bind(rowID))"
        let statement = s
        return try await read("reading item \(rowID)") { db in try await Self.items(statement, on: db).first }
    }

    public func item(dataset: String, uid: String) async throws -> StoredItem? {
        var s = PostgresStatement()
        s.sql = "SELECT \(StoredRows.itemColumns) FROM items WHERE dataset = \(s.bind(dataset)) AND uid = \(s.bind(uid))"
        let statement = s
        return try await read("reading an item") { db in try await Self.items(statement, on: db).first }
    }

    public func sourceFile(itemRowID: Int64) async throws -> String? {
        var s = PostgresStatement()
        s.sql = "SELECT imports.path FROM items JOIN imports ON imports.id = items.import_id WHERE items.id = \(s.bind(itemRowID))"
        let statement = s
        return try await read("reading the source of item \(itemRowID)") { db in
            try await Self.row(statement, on: db) { $0.text(0) } ?? nil
        }
    }

    public func items(for task: TaskSpec?, afterRowID: Int64, limit: Int) async throws -> [StoredItem] {
        guard limit > 0 else { return [] }
        var s = PostgresStatement()
        s.sql = "SELECT \(StoredRows.itemColumns) FROM items WHERE items.id > \(s.bind(afterRowID))"
        if let task { s.sql += " AND " + PostgresItemFilter(task).condition(binding: &s) }
        s.sql += " ORDER BY items.id LIMIT \(s.bind(Int64(limit)))"
        let statement = s
        return try await read("reading items") { db in try await Self.items(statement, on: db) }
    }

    public func itemRowIDs(for task: TaskSpec) async throws -> [Int64] {
        var s = PostgresStatement()
        s.sql = "SELECT items.id FROM items WHERE \(PostgresItemFilter(task).condition(binding: &s)) ORDER BY items.id"
        let statement = s
        return try await read("reading the items of \(task.name)") { db in
            try await Self.rows(statement, on: db) { $0.int64(0) ?? 0 }
        }
    }

    /// A plain substring scan over the stored fields and ids of the task's items, case-insensitive on ASCII
    /// only (as SQLite's `instr(lower())`): `lower` under the "C" collation folds A–Z and nothing else,
    /// whatever the server's locale.
    public func search(_ task: TaskSpec, query: String, limit: Int) async throws -> [StoredItem] {
        guard limit > 0, !query.isEmpty else { return [] }
        var s = PostgresStatement()
        let needle = s.bind(StoredRows.fieldsNeedle(query))
        let id = s.bind(query)
        s.sql = """
            SELECT \(StoredRows.itemColumns) FROM items
            WHERE (strpos(lower(items.fields COLLATE "C"), lower(\(needle) COLLATE "C")) > 0
                   OR strpos(lower(items.uid COLLATE "C"), lower(\(id) COLLATE "C")) > 0)
              AND \(PostgresItemFilter(task).condition(binding: &s))
            ORDER BY items.id LIMIT \(s.bind(Int64(limit)))
            """
        let statement = s
        return try await read("searching \(task.name)") { db in try await Self.items(statement, on: db) }
    }

    /// The log entries of these items, oldest first, keyed by item row id; items without entries are
    /// absent. `task` nil = every task; source annotations are always included (an unknown task name
    /// yields only those).
    public func annotations(itemRowIDs: [Int64], task: String?) async throws -> [Int64: [Annotation]] {
        try await read("reading the log") { db in try await Self.log(itemRowIDs: itemRowIDs, task: task, on: db) }
    }

    /// `annotations(itemRowIDs:task:)` on `db` (in its transaction, when it has one).
    static func log(itemRowIDs: [Int64], task: String?, on db: PostgresConnection) async throws -> [Int64: [Annotation]] {
        guard !itemRowIDs.isEmpty else { return [:] }
        var s = PostgresStatement()
        s.sql = """
            SELECT \(StoredRows.annotationColumns)
            FROM annotations a LEFT JOIN tasks t ON t.id = a.task_id
            WHERE a.item_id = ANY(\(s.bind(itemRowIDs)))
            """
        if let task { s.sql += " AND (a.task_id = (SELECT id FROM tasks WHERE name = \(s.bind(task))) OR a.task_id IS NULL)" }
        s.sql += " ORDER BY a.item_id, a.id"
        let entries = try await rows(s, on: db) { try StoredRows.annotation(reading: $0) }
        var result: [Int64: [Annotation]] = [:]
        for annotation in entries { result[annotation.entry.itemRowID, default: []].append(annotation) }
        return result
    }

    public func sourceValues(task: TaskSpec) async throws -> [Int64: JSONValue] {
        var s = PostgresStatement()
        s.sql = """
            SELECT a.item_id, a.value FROM annotations a JOIN items ON items.id = a.item_id
            WHERE a.annotator_kind = 'source' AND \(PostgresItemFilter(task).condition(binding: &s))
            ORDER BY a.item_id, a.id
            """
        let statement = s
        let rows = try await read("reading the source values of \(task.name)") { db in
            try await Self.rows(statement, on: db) { ($0.int64(0) ?? 0, $0.text(1)) }
        }
        var out: [Int64: JSONValue] = [:]
        for (id, text) in rows {
            guard out[id] == nil, let text else { continue }
            do { out[id] = try JSONValue.parse(text) } catch {
                throw PostgresStoreError("the store is damaged: the source value of item \(id) is not valid JSON (\(error.message))")
            }
        }
        return out
    }

    /// One snapshot for the whole export: a REPEATABLE READ, READ ONLY transaction on a connection leased
    /// from the pool (`PostgresExportCursor`, `PostgresLease`), the items through a server-side cursor
    /// (`FETCH pageSize` a page), each page's log read on a second leased connection in a transaction on the
    /// same snapshot. The stream's end commits both and gives them back; a consumer that stops early drops
    /// the stream, and with it the lease (its transactions are rolled back, the cursor with them).
    public func exportPages(task: TaskSpec?, pageSize: Int) -> AsyncThrowingStream<ExportPage, any Error> {
        let cursor = PostgresExportCursor(pool: pool, task: task, pageSize: pageSize)
        return AsyncThrowingStream(unfolding: { try await cursor.next() })
    }
}

/// See `PostgresStore.exportPages`. The stream calls `next` one call at a time; the connection is opened
/// at the first page.
final class PostgresExportCursor: @unchecked Sendable {
    private let pool: PostgresPool
    private let task: TaskSpec?
    private let pageSize: Int
    /// The cursor's connection, and the log's: a second transaction on the cursor's snapshot
    /// (`pg_export_snapshot`), so the next page is fetched while this page's log is read. Both leased from
    /// the pool for the export's length.
    private var connections: (cursor: WatchedConnection, log: WatchedConnection)?
    private var lease: PostgresLease?
    /// The next page's rows, being fetched.
    private var ahead: Task<[PostgresRow], any Error>?
    private var finished = false

    init(pool: PostgresPool, task: TaskSpec?, pageSize: Int) {
        self.pool = pool
        self.task = task
        self.pageSize = max(1, pageSize)
    }

    deinit {
        // Dropped before the end: the lease rolls the transactions back (the cursor with them).
        ahead?.cancel()
        lease?.end()
    }

    private func fetch(on cursor: WatchedConnection) -> Task<[PostgresRow], any Error> {
        let count = String(pageSize)
        return Task {
            try await cursor.run { db in
                var rows: [PostgresRow] = []
                for try await row in try await db.query("FETCH FORWARD \(unescaped: count) FROM duet_export",
                                                        logger: PostgresPool.quiet) { rows.append(row) }
                return rows
            }
        }
    }

    func next() async throws -> ExportPage? {
        guard !finished else { return nil }
        do {
            let (cursor, log) = try await open()
            let rows = try await (ahead ?? fetch(on: cursor)).value
            ahead = rows.count == pageSize ? fetch(on: cursor) : nil
            // The items are decoded on another thread while the page's log is read and decoded here.
            async let decoded = rows.map { row throws(CorruptStoredData) in try StoredRows.item(reading: PostgresColumns(row)) }
            let ids = rows.map { PostgresColumns($0).int64(0) ?? 0 }
            let taskName = task?.name
            let logs = try await log.run { try await PostgresStore.log(itemRowIDs: ids, task: taskName, on: $0) }
            let items = try await decoded
            if items.count < pageSize { try await finish() }
            return items.isEmpty ? nil : ExportPage(items: items, logs: logs)
        } catch {
            finished = true
            ahead?.cancel()
            ahead = nil
            connections = nil
            lease?.end()
            lease = nil
            throw PostgresStore.storeError(error, doing: "exporting from \(pool.config.database)")
        }
    }

    private func open() async throws -> (cursor: WatchedConnection, log: WatchedConnection) {
        if let connections { return connections }
        let lease = try await PostgresLease.take(pool, count: 2)
        self.lease = lease
        let (cursor, log) = (lease.connections[0], lease.connections[1])
        connections = (cursor, log)
        var declare = PostgresStatement()
        declare.sql = "DECLARE duet_export NO SCROLL CURSOR FOR SELECT \(StoredRows.itemColumns) FROM items"
        if let task { declare.sql += " WHERE " + PostgresItemFilter(task).condition(binding: &declare) }
        declare.sql += " ORDER BY items.id"
        let query = declare.query
        let snapshot = try await cursor.run { db in
            try await db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let snapshot = try await db.rows("SELECT pg_export_snapshot()").decode(String.self).firstElement() ?? ""
            try await db.execute(query)
            return snapshot
        }
        // The server's own id (hex digits and dashes); SET TRANSACTION SNAPSHOT takes no parameter.
        guard !snapshot.isEmpty, snapshot.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw PostgresStoreError("the server gave no usable snapshot id")
        }
        try await log.run { db in
            try await db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try await db.execute(PostgresQuery(unsafeSQL: "SET TRANSACTION SNAPSHOT '\(snapshot)'"))
        }
        return (cursor, log)
    }

    /// The last page read: the cursor and the transactions end, the connections go back to the pool.
    private func finish() async throws {
        finished = true
        guard let (cursor, log) = connections else { return }
        try await cursor.run { db in
            try await db.execute("CLOSE duet_export")
            try await db.execute("COMMIT")
        }
        try await log.run { try await $0.execute("COMMIT") }
        connections = nil
        lease?.end()
        lease = nil
    }
}
