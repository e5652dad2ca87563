import DuetCore
import Foundation
import GRDB
import Testing
@testable import DuetStore

/// Overlap: several people label each item; queues keep an item open until
/// enough people decided it and never give it to the same person twice.
@Suite struct OverlapTests {
    static let twice = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews", overlap: 2)

    func store(texts: Int, task: TaskSpec = OverlapTests.twice) throws -> SQLiteStore {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks([task])
        try Fixture.load(store, (1...texts).map { Fixture.text($0) })
        return store
    }

    @Test func anItemStaysOpenUntilTwoPeopleDecidedIt() throws {
        let s = try store(texts: 3)
        let task = Self.twice
        let ids = try (1...3).map { try Fixture.id(s, $0) }
        #expect(try s.nextItem(for: task, annotator: "ana")?.rowID == ids[0])
        try Fixture.decide(s, item: ids[0], by: "ana", at: 1)
        // Ana moves on; Bob still gets the first item; Cleo does not while Bob has it open (two seats taken).
        #expect(try s.nextItem(for: task, annotator: "ana")?.rowID == ids[1])
        #expect(try s.nextItem(for: task, annotator: "bob")?.rowID == ids[0])
        #expect(try s.nextItem(for: task, annotator: "cleo")?.rowID == ids[1])
        try Fixture.decide(s, item: ids[0], by: "bob", label: "neg", at: 2)
        #expect(try s.nextItem(for: task, annotator: "cleo")?.rowID == ids[1])
        let p = try s.taskProgress(task)
        #expect(p.human == 1 && p.complete == 1)

        // Undo reopens the item for everyone, including people whose cursor passed it.
        try Fixture.decide(s, item: ids[1], by: "cleo", at: 3)
        #expect(try s.undoLast(task: "sentiment", annotator: "bob", at: Fixture.date(4)) == ids[0])
        try s.releaseLeases(task: nil, annotator: "bob")  // Bob quits
        #expect(try s.nextItem(for: task, annotator: "cleo")?.rowID == ids[0])
        #expect(try s.nextItem(for: task, annotator: "ana")?.rowID == ids[1])  // Ana did the first one already
        #expect(try s.taskProgress(task).complete == 0)
    }

    @Test func aPersonWhoDecidedEverythingOpenGetsNothingElse() throws {
        let s = try store(texts: 2)
        let ids = try (1...2).map { try Fixture.id(s, $0) }
        for (i, id) in ids.enumerated() { try Fixture.decide(s, item: id, by: "ana", at: Double(i)) }
        #expect(try s.nextItem(for: Self.twice, annotator: "ana") == nil)
        #expect(try s.nextItem(for: Self.twice, annotator: "bob")?.rowID == ids[0])
        // A machine's decision closes an item for people (it was not routed to them).
        try Fixture.decide(s, item: ids[0], by: "m", kind: .machine, at: 5)
        #expect(try s.nextItem(for: Self.twice, annotator: "bob")?.rowID == ids[1])
    }

    @Test func routedItemsStayPendingUntilEnoughPeopleDecided() throws {
        let s = try store(texts: 3)
        let entries = (1...3).map { id in
            RouteEntry(itemRowID: Int64(id), route: .human, score: Double(id), machineLabel: "pos", annotator: "m",
                       votes: [MachineVote(annotator: "m", variant: "v", label: "pos", confidence: nil)], entropy: 0, confidence: nil)
        }
        try s.applyRouting(entries, task: "sentiment", at: Fixture.date(0))
        #expect(try s.nextItem(for: Self.twice, annotator: "ana")?.rowID == 3)  // most uncertain first
        try Fixture.decide(s, item: 3, by: "ana", at: 1)
        #expect(try s.routes(task: Self.twice)[3]?.pending == true)
        #expect(try s.nextItem(for: Self.twice, annotator: "ana")?.rowID == 2)
        #expect(try s.nextItem(for: Self.twice, annotator: "bob")?.rowID == 3)
        try Fixture.decide(s, item: 3, by: "bob", at: 2)
        #expect(try s.routes(task: Self.twice)[3]?.pending == false)

        // Lowering the overlap in duet.toml settles items one person already labeled.
        var once = Self.twice
        once.overlap = 1
        try Fixture.decide(s, item: 2, by: "ana", at: 3)
        #expect(try s.routes(task: once)[2]?.pending == true)
        try s.syncTasks([once])
        #expect(try s.routes(task: once)[2]?.pending == false)
        #expect(try s.nextItem(for: once, annotator: "bob")?.rowID == 1)
    }

    @Test func raisingTheOverlapReopensItemsForOthers() throws {
        var once = Self.twice
        once.overlap = 1
        let s = try store(texts: 2, task: once)
        let ids = try (1...2).map { try Fixture.id(s, $0) }
        try Fixture.decide(s, item: ids[0], by: "ana", at: 1)
        #expect(try s.nextItem(for: once, annotator: "bob")?.rowID == ids[1])
        try s.syncTasks([Self.twice])
        #expect(try s.nextItem(for: Self.twice, annotator: "bob")?.rowID == ids[0])
        #expect(try s.nextItem(for: Self.twice, annotator: "ana")?.rowID == ids[1])
        #expect(try Fixture.count(s, "SELECT overlap FROM tasks WHERE name = 'sentiment'") == 2)
    }
}
