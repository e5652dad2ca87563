import DuetCore
@testable import DuetStore
import Foundation
import GRDB
import Testing

@Suite struct LabelingTests {
    @Test func aBulkRecordIsAllOrNothingAndStoreErrorsAreClassified() throws {
        let store = try Fixture.store(texts: 2)
        let ids = try (1...2).map { try Fixture.id(store, $0) }
        func accept(_ id: Int64) -> NewAnnotation {
            NewAnnotation(itemRowID: id, task: "sentiment", annotatorKind: .human, annotator: "alice", value: "positive")
        }
        // The last one names no item: none of them is kept.
        #expect(throws: StoreError.unknownItem(999)) { try store.record([accept(ids[0]), accept(ids[1]), accept(999)]) }
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM decisions") == 0)
        try store.record([accept(ids[0]), accept(ids[1])])
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM decisions") == 2)
        // SQLite's codes as the failures the screens act on.
        #expect(StoreFailure(DatabaseError(resultCode: .SQLITE_BUSY)) == .busy)
        #expect(StoreFailure(DatabaseError(resultCode: .SQLITE_FULL)) == .diskFull)
        #expect(StoreFailure(DatabaseError(resultCode: .SQLITE_READONLY)) == .readOnly)
        #expect(StoreFailure(POSIXError(.ENOSPC)) == .diskFull)
    }

    /// Triage's bulk accept and its undo: each one transaction, all or nothing; the undo puts every
    /// item back as it was (no decision, or the person's earlier one), in the decisions table and the log.
    @Test func aBulkUndoIsAllOrNothingAndRestoresEachItem() throws {
        let store = try Fixture.store(texts: 3)
        let ids = try (1...3).map { try Fixture.id(store, $0) }
        func accept(_ id: Int64, at t: Double) -> NewAnnotation {
            NewAnnotation(itemRowID: id, task: "sentiment", annotatorKind: .human, annotator: "alice", value: "pos", createdAt: Fixture.date(t))
        }
        // Alice had said "neg" on the second item before the bulk accept.
        try Fixture.decide(store, item: ids[1], by: "alice", label: "neg", at: 1)
        let accepted = try store.record([accept(ids[0], at: 5), accept(ids[1], at: 5)])
        #expect(accepted.count == 2)
        func values() throws -> [Int64: String] {
            let logs = try store.annotations(itemRowIDs: ids, task: "sentiment")
            var out: [Int64: String] = [:]
            for id in ids { out[id] = Decisions.current(logs[id] ?? []).last?.entry.value?.string }
            return out
        }
        #expect(try values() == [ids[0]: "pos", ids[1]: "pos"])
        // One id that cannot be undone (unknown): nothing is undone.
        #expect(throws: StoreError.notRevocable(999)) { try store.revoke(accepted + [999], at: Fixture.date(6)) }
        #expect(try values() == [ids[0]: "pos", ids[1]: "pos"])
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM annotations WHERE status = 'revoked'") == 0)
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM decisions") == 2)

        #expect(try store.revoke(accepted, at: Fixture.date(6)) == [ids[0], ids[1]])
        #expect(try values() == [ids[1]: "neg"])
        // The decisions table agrees with the log: the first item is open again, the second has Alice's "neg".
        let current = try store.currentDecisions(task: Fixture.sentiment, kind: .human)
        #expect(current.map(\.itemRowID) == [ids[1]])
        #expect(current.first?.value?.string == "neg")
        #expect(try store.nextItem(for: Fixture.sentiment, annotator: "alice")?.rowID == ids[0])
        // Undoing it twice: refused, and nothing changes.
        #expect(throws: StoreError.notRevocable(accepted[0])) { try store.revoke(accepted, at: Fixture.date(7)) }
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM annotations WHERE status = 'revoked'") == 2)
    }

