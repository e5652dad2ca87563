import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

/// A shared project's store in PostgreSQL: the roles of the store port (DuetStoreAPI) over a pool of
/// connections. Every role's requirements are in an extension of their own (`PostgresStore+<Role>.swift`);
/// the behaviour each one promises is the conformance suite's (Tests/StoreConformance), run on SQLite and
/// on PostgreSQL alike.
///
/// Every method that writes is one transaction (`pool.withTransaction`), so a decision returned is
/// committed; a lost connection is an error of the call that needed it, never a half-written decision.
public final class PostgresStore: Sendable {
    public let pool: PostgresPool
    /// How long a lease keeps an item for one person (as SQLite's `SQLiteStore.leaseSeconds`).
    public static let leaseSeconds: Double = 15 * 60
    /// `setWriteWait`: the `lock_timeout` of this store's write transactions.
    let writeWait = PostgresWriteWait()

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Connects to the project in `config`'s database (made or migrated per `intent`).
    public static func open(_ config: PostgresConfig, intent: PostgresProject.Intent = .attach,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            maximumConnections: Int = 4) async throws -> PostgresStore {
        let pool = try await PostgresPool.open(config, environment: environment, maximumConnections: maximumConnections)
        do {
            _ = try await PostgresProject.open(pool, intent: intent)
        } catch {
            await pool.close()
            throw error
        }
        return PostgresStore(pool: pool)
    }

    /// Closes the pool.
    public func close() async {
        await pool.close()
    }

    /// Seconds since 1970, as every time column holds them.
    static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }
}
