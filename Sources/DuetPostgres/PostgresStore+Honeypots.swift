import DuetCore
import DuetStoreAPI
import PostgresNIO

extension PostgresStore {
    /// Whether the person's next item should be a honeypot (`Honeypots.due` on their decisions in the task and
    /// those on gold items, read by the gold items' partial index). `duet_next_item` then claims their next gold
    /// item, in their own order (`Honeypots.orderKey`), as SQLite's `honeypot` does: one they have no entry on in
    /// the task's log, and, as any item, nobody else has leased or is claiming. A task without honeypots asks nothing.
    func honeypotDue(task: TaskSpec, annotator: String) async throws -> Bool {
        guard task.honeypotRate > 0 else { return false }
        let counts = try await read("finding the next item of task \(task.name)") { db in
            try await db.rows("""
                SELECT (SELECT COUNT(*) FROM decisions d WHERE d.task_id = t.id AND d.annotator = \(annotator)),
                       (SELECT COUNT(*) FROM items WHERE items.gold IS NOT NULL
                          AND EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = t.id AND d.annotator = \(annotator) AND d.item_id = items.id))
                FROM tasks t WHERE t.name = \(task.name)
                """).decode((Int64, Int64).self).firstElement()
        }
        guard let (decided, gold) = counts else { return false }
        return Honeypots.due(rate: task.honeypotRate, decided: Int(decided), goldAnswered: Int(gold), person: annotator)
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
