import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

/// The tasks the store serves, as SQLiteStore keeps them.
extension PostgresStore: TaskCatalog {
    /// Upserts every spec by name in one transaction; never deletes a task. A task whose overlap (or
    /// anything else) changed has its routes re-pended: a changed overlap changes which routed items
    /// still need people.
    public func syncTasks(_ specs: [TaskSpec]) async throws {
        let now = Self.seconds(Date())
        try await write("updating the tasks") { db in
            for spec in specs {
                var upsert = PostgresStatement()
                upsert.sql = """
                    INSERT INTO tasks (name, kind, dataset, labels, overlap, spec, created_at)
                    VALUES (\(upsert.bind(spec.name)), \(upsert.bind(spec.kind.rawValue)), \(upsert.bind(spec.dataset)),
                            \(upsert.bind(spec.labelsColumn)), \(upsert.bind(Int32(spec.overlap))),
                            \(upsert.bind(spec.storedJSON.canonicalJSON)), \(upsert.bind(now)))
                    ON CONFLICT (name) DO UPDATE SET
                        kind = excluded.kind, dataset = excluded.dataset, labels = excluded.labels, overlap = excluded.overlap,
                        spec = excluded.spec
                    WHERE tasks.kind IS DISTINCT FROM excluded.kind OR tasks.dataset IS DISTINCT FROM excluded.dataset
                        OR tasks.labels IS DISTINCT FROM excluded.labels OR tasks.overlap IS DISTINCT FROM excluded.overlap
                        OR tasks.spec IS DISTINCT FROM excluded.spec
                    RETURNING id
                    """
                guard let taskID = try await Self.row(upsert, on: db, { $0.int64(0) }) ?? nil else { continue }
                var repend = PostgresStatement()
                repend.sql = """
                    UPDATE routes SET pending = (route <> 'machine') AND (
                        SELECT COUNT(*) FROM decisions d
                        WHERE d.task_id = routes.task_id AND d.item_id = routes.item_id AND d.annotator_kind = 'human'
                    ) < \(repend.bind(Int64(spec.overlap)))
                    WHERE task_id = \(repend.bind(taskID))
                    """
                try await db.execute(repend.query)
            }
        }
    }

    /// Whether the store needs nothing written to serve `tasks`: every migration this Duet knows applied,
    /// every task in the store as `tasks` defines it.
    public func isCurrent(tasks: [TaskSpec]) async throws -> Bool {
        let applied = Set(try await PostgresMigrator.applied(in: pool))
        guard PostgresSchema.migrations.allSatisfy({ applied.contains($0.name) }) else { return false }
        let stored = try await read("reading the tasks") { db in
            try await Self.rows(PostgresStatement("SELECT name, kind, dataset, labels, overlap, spec FROM tasks"), on: db) {
                ($0.text(0) ?? "", $0.text(1), $0.text(2), $0.text(3), $0.int64(4), $0.text(5))
            }
        }
        let byName = Dictionary(stored.map { ($0.0, $0) }, uniquingKeysWith: { a, _ in a })
        return tasks.allSatisfy { spec in
            guard let row = byName[spec.name] else { return false }
            return row.1 == spec.kind.rawValue && row.2 == spec.dataset && row.3 == spec.labelsColumn && row.4 == Int64(spec.overlap)
                && row.5 == spec.storedJSON.canonicalJSON
        }
    }

    /// The tasks as the store holds them, by name (`tasks.spec`; from the other columns for a task
    /// stored before specs were kept, as SQLite reads them).
    public func storedTasks() async throws -> [TaskSpec] {
        let rows = try await read("reading the tasks") { db in
            try await Self.rows(PostgresStatement("SELECT name, kind, dataset, labels, overlap, spec FROM tasks ORDER BY name COLLATE \"C\""),
                                on: db) { ($0.text(0) ?? "", $0.text(1) ?? "", $0.text(2), $0.text(3) ?? "[]", $0.int64(4) ?? 1, $0.text(5)) }
        }
        return rows.compactMap { TaskSpec(storedRow: (name: $0.0, kind: $0.1, dataset: $0.2, labels: $0.3, overlap: Int($0.4), spec: $0.5)) }
    }
}
