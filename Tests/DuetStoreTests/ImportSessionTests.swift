import DuetCore
import DuetStoreAPI
@testable import DuetStore
import Foundation
import Testing

/// The import session over SQLite's one write transaction: committed all at once, or nothing.
@Suite struct ImportSessionTests {
    static func batch(_ numbers: ClosedRange<Int>) -> ImportBatch { ImportBatch(numbers.map { Fixture.text($0) }) }

    static func temporaryStore() throws -> (SQLiteStore, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-session-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SQLiteStore.open(path: dir.appendingPathComponent("duet.db").path)
        try store.syncTasks([Fixture.sentiment])
        return (store, dir)
    }

    @Test func committedBatchesAreKeptAndCounted() async throws {
        let (store, dir) = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let counts = try await store.importing(dryRun: false) { s in
            try await s.beginFile(path: "/data/a.jsonl", format: "jsonl", dataset: "reviews")
            try await s.add(Self.batch(1...3))
            try await s.add(Self.batch(3...5))
        }
        #expect(counts.rows == 6 && counts.added == 5 && counts.duplicates == 1)
        #expect(try store.itemCount() == 5)
    }

    @Test func nothingIsVisibleBeforeCommitAndACancelKeepsNothing() async throws {
        let (store, dir) = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = try await store.beginImport(dryRun: false, onChange: .error)
        try await session.beginFile(path: "/data/a.jsonl", format: "jsonl", dataset: "reviews")
        try await session.add(Self.batch(1...4))
        #expect(try store.itemCount() == 0)
        await session.cancel()
        #expect(try store.itemCount() == 0)
        // The write lock is free again.
        try Fixture.load(store, [Fixture.text(9)])
        #expect(try store.itemCount() == 1)
    }

    @Test func aFailingBatchRollsBackAndTheErrorNamesTheRow() async throws {
        let (store, dir) = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        var changed = Fixture.text(2)
        changed.item.fields = .text("other text")
        await #expect(throws: ImportError.self) {
            _ = try await store.importing(dryRun: false) { s in
                try await s.beginFile(path: "/data/a.jsonl", format: "jsonl", dataset: "reviews")
                try await s.add(Self.batch(1...3))
                try await s.add(ImportBatch([changed]))
            }
        }
        #expect(try store.itemCount() == 0)
        try Fixture.load(store, [Fixture.text(9)])
        #expect(try store.itemCount() == 1)
    }

    @Test func aDroppedSessionRollsBackAndFreesTheWriter() async throws {
        let (store, dir) = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let session = try await store.beginImport(dryRun: false, onChange: .error)
            try await session.beginFile(path: "/data/a.jsonl", format: "jsonl", dataset: "reviews")
            try await session.add(Self.batch(1...4))
        }
        // Another writer gets the lock once the dropped session has rolled back.
        try store.setWriteWait(seconds: 5)
        try Fixture.load(store, [Fixture.text(9)])
        #expect(try store.itemCount() == 1)
    }

    @Test func aDryRunCountsAndKeepsNothing() async throws {
        let (store, dir) = try Self.temporaryStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let counts = try await store.importing(dryRun: true) { s in
            try await s.beginFile(path: "/data/a.jsonl", format: "jsonl", dataset: "reviews")
            try await s.add(Self.batch(1...3))
        }
        #expect(counts.added == 3)
        #expect(try store.itemCount() == 0)
    }
}
