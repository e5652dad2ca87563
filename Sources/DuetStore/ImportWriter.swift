import DuetCore
import DuetStoreAPI

/// Receives imported records inside `SQLiteStore.importBatch`'s transaction: what the SQLite import
/// session (`SQLiteImportSession`) hands each file and batch to. Internal: callers import through
/// `ImportSink`; tests of the SQLite fast path use it directly.
protocol ImportWriter {
    /// Registers a source file; later `add` calls are attributed to it.
    func beginFile(path: String, format: String, dataset: String) throws
    /// Adds a record; returns false when an item with the same dataset and
    /// uid is already stored (then nothing is added, not even its annotations).
    @discardableResult
    func add(_ record: ImportedRecord) throws -> Bool
    /// Adds a batch's rows in order, as `add` would one by one.
    func add(_ batch: ImportBatch) throws
}

extension SQLiteStore {
    func importBatch(dryRun: Bool, _ body: (any ImportWriter) throws -> Void) throws -> ImportCounts {
        try importBatch(dryRun: dryRun, onChange: .error, body)
    }
}
