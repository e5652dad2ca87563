import DuetCore
import DuetStoreAPI
import Foundation

/// Reads and maps records on a background thread while the caller writes
/// them to the store, so that parsing and SQLite overlap (two cores).
/// Batches travel through a small bounded queue, their columns encoded for
/// the store on the reader's side; an error in the reader
/// reaches the caller at the point in the stream where it happened.
enum RecordPipeline {
    static let batchSize = 1024

    /// Takes ownership of `stream`; it must not be used by the caller afterwards.
    static func start(stream: RecordStream) -> BackgroundProducer<ImportBatch> {
        nonisolated(unsafe) var stream: RecordStream? = stream
        // Deep JSON nesting parses recursively: the reader gets a large stack.
        return BackgroundProducer(capacity: 4, name: "duet-import-reader", stackSize: 8 << 20) {
            guard stream != nil else { return nil }
            var batch = ImportBatch(capacity: batchSize)
            do {
                while batch.count < batchSize, let r = try stream?.next() { batch.append(r) }
            } catch {
                stream = nil
                throw error
            }
            // The file (or gzip process) is let go before the caller hears of the end.
            if batch.count < batchSize { stream = nil }
            return batch
        }
    }
}
