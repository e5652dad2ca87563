import DuetCore
import DuetStoreAPI
import Foundation
import Testing

/// The labeling queue: order, skips, routed items, overlap, undo.
extension StoreConformance {
    static let twice = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews", overlap: 2)

    static let queueCases: [ConformanceCase] = [
        ConformanceCase("theQueueServesRowOrderAndUndoPutsItemsBack") { store in
            try await Setup.texts(store, 5)
            let ids = try await Setup.ids(store, 1...5)
            #expect(try await Setup.next(store, "alice") == ids[0])
            for (i, id) in ids.prefix(3).enumerated() { try await Setup.decide(store, item: id, by: "alice", at: Double(i + 1)) }
            #expect(try await Setup.next(store, "alice") == ids[3])
            // Undo revokes the latest decision: that item is next again; a second undo the one before.
            #expect(try await store.undoLast(task: "sentiment", annotator: "alice", at: Setup.date(10)) == ids[2])
            #expect(try await Setup.next(store, "alice") == ids[2])
            #expect(try await store.undoLast(task: "sentiment", annotator: "alice", at: Setup.date(11)) == ids[1])
            #expect(try await Setup.next(store, "alice") == ids[1])
            #expect(try await store.currentDecisions(task: Setup.sentiment).map(\.itemRowID) == [ids[0]])
            try await Setup.decide(store, item: ids[1], by: "alice", at: 12)
            try await Setup.decide(store, item: ids[2], by: "alice", at: 13)
            // A skipped item comes back only after every other item.
            try await Setup.decide(store, item: ids[3], by: "alice", status: .skipped, at: 14)
            #expect(try await Setup.next(store, "alice") == ids[4])
            try await Setup.decide(store, item: ids[4], by: "alice", at: 15)
            #expect(try await Setup.next(store, "alice") == ids[3])
            // Bob has no undecided items and no skips of his own.
            #expect(try await Setup.next(store, "bob") == nil)
            try await Setup.decide(store, item: ids[3], by: "alice", at: 16)
            #expect(try await Setup.next(store, "alice") == nil)
            #expect(try await store.taskProgress(Setup.sentiment).remaining == 0)
        },

        ConformanceCase("skippedItemsComeBackLastOldestSkipFirst") { store in
            try await Setup.texts(store, 4)
            let ids = try await Setup.ids(store, 1...4)
            try await Setup.decide(store, item: ids[2], by: "alice", status: .skipped, at: 1)
            try await Setup.decide(store, item: ids[0], by: "alice", status: .skipped, at: 2)
            #expect(try await Setup.next(store, "alice") == ids[1])
            try await Setup.decide(store, item: ids[1], by: "alice", at: 3)
            try await Setup.decide(store, item: ids[3], by: "alice", at: 4)
            #expect(try await Setup.next(store, "alice") == ids[2])
            // Once someone else submits the skipped item, it is done.
            try await Setup.decide(store, item: ids[2], by: "bob", at: 5)
            #expect(try await Setup.next(store, "alice") == ids[0])
        },

        ConformanceCase("undoFollowsDecisionTimeThenLogOrder") { store in
            try await Setup.texts(store, 4)
            let ids = try await Setup.ids(store, 1...4)
            try await Setup.decide(store, item: ids[3], by: "alice", at: 1)
            try await Setup.decide(store, item: ids[0], by: "alice", at: 5)
            try await Setup.decide(store, item: ids[2], by: "alice", at: 3)
            // Same second: the later log entry wins.
            try await Setup.decide(store, item: ids[1], by: "alice", status: .skipped, at: 5)
            try await Setup.decide(store, item: ids[2], by: "bob", at: 9)  // someone else's
            var undone: [Int64?] = []
            for i in 0..<4 { undone.append(try await store.undoLast(task: "sentiment", annotator: "alice", at: Setup.date(10 + Double(i)))) }
            #expect(undone == [ids[1], ids[0], ids[2], ids[3]])
            #expect(try await store.undoLast(task: "sentiment", annotator: "alice", at: Setup.date(20)) == nil)
            #expect(try await store.currentDecisions(task: Setup.sentiment).map(\.annotator) == ["bob"])
            let log = try await store.annotations(itemRowIDs: ids, task: "sentiment").values.flatMap { $0 }
            #expect(log.filter { $0.entry.status == .revoked }.count == 4)
        },

        ConformanceCase("itemsDecidedByOthersAreNotOffered") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            try await Setup.decide(store, item: ids[0], by: "bob", at: 1)
            try await Setup.decide(store, item: ids[1], by: "carol", status: .skipped, at: 2)
            #expect(try await Setup.next(store, "alice") == ids[2])
            // Alice has nothing to undo; Bob's undo reopens his item for her.
            #expect(try await store.undoLast(task: "sentiment", annotator: "alice", at: Setup.date(3)) == nil)
            #expect(try await store.undoLast(task: "sentiment", annotator: "bob", at: Setup.date(4)) == ids[0])
            #expect(try await Setup.next(store, "alice") == ids[0])
        },