    /// Every way of revoking (undo, bulk undo, a revoked entry recorded directly) leaves the decisions
    /// table equal to what the log says is in force: a changed answer undone brings back the earlier one.
    @Test(arguments: ["undoLast", "revoke", "record"])
    func undoingAChangedAnswerBringsBackTheEarlierOneInTheTableAndTheLog(way: String) throws {
        let store = try Fixture.store(texts: 2)
        let ids = try (1...2).map { try Fixture.id(store, $0) }
        try Fixture.decide(store, item: ids[0], by: "alice", label: "neg", at: 1)
        let changed = try store.record(NewAnnotation(itemRowID: ids[0], task: "sentiment", annotatorKind: .human, annotator: "alice",
                                                     value: "pos", createdAt: Fixture.date(2)))
        switch way {
        case "undoLast": #expect(try store.undoLast(task: "sentiment", annotator: "alice", at: Fixture.date(3)) == ids[0])
        case "revoke": #expect(try store.revoke([changed], at: Fixture.date(3)) == [ids[0]])
        default:
            try store.record(NewAnnotation(itemRowID: ids[0], task: "sentiment", annotatorKind: .human, annotator: "alice", value: nil,
                                           status: .revoked, createdAt: Fixture.date(3), revokes: changed))
        }
        let log = try store.annotations(itemRowIDs: [ids[0]], task: "sentiment")[ids[0]] ?? []
        #expect(Decisions.current(log).map { $0.entry.value?.string } == ["neg"])
        let table = try store.currentDecisions(task: Fixture.sentiment, kind: .human)
        #expect(table.map(\.itemRowID) == [ids[0]])
        #expect(table.first?.value?.string == "neg")
        #expect(try store.taskProgress(Fixture.sentiment).human == 1)
        // The next item is the one nobody decided, not the one whose answer came back.
        #expect(try store.nextItem(for: Fixture.sentiment, annotator: "alice")?.rowID == ids[1])
    }

    /// The file each item came from, as imported (what the side panel shows beside the line).
    @Test func sourceFileIsTheImportsPath() throws {
        let store = try Fixture.store(texts: 2)
        _ = try Fixture.load(store, [Fixture.text(3)], file: "/data/more\u{1B}[2J.jsonl")
        let ids = try (1...3).map { try Fixture.id(store, $0) }
        #expect(try ids.map { try store.sourceFile(itemRowID: $0) } == ["/data/reviews.jsonl", "/data/reviews.jsonl", "/data/more\u{1B}[2J.jsonl"])
        #expect(try store.sourceFile(itemRowID: 999) == nil)
    }

