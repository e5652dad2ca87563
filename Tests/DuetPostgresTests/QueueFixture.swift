import DuetCore
@testable import DuetStore
import DuetStoreAPI
import Foundation
import PostgresNIO
@testable import DuetPostgres

/// Tasks and text items written with plain SQL into a PostgreSQL store (its TaskCatalog and ImportSink are
/// not what these tests test), and the same tasks and items in an SQLite store through its own API, with the
/// same row ids: the two backends fed the same operations must answer the same.
enum QueueFixture {
    static let sentiment = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews")
    static let pairs = TaskSpec(name: "pairs", kind: .classify, labels: ["neg", "pos"], dataset: "reviews", overlap: 2)

    static func text(_ n: Int) -> String { "text number \(n)" }

    /// `tasks` (ids 1, 2, … in order) and texts t1…tN in dataset "reviews" (ids 1…N).
    static func seed(_ store: PostgresStore, tasks: [TaskSpec] = [sentiment, pairs], texts: Int) async throws {
        try await store.pool.withTransaction { db in
            for (i, t) in tasks.enumerated() {
                let labels = JSONValue.array(t.labels.map { .string($0) }).canonicalJSON
                try await db.execute("""
                    INSERT INTO tasks (id, name, kind, dataset, labels, created_at, overlap)
                    VALUES (\(Int64(i + 1)), \(t.name), \(t.kind.rawValue), \(t.dataset), \(labels), 0, \(t.overlap))
                    """)
            }
            try await db.execute("SELECT setval(pg_get_serial_sequence('tasks', 'id'), \(Int64(tasks.count)))")
            if texts > 0 {
                try await db.execute("""
                    INSERT INTO items (id, uid, dataset, kind, fields, source_line)
                    SELECT n, 't' || n, 'reviews', 'text', '{"text":"text number ' || n || '"}', n FROM generate_series(1, \(Int64(texts))) n
                    """)
                try await db.execute("SELECT setval(pg_get_serial_sequence('items', 'id'), \(Int64(texts)))")
            }
        }
    }

    /// The same in a new in-memory SQLite store.
    static func sqlite(tasks: [TaskSpec] = [sentiment, pairs], texts: Int) throws -> SQLiteStore {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks(tasks)
        if texts > 0 {
            _ = try store.importBatch(dryRun: false, onChange: .error) { writer in
                try writer.beginFile(path: "/data/reviews.jsonl", format: "jsonl", dataset: "reviews")
                for n in 1...texts {
                    try writer.add(ImportedRecord(item: Item(uid: "t\(n)", dataset: "reviews", kind: .text, fields: .text(text(n)), sourceLine: n)))
                }
            }
        }
        return store
    }

    static func date(_ t: Double) -> Date { Date(timeIntervalSince1970: 1_700_000_000 + t) }

    static func decision(_ item: Int64, task: String = "sentiment", by annotator: String, kind: AnnotatorKind = .human,
                         status: AnnotationStatus = .submitted, label: String = "pos", at t: Double, seconds: Double? = nil,
                         flagged: Bool = false) -> NewAnnotation {
        NewAnnotation(itemRowID: item, task: task, annotatorKind: kind, annotator: annotator,
                      value: status == .submitted ? .string(label) : nil, status: status, flagged: flagged, createdAt: date(t), seconds: seconds)
    }

    /// A number from the first column of the first row.
    static func count(_ store: PostgresStore, _ sql: String) async throws -> Int {
        try await store.pool.withConnection { db in
            try await db.rows(PostgresQuery(unsafeSQL: sql)).decode(Int.self).firstElement() ?? -1
        }
    }

    /// Records `decisions` in a transaction on `held` (a connection of its own), their counts taken at once (the
    /// count trigger holds its rows from there to the COMMIT), runs `body` meanwhile, then commits and closes
    /// `held`: for a test of what another writer does while those rows are held.
    static func countedFirst(on held: PostgresConnection, _ decisions: [NewAnnotation], _ body: () async throws -> Void) async throws {
        do {
            try await held.execute("BEGIN")
            try await held.execute("SET CONSTRAINTS decisions_counted IMMEDIATE")
            _ = try await PostgresStore.record(held, decisions)
            try await body()
            try await held.execute("COMMIT")
        } catch {
            try? await held.close()
            throw error
        }
        try await held.close()
    }

    /// How many of the test database's sessions wait for a lock, once one does (30 s at most): for a test whose
    /// transaction holds a row that another call is about to wait for.
    static func lockWaits(_ store: PostgresStore) async throws -> Int {
        let waiting = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        for _ in 0..<600 where try await count(store, waiting) == 0 { try await Task.sleep(nanoseconds: 50_000_000) }
        return try await count(store, waiting)
    }

    /// The `progress` rows the trigger keeps (summed over their shards) next to the same figures counted from `decisions` (task, dataset,
    /// kind, human, machine-only, skipped-only, submitted, flagged, complete), each as text.
    static func progressAndScan(_ store: PostgresStore) async throws -> (kept: [String], scanned: [String]) {
        func rows(_ sql: String) async throws -> [String] {
            try await store.pool.withConnection { db in
                try await db.rows(PostgresQuery(unsafeSQL: sql)).decode(String.self).all()
            }
        }
        let kept = try await rows("""
            SELECT concat_ws(' ', task_id, dataset, kind, SUM(human), SUM(machine_only), SUM(skipped_only), SUM(submitted),
                             SUM(flagged), SUM(complete))
            FROM progress GROUP BY task_id, dataset, kind
            HAVING SUM(human + machine_only + skipped_only + submitted + flagged + complete) > 0 ORDER BY 1
            """)
        let scanned = try await rows("""
            WITH per_item AS (
                SELECT d.task_id, d.item_id,
                       COUNT(*) FILTER (WHERE d.status = 'submitted' AND d.annotator_kind = 'human') AS human,
                       COUNT(*) FILTER (WHERE d.status = 'submitted' AND d.annotator_kind = 'machine') AS machine,
                       COUNT(*) FILTER (WHERE d.status = 'submitted') AS submitted,
                       COUNT(*) FILTER (WHERE d.status = 'skipped') AS skipped,
                       COUNT(*) FILTER (WHERE d.flagged) AS flagged
                FROM decisions d GROUP BY d.task_id, d.item_id)
            SELECT concat_ws(' ', p.task_id, i.dataset, i.kind, COUNT(*) FILTER (WHERE p.human > 0),
                             COUNT(*) FILTER (WHERE p.machine > 0 AND p.human = 0), COUNT(*) FILTER (WHERE p.skipped > 0 AND p.submitted = 0),
                             COUNT(*) FILTER (WHERE p.submitted > 0), COUNT(*) FILTER (WHERE p.flagged > 0),
                             COUNT(*) FILTER (WHERE p.human >= t.overlap))
            FROM per_item p JOIN items i ON i.id = p.item_id JOIN tasks t ON t.id = p.task_id
            GROUP BY p.task_id, i.dataset, i.kind ORDER BY 1
            """)
        return (kept, scanned)
    }
}
