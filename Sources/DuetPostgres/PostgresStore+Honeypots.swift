import DuetCore
import DuetStoreAPI
import PostgresNIO

extension PostgresStore {
    /// SQLite's `honeypot` (SQLiteStore+Honeypots.swift): the person's next gold item when one is due
    /// (`Honeypots.due`), one they have no entry on in the task's log, in their own order. Not claimed: a
    /// honeypot is checked by every person once, beside whoever else has it open.
    static func honeypot(_ db: PostgresConnection, task: TaskSpec, filter: PostgresItemFilter, taskID: Int64,
                         annotator: String) async throws -> StoredItem? {
        guard task.honeypotRate > 0,
              // The person's decisions (an index range), and those on gold items (the gold items, by their partial index).
              let (decided, gold) = try await db.rows("""
                  SELECT (SELECT COUNT(*) FROM decisions WHERE task_id = \(taskID) AND annotator = \(annotator)),
                         (SELECT COUNT(*) FROM items WHERE items.gold IS NOT NULL
                            AND EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = \(taskID) AND d.annotator = \(annotator) AND d.item_id = items.id))
                  """).decode((Int64, Int64).self).firstElement(),
              Honeypots.due(rate: task.honeypotRate, decided: Int(decided), goldAnswered: Int(gold), person: annotator)
        else { return nil }
        var item = try await db.rows("""
            SELECT \(unescaped: PostgresItemRow.itemColumns) FROM items
            WHERE items.gold IS NOT NULL AND \(covers: filter)
              AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.item_id = items.id AND a.task_id = \(taskID) AND a.annotator = \(annotator))
            ORDER BY \(unescaped: Honeypots.orderKey("items.id", person: annotator)) LIMIT 1
            """).decode(PostgresItemRow.Columns.self).firstElement().map(PostgresItemRow.storedItem)
        item?.honeypot = true
        return item
    }
}

extension PostgresStore {
    public func goldLabels(task: TaskSpec) async throws -> [Int64: JSONValue] {
        var s = PostgresStatement()
        s.sql = "SELECT items.id, items.gold FROM items WHERE items.gold IS NOT NULL AND \(PostgresItemFilter(task).condition(binding: &s))"
        let statement = s
        let rows = try await read("reading the gold labels of \(task.name)") { db in
            try await Self.rows(statement, on: db) { ($0.int64(0) ?? 0, $0.text(1)) }
        }
        var out: [Int64: JSONValue] = [:]
        for (id, text) in rows {
            guard let text else { continue }
            do { out[id] = try JSONValue.parse(text) } catch {
                throw PostgresStoreError("the store is damaged: the gold label of item \(id) is not valid JSON (\(error.message))")
            }
        }
        return out
    }
}
