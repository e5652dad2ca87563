import DuetCore
import Foundation
import PostgresNIO
import Testing
@testable import DuetPostgres

extension PostgresServerTests {
    /// A call whose connection closes under it ends as a lost connection (one "unreachable" status), and the
    /// pool serves the next call. postgres-nio hands a statement for a closed connection to a pipeline its
    /// handler has left, where the statement's promise is never completed: that call waited for ever (the hang
    /// OutageTests met when a server was killed just after the pool lent a connection, on a loaded machine).
    @Test func aCallWhoseConnectionClosesUnderItEndsAsUnreachable() async throws {
        try await TestServer.withStore { pg in
            let config = pg.pool.config
            let outcome = try await Bounded.within(.seconds(120), "a call on a closed connection") { () -> String in
                do {
                    _ = try await pg.read("asking on a connection that closes") { db in
                        // The server ends this connection; once it is closed, one more statement on it.
                        _ = try? await db.query("SELECT pg_terminate_backend(pg_backend_pid())", logger: PostgresPool.quiet)
                        try? await db.closeFuture.get()
                        return try await db.query("SELECT 1", logger: PostgresPool.quiet).decode(Int.self).firstElement()
                    }
                    return "answered"
                } catch {
                    return "\(StoreFailure(error))"
                }
            }
            #expect(outcome == "\(StoreFailure.unreachable("PostgreSQL at \(config.host):\(config.port) unreachable"))")
            #expect(try await pg.itemCount() == 0)
        }
    }

    /// The votes the router streams (`forEachItemVotes`, a cursor read a fetch at a time while the caller's body
    /// works item by item) are read by a protected call like every other: when the server ends the stream's
    /// connection between two fetches, the pass ends as one "unreachable" status instead of waiting for ever on
    /// the next fetch (it ran outside that protection, in the caller's task, before).
    @Test func aVoteStreamWhoseConnectionClosesBetweenFetchesEndsAsUnreachable() async throws {
        try await TestServer.withStore { pg in
            let config = pg.pool.config
            let task = QueueFixture.sentiment
            // More votes than one fetch holds: 700 items with 8 votes each.
            try await QueueFixture.seed(pg, tasks: [task], texts: 700)
            let votes = (1...700).flatMap { item in
                (0..<8).map { v in (item: Int64(item), vote: MachineVote(annotator: "m", variant: "v\(v)", label: v % 3 == 0 ? "neg" : "pos",
                                                                       confidence: nil)) }
            }
            #expect(votes.count > PostgresStore.votesPerFetch)
            try await pg.saveVotes(votes, task: task.name, at: QueueFixture.date(0))
            // A whole pass first: every item once, in order, with its votes.
            var seen: [Int64] = []
            try await pg.forEachItemVotes(task: task, annotators: nil) { item, v in
                #expect(v.count == 8)
                seen.append(item)
            }
            #expect(seen == (1...700).map(Int64.init))
            final class Cut: @unchecked Sendable { var done = false; var terminated = 0 }
            let outcome = try await Bounded.within(.seconds(120), "a vote stream on a closed connection") { () -> String in
                let cut = Cut()
                do {
                    try await pg.forEachItemVotes(task: task, annotators: nil) { _, _ in
                        guard !cut.done else { return }
                        cut.done = true
                        // The server ends the stream's connection (idle in its transaction between fetches), from another one.
                        let ended = DispatchSemaphore(value: 0)
                        Task.detached {
                            cut.terminated = (try? await pg.read("ending the stream's connection") { db in
                                try await db.query("""
                                    SELECT COUNT(pg_terminate_backend(pid))::bigint FROM pg_stat_activity
                                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'
                                    """, logger: PostgresPool.quiet).decode(Int64.self).firstElement()
                            }).flatMap { $0 }.map(Int.init) ?? -1
                            ended.signal()
                        }
                        _ = ended.wait(timeout: .now() + 60)
                    }
                    return "answered (\(cut.terminated) connections ended)"
                } catch {
                    return "\(StoreFailure(error))"
                }
            }
            #expect(outcome == "\(StoreFailure.unreachable("PostgreSQL at \(config.host):\(config.port) unreachable"))")
            // The pool serves the next pass whole.
            var again = 0
            try await pg.forEachItemVotes(task: task, annotators: nil) { _, _ in again += 1 }
            #expect(again == 700)
        }
    }
}