        ConformanceCase("theQueueFindsRevokedAndNewlyImportedItems") { store in
            try await Setup.texts(store, 6)
            let ids = try await Setup.ids(store, 1...6)
            for (i, id) in ids.enumerated() { try await Setup.decide(store, item: id, by: "alice", at: Double(i)) }
            #expect(try await Setup.next(store, "alice") == nil)
            // Revoking through the log (not undo) reopens the item.
            let annotationID = try #require(try await store.annotations(itemRowIDs: [ids[1]], task: "sentiment")[ids[1]]?.last?.id)
            try await store.record(NewAnnotation(itemRowID: ids[1], task: "sentiment", annotatorKind: .human, annotator: "alice",
                                                 value: nil, status: .revoked, createdAt: Setup.date(20), revokes: annotationID))
            #expect(try await Setup.next(store, "alice") == ids[1])
            try await Setup.decide(store, item: ids[1], by: "alice", at: 21)
            // Items imported later are found.
            try await Setup.load(store, [Setup.text(7)])
            #expect(try await store.nextItem(for: Setup.sentiment, annotator: "alice")?.item.uid == "t7")
            // A task whose dataset changed serves its new items.
            try await Setup.load(store, [Setup.text(1, dataset: "other")], file: "/d/o.jsonl", dataset: "other")
            var moved = Setup.sentiment
            moved.dataset = "other"
            try await store.syncTasks([moved])
            #expect(try await store.nextItem(for: moved, annotator: "alice")?.item.dataset == "other")
        },

        ConformanceCase("routedItemsGoToPeopleMostUncertainFirst") { store in
            try await Setup.texts(store, 5)
            let ids = try await Setup.ids(store, 1...5)
            try await store.applyRouting([Setup.route(ids[0], .machine, score: 0.1), Setup.route(ids[1], .human, score: 0.9),
                                          Setup.route(ids[2], .audit, score: 0.2), Setup.route(ids[3], .human, score: 1.5),
                                          Setup.route(ids[4], .machine, score: 0)], task: "sentiment", at: Setup.date(0))
            // People: 4 (most uncertain), then 2, then the audit 3.
            #expect(try await Setup.next(store, "ana") == ids[3])
            let p = try await store.taskProgress(Setup.sentiment)
            // 1 and 5 are the machine's; the audit 3 keeps the machine's label but waits for people.
            #expect(p.machine == 2 && p.auditsOpen == 1 && p.remaining == 3)
            try await Setup.decide(store, item: ids[3], by: "ana", label: "neg", at: 1)
            #expect(try await Setup.next(store, "ana") == ids[1])
            try await Setup.decide(store, item: ids[1], by: "ana", label: "neg", at: 2)
            #expect(try await Setup.next(store, "ana") == ids[2])
            // Undo puts the item back in the queue.
            #expect(try await store.undoLast(task: "sentiment", annotator: "ana", at: Setup.date(3)) == ids[1])
            #expect(try await Setup.next(store, "ana") == ids[1])
            let routes = try await store.routes(task: Setup.sentiment)
            #expect(routes[ids[3]]?.pending == false && routes[ids[1]]?.pending == true)
            #expect(routes[ids[0]]?.route == .machine && routes[ids[0]]?.pending == false)
            #expect(routes[ids[2]]?.route == .audit && routes[ids[2]]?.pending == true)
            // A person labels the audit: theirs now; the machine's count does not move.
            try await Setup.decide(store, item: ids[2], by: "ana", label: "neg", at: 4)
            let after = try await store.taskProgress(Setup.sentiment)
            #expect(after.machine == 2 && after.auditsOpen == 0 && after.human == 2 && after.remaining == 1)
            #expect(after == (try await ProgressScan.expected(store, Setup.sentiment)))
            #expect(try await store.routes(task: Setup.sentiment, route: .audit).keys.sorted() == [ids[2]])
        },

