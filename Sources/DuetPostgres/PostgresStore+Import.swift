import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

extension PostgresStore: ImportSink {
    /// An import session on a connection of its own (not the pool's: its transaction spans the caller's
    /// awaits), with the transaction open and `items` locked for the import's duration (see
    /// `PostgresImportSession`).
    public func beginImport(dryRun: Bool, onChange: ChangedRows) async throws -> any ImportSession {
        let connection = try await pool.connect()
        do {
            try await connection.run { db in
                try await db.execute("BEGIN")
                // SHARE ROW EXCLUSIVE conflicts with itself and with every INSERT, UPDATE or DELETE on items,
                // not with reads nor with the key-share locks other tables' foreign keys take: imports run
                // one at a time, labeling goes on. Ids come from a sequence in call order; with one import
                // at a time they are also in commit order, so every new item is above every id anyone has
                // seen (the queue cursor relies on it, see PostgresSchema). A table lock, not an advisory
                // one: it holds for any writer of items, also one that knows nothing of Duet's conventions.
                try await db.execute("LOCK TABLE items IN SHARE ROW EXCLUSIVE MODE")
            }
        } catch {
            await connection.close()
            throw PostgresStoreError(error, doing: "starting an import into \(pool.config.database)")
        }
        return PostgresImportSession(connection: connection, database: pool.config.database, dryRun: dryRun, onChange: onChange)
    }
}

