import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

// One person's answers on a task's gold items (LabelingQueue.goldAnswers), as SQLiteStore+Reads.swift: the
// person's decisions by the decisions_latest index (task, annotator), each item by its key.

extension PostgresStore {
    /// `d.item_id, d.annotator, d.annotator_kind, d.status, a.value, a.display, d.seconds, d.flagged`.
    typealias DecisionColumns = (Int64, String, String, String, String?, String?, Double?, Bool)

    static func currentDecision(_ r: DecisionColumns) throws -> CurrentDecision {
        CurrentDecision(itemRowID: r.0, annotator: r.1, annotatorKind: AnnotatorKind(rawValue: r.2) ?? .human,
                        status: AnnotationStatus(rawValue: r.3) ?? .submitted,
                        value: try r.4.map { try PostgresItemRow.json($0, "value of a decision on item \(r.0)") },
                        display: r.5.flatMap(DisplayOrder.init(rawValue:)), seconds: r.6, flagged: r.7)
    }

    public func goldAnswers(task: TaskSpec, annotator: String) async throws -> GoldAnswers {
        let filter = PostgresItemFilter(task)
        return try await read("reading the gold answers of \(annotator) in task \(task.name)") { db in
            guard let taskID = try await Self.taskID(db, name: task.name) else { return GoldAnswers() }
            var out = GoldAnswers()
            let rows = try await db.rows("""
                SELECT d.item_id, d.annotator, d.annotator_kind, d.status, a.value, a.display, d.seconds, d.flagged, items.gold
                FROM decisions d JOIN annotations a ON a.id = d.annotation_id JOIN items ON items.id = d.item_id
                WHERE d.task_id = \(taskID) AND d.annotator = \(annotator) AND items.gold IS NOT NULL AND \(covers: filter)
                ORDER BY d.item_id
                """)
            for try await (item, who, kind, status, value, display, seconds, flagged, gold)
                in rows.decode((Int64, String, String, String, String?, String?, Double?, Bool, String).self) {
                out.decisions.append(try Self.currentDecision((item, who, kind, status, value, display, seconds, flagged)))
                out.gold[item] = try PostgresItemRow.json(gold, "gold label of item \(item)")
            }
            return out
        }
    }
}