        ConformanceCase("overlapKeepsAnItemOpenUntilKPeopleDecidedIt") { store in
            try await Setup.texts(store, 3, tasks: [twice])
            let ids = try await Setup.ids(store, 1...3)
            #expect(try await Setup.next(store, twice, "ana") == ids[0])
            try await Setup.decide(store, item: ids[0], by: "ana", at: 1)
            // Ana moves on; Bob still gets the first item; Cleo does not while Bob has it open (two seats taken).
            #expect(try await Setup.next(store, twice, "ana") == ids[1])
            #expect(try await Setup.next(store, twice, "bob") == ids[0])
            #expect(try await Setup.next(store, twice, "cleo") == ids[1])
            try await Setup.decide(store, item: ids[0], by: "bob", label: "neg", at: 2)
            #expect(try await Setup.next(store, twice, "cleo") == ids[1])
            let p = try await store.taskProgress(twice)
            #expect(p.human == 1 && p.complete == 1)
            // Undo reopens the item for everyone, including people whose place in the queue passed it.
            try await Setup.decide(store, item: ids[1], by: "cleo", at: 3)
            #expect(try await store.undoLast(task: "sentiment", annotator: "bob", at: Setup.date(4)) == ids[0])
            try await store.releaseLeases(task: nil, annotator: "bob")
            #expect(try await Setup.next(store, twice, "cleo") == ids[0])
            #expect(try await Setup.next(store, twice, "ana") == ids[1])  // Ana did the first one already
            #expect(try await store.taskProgress(twice).complete == 0)
        },

        ConformanceCase("overlapNeverGivesAPersonAnItemTwice") { store in
            try await Setup.texts(store, 2, tasks: [twice])
            let ids = try await Setup.ids(store, 1...2)
            for (i, id) in ids.enumerated() { try await Setup.decide(store, item: id, by: "ana", at: Double(i)) }
            #expect(try await Setup.next(store, twice, "ana") == nil)
            #expect(try await Setup.next(store, twice, "bob") == ids[0])
            // A machine's decision closes an item for people (it was not routed to them).
            try await Setup.decide(store, item: ids[0], by: "m", kind: .machine, at: 5)
            #expect(try await Setup.next(store, twice, "bob") == ids[1])
            try await Setup.decide(store, item: ids[1], by: "bob", at: 6)
            #expect(try await Setup.next(store, twice, "bob") == nil)
            #expect(try await Setup.next(store, twice, "ana") == nil)
        },

        ConformanceCase("overlapRoutedItemsStayPendingUntilEnoughPeopleDecided") { store in
            try await Setup.texts(store, 3, tasks: [twice])
            let ids = try await Setup.ids(store, 1...3)
            try await store.applyRouting(ids.enumerated().map { Setup.route($0.element, .human, score: Double($0.offset + 1)) },
                                         task: "sentiment", at: Setup.date(0))
            #expect(try await Setup.next(store, twice, "ana") == ids[2])  // most uncertain first
            try await Setup.decide(store, item: ids[2], by: "ana", at: 1)
            #expect(try await store.routes(task: twice)[ids[2]]?.pending == true)
            #expect(try await Setup.next(store, twice, "ana") == ids[1])
            #expect(try await Setup.next(store, twice, "bob") == ids[2])
            try await Setup.decide(store, item: ids[2], by: "bob", at: 2)
            #expect(try await store.routes(task: twice)[ids[2]]?.pending == false)
            // Lowering the overlap settles items one person already labeled.
            var once = twice
            once.overlap = 1
            try await Setup.decide(store, item: ids[1], by: "ana", at: 3)
            #expect(try await store.routes(task: once)[ids[1]]?.pending == true)
            try await store.syncTasks([once])
            #expect(try await store.routes(task: once)[ids[1]]?.pending == false)
            #expect(try await Setup.next(store, once, "bob") == ids[0])
        },

