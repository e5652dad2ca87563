import DuetCore
@testable import DuetStore
import Foundation
import GRDB
import Testing

@Suite struct LabelingTests {
    /// The errors SQLite's store throws for refused writes (the conformance suite checks that every backend
    /// refuses them and keeps nothing), and SQLite's codes as the failures the screens act on.
    @Test func storeErrorsAreClassified() throws {
        let store = try Fixture.store(texts: 2)
        let ids = try (1...2).map { try Fixture.id(store, $0) }
        func accept(_ id: Int64) -> NewAnnotation {
            NewAnnotation(itemRowID: id, task: "sentiment", annotatorKind: .human, annotator: "alice", value: "positive")
        }
        #expect(throws: StoreError.unknownItem(999)) { try store.record([accept(ids[0]), accept(ids[1]), accept(999)]) }
        let accepted = try store.record([accept(ids[0]), accept(ids[1])])
        #expect(throws: StoreError.notRevocable(999)) { try store.revoke(accepted + [999], at: Fixture.date(6)) }
        try store.revoke(accepted, at: Fixture.date(6))
        #expect(throws: StoreError.notRevocable(accepted[0])) { try store.revoke(accepted, at: Fixture.date(7)) }
        // SQLite's codes as the failures the screens act on.
        #expect(StoreFailure(DatabaseError(resultCode: .SQLITE_BUSY)) == .busy)
        #expect(StoreFailure(DatabaseError(resultCode: .SQLITE_FULL)) == .diskFull)
        #expect(StoreFailure(DatabaseError(resultCode: .SQLITE_READONLY)) == .readOnly)
        #expect(StoreFailure(POSIXError(.ENOSPC)) == .diskFull)
    }

    @Test func queueCursorFollowsUndoAndNewImports() throws {
        let store = try Fixture.store(texts: 6)
        let task = Fixture.sentiment
        let ids = try (1...6).map { try Fixture.id(store, $0) }
        for (i, id) in ids.enumerated() { try Fixture.decide(store, item: id, by: "alice", at: Double(i)) }
        #expect(try store.nextItem(for: task, annotator: "alice") == nil)
        let parked = try Fixture.count(store, "SELECT after_item FROM queue_cursor")
        #expect(parked == Int(ids[5]))

        // Revoking through the log (not undo) lowers the cursor too.
        let annotationID = try #require(try store.annotations(itemRowIDs: [ids[1]], task: "sentiment")[ids[1]]?.last?.id)
        try store.record(NewAnnotation(itemRowID: ids[1], task: "sentiment", annotatorKind: .human,
                                       annotator: "alice", value: nil, status: .revoked,
                                       createdAt: Fixture.date(20), revokes: annotationID))
        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[1])
        try Fixture.decide(store, item: ids[1], by: "alice", at: 21)

        // Items imported later are found past a parked cursor.
        try Fixture.load(store, [Fixture.text(7)])
        #expect(try store.nextItem(for: task, annotator: "alice")?.item.uid == "t7")

        // A task whose filter changed (other dataset) does not reuse the cursor.
        try Fixture.load(store, [Fixture.text(1, dataset: "other")], dataset: "other")
        var moved = task
        moved.dataset = "other"
        #expect(try store.nextItem(for: moved, annotator: "alice")?.item.dataset == "other")
    }

    @Test func recordRejectsBadEntries() throws {
        let store = try Fixture.store(texts: 1)
        let item = try Fixture.id(store, 1)
        #expect(throws: StoreError.unknownTask("nope")) {
            try Fixture.decide(store, item: item, task: "nope", by: "alice", at: 1)
        }
        #expect(throws: StoreError.unknownItem(999)) {
            try Fixture.decide(store, item: 999, by: "alice", at: 1)
        }
        #expect(throws: StoreError.taskRequired(annotator: "alice", kind: .human)) {
            try store.record(NewAnnotation(itemRowID: item, task: nil, annotatorKind: .human, annotator: "alice",
                                           value: "pos"))
        }
        #expect(throws: StoreError.revokeWithoutTarget(annotator: "alice")) {
            try Fixture.decide(store, item: item, by: "alice", status: .revoked, at: 1)
        }
        #expect(throws: StoreError.unknownTask("nope")) {
            try store.undoLast(task: "nope", annotator: "alice", at: Date())
        }
        // A source annotation without a task is fine, once per annotator.
        let source = NewAnnotation(itemRowID: item, task: nil, annotatorKind: .source, annotator: "source:x",
                                   value: "pos")
        try store.record(source)
        #expect(throws: StoreError.duplicateSourceAnnotation(item: item, annotator: "source:x")) {
            try store.record(source)
        }
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM annotations") == 1)
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM decisions") == 0)
        #expect(StoreError.unknownTask("x").description == "unknown task 'x' (is it declared in duet.toml?)")
    }
}
