import DuetCore
import DuetStore
import DuetStoreAPI
import Foundation
import PostgresNIO
import Testing
@testable import DuetPostgres

/// Votes, routings and the response cache on PostgreSQL, each next to SQLite's answer.
extension PostgresServerTests {
    static func votes(items: ClosedRange<Int64>) -> [(item: Int64, vote: MachineVote)] {
        items.flatMap { item -> [(item: Int64, vote: MachineVote)] in
            let label = item % 3 == 0 ? "neg" : "pos"
            var noVote = MachineVote(annotator: "llm", variant: "no", label: nil, raw: "False", promptTokens: 1, completionTokens: 1)
            noVote.noVote = true
            return [
                (item, MachineVote(annotator: "llm", variant: "a", label: label, confidence: 0.9, raw: "raw \(item)a", promptTokens: 10,
                                   completionTokens: 2)),
                (item, MachineVote(annotator: "llm", variant: "b", label: item % 4 == 0 ? nil : label, confidence: nil, raw: "raw \(item)b",
                                   promptTokens: 11, completionTokens: 3)),
                (item, MachineVote(annotator: "rule", variant: "x", label: "pos")),
                (item, noVote),
            ]
        }
    }

    // MARK: Votes

    @Test func votesRoundTripAndStreamOneItemAtATime() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 12)
            let lite = try QueueFixture.sqlite(texts: 12)
            let task = QueueFixture.sentiment
            // Saved twice (a re-run replaces a vote with the same key, also within one call), then one run replaced.
            var first = Self.votes(items: 1...12)
            first.append((5, MachineVote(annotator: "llm", variant: "a", label: "neg", confidence: 0.1)))
            for store in [lite as any VoteStore, pg] {
                try await store.saveVotes(first, task: task.name, at: QueueFixture.date(1))
                try await store.saveVotes(Array(Self.votes(items: 3...4)), task: task.name, at: QueueFixture.date(2))
                try await store.replaceVotes(VoteTable([7: [MachineVote(annotator: "llm", variant: "c", label: "neg")]]), annotator: "llm",
                                             items: [7, 8], task: task.name, at: QueueFixture.date(3))
            }
            #expect(try await pg.votes(task: task) == lite.votes(task: task, annotator: nil))
            #expect(try await pg.votes(task: task, annotator: "rule") == lite.votes(task: task, annotator: "rule"))
            #expect(try await pg.voteAnnotators(task: task) == lite.voteAnnotators(task: task))
            #expect(try await pg.voteCounts(task: task) == lite.voteCounts(task: task))
            #expect(try await pg.voteTokens(task: task, annotator: "llm") == lite.voteTokens(task: task, annotator: "llm"))
            #expect(try await pg.voteTokens(task: task, annotator: "llm").promptTokens > 0)
            for (item, annotator, unparseable) in [(nil, nil, false), (Int64(4), nil, false), (nil, "llm", true)] as [(Int64?, String?, Bool)] {
                #expect(try await pg.voteRecords(task: task, item: item, annotator: annotator, unparseableOnly: unparseable, limit: 100)
                        == lite.voteRecords(task: task, item: item, annotator: annotator, unparseableOnly: unparseable, limit: 100))
            }
            // Streamed: one call per item, in item order, each item's votes whole, the same as SQLite's.
            func stream(_ store: any VoteStore, _ annotators: [String]?) async throws -> [String] {
                var seen: [String] = []
                try await store.forEachItemVotes(task: task, annotators: annotators) { item, votes in
                    seen.append("\(item): " + votes.map { "\($0.annotator)/\($0.variant)=\($0.label ?? "?")" }.joined(separator: " "))
                }
                return seen
            }
            for annotators in [nil, ["llm"]] as [[String]?] {
                let want = try await stream(lite, annotators)
                #expect(try await stream(pg, annotators) == want)
                #expect(want.count == (annotators == nil ? 12 : 11))  // item 8 kept no vote of llm
            }
            // In fetches smaller than an item's votes, items still come whole and once.
            let pages = try await pg.pool.withConnection { db in
                var pages: [Int64: Int] = [:]
                try await PostgresStore.streamVotes(db, taskID: 1, annotators: nil, fetch: 2) { item, _ in pages[item, default: 0] += 1 }
                return pages
            }
            #expect(pages == (try lite.votes(task: task, annotator: nil)).byItem.mapValues(\.count))
        }
    }

    // MARK: Routing

    @Test func routingWritesMachineDecisionsAndReRoutingLeavesPeoplesDecisionsAlone() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 8)
            let lite = try QueueFixture.sqlite(texts: 8)
            let task = QueueFixture.sentiment
            let votes = Self.votes(items: 1...8)
            try lite.saveVotes(votes, task: task.name, at: QueueFixture.date(0))
            try await pg.saveVotes(votes, task: task.name, at: QueueFixture.date(0))
            func entry(_ item: Int64, _ route: Route, _ score: Double, _ label: String = "pos") -> RouteEntry {
                RouteEntry(itemRowID: item, route: route, score: score, machineLabel: label, annotator: "llm", votesBy: PanelOrder(["llm"]))
            }
            func same(_ when: String) async throws {
                #expect(try await pg.currentDecisions(task: task) == lite.currentDecisions(task: task, kind: nil), "decisions \(when)")
                #expect(try await pg.routes(task: task) == lite.routes(task: task, route: nil), "routes \(when)")
                for filter in [TriageFilter(), TriageFilter(pendingOnly: false), TriageFilter(pendingOnly: false, ascending: true, label: "pos")] {
                    #expect(try await pg.triage(task: task, filter: filter, limit: 50) == lite.triage(task: task, filter: filter, limit: 50),
                            "triage \(when)")
                }
                for item in Int64(1)...8 {
                    let want = try lite.routing(task: task, itemRowID: item)
                    let got = try await pg.routing(task: task, itemRowID: item)
                    #expect(got?.route == want?.route && got?.votes == want?.votes, "routing of \(item) \(when)")
                }
            }
            // A person decided item 2 before any routing.
            let person = QueueFixture.decision(2, by: "ann", label: "neg", at: 1)
            #expect(try await pg.record(person) == (try lite.record(person)))
            let first = [entry(1, .machine, 0.1), entry(2, .machine, 0.2), entry(3, .human, 0.9), entry(4, .audit, 0.5),
                         entry(5, .machine, 0.3, "neg"), entry(6, .human, 0.7)]
            try lite.applyRouting(first, task: task.name, at: QueueFixture.date(2))
            try await pg.applyRouting(first, task: task.name, at: QueueFixture.date(2))
            try await same("after routing")
            let machine = try await pg.currentDecisions(task: task, kind: .machine)
            #expect(Set(machine.map(\.itemRowID)) == [1, 2, 4, 5])
            // People are served the routed items most uncertain first (3 at 0.9, 6 at 0.7, the audit 4 at 0.5).
            for (who, t) in [("bob", 3.0), ("cat", 3), ("dan", 3)] {
                let got = try await pg.nextItem(for: task, annotator: who, at: QueueFixture.date(t))
                #expect(got == (try lite.nextItem(for: task, annotator: who, at: QueueFixture.date(t))))
            }
            let bob = QueueFixture.decision(3, by: "bob", at: 4)
            #expect(try await pg.record(bob) == (try lite.record(bob)))
            // Re-routed: 1 now goes to people (the machine's decision is revoked), 5's label changes, 3 (decided by
            // bob) is kept by the machine; ann's and bob's decisions stay as they are.
            let second = [entry(1, .human, 0.95), entry(2, .machine, 0.2), entry(3, .machine, 0.1), entry(4, .audit, 0.5),
                          entry(5, .machine, 0.3, "pos"), entry(6, .human, 0.7)]
            try lite.applyRouting(second, task: task.name, at: QueueFixture.date(5))
            try await pg.applyRouting(AnySequence(second), task: task.name, at: QueueFixture.date(5))
            try await same("after re-routing")
            let people = try await pg.currentDecisions(task: task, kind: .human)
            #expect(people.map { "\($0.itemRowID) \($0.annotator) \($0.value?.string ?? "-")" } == ["2 ann neg", "3 bob pos"])
            // The same routing again writes nothing.
            let before = try await QueueFixture.count(pg, "SELECT COUNT(*) FROM annotations")
            try await pg.applyRouting(second, task: task.name, at: QueueFixture.date(6))
            #expect(try await QueueFixture.count(pg, "SELECT COUNT(*) FROM annotations") == before)
            let progress = try await QueueFixture.progressAndScan(pg)
            #expect(progress.kept == progress.scanned)
        }
    }

    // MARK: Response cache

    @Test func theResponseCacheRoundTripsAndTeammatesStoringOneKeyAtOnceAllSucceed() async throws {
        try await TestServer.withStore { pg in
            let lite = try QueueFixture.sqlite(texts: 0)
            let response = CachedResponse(text: "pos ☕", promptTokens: 12, completionTokens: 1, logprobs: [-0.25, -1.5])
            #expect(try await pg.cachedResponse(key: "k1") == nil)
            try await pg.storeResponse(response, key: "k1")
            try lite.storeResponse(response, key: "k1")
            #expect(try await pg.cachedResponse(key: "k1") == response)
            #expect(try await pg.cachedResponse(key: "k1") == (try lite.cachedResponse(key: "k1")))
            let bare = CachedResponse(text: "neg")
            try await pg.storeResponse(bare, key: "k1")
            #expect(try await pg.cachedResponse(key: "k1") == bare)
            // Eight stores of one new key at the same instant: none fails, one of them is kept.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<8 {
                    group.addTask { try await pg.storeResponse(CachedResponse(text: "answer \(i)"), key: "shared") }
                }
                try await group.waitForAll()
            }
            let kept = try await pg.cachedResponse(key: "shared")
            #expect(kept?.text.hasPrefix("answer ") == true)
            #expect(try await QueueFixture.count(pg, "SELECT COUNT(*) FROM llm_cache") == 2)
        }
    }
}
