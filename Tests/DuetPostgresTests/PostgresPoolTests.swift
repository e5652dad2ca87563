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
}
