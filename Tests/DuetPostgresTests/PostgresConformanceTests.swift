import DuetPostgres
import DuetStoreAPI
import Foundation
import StoreConformance
import Testing

/// The store's conformance suite on PostgreSQL: each case on a database of its own
/// (skipped without a server, see `TestServer`).
@Suite(.enabled(if: TestServer.enabled, TestServer.skipped))
struct PostgresConformanceTests {
    @Test(arguments: StoreConformance.names)
    func conformance(_ name: String) async throws {
        try await TestServer.withStore { store in
            try await StoreConformance.run(name, on: store)
        }
    }
}
