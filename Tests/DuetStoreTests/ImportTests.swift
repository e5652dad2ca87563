import DuetCore
import DuetStoreAPI
@testable import DuetStore
import Foundation
import GRDB
import Testing

@Suite struct ImportTests {
    @Test func addReportsDuplicatesWithinOneBatch() throws {
        let store = try SQLiteStore.inMemory()
        var results: [Bool] = []
        let counts = try store.importBatch(dryRun: false) { writer in
            try writer.beginFile(path: "a.jsonl", format: "jsonl", dataset: "reviews")
            results.append(try writer.add(Fixture.text(1)))
            results.append(try writer.add(Fixture.text(1)))
            results.append(try writer.add(Fixture.text(2)))
        }
        #expect(results == [true, false, true])
        #expect(counts.duplicates == 1)
        #expect(try store.itemCount() == 2)
    }

    @Test func dryRunCountsButKeepsNothing() throws {
        let store = try SQLiteStore.inMemory()
        let counts = try Fixture.load(store, [
            Fixture.text(1, sources: [SourceAnnotation(value: "pos")]), Fixture.text(2),
            Fixture.text(1, sources: [SourceAnnotation(value: "pos")]),
        ], dryRun: true)
        #expect(counts == ImportCounts(rows: 3, added: 2, duplicates: 1, sourceAnnotations: 1))
        #expect(try store.itemCount() == 0)
        #expect(try store.datasetSummaries().isEmpty)
        for table in ["items", "imports", "annotations", "dataset_counts"] {
            #expect(try Fixture.count(store, "SELECT COUNT(*) FROM \(table)") == 0, "table \(table)")
        }
    }

    @Test func writerCannotBeUsedAfterTheBatch() throws {
        let store = try SQLiteStore.inMemory()
        var kept: (any ImportWriter)?
        _ = try store.importBatch(dryRun: false) { writer in kept = writer }
        #expect(throws: StoreError.importFinished) { try kept?.add(Fixture.text(1)) }
        #expect(try store.itemCount() == 0)
    }

    /// The bulk path binds through SQLite's C API: empty strings must stay
    /// empty (not NULL), non-ASCII text must survive, NULLs stay NULL.
    @Test func rawBindingKeepsEmptyAndUnicodeText() throws {
        let store = try SQLiteStore.inMemory()
        let odd = Item(uid: "", dataset: "", kind: .text, fields: .text("你好 😀 e\u{301} \u{1B}[31m"), gold: "", metadata: ["k": ""])
        let plain = Item(uid: "x", dataset: "", kind: .text, fields: .text(""))
        try Fixture.load(store, [ImportedRecord(item: odd), ImportedRecord(item: plain)], dataset: "")
        let back = try #require(try store.item(dataset: "", uid: ""))
        #expect(back.item.fields.text == "你好 😀 e\u{301} \u{1B}[31m")
        #expect(back.item.gold == "")
        #expect(back.item.metadata == ["k": ""])
        let second = try #require(try store.item(dataset: "", uid: "x"))
        #expect(second.item.fields.text == "")
        #expect(second.item.gold == nil)
        #expect(second.item.metadata.isEmpty)
        #expect(second.item.sourceLine == nil)
        // Absent gold and metadata are NULL columns, not empty JSON.
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM items WHERE meta IS NULL AND gold IS NULL") == 1)
    }

    @Test func fileStoreUsesWALAndPersists() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("duet.sqlite").path

