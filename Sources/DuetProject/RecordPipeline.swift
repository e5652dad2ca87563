import DuetCore
import Foundation

/// Reads and maps records on a background thread while the caller writes
/// them to the store, so that parsing and SQLite overlap (two cores).
/// Batches travel through a small bounded queue; an error in the reader
/// reaches the caller at the point in the stream where it happened.
final class RecordPipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [Result<[ImportedRecord], Error>] = []
    private var done = false
    private var cancelled = false
    private let capacity = 4
    private let batchSize = 1024

    /// Takes ownership of `stream`; it must not be used by the caller afterwards.
    init(stream: RecordStream) {
        nonisolated(unsafe) var stream: RecordStream? = stream
        let t = Thread { [self] in
            while true {
                var batch: [ImportedRecord] = []
                batch.reserveCapacity(batchSize)
                let outcome: Result<[ImportedRecord], Error>
                do {
                    while batch.count < batchSize, let r = try stream?.next() { batch.append(r) }
                    outcome = .success(batch)
                } catch {
                    outcome = .failure(error)
                }
                let last = (try? outcome.get())?.count ?? 0 < batchSize
                // The file (or gzip process) is let go before the caller hears of the end.
                if last { stream = nil }
                guard push(outcome, last: last) else { return }
                if last { return }
            }
        }
        t.stackSize = 8 << 20  // deep JSON nesting parses recursively
        t.name = "duet-import-reader"
        // Not kept: the thread holds the pipeline while it runs, and a stored
        // thread would keep both (and the stream) alive forever after.
        t.start()
    }

    /// Adds a batch; false when the consumer went away.
    private func push(_ batch: Result<[ImportedRecord], Error>, last: Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        batches.append(batch)
        if last { done = true }
        condition.broadcast()
        return true
    }

    /// The next batch, or nil at the end; rethrows the reader's error.
    func next() throws -> [ImportedRecord]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !done { condition.wait() }
        if batches.isEmpty { return nil }
        let b = batches.removeFirst()
        condition.broadcast()
        return try b.get()
    }

    /// Stops the reader (after an error on the writing side).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
