import DuetCore
@testable import DuetStore
import Foundation
import GRDB
import Testing

@Suite struct TaskTests {
    private func tasks(_ store: SQLiteStore) throws -> [[String]] {
        try store.writer.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT id, name, kind, COALESCE(dataset, '-'), labels FROM tasks ORDER BY id")
                .map { row in [String(row[0] as Int64), row[1], row[2], row[3], row[4]] }
        }
    }

    @Test func syncTasksIsIdempotent() throws {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks([Fixture.sentiment, Fixture.preference])
        let first = try tasks(store)
        #expect(first == [
            ["1", "sentiment", "classify", "reviews", #"["neg","pos"]"#],
            ["2", "preference", "compare", "-", "[]"],
        ])
        try store.syncTasks([Fixture.sentiment, Fixture.preference])
        #expect(try tasks(store) == first)
    }

    @Test func syncTasksUpdatesAndNeverDeletes() throws {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks([Fixture.sentiment, Fixture.preference])
        var changed = Fixture.sentiment
        changed.labels = ["neg", "neu", "pos"]
        changed.kind = .multilabel
        changed.dataset = nil
        try store.syncTasks([changed])
        #expect(try tasks(store) == [
            ["1", "sentiment", "multilabel", "-", #"["neg","neu","pos"]"#],
            ["2", "preference", "compare", "-", "[]"],
        ])
    }
}
