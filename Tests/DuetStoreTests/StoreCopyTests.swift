import DuetCore
import DuetStoreAPI
import Foundation
import StoreConformance
import Testing
@testable import DuetStore

/// `duet store copy` between two SQLite stores (the PostgreSQL side runs the same in DuetPostgresTests):
/// every table moved with its ids, all or nothing, and proved equal.
@Suite struct StoreCopyTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// A store with something in every copied table: imports with a source annotation, people's
    /// decisions (one changed, one undone, one skipped, one flagged), votes (one unparseable), a routing
    /// with an audit, a cached response, overlap 2 on one task.
    static let tasks = CopyFixture.tasks

    /// A store with something in every copied table (`CopyFixture`).
    static func busyStore() async throws -> SQLiteStore {
        let store = try SQLiteStore.inMemory()
        try await CopyFixture.fill(store)
        return store
    }

    static func emptyFile() throws -> (SQLiteStore, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (try SQLiteStore.open(path: dir.appendingPathComponent("copy.db").path), dir)
    }

    @Test func aCopyHoldsEveryTableRowForRowAndProvesIt() async throws {
        let source = try await Self.busyStore()
        let (target, dir) = try Self.emptyFile()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tasks = Self.tasks
        let report = try await StoreCopy.copy(from: source, to: target, tasks: tasks, page: 3)
        for table in StoreTables.copied {
            let a = try await source.rows(of: table, after: nil, limit: 1000)
            let b = try await target.rows(of: table, after: nil, limit: 1000)
            #expect(a == b, "\(table.name)")
            #expect(!a.isEmpty, "\(table.name) has rows to copy")
        }
        let logRows = try await source.rowCount(of: StoreTables.log)
        #expect(report.tables.first { $0.name == "annotations" }?.rows == logRows)
        #expect(report.tasksCompared == 3)
        // What the product reads comes out the same: progress (recounted by the copy's triggers), the
        // queue, the log's reading.
        for task in tasks { #expect(try target.taskProgress(task) == (try source.taskProgress(task))) }
        #expect(try target.currentDecisions(task: Fixture.sentiment, kind: nil) == (try source.currentDecisions(task: Fixture.sentiment, kind: nil)))
        #expect(try target.nextItem(for: Fixture.sentiment, annotator: "cy")?.rowID
                == (try source.nextItem(for: Fixture.sentiment, annotator: "cy")?.rowID))
        #expect(try target.cachedResponse(key: "k1")?.logprobs == [-0.5])
        // New rows get ids past the copied ones.
        let next = try target.record(NewAnnotation(itemRowID: 6, task: "sentiment", annotatorKind: .human, annotator: "cy",
                                                   value: "pos", status: .submitted, createdAt: Fixture.date(9)))
        #expect(next > Int64(logRows))
    }

    @Test func theChecksumSeesAnyChangeInTheLog() async throws {
        let store = try await Self.busyStore()
        let before = try await StoreCopy.checksum(of: StoreTables.log, in: store, page: 4)
        #expect(try await StoreCopy.checksum(of: StoreTables.log, in: store, page: 1000) == before)
        try await store.writer.write { db in try db.execute(sql: "UPDATE annotations SET note = '' WHERE note IS NULL AND id = 3") }
        #expect(try await StoreCopy.checksum(of: StoreTables.log, in: store, page: 4) != before)
    }

    @Test func aStoreHoldingAProjectIsRefusedAndKeepsWhatItHad() async throws {
        let source = try await Self.busyStore()
        let target = try Fixture.store(texts: 2)
        let before = try await target.rowCount(of: StoreTables.log)
        await #expect(throws: StoreError.copyTargetNotEmpty("memory")) {
            _ = try await StoreCopy.copy(from: source, to: target, tasks: [])
        }
        let after = try await target.rowCount(of: StoreTables.log)
        #expect(try target.itemCount() == 2 && after == before)
    }

    @Test func aCopyThatFailsMidwayKeepsNothing() async throws {
        let source = FailingSource(store: try await Self.busyStore(), failAt: "votes")
        let (target, dir) = try Self.emptyFile()
        defer { try? FileManager.default.removeItem(at: dir) }
        await #expect(throws: ExpectedFailure.self) {
            _ = try await StoreCopy.copy(from: source, to: target, tasks: [])
        }
        for table in StoreTables.copied { #expect(try await target.rowCount(of: table) == 0, "\(table.name)") }
        // And it can be run again.
        _ = try await StoreCopy.copy(from: source.store, to: target, tasks: [Fixture.sentiment])
        #expect(try target.itemCount() == 9)
    }

    @Test func aDifferenceIsNamed() async throws {
        let source = try await Self.busyStore()
        let (target, dir) = try Self.emptyFile()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await StoreCopy.copy(from: source, to: target, tasks: [Fixture.sentiment])
        try await target.writer.write { db in try db.execute(sql: "DELETE FROM llm_cache") }
        do {
            _ = try await StoreCopy.verify(source, target, tasks: [Fixture.sentiment])
            Issue.record("a missing row went unnoticed")
        } catch let e as StoreCopy.Mismatch {
            #expect(e.differences == ["llm_cache: 1 rows in the source, 0 in the copy"])
        }
    }
}

/// A source whose reads of one table fail (a connection lost mid-copy).
final class FailingSource: TableAccess, ProgressCounts, @unchecked Sendable {
    let store: SQLiteStore
    let failAt: String
    init(store: SQLiteStore, failAt: String) {
        self.store = store
        self.failAt = failAt
    }
    func rows(of table: StoreTable, after: [ColumnValue]?, limit: Int) async throws -> [[ColumnValue]] {
        if table.name == failAt { throw ExpectedFailure() }
        return try await store.rows(of: table, after: after, limit: limit)
    }
    func rowCount(of table: StoreTable) async throws -> Int { try await store.rowCount(of: table) }
    func beginTableCopy() async throws -> any TableCopySession { try await store.beginTableCopy() }
    func taskProgress(_ task: TaskSpec) async throws -> TaskProgress { try store.taskProgress(task) }
}
