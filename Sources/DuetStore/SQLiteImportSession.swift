import DuetCore
import DuetStoreAPI
import Foundation

extension SQLiteStore: ImportSink {
    /// An import session over `importBatch`: a `HeldTransaction` keeps the write transaction (GRDB's
    /// writer, `BEGIN IMMEDIATE`) while the caller's awaits hand it files and batches one at a time;
    /// `commit` ends it. The fast path (pointers into the batch's bytes bound to prepared statements)
    /// is unchanged, and the caller encodes the next batch while the writer inserts this one.
    public func beginImport(dryRun: Bool, onChange: ChangedRows) async throws -> any ImportSession {
        SQLiteImportSession(store: self, dryRun: dryRun, onChange: onChange)
    }
}

/// See `SQLiteStore.beginImport`: the caller's side. Dropping it without `commit` rolls back.
final class SQLiteImportSession: ImportSession, @unchecked Sendable {
    private let held: HeldTransaction<any ImportWriter, ImportCounts>

    init(store: SQLiteStore, dryRun: Bool, onChange: ChangedRows) {
        held = HeldTransaction(name: "duet-import-writer", finished: StoreError.importFinished) { serve in
            try store.importBatch(dryRun: dryRun, onChange: onChange) { writer in try serve(writer) }
        }
    }

    deinit { held.close() }

    func beginFile(path: String, format: String, dataset: String) async throws {
        try await held.perform { try $0.beginFile(path: path, format: format, dataset: dataset) }
    }

    func add(_ batch: ImportBatch) async throws {
        try await held.perform { try $0.add(batch) }
    }

    func commit() async throws -> ImportCounts {
        try await held.commit()
    }

    func cancel() async {
        await held.cancel()
    }
}
