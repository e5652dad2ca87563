import DuetCore
import DuetStoreAPI
import Foundation
import GRDB

extension SQLiteStore {
    /// Upserts every spec by name; never deletes a task.
    public func syncTasks(_ specs: [TaskSpec]) throws {
        let now = Self.seconds(Date())
        try writer.write { db in
            let upsert = try db.makeStatement(sql: """
                INSERT INTO tasks (name, kind, dataset, labels, overlap, spec, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET
                    kind = excluded.kind, dataset = excluded.dataset, labels = excluded.labels, overlap = excluded.overlap,
                    spec = excluded.spec
                WHERE kind IS NOT excluded.kind OR dataset IS NOT excluded.dataset
                    OR labels IS NOT excluded.labels OR overlap IS NOT excluded.overlap OR spec IS NOT excluded.spec
                """)
            // A changed overlap changes which routed items still need people.
            let repend = try db.makeStatement(sql: """
                UPDATE routes SET pending = (route != 'machine') AND (
                    SELECT COUNT(*) FROM decisions d
                    WHERE d.task_id = routes.task_id AND d.item_id = routes.item_id AND d.annotator_kind = 'human'
                ) < ?
                WHERE task_id = (SELECT id FROM tasks WHERE name = ?)
                """)
            for spec in specs {
                let before = try Int.fetchOne(db, sql: "SELECT overlap FROM tasks WHERE name = ?", arguments: [spec.name])
                try upsert.execute(arguments: [spec.name, spec.kind.rawValue, spec.dataset, spec.labelsColumn, spec.overlap,
                                               spec.storedJSON.canonicalJSON, now])
                if db.changesCount > 0, before != spec.overlap { try repend.execute(arguments: [spec.overlap, spec.name]) }
            }
        }
    }

    /// The tasks as the store holds them, by name (`tasks.spec`; from the other columns for a task
    /// stored before specs were kept).
    public func storedTasks() throws -> [TaskSpec] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT name, kind, dataset, labels, overlap, spec FROM tasks ORDER BY name").compactMap { row in
                TaskSpec(storedRow: (name: row[0], kind: row[1], dataset: row[2], labels: row[3], overlap: row[4], spec: row[5]))
            }
        }
    }

    /// Progress of `task` over the items it covers (see `TaskProgress`).
    ///
    /// Decisions on items the task no longer covers (its dataset or kind
    /// changed) are not counted.
    public func taskProgress(_ task: TaskSpec) throws -> TaskProgress {
        // The counts the store keeps (schema v6), per dataset and kind: a few rows, whatever the size.
        try progress(task) { filter in """
            SELECT COALESCE(SUM(human), 0), COALESCE(SUM(machine_only), 0), COALESCE(SUM(skipped_only), 0),
                   COALESCE(SUM(submitted), 0), COALESCE(SUM(flagged), 0), TOTAL(human_seconds), COALESCE(SUM(complete), 0),
                   COALESCE(SUM(timed), 0)
            FROM progress WHERE task_id = ? AND \(filter.sql(table: "progress"))
            """
        }
    }

    /// `taskProgress` counted from the task's decisions (what the kept counts must always equal).
    func taskProgressByScan(_ task: TaskSpec) throws -> TaskProgress {
        // Per item: is there a current submitted human decision (h), a
        // submitted machine one (m), any submitted one (s), a skip (k),
        // a flag (f); the human seconds spent on it (hs); at least `overlap` people (c); people's
        // decisions that measured their time (t).
        try progress(task) { filter in """
            SELECT COALESCE(SUM(h), 0), COALESCE(SUM(m AND NOT h), 0), COALESCE(SUM(k AND NOT s), 0),
                   COALESCE(SUM(s), 0), COALESCE(SUM(f), 0), TOTAL(hs), COALESCE(SUM(c), 0), COALESCE(SUM(t), 0)
            FROM (
                SELECT d.item_id,
                       MAX(d.status = 'submitted' AND d.annotator_kind = 'human') AS h,
                       MAX(d.status = 'submitted' AND d.annotator_kind = 'machine') AS m,
                       MAX(d.status = 'submitted') AS s,
                       MAX(d.status = 'skipped') AS k,
                       MAX(d.flagged <> 0) AS f,
                       SUM(d.status = 'submitted' AND d.annotator_kind = 'human')
                           >= (SELECT overlap FROM tasks WHERE id = d.task_id) AS c,
                       TOTAL(CASE WHEN d.status = 'submitted' AND d.annotator_kind = 'human'
                                  THEN d.seconds END) AS hs,
                       SUM(d.status = 'submitted' AND d.annotator_kind = 'human' AND d.seconds IS NOT NULL) AS t
                FROM decisions d JOIN items ON items.id = d.item_id
                WHERE d.task_id = ? AND \(filter.sql)
                GROUP BY d.item_id
            )
            """
        }
    }

    /// Progress from `sql`, whose arguments are the task's id then the filter's values, and whose one
    /// row holds human, machine only, skipped only, submitted, flagged, human seconds, complete and timed.
    private func progress(_ task: TaskSpec, sql: (ItemFilter) -> String) throws -> TaskProgress {
        let filter = ItemFilter(task)
        return try writer.read { db in
            let total = try Self.coveredItemCount(db, filter)
            guard let taskID = try Self.taskID(db, name: task.name),
                  let row = try GRDB.Row.fetchOne(db, sql: sql(filter), arguments: [taskID] + filter.arguments) else {
                return TaskProgress(total: total, remaining: total)
            }
            let submitted: Int = row[3], machineOnly: Int = row[1]
            // Blind audits the machine decided and people have still to label are open for people, not
            // done: the router's "keeps", status, the dashboard, triage and the header all count them so.
            let open = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM routes r INDEXED BY routes_open_audits JOIN items ON items.id = r.item_id
                WHERE r.task_id = ? AND r.route = 'audit' AND r.pending = 1 AND \(filter.sql)
                  AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = r.task_id AND d.item_id = r.item_id
                                  AND d.status = 'submitted' AND d.annotator_kind = 'human')
                  AND EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = r.task_id AND d.item_id = r.item_id
                              AND d.status = 'submitted' AND d.annotator_kind = 'machine')
                """, arguments: [taskID] + filter.arguments) ?? 0
            return TaskProgress(
                total: total, human: row[0], machine: machineOnly - open, skipped: row[2],
                remaining: max(0, total - submitted + open), flagged: row[4], humanSeconds: row[5], timed: row[7], complete: row[6],
                auditsOpen: open)
        }
    }

    /// How many items match `filter`, from `dataset_counts` (no item scan).
    static func coveredItemCount(_ db: Database, _ filter: ItemFilter) throws -> Int {
        guard !filter.kinds.isEmpty else { return 0 }
        var sql = "SELECT COALESCE(SUM(items), 0) FROM dataset_counts WHERE kind IN ("
            + filter.kinds.map { _ in "?" }.joined(separator: ",") + ")"
        var arguments = StatementArguments(filter.kinds.map { $0.rawValue })
        if let dataset = filter.dataset {
            sql += " AND dataset = ?"
            arguments += [dataset]
        }
        return try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
    }
}
