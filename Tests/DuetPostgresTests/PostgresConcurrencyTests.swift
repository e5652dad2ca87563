import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO
import Testing
@testable import DuetPostgres

/// Eight people labeling one task at the same instant, each through a store (a pool) of their own, as on
/// eight machines; every seventh decision is undone at once (the item goes back to the queue).
extension PostgresServerTests {
    @Test(arguments: [1, 2])
    func eightLabelersAtOnceLabelEveryItemExactlyAsOftenAsTheOverlapSays(overlap: Int) async throws {
        try await TestServer.withDatabase { config in
            let task = overlap == 1 ? QueueFixture.sentiment : QueueFixture.pairs
            let items = overlap == 1 ? 240 : 120
            let labelers = 8
            var stores: [PostgresStore] = []
            for _ in 0..<labelers {
                stores.append(try await PostgresStore.open(config, intent: .createOrAttach, environment: TestServer.environment))
            }
            let result: Result<Void, any Error>
            do {
                try await QueueFixture.seed(stores[0], texts: items)
                // Rounds until a round in which nobody is given anything: a labeler who is given nothing quits (gives
                // back their lease, as the app does), and may come back when a lease held by someone else ended.
                var served: [String: [Int64]] = [:]
                var n = 0.0
                while true {
                    let round = try await withThrowingTaskGroup(of: (String, [Int64]).self) { group in
                        for (i, store) in stores.enumerated() {
                            group.addTask { [n] in
                                let who = "p\(i)"
                                var got: [Int64] = []
                                var t = n
                                while let item = try await store.nextItem(for: task, annotator: who) {
                                    got.append(item.rowID)
                                    t += 1
                                    try await store.record(QueueFixture.decision(item.rowID, task: task.name, by: who, at: t, seconds: 1))
                                    if got.count % 7 == 0 {
                                        t += 1
                                        _ = try await store.undoLast(task: task.name, annotator: who, at: QueueFixture.date(t))
                                    }
                                }
                                try await store.releaseLeases(task: task.name, annotator: who)
                                return (who, got)
                            }
                        }
                        var all: [String: [Int64]] = [:]
                        for try await (who, got) in group { all[who] = got }
                        return all
                    }
                    if round.values.allSatisfy(\.isEmpty) { break }
                    served.merge(round, uniquingKeysWith: +)
                    n += 10_000
                }
                let pg = stores[0]
                // Everyone worked; every item has exactly `overlap` decisions in force, by different people.
                #expect(served.count == labelers && served.values.allSatisfy { !$0.isEmpty })
                let perItem = Dictionary(grouping: try await pg.currentDecisions(task: task), by: \.itemRowID)
                #expect(perItem.count == items)
                #expect(perItem.values.allSatisfy { $0.count == overlap && Set($0.map(\.annotator)).count == overlap })
                // The log agrees: decisions minus undos.
                let submitted = try await QueueFixture.count(pg, "SELECT COUNT(*) FROM annotations WHERE status = 'submitted'")
                let revoked = try await QueueFixture.count(pg, "SELECT COUNT(*) FROM annotations WHERE status = 'revoked'")
                #expect(submitted - revoked == items * overlap)
                #expect(revoked > 0)
                // Progress kept in the writing transactions equals a scan.
                let progress = try await QueueFixture.progressAndScan(pg)
                #expect(progress.kept == progress.scanned)
                #expect(try await QueueFixture.count(pg, "SELECT SUM(complete)::bigint FROM progress") == items)
                #expect(try await pg.nextItem(for: task, annotator: "late") == nil)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            for store in stores { await store.close() }
            try result.get()
        }
    }
}
