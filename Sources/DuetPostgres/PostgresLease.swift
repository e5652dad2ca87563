import Foundation
import PostgresNIO

/// Connections of the pool held across the caller's awaits, for work whose transactions outlive one call (an
/// export's cursor and the reader of its log, `PostgresExportCursor`). `PostgresClient.withConnection` lends a
/// connection for the length of a closure; a task of the lease's own runs that closure and waits in it until
/// `end()`, so the connections count against the pool's maximum, never beside it against the server's
/// `max_connections`. The lease hands out the connections' watches (`WatchedConnection`): every statement on
/// them goes through `run`, and ends as a lost connection once its connection closes. At the end the lease rolls back whatever transaction is still open on them (a finished
/// reader has committed: the ROLLBACK only warns) and gives them back; a connection that was lost is dropped
/// by the pool.
final class PostgresLease: @unchecked Sendable {
    let connections: [WatchedConnection]
    private let ended: AsyncStream<Void>.Continuation

    private init(connections: [WatchedConnection], ended: AsyncStream<Void>.Continuation) {
        self.connections = connections
        self.ended = ended
    }

    deinit { ended.finish() }

    /// Ends the lease (at once; the connections go back to the pool once their transactions are rolled back).
    func end() { ended.finish() }

    /// Leases `count` connections of `pool` (waiting for them as any caller of the pool does).
    static func take(_ pool: PostgresPool, count: Int) async throws -> PostgresLease {
        let (signal, ended) = AsyncStream<Void>.makeStream()
        let handOver = HandOver()
        return try await withCheckedThrowingContinuation { (got: CheckedContinuation<PostgresLease, any Error>) in
            handOver.set(got)
            Task {
                do {
                    try await nested(pool, count: count, held: []) { connections in
                        handOver.resume(with: .success(PostgresLease(connections: connections, ended: ended)))
                        for await _ in signal {}
                        for watched in connections where !watched.isClosed {
                            _ = try? await watched.run { try await $0.execute("ROLLBACK") }
                        }
                    }
                } catch {
                    handOver.resume(with: .failure(error))
                }
            }
        }
    }

    private static func nested(_ pool: PostgresPool, count: Int, held: [WatchedConnection],
                               _ body: @escaping @Sendable ([WatchedConnection]) async throws -> Void) async throws {
        guard held.count < count else { return try await body(held) }
        try await pool.withWatchedConnection { db in try await nested(pool, count: count, held: held + [db], body) }
    }

    /// The continuation of `take`, resumed once (a failure after the hand-over is the lease task's own).
    private final class HandOver: @unchecked Sendable {
        private let lock = NSLock()
        private var waiting: CheckedContinuation<PostgresLease, any Error>?

        func set(_ continuation: CheckedContinuation<PostgresLease, any Error>) { lock.withLock { waiting = continuation } }

        func resume(with result: Result<PostgresLease, any Error>) {
            let continuation = lock.withLock { () -> CheckedContinuation<PostgresLease, any Error>? in
                defer { waiting = nil }
                return waiting
            }
            continuation?.resume(with: result)
        }
    }
}
