import DuetCore
import GRDB

extension SQLiteStore {
    /// The person's next honeypot when one is due (`Honeypots.due`): a gold item the task covers that they
    /// have no entry on in the task's log, in their own order (`Honeypots.orderKey`); nil when none is due or
    /// left. Not subject to the overlap (a honeypot is checked by every person once), but leased as any item: one
    /// that someone else has open (an unexpired lease at `now`) waits until they are done with it.
    static func honeypot(_ db: Database, task: TaskSpec, filter: ItemFilter, taskID: Int64, annotator: String,
                         now: Double) throws -> StoredItem? {
        guard task.honeypotRate > 0,
              // The person's decisions (an index range), and those on gold items (the gold items, by their partial index).
              let counts = try GRDB.Row.fetchOne(db, sql: """
                  SELECT (SELECT COUNT(*) FROM decisions WHERE task_id = ? AND annotator = ?),
                         (SELECT COUNT(*) FROM items WHERE items.gold IS NOT NULL
                            AND EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = ? AND d.annotator = ? AND d.item_id = items.id))
                  """, arguments: [taskID, annotator, taskID, annotator]),
              Honeypots.due(rate: task.honeypotRate, decided: counts[0], goldAnswered: counts[1], person: annotator)
        else { return nil }
        var arguments = filter.arguments
        arguments += [taskID, annotator, taskID, annotator, now]
        var item = try GRDB.Row.fetchOne(db, sql: """
            SELECT \(Rows.itemColumns) FROM items
            WHERE items.gold IS NOT NULL AND \(filter.sql)
              AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.item_id = items.id AND a.task_id = ? AND a.annotator = ?)
              AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.task_id = ? AND l.item_id = items.id AND l.annotator <> ?
                                                      AND l.expires_at > ?)
            ORDER BY \(Honeypots.orderKey("items.id", person: annotator)) LIMIT 1
            """, arguments: arguments).map(Rows.storedItem)
        item?.honeypot = true
        return item
    }
}

extension SQLiteStore {
    public func goldLabels(task: TaskSpec) throws -> [Int64: JSONValue] {
        let filter = ItemFilter(task)
        let sql = "SELECT items.id, items.gold FROM items WHERE items.gold IS NOT NULL AND \(filter.sql)"
        let arguments = filter.arguments
        return try writer.read { db in
            var out: [Int64: JSONValue] = [:]
            for row in try GRDB.Row.fetchAll(db, sql: sql, arguments: arguments) {
                let id: Int64 = row[0], text: String = row[1]
                out[id] = try JSONValue.parse(text)
            }
            return out
        }
    }
}
