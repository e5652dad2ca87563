import DuetCore
import DuetStoreAPI
@testable import DuetStore
import Foundation
import GRDB
import Testing

/// The store's side of changed rows: the many-row insert path, items stored
/// before content hashes (v9), labeled items, and re-imports leaving no trace.
@Suite struct ImportChangedRowStoreTests {
    static func text(_ n: Int, _ text: String? = nil, line: Int? = nil) -> ImportedRecord {
        ImportedRecord(item: Item(uid: "t\(n)", dataset: "reviews", kind: .text, fields: .text(text ?? "text number \(n)"),
                                  sourceLine: line ?? n))
    }

    /// `records` as one batch from `file`: the many-row statements (256 rows each) carry the repeats.
    @discardableResult
    static func loadBatch(_ store: SQLiteStore, _ file: String, _ records: [ImportedRecord]) throws -> ImportCounts {
        try store.importBatch(dryRun: false) { w in
            try w.beginFile(path: file, format: "jsonl", dataset: "reviews")
            try w.add(ImportBatch(records))
        }
    }

    @Test func unchangedRepeatsInManyRowStatementsAreDuplicates() throws {
        let store = try SQLiteStore.inMemory()
        let records = (1...600).map { Self.text($0) }
        let load = { try Self.loadBatch(store, "a.jsonl", records + records.prefix(300)) }
        #expect(try load() == ImportCounts(rows: 900, added: 600, duplicates: 300))
        #expect(try load() == ImportCounts(rows: 900, added: 0, duplicates: 900))
        // The import that added nothing left no row in `imports`.
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM imports") == 1)
        var changed = records
        changed[400] = Self.text(401, "changed", line: 401)
        let e = #expect(throws: ImportError.self) { try Self.loadBatch(store, "b.jsonl", changed) }
        #expect(e?.description.hasPrefix("b.jsonl:401: id \"t401\" is already in the store from a.jsonl:401 with different content") == true)
    }

    @Test func itemsStoredBeforeContentHashesAreComparedByContent() throws {
        let store = try SQLiteStore.inMemory()
        try Fixture.load(store, [Fixture.text(1, sources: [SourceAnnotation(value: "pos", confidence: 0.5)]), Fixture.text(2)])
        try store.writer.write { db in try db.execute(sql: "UPDATE items SET content_hash = NULL") }
        let again = try Fixture.load(store, [Fixture.text(1, sources: [SourceAnnotation(value: "pos", confidence: 0.5)]), Fixture.text(2)])
        #expect(again == ImportCounts(rows: 2, added: 0, duplicates: 2))
        // Another source label is other content.
        #expect(throws: ImportError.self) {
            try Fixture.load(store, [Fixture.text(1, sources: [SourceAnnotation(value: "neg", confidence: 0.5)])])
        }
        #expect(throws: ImportError.self) { try Fixture.load(store, [Self.text(2, "edited")]) }
    }
}
