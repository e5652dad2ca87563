import DuetCore
@testable import DuetStore
import Foundation
import GRDB

/// Builders for store tests.
enum Fixture {
    static let sentiment = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews")
    static let preference = TaskSpec(name: "preference", kind: .compare)

    static func text(_ n: Int, dataset: String = "reviews", sources: [SourceAnnotation] = []) -> ImportedRecord {
        ImportedRecord(
            item: Item(uid: "t\(n)", dataset: dataset, kind: .text, fields: .text("text number \(n)"),
                       sourceLine: n),
            sourceAnnotations: sources)
    }

    static func pair(_ n: Int, dataset: String = "prefs") -> ImportedRecord {
        let fields = ItemFields(prompt: [.user("q\(n)")], responses: [[.assistant("a\(n)")], [.assistant("b\(n)")]])
        return ImportedRecord(item: Item(uid: "p\(n)", dataset: dataset, kind: .pair, fields: fields))
    }

    /// Imports `records` from one file in one batch.
    @discardableResult
    static func load(_ store: SQLiteStore, _ records: [ImportedRecord], file: String = "/data/reviews.jsonl",
                     dataset: String = "reviews", dryRun: Bool = false, onChange: ChangedRows = .error) throws -> ImportCounts {
        try store.importBatch(dryRun: dryRun, onChange: onChange) { writer in
            try writer.beginFile(path: file, format: "jsonl", dataset: dataset)
            for record in records { try writer.add(record) }
        }
    }

    /// A store with texts t1…tN in dataset "reviews" and the two tasks synced.
    static func store(texts: Int) throws -> SQLiteStore {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks([sentiment, preference])
        try load(store, (1...texts).map { text($0) })
        return store
    }

    /// Texts t`n` as a store from before content hashes (v9) holds them, for migration tests: today's
    /// import writes columns of later versions.
    static func insertOldTexts(_ queue: DatabaseQueue, _ numbers: ClosedRange<Int>, dataset: String = "reviews") throws {
        try queue.write { db in
            for n in numbers {
                try db.execute(sql: "INSERT INTO items (uid, dataset, kind, fields) VALUES (?, ?, 'text', ?)",
                               arguments: ["t\(n)", dataset, "{\"text\":\"text number \(n)\"}"])
            }
            try db.execute(sql: "INSERT INTO dataset_counts (dataset, kind, items) VALUES (?, 'text', ?)", arguments: [dataset, numbers.count])
        }
    }

    /// Tasks as a store from before whole specs were kept (v12) holds them (v4 on: with overlap).
    static func insertOldTasks(_ queue: DatabaseQueue, _ specs: [TaskSpec]) throws {
        try queue.write { db in
            for spec in specs {
                try db.execute(sql: "INSERT INTO tasks (name, kind, dataset, labels, overlap, created_at) VALUES (?, ?, ?, ?, ?, 0)",
                               arguments: [spec.name, spec.kind.rawValue, spec.dataset, spec.labelsColumn, spec.overlap])
            }
        }
    }

    static func count(_ store: SQLiteStore, _ sql: String) throws -> Int {
        try store.writer.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    static func date(_ t: Double) -> Date { Date(timeIntervalSince1970: 1_700_000_000 + t) }

    @discardableResult
    static func decide(_ store: SQLiteStore, item: Int64, task: String = "sentiment", by annotator: String,
                       kind: AnnotatorKind = .human, status: AnnotationStatus = .submitted,
                       label: JSONValue? = "pos", at t: Double, seconds: Double? = nil,
                       flagged: Bool = false) throws -> Int64 {
        try store.record(NewAnnotation(
            itemRowID: item, task: task, annotatorKind: kind, annotator: annotator,
            value: status == .submitted ? label : nil, status: status, flagged: flagged,
            createdAt: date(t), seconds: seconds))
    }

    /// Row id of text item t`n` in "reviews".
    static func id(_ store: SQLiteStore, _ n: Int, dataset: String = "reviews") throws -> Int64 {
        guard let item = try store.item(dataset: dataset, uid: "t\(n)") else {
            throw StoreError.unknownItem(-Int64(n))
        }
        return item.rowID
    }
}

struct ExpectedFailure: Error {}