        do {
            let store = try SQLiteStore.open(path: path)
            let mode = try store.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            let fk = try store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
            #expect(fk == 1)
            let busy = try store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA busy_timeout") }
            #expect(busy == 10_000)
            // FULL (2): a decision is on disk when record() returns, on the writer and on readers.
            let sync = try store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(sync == 2)
            try store.syncTasks([Fixture.sentiment])
            try Fixture.load(store, (1...3).map { Fixture.text($0) })
        }
        let reopened = try SQLiteStore.open(path: path)
        #expect(try reopened.itemCount() == 3)
        let migrations = try reopened.writer.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(migrations == ["v1-items-tasks-log", "v2-queue-cursor", "v3-votes-routes-cache", "v4-overlap", "v5-leases", "v6-progress-counters",
                              "v7-timed-decisions", "v8-open-audits", "v9-item-content-hash", "v10-machine-decisions-shaped", "v11-votes-no-vote", "v12-task-spec",
                              "v13-audit-probability", "v14-honeypot-gold-items"].sorted())
        let first = try Fixture.id(reopened, 1)
        try Fixture.decide(reopened, item: first, by: "alice", at: 1)
        #expect(try reopened.nextItem(for: Fixture.sentiment, annotator: "alice")?.item.uid == "t2")
    }

    /// Rows in whole batches (several rows per INSERT where they share dataset
    /// and kind and have no source annotations) are stored exactly as one by
    /// one: same ids, columns, duplicates, changed rows skipped, annotations and counts.
    @Test func batchesStoreWhatSingleRowsStore() throws {
        var records: [ImportedRecord] = []
        for n in 0..<1_200 {
            // Runs of 500 rows per dataset (a statement takes up to 256 rows of one dataset and
            // kind without source annotations), repeats within and across statements, a row with
            // source annotations and a pair in each run.
            let dataset = (n / 500) % 2 == 0 ? "reviews" : "other"
            let uid = n % 97 == 5 ? n - 3 : (n % 211 == 7 ? n / 2 : n)
            let sources = n % 500 == 450 ? [SourceAnnotation(value: "pos"), SourceAnnotation(value: "neg")] : []
            var record = Fixture.text(uid, dataset: dataset, sources: sources)
            if n % 13 == 0 { record.item.gold = "pos" }
            if n % 17 == 0 { record.item.metadata = ["n": .number(Double(n))] }
            if n % 500 == 470 { record = Fixture.pair(n, dataset: dataset) }
            records.append(record)
        }
        let batched = try SQLiteStore.inMemory()
        // Some repeats differ (gold, metadata, sources): skipped the same way on both paths.
        let batchedCounts = try batched.importBatch(dryRun: false, onChange: .skip) { writer in
            try writer.beginFile(path: "/d/reviews.jsonl", format: "jsonl", dataset: "reviews")
            for start in stride(from: 0, to: records.count, by: 600) {
                try writer.add(ImportBatch(Array(records[start..<min(start + 600, records.count)])))
            }
        }
        let single = try SQLiteStore.inMemory()
        let singleCounts = try Fixture.load(single, records, file: "/d/reviews.jsonl", onChange: .skip)
        #expect(batchedCounts == singleCounts)
        #expect(batchedCounts.duplicates > 0 && batchedCounts.sourceAnnotations > 0 && batchedCounts.changedSkipped > 0)
        let items = "SELECT id, uid, dataset, kind, fields, gold, meta, import_id, source_line, content_hash FROM items ORDER BY id"
        let annotations = "SELECT item_id, annotator, value FROM annotations ORDER BY id"
        let counts = "SELECT dataset, kind, items FROM dataset_counts ORDER BY dataset, kind"
        for sql in [items, annotations, counts] {
            let a = try batched.writer.read { db in try GRDB.Row.fetchAll(db, sql: sql) }
            let b = try single.writer.read { db in try GRDB.Row.fetchAll(db, sql: sql) }
            #expect(a == b, "\(sql)")
            #expect(!a.isEmpty)
        }
    }

    @Test func kindNamesAreTheRawValues() {
        for kind in ItemKind.allCases {
            #expect(SQLImportWriter.kindName(kind).description == kind.rawValue)
        }
    }

    @Test func importLeavesTempStoreAsItWas() throws {
        let store = try SQLiteStore.inMemory()
        let tempStore = { try store.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } }
        let before = try tempStore()
        try Fixture.load(store, (1...3).map { Fixture.text($0) })
        #expect(try tempStore() == before)
        _ = try? store.importBatch(dryRun: false) { _ in throw ExpectedFailure() }
        #expect(try tempStore() == before)
    }
}
