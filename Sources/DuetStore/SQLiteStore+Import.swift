import DuetCore
import DuetStoreAPI
import Foundation
import GRDB
import GRDBSQLite

extension SQLiteStore {
    /// Runs `body` in one immediate write transaction: everything `body` adds is committed when it
    /// returns, and nothing at all if it throws (or when `dryRun` is set: then the counts say what would
    /// have been added). A row whose id is already stored (or was read earlier in the batch) with the
    /// same content is counted as a duplicate; with other content it is an `ImportError` naming both
    /// places, or skipped and counted (`onChange`). A stored item is never rewritten.
    /// `body` must not call back into the store: GRDB connections are not
    /// reentrant, and the transaction holds the write lock until it returns.
    func importBatch(dryRun: Bool, onChange: ChangedRows, _ body: (any ImportWriter) throws -> Void) throws -> ImportCounts {
        try writer.writeWithoutTransaction { db in try Self.withCacheSize(db, kib: 32768) {
            var counts = ImportCounts()
            // A many-row INSERT that may abort (the import_id foreign key)
            // keeps a statement journal: in memory, not a temporary file
            // written page by page (hundreds of thousands of syscalls at 10^6 rows).
            let tempStore = try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? 0
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            defer { try? db.execute(sql: "PRAGMA temp_store = \(tempStore)") }
            try db.inTransaction(.immediate) {
                let importer = try SQLImportWriter(db: db, now: Date(), onChange: onChange)
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
    /// One row, and `rowsPerStatement` rows: each statement's run opens and
    /// closes cursors on the table and its indexes, which was a fifth of
    /// the writer's time one row at a time.
    private let insertItem: RawStatement
    private let insertItems: RawStatement
    private let rowsPerStatement: Int
    private let insertSource: Statement
    /// A stored item by (dataset, uid), for rows that were not inserted.
    private let findItem: RawStatement
    private let onChange: ChangedRows
    /// The largest item row id before the statement being run: rows above it are this statement's.
    private var highWater: Int64
    private var importID: Int64?
    private var path = ""
    /// Import ids of this batch and their paths; the ones that added items.
    private var batchImports: [Int64: String] = [:]
    private var importsWithItems: Set<Int64> = []
    private var sourceAnnotator = "source"
    private var counts = ImportCounts()
    private var added: [CountKey: Int] = [:]
    /// The (dataset, kind) of the current run of added rows, and its length.
    private var lastDataset: [UInt8] = []
    private var lastKind = ItemKind.text
    private var lastKeyRun = 0
    private var isOpen = true
    /// `counts.changedSkipped` when `counted` last ran (skipped rows are not duplicates).
    private var skippedCounted = 0

    init(db: Database, now: Date, onChange: ChangedRows) throws {
        self.db = db
        self.now = now.timeIntervalSince1970
        self.onChange = onChange
        highWater = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM items") ?? 0
        findItem = try RawStatement(db, sql: """
            SELECT id, content_hash, source_line, import_id FROM items WHERE dataset = ? AND uid = ?
            """)
        insertImport = try db.makeStatement(sql: """
            INSERT INTO imports (path, format, dataset, imported_at) VALUES (?, ?, ?, ?)
            """)
        insertItem = try RawStatement(db, sql: Self.insertItemsSQL(rows: 1))
        // 256 rows (2,048 parameters), fewer where SQLite allows fewer parameters.
        let parameters = db.sqliteConnection.map { Int(sqlite3_limit($0, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) } ?? 999
        rowsPerStatement = max(1, min(256, parameters / 9))
        insertItems = try RawStatement(db, sql: Self.insertItemsSQL(rows: rowsPerStatement))
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
        self.path = path
        batchImports[db.lastInsertedRowID] = path
        let name = path.split(separator: "/").last.map(String.init) ?? path
        sourceAnnotator = "source:" + name
    }

    @discardableResult
    func add(_ record: ImportedRecord) throws -> Bool {
        let before = counts.added
        try add(ImportBatch([record]))
        return counts.added > before
    }

    func add(_ batch: ImportBatch) throws {
        guard isOpen else { throw StoreError.importFinished }
        var annotations = batch.annotations.makeIterator()
        let rows = batch.rows
        try batch.bytes.withUnsafeBufferPointer { bytes in
            // The statements bind pointers into `bytes`: let go of them before the batch goes.
            defer {
                insertItem.clearBindings()
                insertItems.clearBindings()
            }
            var i = 0
            while i < rows.count {
                let end = i + rowsPerStatement
                if end <= rows.count, Self.sameKeyNoSources(rows[i..<end], bytes: bytes) {
                    // Rows without source annotations need no item id: many per statement.
                    for row in rows[i..<end] { bind(row, to: insertItems, bytes: bytes) }
                    try insertItems.run()
                    let added = insertItems.changes
                    if added < end - i { try checkRepeats(rows[i..<end], bytes: bytes) }
                    if added > 0 { inserted(lastRowID: insertItems.lastInsertRowID) }
                    counted(rows[i], rows: end - i, added: added, bytes: bytes)
                    i = end
                    continue
                }
                let row = rows[i]
                bind(row, to: insertItem, bytes: bytes)
                try insertItem.run()
                let added = insertItem.changes
                if added == 0 { try checkRepeats(rows[i...i], bytes: bytes) } else { inserted(lastRowID: insertItem.lastInsertRowID) }
                counted(row, rows: 1, added: added, bytes: bytes)
                if row.hasSourceAnnotations, let sources = annotations.next(), added > 0 {
                    try insertSources(sources, itemID: insertItem.lastInsertRowID)
                }
                i += 1
            }
        }
    }

    static func insertItemsSQL(rows: Int) -> String {
        "INSERT OR IGNORE INTO items (uid, dataset, kind, fields, gold, meta, import_id, source_line, content_hash) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    private func inserted(lastRowID: Int64) {
        highWater = max(highWater, lastRowID)
        if let importID { importsWithItems.insert(importID) }
    }

    /// A stored row that a row of the batch ran into.
    private struct Stored {
        var id: Int64
        var hash: Int64?
        var line: Int64?
        var importID: Int64?
    }

    /// After a statement that inserted fewer rows than it was given: finds
    /// the rows it ignored (their id is stored: by an earlier import, or by
    /// an earlier row of this batch) and compares their content hash with
    /// the stored item's. The same content is a duplicate; other content
    /// throws (`ChangedRows.error`, the transaction rolls back) or is skipped.
    private func checkRepeats(_ rows: ArraySlice<ImportBatch.Row>, bytes: UnsafeBufferPointer<UInt8>) throws {
        // Rows of this statement were inserted above `highWater`, in order:
        // the first row of an id stored above it is the one that went in.
        var claimed: Set<Int64> = []
        for row in rows {
            guard let stored = try find(row, bytes: bytes) else { continue }
            if stored.id > highWater, claimed.insert(stored.id).inserted { continue }
            let hash = try stored.hash ?? storedContentHash(stored.id)
            if hash == row.contentHash { continue }
            try changed(row, stored: stored, bytes: bytes)
        }
    }

    private func find(_ row: ImportBatch.Row, bytes: UnsafeBufferPointer<UInt8>) throws -> Stored? {
        findItem.bindStatic(bytes.baseAddress.map { $0 + row.dataset.start }, count: row.dataset.count)
        findItem.bindStatic(bytes.baseAddress.map { $0 + row.uid.start }, count: row.uid.count)
        guard try findItem.step(), let id = findItem.int64(0) else { return nil }
        let stored = Stored(id: id, hash: findItem.int64(1), line: findItem.int64(2), importID: findItem.int64(3))
        while try findItem.step() {}
        return stored
    }

    /// The content hash of an item stored before hashes were kept (v9), from its stored columns.
    private func storedContentHash(_ id: Int64) throws -> Int64 {
        guard let row = try Row.fetchOne(db, sql: "SELECT kind, fields, gold, meta FROM items WHERE id = ?", arguments: [id]) else { return 0 }
        let sources = try Row.fetchAll(db, sql: """
            SELECT value, confidence, note FROM annotations WHERE item_id = ? AND annotator_kind = 'source' ORDER BY id
            """, arguments: [id]).map { ImportBatch.StoredSource(value: $0["value"], confidence: $0["confidence"], note: $0["note"]) }
        return ImportBatch.contentHash(kind: row["kind"], fields: row["fields"], gold: row["gold"], meta: row["meta"], sources: sources)
    }

    /// A row whose id is stored with other content.
    private func changed(_ row: ImportBatch.Row, stored: Stored, bytes: UnsafeBufferPointer<UInt8>) throws {
        let uid = String(decoding: Self.bytes(row.uid, in: bytes), as: UTF8.self)
        let storedPath = try stored.importID.flatMap { id in
            try batchImports[id] ?? String.fetchOne(db, sql: "SELECT path FROM imports WHERE id = ?", arguments: [id])
        }
        let storedPlace = ChangedRowReport.place(path: storedPath, line: stored.line)
        let earlier = stored.importID.map { batchImports[$0] != nil } ?? false
        switch onChange {
        case .error:
            throw ChangedRowReport.error(uid: uid, file: path, line: row.sourceLine, storedPlace: storedPlace, earlier: earlier)
        case .skip:
            counts.changedSkipped += 1
            if counts.firstChangedSkipped == nil {
                counts.firstChangedSkipped = ChangedRowReport.skipped(uid: uid, file: path, line: row.sourceLine, storedPlace: storedPlace)
            }
        }
    }

    /// True when the rows share dataset and kind and none has source annotations.
    static func sameKeyNoSources(_ rows: ArraySlice<ImportBatch.Row>, bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = rows.first else { return true }
        let dataset = Self.bytes(first.dataset, in: bytes)
        return rows.allSatisfy { row in
            !row.hasSourceAnnotations && row.kind == first.kind && equal(Self.bytes(row.dataset, in: bytes), dataset)
        }
    }

    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let p = a.baseAddress, let q = b.baseAddress, p != q else { return true }
        return memcmp(p, q, a.count) == 0
    }

    static func bytes(_ span: ImportBatch.Span, in bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[span.start..<span.start + max(span.count, 0)])
    }

    /// Binds a row's eight columns (its text in place, see `RawStatement.bindStatic`).
    private func bind(_ row: ImportBatch.Row, to statement: RawStatement, bytes: UnsafeBufferPointer<UInt8>) {
        func text(_ span: ImportBatch.Span) {
            statement.bindStatic(span.isNull ? nil : bytes.baseAddress.map { $0 + span.start }, count: span.count)
        }
        text(row.uid)
        text(row.dataset)
        let kind = Self.kindName(row.kind)
        statement.bindStatic(kind.utf8Start, count: kind.utf8CodeUnitCount)
        text(row.fields)
        text(row.gold)
        text(row.meta)
        statement.bind(importID)
        statement.bind(row.sourceLine.map(Int64.init))
        statement.bind(row.contentHash)
    }

    /// Counts `rows` rows of `key`'s dataset and kind, `added` of them new.
    private func counted(_ key: ImportBatch.Row, rows: Int, added: Int, bytes: UnsafeBufferPointer<UInt8>) {
        counts.rows += rows
        counts.added += added
        counts.duplicates += rows - added - (counts.changedSkipped - skippedCounted)
        skippedCounted = counts.changedSkipped
        guard added > 0 else { return }
        // Rows of one file mostly share dataset and kind: count runs, hash once per run.
        let dataset = Self.bytes(key.dataset, in: bytes)
        if lastKeyRun > 0, lastKind == key.kind, lastDataset.withUnsafeBufferPointer({ Self.equal($0, dataset) }) {
            lastKeyRun += added
        } else {
            flushRun()
            lastDataset = Array(dataset)
            lastKind = key.kind
            lastKeyRun = added
        }
    }

    private func insertSources(_ sources: [SourceAnnotation], itemID: Int64) throws {
        for (index, source) in sources.enumerated() {
            // One annotator name per (item, annotation): the partial unique
            // index `annotations_source` is on (item_id, annotator).
            let annotator = index == 0 ? sourceAnnotator : "\(sourceAnnotator)#\(index + 1)"
            insertSource.setUncheckedArguments([
                itemID, annotator, source.value.canonicalJSON, source.confidence, source.note, now,
            ])
            try insertSource.execute()
            counts.sourceAnnotations += 1
        }
    }

    /// `ItemKind.rawValue` as static text, bound without a copy.
    static func kindName(_ kind: ItemKind) -> StaticString {
        switch kind {
        case .text: "text"
        case .demonstration: "demonstration"
        case .pair: "pair"
        case .ranking: "ranking"
        }
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
        // A file that added nothing leaves no trace: importing it again changes nothing.
        for id in batchImports.keys where !importsWithItems.contains(id) {
            try db.execute(sql: "DELETE FROM imports WHERE id = ?", arguments: [id])
        }
        return counts
    }

    func close() { isOpen = false }

    private func flushRun() {
        if lastKeyRun > 0 {
            added[CountKey(dataset: String(decoding: lastDataset, as: UTF8.self), kind: lastKind.rawValue), default: 0] += lastKeyRun
        }
        lastKeyRun = 0
    }
}
