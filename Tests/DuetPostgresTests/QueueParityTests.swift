import DuetCore
import DuetStore
import DuetStoreAPI
import Foundation
import Testing
@testable import DuetPostgres

/// The labeling queue on PostgreSQL against SQLite's, the reference: the same long script of asking,
/// deciding, skipping, undoing, bulk undos, bulk decisions, releases, expiring leases and routings, run on
/// both; every answer (items served, log ids, undone items, decisions in force, routes) must be the same.
extension PostgresServerTests {
    /// A small deterministic generator (SplitMix64), so a failure replays.
    struct Script: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func theQueueAnswersAsSQLitesDoes(seed: UInt64) async throws {
        try await TestServer.withStore { pg in
            let items = seed == 1 ? 30 : 8  // few items: the queues run dry and skipped items come back
            try await QueueFixture.seed(pg, texts: items)
            let lite = try QueueFixture.sqlite(texts: items)
            var random = Script(state: seed)
            let people = ["ann", "bob", "cat"]
            let tasks = [QueueFixture.sentiment, QueueFixture.pairs]
            var open: [String: Int64] = [:]  // "task/annotator" -> the item they were given
            var logged: [Int64] = []
            var t = 0.0

            func compareDecisions(_ step: Int) async throws {
                for task in tasks {
                    let want = try lite.currentDecisions(task: task, kind: nil)
                    let got = try await pg.currentDecisions(task: task, kind: nil)
                    #expect(got == want, "decisions of \(task.name) after step \(step)")
                    #expect(try await pg.routes(task: task) == lite.routes(task: task, route: nil), "routes after step \(step)")
                }
            }

            for step in 0..<260 {
                t += 1
                if random.next() % 40 == 0 { t += PostgresStore.leaseSeconds + 1 }  // every lease expires
                let task = tasks[Int(random.next() % 2)]
                let who = people[Int(random.next() % UInt64(people.count))]
                let key = "\(task.name)/\(who)"
                let at = QueueFixture.date(t)
                switch random.next() % 10 {
                case 0...3:
                    let want = try lite.nextItem(for: task, annotator: who, at: at)
                    let got = try await pg.nextItem(for: task, annotator: who, at: at)
                    #expect(got == want, "step \(step): \(who) asked in \(task.name)")
                    open[key] = want?.rowID
                case 4...5:
                    guard let item = open.removeValue(forKey: key) else { continue }
                    let status: AnnotationStatus = random.next() % 3 == 0 ? .skipped : .submitted
                    let entry = QueueFixture.decision(item, task: task.name, by: who, status: status,
                                                      label: random.next() % 2 == 0 ? "pos" : "neg", at: t, seconds: 2)
                    let want = try lite.record(entry)
                    #expect(try await pg.record(entry) == want, "step \(step): log id")
                    logged.append(want)
                case 6:
                    let want = try lite.undoLast(task: task.name, annotator: who, at: at)
                    #expect(try await pg.undoLast(task: task.name, annotator: who, at: at) == want, "step \(step): undo")
                case 7:
                    guard !logged.isEmpty else { continue }
                    let ids = [logged[Int(random.next() % UInt64(logged.count))], logged[Int(random.next() % UInt64(logged.count))]]
                    let want = Result { try lite.revoke(ids, at: at) }
                    do {
                        let got = try await pg.revoke(ids, at: at)
                        #expect(got == (try? want.get()), "step \(step): revoke \(ids)")
                    } catch {
                        #expect((try? want.get()) == nil, "step \(step): revoke \(ids) failed only on PostgreSQL: \(error)")
                    }
                case 8:
                    // A bulk decision by a machine over a few items, in no particular order.
                    let bulk = (0..<3).map { _ in
                        QueueFixture.decision(Int64(random.next() % UInt64(items)) + 1, task: task.name, by: "bulk", kind: .machine,
                                              label: "neg", at: t)
                    }
                    let want = try lite.record(bulk)
                    #expect(try await pg.record(bulk) == want, "step \(step): bulk log ids")
                    logged += want
                default:
                    if random.next() % 3 == 0 {
                        try lite.releaseLeases(task: task.name, annotator: who)
                        try await pg.releaseLeases(task: task.name, annotator: who)
                        open[key] = nil
                    } else {
                        // A routing of a few items: some to people (most uncertain first), some audits, some kept.
                        let entries = (0..<6).map { _ -> RouteEntry in
                            let route = [Route.human, .audit, .machine][Int(random.next() % 3)]
                            return RouteEntry(itemRowID: Int64(random.next() % UInt64(items)) + 1, route: route,
                                              score: Double(random.next() % 100) / 100, machineLabel: random.next() % 2 == 0 ? "pos" : "neg",
                                              annotator: "llm", votes: [], entropy: 0, confidence: nil)
                        }
                        let unique = Dictionary(entries.map { ($0.itemRowID, $0) }, uniquingKeysWith: { a, _ in a }).values
                            .sorted { $0.itemRowID < $1.itemRowID }
                        try lite.applyRouting(unique, task: task.name, at: at)
                        try await pg.applyRouting(unique, task: task.name, at: at)
                    }
                }
                if step % 20 == 19 { try await compareDecisions(step) }
            }
            try await compareDecisions(-1)
            let progress = try await QueueFixture.progressAndScan(pg)
            #expect(progress.kept == progress.scanned)
            #expect(!progress.kept.isEmpty)
        }
    }
}