/// One import (see `ImportSink`) in one transaction on its own connection: nothing it writes is visible
/// before `commit`; `cancel`, an error, a lost connection or the session dropped (its connection closes)
/// keep nothing.
///
/// Each batch: one query looks up the batch's ids among the stored items (those of earlier batches of
/// this import included, the transaction sees them); the rows are sorted out here, in order, exactly as
/// SQLiteStore does (duplicate, changed: an error or skipped, new: the first row of its id); the new
/// rows are streamed straight into `items` by `COPY … FROM STDIN` (text format), their source
/// annotations likewise into `annotations`. No temporary table is needed: only new rows are sent, once.
/// `commit` adds the per-dataset counts, drops the imports that added nothing, and commits (a dry run
/// rolls back instead).
actor PostgresImportSession: ImportSession {
    private enum State {
        case open
        case finished
        case failed(any Error)
    }

    private struct CountKey: Hashable {
        var dataset: String
        var kind: String
    }

    private struct Key: Hashable {
        var dataset: String
        var uid: String
    }

    /// A stored row a row of the batch ran into.
    private struct Stored {
        var hash: Int64?
        var line: Int64?
        var importID: Int64?
        var id: Int64
    }

    /// The session's connection: every statement goes through its `run` (see `run(_:_:)` below).
    private let connection: WatchedConnection
    private let database: String
    private let dryRun: Bool
    private let onChange: ChangedRows
    private let now: Double
    private var state = State.open
    private var importID: Int64?
    private var path = ""
    private var sourceAnnotator = "source"
    /// Import ids of this session and their paths; the ones that added items.
    private var sessionImports: [Int64: String] = [:]
    private var importsWithItems: Set<Int64> = []
    private var counts = ImportCounts()
    private var added: [CountKey: Int] = [:]
    /// Per dataset: whether it held items before this import (asked once, under the import's lock on items).
    private var storedBefore: [String: Bool] = [:]
    /// The ids this import added, in a Bloom filter: a row it has not seen and whose dataset held no items
    /// before is new without asking the server. A false positive only costs a lookup.
    private var addedKeys = AddedKeys()

    init(connection: WatchedConnection, database: String, dryRun: Bool, onChange: ChangedRows) {
        self.connection = connection
        self.database = database
        self.dryRun = dryRun
        self.onChange = onChange
        now = Date().timeIntervalSince1970
    }

    deinit {
        // Dropped without commit: the server rolls the transaction back.
        connection.closeDropped()
    }

    func beginFile(path: String, format: String, dataset: String) async throws {
        var s = PostgresStatement()
        s.sql = """
            INSERT INTO imports (path, format, dataset, imported_at)
            VALUES (\(s.bind(path)), \(s.bind(format)), \(s.bind(dataset)), \(s.bind(now))) RETURNING id
            """
        let statement = s
        try await run("registering \(path)") { [self] db in
            guard let id = try await PostgresStore.row(statement, on: db, { $0.int64(0) }) ?? nil else {
                throw PostgresStoreError("registering \(path): the server returned no import id")
            }
            await registered(id, path: path)
        }
    }

    private func registered(_ id: Int64, path: String) {
        importID = id
        self.path = path
        sessionImports[id] = path
        let name = path.split(separator: "/").last.map(String.init) ?? path
        sourceAnnotator = "source:" + name
    }

    func add(_ batch: ImportBatch) async throws {
        guard !batch.isEmpty else { try check(); return }
        try await run("importing \(path)") { [self] db in try await insert(batch, on: db) }
    }

    func commit() async throws -> ImportCounts {
        try await run("committing the import") { [self] db in try await finish(on: db) }
        state = .finished
        await connection.close()
        return counts
    }

    /// The counts per dataset, the imports that added nothing dropped, and COMMIT (ROLLBACK for a dry run).
    private func finish(on db: PostgresConnection) async throws {
        for (key, n) in added.sorted(by: { ($0.key.dataset, $0.key.kind) < ($1.key.dataset, $1.key.kind) }) {
            var s = PostgresStatement()
            s.sql = """
                INSERT INTO dataset_counts (dataset, kind, items) VALUES (\(s.bind(key.dataset)), \(s.bind(key.kind)), \(s.bind(Int64(n))))
                ON CONFLICT (dataset, kind) DO UPDATE SET items = dataset_counts.items + excluded.items
                """
            try await db.execute(s.query)
        }
        // A file that added nothing leaves no trace: importing it again changes nothing.
        let empty = sessionImports.keys.filter { !importsWithItems.contains($0) }.sorted()
        if !empty.isEmpty {
            var s = PostgresStatement()
            s.sql = "DELETE FROM imports WHERE id = ANY(\(s.bind(empty)))"
            try await db.execute(s.query)
        }
        try await db.execute(dryRun ? "ROLLBACK" : "COMMIT")
        // A bulk load leaves the planner's statistics behind until autovacuum comes round: the queue's
        // queries then plan as if the tables were empty (PostgresStatistics).
        if !dryRun {
            await PostgresStatistics.refresh(db, written: ["items": counts.added, "annotations": counts.sourceAnnotations])
        }
    }

    func cancel() async {
        guard case .open = state else { return }
        state = .finished
        _ = try? await connection.run { try await $0.execute("ROLLBACK") }
        await connection.close()
    }

    /// Throws unless the session is open.
    private func check() throws {
        switch state {
        case .open: return
        case .finished: throw PostgresStoreError("the import was used after it had been committed or cancelled")
        case .failed(let error): throw error
        }
    }

    /// Runs one step of the import; a failure ends it (the connection closes, the transaction rolls
    /// back) and every later call throws the same error.
    /// `body` runs on the connection through its `run`: it ends as a lost connection once the connection closes
    /// (a statement written to a closed connection is never answered). Its steps call back into the session.
    private func run<R: Sendable>(_ doing: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        try check()
        do {
            return try await connection.run(body)
        } catch {
            let failure: any Error = error is ImportError || error is PostgresStoreError
                ? error : PostgresStoreError(error, doing: "\(doing) into \(database)")
            state = .failed(failure)
            await connection.close()
            throw failure
        }
    }

    private func insert(_ batch: ImportBatch, on db: PostgresConnection) async throws {
        let rows = batch.rows
        let datasets = rows.map { batch.string($0.dataset) ?? "" }
        let uids = rows.map { batch.string($0.uid) ?? "" }
        // The stored items with the batch's ids, by the batch row that names them: looked up for the rows that
        // can have one (see `mayBeStored`).
        var candidates: [Int] = []
        for i in rows.indices {
            if try await mayBeStored(dataset: datasets[i], uid: uids[i], on: db) { candidates.append(i) }
        }
        var stored: [Int: Stored] = [:]
        if !candidates.isEmpty {
            var lookup = PostgresStatement()
            lookup.sql = """
                SELECT r.n, i.content_hash, i.source_line, i.import_id, i.id
                FROM unnest(\(lookup.bind(candidates.map { datasets[$0] }))::text[], \(lookup.bind(candidates.map { uids[$0] }))::text[])
                     WITH ORDINALITY AS r(dataset, uid, n)
                JOIN items i ON i.dataset = r.dataset AND i.uid = r.uid
                """
            for (n, found) in try await PostgresStore.rows(lookup, on: db, {
                (Int($0.int64(0) ?? 0) - 1, Stored(hash: $0.int64(1), line: $0.int64(2), importID: $0.int64(3), id: $0.int64(4) ?? 0))
            }) { stored[candidates[n]] = found }
        }

        // Sort the rows out in order: the first row of an id not stored is new; a later row of that id
        // is compared with it, as a stored row's is with the stored item.
        var firstOfID: [Key: Int] = [:]
        var newRows: [Int] = []
        newRows.reserveCapacity(rows.count)
        var skipped = 0
        for (i, row) in rows.enumerated() {
            if let kept = stored[i] {
                var hash = kept.hash
                if hash == nil { hash = try await storedContentHash(kept.id, on: db) }
                if hash != row.contentHash { try await changed(uid: uids[i], line: row.sourceLine, kept: kept, on: db); skipped += 1 }
                continue
            }
            let key = Key(dataset: datasets[i], uid: uids[i])
            if let first = firstOfID[key] {
                if rows[first].contentHash != row.contentHash {
                    let kept = Stored(hash: rows[first].contentHash, line: rows[first].sourceLine.map(Int64.init), importID: importID, id: 0)
                    try await changed(uid: uids[i], line: row.sourceLine, kept: kept, on: db)
                    skipped += 1
                }
                continue
            }
            firstOfID[key] = i
            newRows.append(i)
            addedKeys.insert(dataset: datasets[i], uid: uids[i])
        }
        counts.rows += rows.count
        counts.added += newRows.count
        counts.duplicates += rows.count - newRows.count - skipped
        guard !newRows.isEmpty else { return }
        if let importID { importsWithItems.insert(importID) }
        for i in newRows { added[CountKey(dataset: datasets[i], kind: rows[i].kind.rawValue), default: 0] += 1 }

        try await copyItems(batch, rows: newRows, on: db)
        try await copySources(batch, newRows: newRows, datasets: datasets, uids: uids, on: db)
    }

    /// Whether a stored item may have this id: its dataset held items before this import, or this import added
    /// a row with the same id hash. Otherwise it is certainly new: nobody else adds items meanwhile (the
    /// import holds its lock on `items`). An import of a new dataset so looks up only the rows that repeat an id,
    /// not every row (an index probe each: a sixth of the import's time at 10^6 rows).
    private func mayBeStored(dataset: String, uid: String, on db: PostgresConnection) async throws -> Bool {
        if addedKeys.mayContain(dataset: dataset, uid: uid) { return true }
        if let before = storedBefore[dataset] { return before }
        var s = PostgresStatement()
        s.sql = "SELECT EXISTS (SELECT 1 FROM items WHERE dataset = \(s.bind(dataset)))"
        let before = try await PostgresStore.integer(s, on: db) != 0
        storedBefore[dataset] = before
        return before
    }

    /// Streams `rows` of `batch` into `items` (ids from its sequence, in row order).
    private func copyItems(_ batch: ImportBatch, rows indices: [Int], on db: PostgresConnection) async throws {
        let importColumn = importID.map { String($0) }
        try await db.copyFrom(table: "items",
                                      columns: ["uid", "dataset", "kind", "fields", "gold", "meta", "import_id", "source_line", "content_hash"],
                                      logger: PostgresPool.quiet) { writer in
            var out = CopyText()
            for i in indices {
                let row = batch.rows[i]
                batch.bytes.withUnsafeBufferPointer { bytes in
                    out.field(row.uid, in: bytes)
                    out.field(row.dataset, in: bytes)
                    out.field(row.kind.rawValue)
                    out.field(row.fields, in: bytes)
                    out.field(row.gold, in: bytes)
                    out.field(row.meta, in: bytes)
                    out.field(importColumn)
                    out.field(row.sourceLine.map { String($0) })
                    out.field(String(row.contentHash), last: true)
                }
                if out.buffer.readableBytes >= CopyText.chunk { try await writer.write(out.take()) }
            }
            if out.buffer.readableBytes > 0 { try await writer.write(out.take()) }
        }
    }

    /// Streams the source annotations of the new rows that carry some into `annotations`.
    private func copySources(_ batch: ImportBatch, newRows: [Int], datasets: [String], uids: [String], on db: PostgresConnection) async throws {
        // `batch.annotations[k]` belongs to the k-th row that has source annotations.
        var sourcesOfRow: [Int: [SourceAnnotation]] = [:]
        var k = 0
        for (i, row) in batch.rows.enumerated() where row.hasSourceAnnotations {
            sourcesOfRow[i] = batch.annotations[k]
            k += 1
        }
        let withSources = newRows.filter { sourcesOfRow[$0] != nil }
        guard !withSources.isEmpty else { return }
        var ids = PostgresStatement()
        ids.sql = """
            SELECT r.n, i.id
            FROM unnest(\(ids.bind(withSources.map { datasets[$0] }))::text[], \(ids.bind(withSources.map { uids[$0] }))::text[])
                 WITH ORDINALITY AS r(dataset, uid, n)
            JOIN items i ON i.dataset = r.dataset AND i.uid = r.uid
            """
        var itemIDs: [Int: Int64] = [:]
        for (n, id) in try await PostgresStore.rows(ids, on: db, { (Int($0.int64(0) ?? 0) - 1, $0.int64(1) ?? 0) }) {
            itemIDs[withSources[n]] = id
        }
        let annotator = sourceAnnotator
        let created = String(now)
        var added = 0
        try await db.copyFrom(table: "annotations",
                                      columns: ["item_id", "annotator_kind", "annotator", "value", "confidence", "status", "note", "created_at"],
                                      logger: PostgresPool.quiet) { writer in
            var out = CopyText()
            for i in withSources {
                guard let itemID = itemIDs[i], let sources = sourcesOfRow[i] else { continue }
                for (index, source) in sources.enumerated() {
                    // One annotator name per (item, annotation): `annotations_source` is unique on (item_id, annotator).
                    out.field(String(itemID))
                    out.field("source")
                    out.field(index == 0 ? annotator : "\(annotator)#\(index + 1)")
                    out.field(source.value.canonicalJSON)
                    out.field(source.confidence.map { String($0) })
                    out.field("submitted")
                    out.field(source.note)
                    out.field(created, last: true)
                    added += 1
                }
                if out.buffer.readableBytes >= CopyText.chunk { try await writer.write(out.take()) }
            }
            if out.buffer.readableBytes > 0 { try await writer.write(out.take()) }
        }
        counts.sourceAnnotations += added
    }

    /// A row whose id is known with other content: the error, or skipped and counted (as SQLite words it).
    private func changed(uid: String, line: Int?, kept: Stored, on db: PostgresConnection) async throws {
        var storedPath: String?
        if let id = kept.importID {
            if let mine = sessionImports[id] {
                storedPath = mine
            } else {
                var s = PostgresStatement()
                s.sql = "SELECT path FROM imports WHERE id = \(s.bind(id))"
                storedPath = try await PostgresStore.row(s, on: db) { $0.text(0) } ?? nil
            }
        }
        let storedPlace = ChangedRowReport.place(path: storedPath, line: kept.line)
        let earlier = kept.importID.map { sessionImports[$0] != nil } ?? false
        switch onChange {
        case .error:
            throw ChangedRowReport.error(uid: uid, file: path, line: line, storedPlace: storedPlace, earlier: earlier)
        case .skip:
            counts.changedSkipped += 1
            if counts.firstChangedSkipped == nil {
                counts.firstChangedSkipped = ChangedRowReport.skipped(uid: uid, file: path, line: line, storedPlace: storedPlace)
            }
        }
    }

    /// The content hash of an item stored without one (copied from a store older than hashes), from its
    /// stored columns.
    private func storedContentHash(_ id: Int64, on db: PostgresConnection) async throws -> Int64 {
        var item = PostgresStatement()
        item.sql = "SELECT kind, fields, gold, meta FROM items WHERE id = \(item.bind(id))"
        guard let (kind, fields, gold, meta) = try await PostgresStore.row(item, on: db, {
            ($0.text(0) ?? "", $0.text(1), $0.text(2), $0.text(3))
        }) else { return 0 }
        var sources = PostgresStatement()
        sources.sql = "SELECT value, confidence, note FROM annotations WHERE item_id = \(sources.bind(id)) AND annotator_kind = 'source' ORDER BY id"
        let stored = try await PostgresStore.rows(sources, on: db) {
            ImportBatch.StoredSource(value: $0.text(0) ?? "", confidence: $0.double(1), note: $0.text(2))
        }
        return ImportBatch.contentHash(kind: kind, fields: fields, gold: gold, meta: meta, sources: stored)
    }
}
