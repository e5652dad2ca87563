import DuetStore
import DuetStoreAPI
import Foundation
import StoreConformance
import Testing

/// The store's conformance suite on SQLite: each case on a fresh store file of its own.
@Suite struct SQLiteConformanceTests {
    @Test(arguments: StoreConformance.names)
    func conformance(_ name: String) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore.open(path: dir.appendingPathComponent("duet.sqlite").path)
        try await StoreConformance.run(name, on: store)
    }
}
