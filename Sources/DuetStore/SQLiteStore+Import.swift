import DuetCore
import Foundation
import GRDB

extension SQLiteStore {
    /// Runs `body` in one immediate write transaction (see `ProjectStore`).
    /// `body` must not call back into the store: GRDB connections are not
    /// reentrant, and the transaction holds the write lock until it returns.
    public func importBatch(dryRun: Bool, _ body: (any ImportWriter) throws -> Void) throws -> ImportCounts {
        try writer.writeWithoutTransaction { db in try Self.withCacheSize(db, kib: 32768) {
            var counts = ImportCounts()
            try db.inTransaction(.immediate) {
                let importer = try SQLImportWriter(db: db, now: Date())
                defer { importer.close() }
                try body(importer)
                counts = try importer.finish()
                return dryRun ? .rollback : .commit
            }
            return counts
        } }
    }
}

/// The `ImportWriter` handed to `importBatch`'s body. Valid only while the
/// batch's transaction is open; it throws `StoreError.importFinished` after.
final class SQLImportWriter: ImportWriter {
    private struct CountKey: Hashable {
        var dataset: String
        var kind: String
    }

    private let db: Database
    private let now: Double
    private let insertImport: Statement
    private let insertItem: RawStatement
    private let insertSource: Statement
    private var importID: Int64?
    private var sourceAnnotator = "source"
    private var counts = ImportCounts()
    private var added: [CountKey: Int] = [:]
    private var lastKey = CountKey(dataset: "", kind: "")
    private var lastKeyRun = 0
    private var isOpen = true

    init(db: Database, now: Date) throws {
        self.db = db
        self.now = now.timeIntervalSince1970
        insertImport = try db.makeStatement(sql: """
            INSERT INTO imports (path, format, dataset, imported_at) VALUES (?, ?, ?, ?)
            """)
        insertItem = try RawStatement(db, sql: """
            INSERT OR IGNORE INTO items (uid, dataset, kind, fields, gold, meta, import_id, source_line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertSource = try db.makeStatement(sql: """
            INSERT INTO annotations (item_id, task_id, annotator_kind, annotator, value, confidence,
                                     status, flagged, note, created_at)
            VALUES (?, NULL, 'source', ?, ?, ?, 'submitted', 0, ?, ?)
            """)
    }

    func beginFile(path: String, format: String, dataset: String) throws {
        guard isOpen else { throw StoreError.importFinished }
        try insertImport.execute(arguments: [path, format, dataset, now])
        importID = db.lastInsertedRowID
        let name = path.split(separator: "/").last.map(String.init) ?? path
        sourceAnnotator = "source:" + name
    }

    @discardableResult
    func add(_ record: ImportedRecord) throws -> Bool {
        guard isOpen else { throw StoreError.importFinished }
        counts.rows += 1
        let item = record.item
        let encoded = record.encoded ?? EncodedItem(item)
        insertItem.bind(item.uid)
        insertItem.bind(item.dataset)
        insertItem.bind(item.kind.rawValue)
        insertItem.bind(encoded.fields)
        insertItem.bind(encoded.gold)
        insertItem.bind(encoded.meta)
        insertItem.bind(importID)
        insertItem.bind(item.sourceLine.map(Int64.init))
        try insertItem.run()
        guard db.changesCount > 0 else {
            counts.duplicates += 1
            return false
        }
        let itemID = db.lastInsertedRowID
        counts.added += 1
        // Rows of one file mostly share dataset and kind: count runs, hash once per run.
        if lastKey.dataset == item.dataset, lastKey.kind == item.kind.rawValue {
            lastKeyRun += 1
        } else {
            flushRun()
            lastKey = CountKey(dataset: item.dataset, kind: item.kind.rawValue)
            lastKeyRun = 1
        }

        for (index, source) in record.sourceAnnotations.enumerated() {
            // One annotator name per (item, annotation): the partial unique
            // index `annotations_source` is on (item_id, annotator).
            let annotator = index == 0 ? sourceAnnotator : "\(sourceAnnotator)#\(index + 1)"
            insertSource.setUncheckedArguments([
                itemID, annotator, source.value.canonicalJSON, source.confidence, source.note, now,
            ])
            try insertSource.execute()
            counts.sourceAnnotations += 1
        }
        return true
    }

    /// Writes the accumulated per-dataset counts and returns the batch's counts.
    func finish() throws -> ImportCounts {
        guard isOpen else { throw StoreError.importFinished }
        flushRun()
        let upsert = try db.makeStatement(sql: """
            INSERT INTO dataset_counts (dataset, kind, items) VALUES (?, ?, ?)
            ON CONFLICT (dataset, kind) DO UPDATE SET items = items + excluded.items
            """)
        for (key, n) in added.sorted(by: { ($0.key.dataset, $0.key.kind) < ($1.key.dataset, $1.key.kind) }) {
            try upsert.execute(arguments: [key.dataset, key.kind, n])
        }
        added = [:]
        return counts
    }

    func close() { isOpen = false }

    private func flushRun() {
        if lastKeyRun > 0 { added[lastKey, default: 0] += lastKeyRun }
        lastKeyRun = 0
    }
}