        ConformanceCase("raisingTheOverlapReopensItemsForOthers") { store in
            var once = twice
            once.overlap = 1
            try await Setup.texts(store, 2, tasks: [once])
            let ids = try await Setup.ids(store, 1...2)
            try await Setup.decide(store, item: ids[0], by: "ana", at: 1)
            #expect(try await Setup.next(store, once, "bob") == ids[1])
            try await store.syncTasks([twice])
            #expect(try await Setup.next(store, twice, "bob") == ids[0])
            #expect(try await Setup.next(store, twice, "ana") == ids[1])
            #expect(try await store.isCurrent(tasks: [twice]))
        },
    ]

    static let leaseCases: [ConformanceCase] = [
        ConformanceCase("peopleAskingInTurnNeverGetTheSameItem") { store in
            try await Setup.texts(store, 5)
            let ids = try await Setup.ids(store, 1...5)
            #expect(try await Setup.next(store, "ana") == ids[0])
            #expect(try await Setup.next(store, "bob") == ids[1])
            #expect(try await Setup.next(store, "cleo") == ids[2])
            // Asking again gives ana her own item back (her lease is renewed, not a new item).
            #expect(try await Setup.next(store, "ana") == ids[0])
            try await Setup.decide(store, item: ids[0], by: "ana", at: 1)
            #expect(try await Setup.next(store, "ana") == ids[3])
            // Bob quits without deciding: his item goes to the next person who asks.
            try await store.releaseLeases(task: nil, annotator: "bob")
            #expect(try await Setup.next(store, "dan") == ids[1])
            #expect(try await Setup.next(store, "eve") == ids[4])
            #expect(try await Setup.next(store, "fay") == nil)  // all five are open or decided
        },

        ConformanceCase("releasedLeasesGiveTheItemBackBeforeLaterOnes") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            #expect(try await Setup.next(store, "ana") == ids[0])
            #expect(try await Setup.next(store, "bob") == ids[1])
            try await Setup.decide(store, item: ids[1], by: "bob", at: 1)
            #expect(try await Setup.next(store, "bob") == ids[2])
            // Ana leaves t1 undecided: it is offered again, though later items were decided.
            try await store.releaseLeases(task: "sentiment", annotator: "ana")
            #expect(try await Setup.next(store, "cleo") == ids[0])
            // Releasing in another task gives nothing back here.
            try await store.releaseLeases(task: "preference", annotator: "cleo")
            #expect(try await Setup.next(store, "dan") == nil)
        },

        ConformanceCase("leasesCountOpenSeatsOnRoutedAndOverlapItems") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            try await store.applyRouting(ids.enumerated().map { Setup.route($0.element, .human, score: Double($0.offset + 1)) },
                                         task: "sentiment", at: Setup.date(0))
            #expect(try await Setup.next(store, "ana") == ids[2])
            #expect(try await Setup.next(store, "bob") == ids[1])
            try await store.syncTasks([twice])
            // Two seats per item: cleo joins ana on 3; dan finds 3 full and takes 2 beside bob; eve gets 1.
            #expect(try await Setup.next(store, twice, "cleo") == ids[2])
            #expect(try await Setup.next(store, twice, "dan") == ids[1])
            #expect(try await Setup.next(store, twice, "eve") == ids[0])
        },

        ConformanceCase("overlapTwoWithoutRoutingFillsSeatsInOrder") { store in
            try await Setup.texts(store, 3, tasks: [twice])
            let ids = try await Setup.ids(store, 1...3)
            #expect(try await Setup.next(store, twice, "ana") == ids[0])
            #expect(try await Setup.next(store, twice, "bob") == ids[0])
            #expect(try await Setup.next(store, twice, "cleo") == ids[1])
            try await Setup.decide(store, item: ids[0], by: "ana", at: 1)
            // Ana's seat on t1 is now her decision; bob still holds the other one.
            #expect(try await Setup.next(store, twice, "dan") == ids[1])
            #expect(try await Setup.next(store, twice, "eve") == ids[2])
        },
    ]
}