    @Test func labelUndoAndNextItemFlow() throws {
        let store = try Fixture.store(texts: 5)
        let task = Fixture.sentiment
        let ids = try (1...5).map { try Fixture.id(store, $0) }

        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[0])
        for (i, id) in ids.prefix(3).enumerated() {
            try Fixture.decide(store, item: id, by: "alice", at: Double(i + 1))
        }
        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[3])

        // Undo revokes the latest decision: that item is next again.
        #expect(try store.undoLast(task: "sentiment", annotator: "alice", at: Fixture.date(10)) == ids[2])
        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[2])
        // A second undo revokes the one before.
        #expect(try store.undoLast(task: "sentiment", annotator: "alice", at: Fixture.date(11)) == ids[1])
        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[1])
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM decisions") == 1)

        try Fixture.decide(store, item: ids[1], by: "alice", at: 12)
        try Fixture.decide(store, item: ids[2], by: "alice", at: 13)
        // Skip t4: it comes back only after every other item.
        try Fixture.decide(store, item: ids[3], by: "alice", status: .skipped, at: 14)
        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[4])
        try Fixture.decide(store, item: ids[4], by: "alice", at: 15)
        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[3])
        // Bob has no undecided items and no skips of his own.
        #expect(try store.nextItem(for: task, annotator: "bob") == nil)

        try Fixture.decide(store, item: ids[3], by: "alice", at: 16)
        #expect(try store.nextItem(for: task, annotator: "alice") == nil)
        #expect(try store.taskProgress(task).remaining == 0)
    }

    @Test func undoFollowsDecisionTimeThenLogOrder() throws {
        let store = try Fixture.store(texts: 4)
        let ids = try (1...4).map { try Fixture.id(store, $0) }
        try Fixture.decide(store, item: ids[3], by: "alice", at: 1)
        try Fixture.decide(store, item: ids[0], by: "alice", at: 5)
        try Fixture.decide(store, item: ids[2], by: "alice", at: 3)
        // Same second: the later log entry wins.
        try Fixture.decide(store, item: ids[1], by: "alice", status: .skipped, at: 5)
        try Fixture.decide(store, item: ids[2], by: "bob", at: 9)  // someone else's
        let undone = try (0..<4).map { i in
            try store.undoLast(task: "sentiment", annotator: "alice", at: Fixture.date(10 + Double(i)))
        }
        #expect(undone == [ids[1], ids[0], ids[2], ids[3]])
        #expect(try store.undoLast(task: "sentiment", annotator: "alice", at: Fixture.date(20)) == nil)
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM decisions") == 1)
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM annotations WHERE status = 'revoked'") == 4)
    }

    @Test func skippedItemsComeBackOldestSkipFirst() throws {
        let store = try Fixture.store(texts: 4)
        let task = Fixture.sentiment
        let ids = try (1...4).map { try Fixture.id(store, $0) }
        try Fixture.decide(store, item: ids[2], by: "alice", status: .skipped, at: 1)
        try Fixture.decide(store, item: ids[0], by: "alice", status: .skipped, at: 2)
        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[1])
        try Fixture.decide(store, item: ids[1], by: "alice", at: 3)
        try Fixture.decide(store, item: ids[3], by: "alice", at: 4)
        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[2])
        // Once someone else submits the skipped item, it is done.
        try Fixture.decide(store, item: ids[2], by: "bob", at: 5)
        #expect(try store.nextItem(for: task, annotator: "alice")?.rowID == ids[0])
    }

    @Test func itemsDecidedByOthersAreNotOffered() throws {
        let store = try Fixture.store(texts: 3)
        let ids = try (1...3).map { try Fixture.id(store, $0) }
        try Fixture.decide(store, item: ids[0], by: "bob", at: 1)
        try Fixture.decide(store, item: ids[1], by: "carol", status: .skipped, at: 2)
        #expect(try store.nextItem(for: Fixture.sentiment, annotator: "alice")?.rowID == ids[2])
        // Bob's decision on t1 is his own: undoing Alice's nothing changes nothing.
        #expect(try store.undoLast(task: "sentiment", annotator: "alice", at: Fixture.date(3)) == nil)
        #expect(try store.undoLast(task: "sentiment", annotator: "bob", at: Fixture.date(4)) == ids[0])
        #expect(try store.nextItem(for: Fixture.sentiment, annotator: "alice")?.rowID == ids[0])
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

    @Test func taskProgressOnAHandMadeCase() throws {
        let store = try Fixture.store(texts: 6)
        try Fixture.load(store, (1...2).map { Fixture.pair($0) }, dataset: "prefs")
        try Fixture.load(store, [Fixture.text(1, dataset: "other")], dataset: "other")
        let id = try (1...6).map { try Fixture.id(store, $0) }
        let outside = try Fixture.id(store, 1, dataset: "other")

        try Fixture.decide(store, item: id[0], by: "alice", at: 1, seconds: 3, flagged: true)  // human
        try Fixture.decide(store, item: id[1], by: "alice", at: 2, seconds: 9)
        try Fixture.decide(store, item: id[1], by: "alice", at: 3, seconds: 5)  // replaces the 9 s
        try Fixture.decide(store, item: id[1], by: "gpt", kind: .machine, at: 4)  // human wins
        try Fixture.decide(store, item: id[2], by: "gpt", kind: .machine, at: 5)  // machine
        try Fixture.decide(store, item: id[3], by: "bob", status: .skipped, at: 6)  // skipped
        try Fixture.decide(store, item: id[4], by: "bob", status: .skipped, at: 7)
        try Fixture.decide(store, item: id[4], by: "alice", at: 8, seconds: 2)  // human, not skipped
        try Fixture.decide(store, item: id[5], by: "bob", at: 9, seconds: 50, flagged: true)
        try store.undoLast(task: "sentiment", annotator: "bob", at: Fixture.date(10))  // t6 open again
        try Fixture.decide(store, item: outside, by: "alice", at: 11, seconds: 100, flagged: true)  // not covered

        let progress = try store.taskProgress(Fixture.sentiment)
        #expect(progress == TaskProgress(total: 6, human: 3, machine: 1, skipped: 1, remaining: 2,
                                         flagged: 1, humanSeconds: 10, timed: 3))

        #expect(try store.taskProgress(Fixture.preference) == TaskProgress(total: 2, remaining: 2))
        let unsynced = TaskSpec(name: "later", kind: .rate, dataset: "reviews")
        #expect(try store.taskProgress(unsynced) == TaskProgress(total: 6, remaining: 6))
        let everywhere = TaskSpec(name: "later", kind: .rate)
        #expect(try store.taskProgress(everywhere).total == 7)
    }

    @Test func annotationLogKeepsEveryEntryInOrder() throws {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks([Fixture.sentiment, Fixture.preference])
        try Fixture.load(store, [Fixture.text(1, sources: [SourceAnnotation(value: "neg")]), Fixture.text(2)])
        let item = try Fixture.id(store, 1)
        let other = try Fixture.id(store, 2)

        let first = try store.record(NewAnnotation(
            itemRowID: item, task: "sentiment", annotatorKind: .human, annotator: "alice", value: "pos",
            confidence: 0.8, status: .submitted, flagged: true, note: "sarcasm?", createdAt: Fixture.date(1),
            seconds: 4.5, display: .ba))
        try store.undoLast(task: "sentiment", annotator: "alice", at: Fixture.date(2))
        let second = try Fixture.decide(store, item: item, by: "alice", label: "neg", at: 3)
        try store.record(NewAnnotation(itemRowID: item, task: "preference", annotatorKind: .machine,
                                       annotator: "judge", value: 1, votes: [1, 1, 0], entropy: 0.64,
                                       createdAt: Fixture.date(4)))

        let log = try store.annotations(itemRowIDs: [item, other, 12345], task: nil)
        #expect(log[other] == nil)
        #expect(log[12345] == nil)
        let entries = try #require(log[item])
        #expect(entries.map(\.entry.status) == [.submitted, .submitted, .revoked, .submitted, .submitted])
        #expect(entries.map(\.entry.annotator) == ["source:reviews.jsonl", "alice", "alice", "alice", "judge"])
        #expect(entries.map(\.id) == entries.map(\.id).sorted())
        #expect(entries[1] == Annotation(id: first, entry: NewAnnotation(
            itemRowID: item, task: "sentiment", annotatorKind: .human, annotator: "alice", value: "pos",
            confidence: 0.8, status: .submitted, flagged: true, note: "sarcasm?", createdAt: Fixture.date(1),
            seconds: 4.5, display: .ba)))
        #expect(entries[2].entry.revokes == first)
        #expect(entries[2].entry.createdAt == Fixture.date(2))
        #expect(entries[2].entry.task == "sentiment")
        #expect(entries[3].id == second)
        #expect(entries[4].entry.votes == [1, 1, 0])
        #expect(entries[4].entry.entropy == 0.64)

        let sentimentOnly = try store.annotations(itemRowIDs: [item], task: "sentiment")[item] ?? []
        #expect(sentimentOnly.map(\.entry.annotator) == ["source:reviews.jsonl", "alice", "alice", "alice"])
        let unknown = try store.annotations(itemRowIDs: [item], task: "nope")[item] ?? []
        #expect(unknown.map(\.entry.annotatorKind) == [.source])
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
