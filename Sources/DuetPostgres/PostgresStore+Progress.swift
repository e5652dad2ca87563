import DuetCore
import DuetStoreAPI
import PostgresNIO

/// A task's counts: read from the `progress` rows the schema's trigger keeps in every writing
/// transaction (PostgresSchema's `duet_count_decision`), as SQLiteStore reads its trigger-kept counts.
extension PostgresStore: ProgressCounts {
    /// Progress of `task` over the items it covers (see `TaskProgress`). Decisions on items the task
    /// no longer covers (its dataset or kind changed) are not counted.
    public func taskProgress(_ task: TaskSpec) async throws -> TaskProgress {
        try await progress(task) { s in """
            SELECT COALESCE(SUM(human), 0)::bigint, COALESCE(SUM(machine_only), 0)::bigint,
                   COALESCE(SUM(skipped_only), 0)::bigint, COALESCE(SUM(submitted), 0)::bigint,
                   COALESCE(SUM(flagged), 0)::bigint, COALESCE(SUM(human_seconds), 0)::float8,
                   COALESCE(SUM(complete), 0)::bigint, COALESCE(SUM(timed), 0)::bigint
            FROM progress WHERE task_id = $1 AND \(PostgresItemFilter(task).condition(table: "progress", binding: &s))
            """
        }
    }

    /// `taskProgress` counted from the task's decisions (what the kept counts must always equal).
    func taskProgressByScan(_ task: TaskSpec) async throws -> TaskProgress {
        // Per item: a current submitted human decision (h), a submitted machine one (m), any submitted
        // one (s), a skip (k), a flag (f); human seconds (hs); at least `overlap` people (c); people's
        // decisions that measured their time (t).
        try await progress(task) { s in """
            SELECT COALESCE(SUM(h::int), 0)::bigint, COALESCE(SUM((m AND NOT h)::int), 0)::bigint,
                   COALESCE(SUM((k AND NOT s)::int), 0)::bigint, COALESCE(SUM(s::int), 0)::bigint,
                   COALESCE(SUM(f::int), 0)::bigint, COALESCE(SUM(hs), 0)::float8, COALESCE(SUM(c::int), 0)::bigint,
                   COALESCE(SUM(t), 0)::bigint
            FROM (
                SELECT bool_or(d.status = 'submitted' AND d.annotator_kind = 'human') AS h,
                       bool_or(d.status = 'submitted' AND d.annotator_kind = 'machine') AS m,
                       bool_or(d.status = 'submitted') AS s,
                       bool_or(d.status = 'skipped') AS k,
                       bool_or(d.flagged) AS f,
                       COUNT(*) FILTER (WHERE d.status = 'submitted' AND d.annotator_kind = 'human')
                           >= (SELECT overlap FROM tasks WHERE id = $1) AS c,
                       COALESCE(SUM(d.seconds) FILTER (WHERE d.status = 'submitted' AND d.annotator_kind = 'human'), 0) AS hs,
                       COUNT(*) FILTER (WHERE d.status = 'submitted' AND d.annotator_kind = 'human' AND d.seconds IS NOT NULL) AS t
                FROM decisions d JOIN items ON items.id = d.item_id
                WHERE d.task_id = $1 AND \(PostgresItemFilter(task).condition(binding: &s))
                GROUP BY d.item_id
            ) per_item
            """
        }
    }

    /// Progress from `sql` (given a statement whose $1 is the task's id), whose one row holds human,
    /// machine only, skipped only, submitted, flagged, human seconds, complete and timed.
    private func progress(_ task: TaskSpec, sql: @escaping @Sendable (inout PostgresStatement) -> String) async throws -> TaskProgress {
        let filter = PostgresItemFilter(task)
        return try await read("counting the progress of \(task.name)") { db in
            let total = try await Self.coveredItemCount(filter, on: db)
            guard let taskID = try await Self.taskID(db, name: task.name) else { return TaskProgress(total: total, remaining: total) }
            var counts = PostgresStatement()
            _ = counts.bind(taskID)
            counts.sql = sql(&counts)
            guard let (row, seconds) = try await Self.row(counts, on: db, { row in ((0..<8).map { Int(row.int64(Int32($0)) ?? 0) }, row.double(5) ?? 0) })
            else { return TaskProgress(total: total, remaining: total) }
            let n = { (i: Int) in row[i] }
            // Blind audits the machine decided and people have still to label are open for people, not
            // done (as SQLiteStore counts them).
            var audits = PostgresStatement()
            _ = audits.bind(taskID)
            audits.sql = """
                SELECT COUNT(*) FROM routes r JOIN items ON items.id = r.item_id
                WHERE r.task_id = $1 AND r.route = 'audit' AND r.pending AND \(filter.condition(binding: &audits))
                  AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = r.task_id AND d.item_id = r.item_id
                                  AND d.status = 'submitted' AND d.annotator_kind = 'human')
                  AND EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = r.task_id AND d.item_id = r.item_id
                              AND d.status = 'submitted' AND d.annotator_kind = 'machine')
                """
            let open = try await Self.integer(audits, on: db)
            return TaskProgress(
                total: total, human: n(0), machine: n(1) - open, skipped: n(2),
                remaining: max(0, total - n(3) + open), flagged: n(4), humanSeconds: seconds, timed: n(7), complete: n(6),
                auditsOpen: open)
        }
    }

    /// How many items `filter` covers, from `dataset_counts` (no item scan).
    static func coveredItemCount(_ filter: PostgresItemFilter, on db: PostgresConnection) async throws -> Int {
        guard !filter.kinds.isEmpty else { return 0 }
        var s = PostgresStatement()
        s.sql = "SELECT COALESCE(SUM(items), 0)::bigint FROM dataset_counts WHERE kind = ANY(\(s.bind(filter.kinds)))"
        if let dataset = filter.dataset { s.sql += " AND dataset = \(s.bind(dataset))" }
        return try await integer(s, on: db)
    }
}
