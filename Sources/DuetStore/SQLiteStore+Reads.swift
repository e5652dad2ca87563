import DuetCore
import DuetStoreAPI
import Foundation
import GRDB

extension SQLiteStore {
    public func itemCount() throws -> Int {
        try writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(items), 0) FROM dataset_counts") ?? 0
        }
    }

    /// One summary per dataset, by name.
    public func datasetSummaries() throws -> [DatasetSummary] {
        try writer.read { db in
            let rows = try GRDB.Row.fetchAll(db, sql: """
                SELECT dataset, kind, items FROM dataset_counts WHERE items > 0 ORDER BY dataset, kind
                """)
            var summaries: [DatasetSummary] = []
            for row in rows {
                let name: String = row[0]
                let kind: String = row[1]
                let n: Int = row[2]
                if summaries.last?.name != name {
                    summaries.append(DatasetSummary(name: name, items: 0, kinds: [:]))
                }
                summaries[summaries.count - 1].items += n
                summaries[summaries.count - 1].kinds[kind] = n
            }
            return summaries
        }
    }

    public func item(rowID: Int64) throws -> StoredItem? {
        try writer.read { db in
            try GRDB.Row.fetchOne(db, sql: "SELECT \(Rows.itemColumns) FROM items WHERE id = ?", arguments: [rowID])
                .map(Rows.storedItem)
        }
    }

    public func sourceFile(itemRowID: Int64) throws -> String? {
        try writer.read { db in
            try String.fetchOne(db, sql: "SELECT imports.path FROM items JOIN imports ON imports.id = items.import_id WHERE items.id = ?",
                                arguments: [itemRowID])
        }
    }

    public func item(dataset: String, uid: String) throws -> StoredItem? {
        try writer.read { db in
            try GRDB.Row.fetchOne(db, sql: "SELECT \(Rows.itemColumns) FROM items WHERE dataset = ? AND uid = ?",
                             arguments: [dataset, uid])
                .map(Rows.storedItem)
        }
    }

    public func items(for task: TaskSpec?, afterRowID: Int64, limit: Int) throws -> [StoredItem] {
        guard limit > 0 else { return [] }
        let filter = task.map(ItemFilter.init)
        let sql = "SELECT \(Rows.itemColumns) FROM items WHERE items.id > ?" + (filter.map { " AND " + $0.sql } ?? "")
            + " ORDER BY items.id LIMIT ?"
        return try writer.read { db in
            // Read through SQLite's C API: exports page through every item (see RawStatement).
            let statement = try RawStatement(db, sql: sql)
            statement.bind(afterRowID)
            for value in filter?.values ?? [] { statement.bind(value) }
            statement.bind(Int64(limit))
            var items: [StoredItem] = []
            items.reserveCapacity(min(limit, 10_000))
            while try statement.step() { items.append(try Rows.storedItem(reading: statement)) }
            return items
        }
    }

    public func itemRowIDs(for task: TaskSpec) throws -> [Int64] {
        let filter = ItemFilter(task)
        let arguments = filter.arguments
        return try writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT items.id FROM items WHERE \(filter.sql) ORDER BY items.id", arguments: arguments)
        }
    }

    public func currentDecisions(task: TaskSpec, kind: AnnotatorKind?) throws -> [CurrentDecision] {
        let filter = ItemFilter(task)
        var arguments: StatementArguments = [task.name]
        if let kind { arguments += [kind.rawValue] }
        arguments += filter.arguments
        let sql = """
            SELECT d.item_id, d.annotator, d.annotator_kind, d.status, a.value, a.display, d.seconds, d.flagged
            FROM decisions d
            JOIN tasks t ON t.id = d.task_id
            JOIN annotations a ON a.id = d.annotation_id
            JOIN items ON items.id = d.item_id
            WHERE t.name = ? \(kind == nil ? "" : "AND d.annotator_kind = ?") AND \(filter.sql)
            ORDER BY d.item_id, d.annotator
            """
        let finalArguments = arguments
        return try writer.read { db in try GRDB.Row.fetchAll(db, sql: sql, arguments: finalArguments).map(Self.currentDecision) }
    }

    /// A row of `d.item_id, d.annotator, d.annotator_kind, d.status, a.value, a.display, d.seconds, d.flagged`.
    static func currentDecision(_ row: GRDB.Row) throws -> CurrentDecision {
        let valueText: String? = row[4]
        let displayText: String? = row[5]
        return CurrentDecision(
            itemRowID: row[0], annotator: row[1], annotatorKind: AnnotatorKind(rawValue: row[2]) ?? .human,
            status: AnnotationStatus(rawValue: row[3]) ?? .submitted,
            value: try valueText.map { try JSONValue.parse($0) }, display: displayText.flatMap(DisplayOrder.init(rawValue:)),
            seconds: row[6], flagged: row[7])
    }

    /// The person's decisions by the `decisions_latest` index (task, annotator), each item by its key.
    public func goldAnswers(task: TaskSpec, annotator: String) throws -> GoldAnswers {
        let filter = ItemFilter(task)
        return try writer.read { db in
            guard let taskID = try Self.taskID(db, name: task.name) else { return GoldAnswers() }
            var arguments: StatementArguments = [taskID, annotator]
            arguments += filter.arguments
            var out = GoldAnswers()
            for row in try GRDB.Row.fetchAll(db, sql: """
                SELECT d.item_id, d.annotator, d.annotator_kind, d.status, a.value, a.display, d.seconds, d.flagged, items.gold
                FROM decisions d JOIN annotations a ON a.id = d.annotation_id JOIN items ON items.id = d.item_id
                WHERE d.task_id = ? AND d.annotator = ? AND items.gold IS NOT NULL AND \(filter.sql)
                ORDER BY d.item_id
                """, arguments: arguments) {
                let d = try Self.currentDecision(row)
                out.decisions.append(d)
                out.gold[d.itemRowID] = try JSONValue.parse(row[8] as String)
            }
            return out
        }
    }

    public func sourceValues(task: TaskSpec) throws -> [Int64: JSONValue] {
        let filter = ItemFilter(task)
        let sql = """
            SELECT a.item_id, a.value FROM annotations a JOIN items ON items.id = a.item_id
            WHERE a.annotator_kind = 'source' AND \(filter.sql)
            ORDER BY a.item_id, a.id
            """
        let arguments = filter.arguments
        return try writer.read { db in
            var out: [Int64: JSONValue] = [:]
            for row in try GRDB.Row.fetchAll(db, sql: sql, arguments: arguments) {
                let id: Int64 = row[0]
                guard out[id] == nil, let text: String = row[1] else { continue }
                out[id] = try JSONValue.parse(text)
            }
            return out
        }
    }

    /// A plain substring scan (`instr`, no wildcards to escape) over the
    /// stored fields and ids of the task's items; ASCII case-insensitive.
    public func search(_ task: TaskSpec, query: String, limit: Int) throws -> [StoredItem] {
        guard limit > 0, !query.isEmpty else { return [] }
        let filter = ItemFilter(task)
        var arguments: StatementArguments = [StoredRows.fieldsNeedle(query), query]
        arguments += filter.arguments
        arguments += [limit]
        let sql = """
            SELECT \(Rows.itemColumns) FROM items
            WHERE (instr(lower(items.fields), lower(?)) > 0 OR instr(lower(items.uid), lower(?)) > 0) AND \(filter.sql)
            ORDER BY items.id LIMIT ?
            """
        let finalArguments = arguments
        return try writer.read { db in
            try GRDB.Row.fetchAll(db, sql: sql, arguments: finalArguments).map(Rows.storedItem)
        }
    }

    /// The log entries of these items, oldest first, keyed by item row id;
    /// items without entries are absent. `task` nil = every task; source
    /// annotations are always included (an unknown task name yields only those).
    public func annotations(itemRowIDs: [Int64], task: String?) throws -> [Int64: [Annotation]] {
        guard !itemRowIDs.isEmpty else { return [:] }
        // The ids go in as one JSON array (json_each): one short statement
        // however many ids, instead of one placeholder per id, which cost
        // more to prepare than the rows cost to read. In (item, id) order the
        // item index gives rows sorted, without a temporary B-tree.
        var idList: [UInt8] = [0x5B]
        for (n, id) in itemRowIDs.enumerated() {
            if n > 0 { idList.append(0x2C) }
            idList += String(id).utf8
        }
        idList.append(0x5D)
        let ids = String(decoding: idList, as: UTF8.self)
        return try writer.read { db in
            var taskID: Int64?
            if let task {
                taskID = try Self.taskID(db, name: task) ?? -1
            }
            var sql = """
                SELECT \(Rows.annotationColumns)
                FROM annotations a LEFT JOIN tasks t ON t.id = a.task_id
                WHERE a.item_id IN (SELECT value FROM json_each(?))
                """
            if taskID != nil { sql += " AND (a.task_id = ? OR a.task_id IS NULL)" }
            sql += " ORDER BY a.item_id, a.id"
            // Read through SQLite's C API: exports read every item's log (see RawStatement).
            let statement = try RawStatement(db, sql: sql)
            statement.bind(ids)
            if let taskID { statement.bind(taskID) }
            var result: [Int64: [Annotation]] = [:]
            while try statement.step() {
                let annotation = try Rows.annotation(reading: statement)
                result[annotation.entry.itemRowID, default: []].append(annotation)
            }
            return result
        }
    }
}
