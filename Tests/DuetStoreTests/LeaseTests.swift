import DuetCore
import Foundation
import GRDB
import Testing
@testable import DuetStore

/// Two people on one task are never given the same item at once.
@Suite struct LeaseTests {
    let task = Fixture.sentiment

    @Test func peopleLabelingAtOnceGetDifferentItems() throws {
        let s = try Fixture.store(texts: 5)
        let ids = try (1...5).map { try Fixture.id(s, $0) }
        let t0 = Fixture.date(0)
        #expect(try s.nextItem(for: task, annotator: "ana", at: t0)?.rowID == ids[0])
        #expect(try s.nextItem(for: task, annotator: "bob", at: t0)?.rowID == ids[1])
        #expect(try s.nextItem(for: task, annotator: "cleo", at: t0)?.rowID == ids[2])
        // Asking again gives ana her own item back (her lease is renewed, not a new item).
        #expect(try s.nextItem(for: task, annotator: "ana", at: t0)?.rowID == ids[0])
        try Fixture.decide(s, item: ids[0], by: "ana", at: 1)
        #expect(try s.nextItem(for: task, annotator: "ana", at: t0)?.rowID == ids[3])
        // Bob quits without deciding: his item goes to the next person who asks.
        try s.releaseLeases(task: nil, annotator: "bob")
        #expect(try s.nextItem(for: task, annotator: "dan", at: t0)?.rowID == ids[1])
        #expect(try Fixture.count(s, "SELECT COUNT(*) FROM leases") == 3)  // ana t4, cleo t3, dan t2
    }

    @Test func aForgottenLeaseExpires() throws {
        let s = try Fixture.store(texts: 2)
        let ids = try (1...2).map { try Fixture.id(s, $0) }
        #expect(try s.nextItem(for: task, annotator: "ana", at: Fixture.date(0))?.rowID == ids[0])
        #expect(try s.nextItem(for: task, annotator: "bob", at: Fixture.date(60))?.rowID == ids[1])
        let later = Fixture.date(SQLiteStore.leaseSeconds + 1)
        #expect(try s.nextItem(for: task, annotator: "cleo", at: later)?.rowID == ids[0])
    }

    @Test func theQueueCursorDoesNotSkipAnItemSomeoneHasOpen() throws {
        let s = try Fixture.store(texts: 3)
        let ids = try (1...3).map { try Fixture.id(s, $0) }
        let t0 = Fixture.date(0)
        _ = try s.nextItem(for: task, annotator: "ana", at: t0)  // t1, open
        #expect(try s.nextItem(for: task, annotator: "bob", at: t0)?.rowID == ids[1])
        try Fixture.decide(s, item: ids[1], by: "bob", at: 1)
        #expect(try s.nextItem(for: task, annotator: "bob", at: t0)?.rowID == ids[2])
        // Ana leaves t1 undecided: it is offered again, though later items were decided.
        try s.releaseLeases(task: "sentiment", annotator: "ana")
        #expect(try s.nextItem(for: task, annotator: "cleo", at: t0)?.rowID == ids[0])
    }

    @Test func routedItemsAndOverlapCountOpenSeats() throws {
        let s = try Fixture.store(texts: 3)
        let entries = (1...3).map { id in
            RouteEntry(itemRowID: Int64(id), route: .human, score: Double(id), machineLabel: "pos", annotator: "m",
                       votes: [MachineVote(annotator: "m", variant: "v", label: "pos", confidence: nil)], entropy: 0, confidence: nil)
        }
        try s.applyRouting(entries, task: "sentiment", at: Fixture.date(0))
        let t0 = Fixture.date(0)
        #expect(try s.nextItem(for: task, annotator: "ana", at: t0)?.rowID == 3)
        #expect(try s.nextItem(for: task, annotator: "bob", at: t0)?.rowID == 2)

        var twice = task
        twice.overlap = 2
        try s.syncTasks([twice])
        // Two seats per item: cleo joins ana on item 3; dan finds 3 full (ana and cleo) and takes 2 beside bob.
        #expect(try s.nextItem(for: twice, annotator: "cleo", at: t0)?.rowID == 3)
        #expect(try s.nextItem(for: twice, annotator: "dan", at: t0)?.rowID == 2)
        #expect(try s.nextItem(for: twice, annotator: "eve", at: t0)?.rowID == 1)
    }

    @Test func overlapTwoWithoutRoutingFillsSeatsInOrder() throws {
        var twice = task
        twice.overlap = 2
        let s = try SQLiteStore.inMemory()
        try s.syncTasks([twice])
        try Fixture.load(s, (1...3).map { Fixture.text($0) })
        let ids = try (1...3).map { try Fixture.id(s, $0) }
        let t0 = Fixture.date(0)
        #expect(try s.nextItem(for: twice, annotator: "ana", at: t0)?.rowID == ids[0])
        #expect(try s.nextItem(for: twice, annotator: "bob", at: t0)?.rowID == ids[0])
        #expect(try s.nextItem(for: twice, annotator: "cleo", at: t0)?.rowID == ids[1])
        try Fixture.decide(s, item: ids[0], by: "ana", at: 1)
        // Ana's seat on t1 is now her decision; bob still holds the other one.
        #expect(try s.nextItem(for: twice, annotator: "dan", at: t0)?.rowID == ids[1])
        #expect(try s.nextItem(for: twice, annotator: "eve", at: t0)?.rowID == ids[2])
    }
}
