import DuetCore
import DuetStoreAPI
import Foundation

extension SQLiteStore: ImportSink {
    /// An import session over `importBatch`: one thread holds the write transaction (GRDB's writer,
    /// `BEGIN IMMEDIATE`) while the caller's awaits hand it files and batches one at a time; `commit`
    /// ends it. The fast path (pointers into the batch's bytes bound to prepared statements) is
    /// unchanged, and the caller encodes the next batch while the writer inserts this one.
    public func beginImport(dryRun: Bool, onChange: ChangedRows) async throws -> any ImportSession {
        SQLiteImportSession(store: self, dryRun: dryRun, onChange: onChange)
    }
}

/// See `SQLiteStore.beginImport`: the caller's side. Dropping it without `commit` rolls back.
final class SQLiteImportSession: ImportSession, @unchecked Sendable {
    private let channel: ImportChannel

    init(store: SQLiteStore, dryRun: Bool, onChange: ChangedRows) {
        channel = ImportChannel(store: store, dryRun: dryRun, onChange: onChange)
    }

    deinit { channel.close() }

    func beginFile(path: String, format: String, dataset: String) async throws {
        try await channel.send(.file(path: path, format: format, dataset: dataset))
    }

    func add(_ batch: ImportBatch) async throws {
        try await channel.send(.batch(batch))
    }

    func commit() async throws -> ImportCounts {
        try await channel.send(.commit)
        return try await channel.result()
    }

    func cancel() async {
        try? await channel.send(.cancel)
        _ = try? await channel.result()
    }
}

/// The transaction's thread and the commands it is handed, one at a time; each awaiting call resumes
/// when its command is done, with its error.
private final class ImportChannel: @unchecked Sendable {
    enum Command {
        case file(path: String, format: String, dataset: String)
        case batch(ImportBatch)
        case commit
        case cancel
    }

    private struct Pending {
        var command: Command
        var done: CheckedContinuation<Void, any Error>
    }

    private let condition = NSCondition()
    private var pending: Pending?
    /// Set once the transaction's thread has returned (committed, rolled back or failed).
    private var outcome: Result<ImportCounts, any Error>?
    private var finished: [CheckedContinuation<ImportCounts, any Error>] = []
    private var closed = false

    init(store: SQLiteStore, dryRun: Bool, onChange: ChangedRows) {
        let thread = Thread { [self] in
            let result = Result { try store.importBatch(dryRun: dryRun, onChange: onChange) { writer in try self.serve(writer) } }
            condition.lock()
            outcome = result
            // A command that arrived after the end (or was being served when it failed) hears the outcome.
            let waiting = pending
            pending = nil
            let ends = finished
            finished = []
            condition.broadcast()
            condition.unlock()
            if let waiting {
                switch result {
                case .failure(let e): waiting.done.resume(throwing: e)
                case .success: waiting.done.resume(throwing: StoreError.importFinished)
                }
            }
            for end in ends { end.resume(with: result) }
        }
        thread.name = "duet-import-writer"
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// The session was dropped: without a commit, the transaction rolls back.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs on the transaction's thread, inside the transaction, until commit or cancel.
    private func serve(_ writer: any ImportWriter) throws {
        while true {
            condition.lock()
            while pending == nil && !closed { condition.wait() }
            guard let job = pending else {
                condition.unlock()
                throw CancellationError()
            }
            condition.unlock()
            do {
                switch job.command {
                case .file(let path, let format, let dataset): try writer.beginFile(path: path, format: format, dataset: dataset)
                case .batch(let batch): try writer.add(batch)
                case .commit:
                    take()
                    job.done.resume()
                    return
                case .cancel:
                    take()
                    job.done.resume()
                    throw CancellationError()
                }
            } catch {
                // The failed command's caller hears the error when the transaction has rolled back.
                throw error
            }
            take()
            job.done.resume()
        }
    }

    private func take() {
        condition.lock()
        pending = nil
        condition.broadcast()
        condition.unlock()
    }

    func send(_ command: Command) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            condition.lock()
            // Calls come one at a time (each awaits the last); a second caller waits its turn.
            while pending != nil && outcome == nil { condition.wait() }
            if let outcome {
                condition.unlock()
                switch outcome {
                case .failure(let e): done.resume(throwing: e)
                case .success: done.resume(throwing: StoreError.importFinished)
                }
                return
            }
            pending = Pending(command: command, done: done)
            condition.broadcast()
            condition.unlock()
        }
    }

    func result() async throws -> ImportCounts {
        try await withCheckedThrowingContinuation { (end: CheckedContinuation<ImportCounts, any Error>) in
            condition.lock()
            if let outcome {
                condition.unlock()
                end.resume(with: outcome)
                return
            }
            finished.append(end)
            condition.unlock()
        }
    }
}
