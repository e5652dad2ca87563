import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO
import Testing
@testable import DuetPostgres

/// Recording and asking under concurrency on PostgreSQL: what keeps 8 people from queuing on each other.
extension PostgresServerTests {
    /// Every decision of a task, dataset and kind moves one shared `progress` row. A transaction that has
    /// recorded a decision and not yet committed must not hold that row: another person's decision on another
    /// item goes through meanwhile (the counts move at commit, PostgresSchema.recording), and the counts equal
    /// a scan once both committed. Before, the count trigger locked the row at the decision and held it to the
    /// commit: every other person's decision waited (here: past the write wait, a busy error).
    @Test func anOpenDecisionDoesNotHoldUpAnotherPersonsDecision() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 3)
            // The task's progress row exists (made by a first decision).
            try await pg.record(QueueFixture.decision(3, by: "cat", at: 0))
            try await pg.setWriteWait(seconds: 0.5)
            let held = try await pg.pool.connect().connection
            do {
                try await held.execute("BEGIN")
                _ = try await PostgresStore.record(held, [QueueFixture.decision(1, by: "ann", at: 1)])
                // ann's transaction is open: bob's decision is not held up by it.
                try await pg.record(QueueFixture.decision(2, by: "bob", at: 2))
                try await held.execute("COMMIT")
            } catch {
                try? await held.close()
                throw error
            }
            try await held.close()
            let progress = try await QueueFixture.progressAndScan(pg)
            #expect(progress.kept == progress.scanned)
            #expect(try await pg.taskProgress(QueueFixture.sentiment).human == 3)
        }
    }

    /// The schema's recording refuses in a person's words (SQLSTATE class DU), never with the "doing" prefix or
    /// the SQLSTATE of a server failure, and such a refusal is not `busy`.
    @Test func recordingRefusalsAreWordedAsSQLitesAndAreNotBusy() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 1)
            do {
                try await pg.record(QueueFixture.decision(1, task: "nope", by: "ann", at: 1))
                Issue.record("recorded a decision of an unknown task")
            } catch let error as PostgresStoreError {
                #expect(error.description == "unknown task 'nope' (is it declared in duet.toml?)")
                #expect(error.storeFailure == .other(error.description))
            }
            let source = NewAnnotation(itemRowID: 1, task: nil, annotatorKind: .source, annotator: "src", value: "pos")
            try await pg.record(source)
            await #expect { try await pg.record(source) } throws: {
                "\($0)" == "item 1 already has a source annotation by 'src'"
            }
        }
    }

    /// The task's queue cursor is one row everyone's `nextItem` moves. While another asker's transaction holds it,
    /// a `nextItem` leaves it where it is (lower is never wrong) and is served; before, it waited for that
    /// transaction's commit (here: past the write wait, a busy error), so 8 labelers' asks went one at a time.
    @Test func anAskerHoldingTheQueueCursorDoesNotHoldUpTheNext() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 5)
            let task = QueueFixture.sentiment
            // The cursor row exists (moved past item 1, decided before anyone asked).
            try await pg.record(QueueFixture.decision(1, by: "cat", at: 0))
            #expect(try await pg.nextItem(for: task, annotator: "ann", at: QueueFixture.date(1))?.rowID == 2)
            #expect(try await QueueFixture.count(pg, "SELECT after_item FROM queue_cursor") == 1)
            try await pg.record(QueueFixture.decision(2, by: "ann", at: 2))
            try await pg.setWriteWait(seconds: 0.5)
            let held = try await pg.pool.connect().connection
            do {
                try await held.execute("BEGIN")
                try await held.execute("SELECT 1 FROM queue_cursor FOR UPDATE")
                // The cursor would move past item 2; its row is held: bob is served all the same.
                #expect(try await pg.nextItem(for: task, annotator: "bob", at: QueueFixture.date(3))?.rowID == 3)
                try await held.execute("COMMIT")
            } catch {
                try? await held.close()
                throw error
            }
            try await held.close()
            // Once free, the cursor moves on, and nobody is given an item twice.
            #expect(try await pg.nextItem(for: task, annotator: "cat", at: QueueFixture.date(4))?.rowID == 4)
            #expect(try await QueueFixture.count(pg, "SELECT after_item FROM queue_cursor") == 2)
        }
    }
}

