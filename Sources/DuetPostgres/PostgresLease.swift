import Foundation
import PostgresNIO

/// Connections of the pool held across the caller's awaits, for work whose transactions outlive one call (an
/// export's cursor and the reader of its log, `PostgresExportCursor`). `PostgresClient.withConnection` lends a
/// connection for the length of a closure; for each connection a task of the lease's own runs that closure and
/// waits in it until `end()`, so the connections count against the pool's maximum, never beside it against the
/// server's `max_connections`. The lease hands out the connections' watches (`WatchedConnection`): every
/// statement on them goes through `run`, and ends as a lost connection once its connection closes.
///
/// Each connection is held on its own: one that closes (its server process ended) never lets another go back
/// to the pool early, still inside the lease's transaction, where the next caller would run in it. At the end
/// each open connection's transaction is rolled back (a finished reader has committed: the ROLLBACK only
/// warns), then it goes back; a connection that was lost is dropped by the pool.
final class PostgresLease: @unchecked Sendable {
    let connections: [WatchedConnection]
    private let releases: [AsyncStream<Void>.Continuation]

    private init(connections: [WatchedConnection], releases: [AsyncStream<Void>.Continuation]) {
        self.connections = connections
        self.releases = releases
    }

    deinit { end() }

    /// Ends the lease (at once; the connections go back to the pool once their transactions are rolled back).
    func end() {
        for release in releases { release.finish() }
    }

    /// Leases `count` connections of `pool`, one after the other (waiting for them as any caller of the pool does).
    static func take(_ pool: PostgresPool, count: Int) async throws -> PostgresLease {
        var connections: [WatchedConnection] = []
        var releases: [AsyncStream<Void>.Continuation] = []
        do {
            for _ in 0..<count {
                let held = try await hold(pool)
                connections.append(held.watched)
                releases.append(held.release)
            }
        } catch {
            for release in releases { release.finish() }
            throw error
        }
        return PostgresLease(connections: connections, releases: releases)
    }

    /// One connection of `pool`, held by a task of its own until `release` finishes; then its open transaction is
    /// rolled back and it goes back to the pool.
    private static func hold(_ pool: PostgresPool) async throws -> Held {
        let (released, release) = AsyncStream<Void>.makeStream()
        let handOver = HandOver()
        return try await withCheckedThrowingContinuation { (got: CheckedContinuation<Held, any Error>) in
            handOver.set(got)
            Task {
                do {
                    try await pool.withWatchedConnection { connection in
                        handOver.resume(with: .success(Held(watched: connection, release: release)))
                        for await _ in released {}
                        if !connection.isClosed { _ = try? await connection.run { try await $0.execute("ROLLBACK") } }
                    }
                } catch {
                    handOver.resume(with: .failure(error))
                }
            }
        }
    }

    private struct Held: Sendable {
        let watched: WatchedConnection
        let release: AsyncStream<Void>.Continuation
    }

    /// The continuation of `hold`, resumed once (a failure after the hand-over is the holding task's own).
    private final class HandOver: @unchecked Sendable {
        private let lock = NSLock()
        private var waiting: CheckedContinuation<Held, any Error>?

        func set(_ continuation: CheckedContinuation<Held, any Error>) { lock.withLock { waiting = continuation } }

        func resume(with result: Result<Held, any Error>) {
            let continuation = lock.withLock { () -> CheckedContinuation<Held, any Error>? in
                defer { waiting = nil }
                return waiting
            }
            continuation?.resume(with: result)
        }
    }
}