/// A routing written while a person decides the same item.
extension PostgresServerTests {
    /// `duet route` changes the route of an item a person is deciding at that moment: the routing's write waits
    /// for the person's transaction (it holds the item's route row), and once both committed the item is not
    /// pending any more — it was decided. Before, the routing counted the item's people in the snapshot of its
    /// upsert, taken before it waited, missed the decision and left a decided item pending (found by 8 labeler
    /// processes beside `duet route`: one item of 2,000 in two of four runs).
    @Test func aRoutingWrittenWhileAPersonDecidesTheItemLeavesItDecided() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 3)
            let task = QueueFixture.sentiment
            func route(score: Double) -> [RouteEntry] {
                [RouteEntry(itemRowID: 1, route: .human, score: score, machineLabel: nil, annotator: "m", votes: [], entropy: score, confidence: nil)]
            }
            try await pg.applyRouting(route(score: 0.5), task: task.name, at: QueueFixture.date(1))
            #expect(try await pg.routes(task: task)[1]?.pending == true)
            try await pg.setWriteWait(seconds: 60)
            let held = try await pg.pool.connect().connection
            do {
                try await held.execute("BEGIN")
                _ = try await PostgresStore.record(held, [QueueFixture.decision(1, by: "ann", at: 2)])
                // The re-route waits on the item's route row, which ann's open transaction holds.
                async let rerouted: Void = pg.applyRouting(route(score: 0.9), task: task.name, at: QueueFixture.date(3))
                #expect(try await QueueFixture.lockWaits(pg) == 1, "the routing never waited for ann's transaction")
                try await held.execute("COMMIT")
                try await rerouted
            } catch {
                try? await held.close()
                throw error
            }
            try await held.close()
            let stored = try #require(try await pg.routes(task: task)[1])
            #expect(stored.score == 0.9 && stored.route == .human)
            #expect(!stored.pending, "a decided item left pending for people")
            #expect(try await pg.nextItem(for: task, annotator: "bob", at: QueueFixture.date(4))?.rowID != 1)
        }
    }

    /// A re-route does not hold people up while it is under way: between its chunks (its transaction open), a
    /// person decides items whose routes it has already changed, within a short write wait. Before, each chunk's
    /// routes were upserted as it was read, and the rows stayed locked to the commit: the person's decision
    /// (`duet_apply` locks the item's route row) waited for the whole routing and failed as busy. The routes are
    /// now staged and written at the end, counted after: the item a person decided meanwhile is not pending.
    @Test func aPersonDecidesItemsOfARoutingWhileItIsUnderWay() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 4)
            let task = QueueFixture.sentiment
            func entry(_ item: Int64, _ route: Route, score: Double) -> RouteEntry {
                RouteEntry(itemRowID: item, route: route, score: score, machineLabel: "neg", annotator: "m", votes: [], entropy: score, confidence: nil)
            }
            try await pg.applyRouting((1...4).map { entry($0, .human, score: 0.5) }, task: task.name, at: QueueFixture.date(1))
            try await pg.setWriteWait(seconds: 0.5)
            // Items 1 and 2 go to the machine, 3 and 4 stay with people at another score; two entries a chunk.
            let rerouting = [entry(1, .machine, score: 0.1), entry(2, .machine, score: 0.1), entry(3, .human, score: 0.9), entry(4, .human, score: 0.9)]
            let decided = Collected<Int64>()
            try await pg.applyRouting(rerouting, task: task.name, at: QueueFixture.date(2), chunk: 2) { chunk in
                let item = Int64(chunk == 1 ? 1 : 3)
                _ = try await pg.record(QueueFixture.decision(item, by: "ann", at: 2 + Double(chunk)))
                decided.append(item)
            }
            #expect(decided.values == [1, 3])
            let routes = try await pg.routes(task: task)
            #expect(routes.mapValues(\.route) == [1: .machine, 2: .machine, 3: .human, 4: .human])
            #expect(routes.mapValues(\.pending) == [1: false, 2: false, 3: false, 4: true], "item 3 was decided during the routing")
            #expect(Set(try await pg.currentDecisions(task: task, kind: .human).map(\.itemRowID)) == [1, 3])
            #expect(Set(try await pg.currentDecisions(task: task, kind: .machine).map(\.itemRowID)) == [1, 2])
            let progress = try await QueueFixture.progressAndScan(pg)
            #expect(progress.kept == progress.scanned)
            #expect(try await pg.nextItem(for: task, annotator: "bob", at: QueueFixture.date(9))?.rowID == 4)
        }
    }

    /// With overlap 2, two people decide one routed item at once: the second waits for the first's transaction
    /// (it holds the item's route row), and once both committed the item is not pending any more. Before, the
    /// second counted the item's people in a snapshot taken before its wait, saw only its own decision, and left
    /// the item pending with two decisions.
    @Test func twoPeopleDecidingOneItemAtOnceLeaveItDecided() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 3)
            let task = QueueFixture.pairs
            #expect(task.overlap == 2)
            let entry = RouteEntry(itemRowID: 1, route: .human, score: 0.5, machineLabel: nil, annotator: "m", votes: [], entropy: 0.5, confidence: nil)
            try await pg.applyRouting([entry], task: task.name, at: QueueFixture.date(1))
            try await pg.setWriteWait(seconds: 60)
            let held = try await pg.pool.connect().connection
            do {
                try await held.execute("BEGIN")
                _ = try await PostgresStore.record(held, [QueueFixture.decision(1, task: task.name, by: "ann", at: 2)])
                async let bobs = pg.record(QueueFixture.decision(1, task: task.name, by: "bob", at: 3))
                #expect(try await QueueFixture.lockWaits(pg) == 1, "bob's decision never waited for ann's transaction")
                try await held.execute("COMMIT")
                _ = try await bobs
            } catch {
                try? await held.close()
                throw error
            }
            try await held.close()
            #expect(try await pg.routes(task: task)[1]?.pending == false, "an item two people decided left pending")
        }
    }

    /// Two people's decisions on items of one task, dataset and kind commit side by side: the task's counts are
    /// kept in a row per server process (`duet_progress_shard`, pg-lat-progress-shards), so a transaction that
    /// has counted its decision (the count trigger run before its commit, as at every COMMIT) holds nobody
    /// else's count row. Before, every decision moved the task's one `progress` row and bob's commit waited for
    /// ann's (refused here after its write wait: 8 people's commits queued on that row).
    @Test func decisionsOfOneTaskDoNotWaitForEachOthersCounts() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 3)
            // Bob's store on one connection, so his decision runs in the server process asked for its pid.
            let bob = try await PostgresStore.open(pg.pool.config, intent: .attach, environment: TestServer.environment,
                                                   maximumConnections: 1)
            try await PostgresStore.closing([bob]) {
                @Sendable func pid(_ db: PostgresConnection) async throws -> Int32 {
                    try await db.rows("SELECT pg_backend_pid()").decode(Int32.self).firstElement() ?? -1
                }
                let shards = Int32(PostgresSchema.progressShards)
                let bobsShard = try await bob.pool.withConnection { try await pid($0) } % shards
                // Ann's connection: one whose count row is not bob's (pids meeting modulo the shards share one).
                var held = try await pg.pool.connect().connection
                while try await pid(held) % shards == bobsShard {
                    try? await held.close()
                    held = try await pg.pool.connect().connection
                }
                try await QueueFixture.countedFirst(on: held, [QueueFixture.decision(1, by: "ann", at: 2)]) {
                    try await bob.setWriteWait(seconds: 5)
                    _ = try await bob.record(QueueFixture.decision(2, by: "bob", at: 3))
                }
                #expect(try await QueueFixture.count(pg, "SELECT COUNT(*) FROM annotations") == 2)
                #expect(try await pg.taskProgress(QueueFixture.sentiment).human == 2)
                let progress = try await QueueFixture.progressAndScan(pg)
                #expect(progress.kept == progress.scanned)
            }
        }
    }

    /// A decision whose counts cannot be taken (its item's count row held by another transaction past the write
    /// wait) fails as busy and is not kept: `duet_record_one` takes its counts inside its statement. Before, they
    /// were taken at the implicit COMMIT, whose error postgres-nio does not report once the statement answered:
    /// the call returned the new entry's id and the decision was rolled back.
    @Test func aDecisionWhoseCountsFailIsRefusedNotShownSaved() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 3)
            let task = QueueFixture.pairs
            #expect(task.overlap == 2)
            try await QueueFixture.countedFirst(on: try await pg.pool.connect().connection, [QueueFixture.decision(1, task: task.name, by: "ann", at: 2)]) {
                try await pg.setWriteWait(seconds: 0.5)
                await #expect(throws: (any Error).self) {
                    try await pg.record(QueueFixture.decision(1, task: task.name, by: "bob", at: 3))
                }
            }
            #expect(try await QueueFixture.count(pg, "SELECT COUNT(*) FROM annotations WHERE annotator = 'bob'") == 0)
            let progress = try await QueueFixture.progressAndScan(pg)
            #expect(progress.kept == progress.scanned)
        }
    }
}
