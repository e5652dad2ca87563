import DuetCore
import DuetStoreAPI
import Foundation
import Testing

/// Machine votes, routing writes, triage, the response cache.
extension StoreConformance {
    static let voteCases: [ConformanceCase] = [
        ConformanceCase("votesAreReplacedByKeyAndReadInStoredOrder") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            try await store.saveVotes([(ids[0], Setup.vote("pos", "a")), (ids[0], Setup.vote("neg", "b")), (ids[1], Setup.vote(nil, "a"))],
                                      task: "sentiment", at: Setup.date(0))
            try await store.saveVotes([(ids[0], Setup.vote("neu", "a"))], task: "sentiment", at: Setup.date(1))  // same key: replaced
            let v = try await store.votes(task: Setup.sentiment)
            #expect(v[ids[0]]?.map(\.label) == ["neu", "neg"])
            #expect(v[ids[1]]?.map(\.label) == [nil])
            #expect(v[ids[2]] == nil)
            #expect(v.items == [ids[0], ids[1]])
        },

        ConformanceCase("votesOfOneAnnotatorAndWhoHasVotes") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            try await store.saveVotes([(ids[1], Setup.vote("pos", "a", by: "x")), (ids[0], Setup.vote("neg", "a", by: "y")),
                                       (ids[0], Setup.vote(nil, "b", by: "x")), (ids[2], Setup.vote("neu", "a", by: "y"))],
                                      task: "sentiment", at: Setup.date(0))
            let x = try await store.votes(task: Setup.sentiment, annotator: "x")
            #expect(x.items == [ids[0], ids[1]] && x.voteCount == 2)
            #expect(x[ids[0]] == [MachineVote(annotator: "x", variant: "b", label: nil, confidence: 0.8)])
            #expect(try await store.votes(task: Setup.sentiment, annotator: "y").byItem.mapValues { $0.map(\.label) }
                    == [ids[0]: ["neg"], ids[2]: ["neu"]])
            #expect(try await store.votes(task: Setup.sentiment, annotator: "z").isEmpty)
            #expect(try await store.votes(task: Setup.sentiment).voteCount == 4)
            #expect(try await store.voteAnnotators(task: Setup.sentiment) == ["x", "y"])
            #expect(try await store.voteAnnotators(task: Setup.preference).isEmpty)
        },

        ConformanceCase("voteTokensAreSummedPerAnnotator") { store in
            try await Setup.texts(store, 2)
            let ids = try await Setup.ids(store, 1...2)
            func v(_ variant: String, by who: String, _ p: Int?, _ c: Int?) -> MachineVote {
                MachineVote(annotator: who, variant: variant, label: "pos", promptTokens: p, completionTokens: c)
            }
            try await store.saveVotes([(ids[0], v("a", by: "llm:x", 100, 7)), (ids[1], v("a", by: "llm:x", 120, 9)),
                                       (ids[0], v("b", by: "llm:x", nil, nil)), (ids[0], v("a", by: "local:ensemble", nil, nil))],
                                      task: "sentiment", at: Setup.date(0))
            #expect(try await store.voteTokens(task: Setup.sentiment, annotator: "llm:x") == VoteTokens(votes: 3, promptTokens: 220, completionTokens: 16))
            #expect(try await store.voteTokens(task: Setup.sentiment, annotator: "local:ensemble") == VoteTokens(votes: 1))
            // A re-run replaces the vote, so its tokens are counted once.
            try await store.saveVotes([(ids[1], v("a", by: "llm:x", 20, 1))], task: "sentiment", at: Setup.date(1))
            #expect(try await store.voteTokens(task: Setup.sentiment, annotator: "llm:x") == VoteTokens(votes: 3, promptTokens: 120, completionTokens: 8))
            #expect(try await store.voteTokens(task: Setup.sentiment, annotator: "nobody") == VoteTokens())
        },

        ConformanceCase("noVotesAreStoredAndCostButAreNeverReadAsVotes") { store in
            try await Setup.texts(store, 2)
            let ids = try await Setup.ids(store, 1...2)
            let no = MachineVote.noVote(annotator: "m", variant: "tf:neg", raw: "False.", promptTokens: 50, completionTokens: 3)
            let yes = MachineVote(annotator: "m", variant: "a", label: "pos", raw: "positive", promptTokens: 40, completionTokens: 2)
            let no2 = MachineVote.noVote(annotator: "m", variant: "tf:pos", raw: "No.", promptTokens: 45, completionTokens: 2)
            var table = VoteTable()
            table.append(yes, item: ids[0])
            table.append(no, item: ids[0])
            table.append(no2, item: ids[1])
            try await store.replaceVotes(table, annotator: "m", items: ids, task: "sentiment", at: Setup.date(0))
            let read = try await store.votes(task: Setup.sentiment, annotator: "m")
            #expect(read.items == [ids[0]] && read.voteCount == 1 && read[ids[0]]?.map(\.label) == ["pos"] && read.noVoteCount == 0)
            #expect(try await store.voteTokens(task: Setup.sentiment, annotator: "m") == VoteTokens(votes: 3, promptTokens: 135, completionTokens: 7))
            let records = try await store.voteRecords(task: Setup.sentiment, item: nil, annotator: nil, unparseableOnly: false, limit: 10)
            #expect(records.map(\.vote) == [yes, no, no2])
            #expect(records.map(\.item) == ["t1", "t1", "t2"] && records.map(\.itemRowID) == [ids[0], ids[0], ids[1]])
            #expect(try await store.voteRecords(task: Setup.sentiment, item: nil, annotator: nil, unparseableOnly: true, limit: 10).isEmpty)
            #expect(try await store.voteCounts(task: Setup.sentiment) == [VoteCount(annotator: "m", variant: "a", label: "pos", count: 1)])
            var streamed: [Int64] = []
            try await store.forEachItemVotes(task: Setup.sentiment, annotators: nil) { item, _ in streamed.append(item) }
            #expect(streamed == [ids[0]])
            try await store.applyRouting([RouteEntry(itemRowID: ids[0], route: .machine, score: 0, machineLabel: "pos", annotator: "m",
                                                     votes: try #require(read[ids[0]]), entropy: 0, confidence: nil)],
                                         task: "sentiment", at: Setup.date(0))
            #expect(try await store.routing(task: Setup.sentiment, itemRowID: ids[0])?.votes.map(\.variant) == ["a"])
            // The machine's decision carries its votes' raw answers (the router read them without).
            let logged = try #require(try await store.annotations(itemRowIDs: [ids[0]], task: "sentiment")[ids[0]]?.last)
            #expect(logged.entry.votes == [["variant": "a", "label": "pos", "raw": "positive"]])
        },

        ConformanceCase("aRunReplacesItsAnnotatorsVotesOnTheItemsItAnswered") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            try await store.saveVotes([(ids[0], Setup.vote(nil, "tf:neg")), (ids[0], Setup.vote("pos", "a")), (ids[1], Setup.vote(nil, "a")),
                                       (ids[0], Setup.vote("neg", "a", by: "other"))], task: "sentiment", at: Setup.date(0))
            // The run answered items 1 and 3: item 1's error on tf:neg became a False (no vote); item 2 was not asked.
            var run = VoteTable()
            run.append(Setup.vote("pos", "a"), item: ids[0])
            run.append(Setup.vote("neu", "a"), item: ids[2])
            try await store.replaceVotes(run, annotator: "m", items: [ids[0], ids[2]], task: "sentiment", at: Setup.date(1))
            let v = try await store.votes(task: Setup.sentiment)
            #expect(v[ids[0]]?.map { "\($0.annotator) \($0.variant) \($0.label ?? "-")" } == ["other a neg", "m a pos"])
            #expect(v[ids[1]]?.map(\.label) == [nil], "an item the run did not answer keeps its votes")
            #expect(v[ids[2]]?.map(\.label) == ["neu"])
        },

        ConformanceCase("voteRecordsCountsAndFiltersFollowTheStore") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            let votes: [(item: Int64, vote: MachineVote)] = [
                (ids[2], MachineVote(annotator: "x", variant: "a", label: "pos", raw: "pos!")),
                (ids[0], MachineVote(annotator: "x", variant: "a", label: nil, raw: "???")),
                (ids[0], MachineVote(annotator: "y", variant: "a", label: "neg", raw: "neg")),
                (ids[1], MachineVote(annotator: "x", variant: "a", label: "pos", raw: "pos")),
                (ids[1], MachineVote(annotator: "x", variant: "b", label: "pos", raw: "pos")),
            ]
            try await store.saveVotes(votes, task: "sentiment", at: Setup.date(0))
            func records(item: Int64? = nil, annotator: String? = nil, unparseable: Bool = false, limit: Int = 50) async throws -> [String] {
                try await store.voteRecords(task: Setup.sentiment, item: item, annotator: annotator, unparseableOnly: unparseable, limit: limit)
                    .map { "\($0.item) \($0.vote.annotator) \($0.vote.variant) \($0.vote.raw ?? "-")" }
            }
            // Item order, then storage order.
            #expect(try await records() == ["t1 x a ???", "t1 y a neg", "t2 x a pos", "t2 x b pos", "t3 x a pos!"])
            #expect(try await records(limit: 2) == ["t1 x a ???", "t1 y a neg"])
            #expect(try await records(item: ids[1]) == ["t2 x a pos", "t2 x b pos"])
            #expect(try await records(annotator: "y") == ["t1 y a neg"])
            #expect(try await records(unparseable: true) == ["t1 x a ???"])
            let counts = Set(try await store.voteCounts(task: Setup.sentiment))
            #expect(counts == [VoteCount(annotator: "x", variant: "a", label: "pos", count: 2), VoteCount(annotator: "x", variant: "a", label: nil, count: 1),
                               VoteCount(annotator: "y", variant: "a", label: "neg", count: 1), VoteCount(annotator: "x", variant: "b", label: "pos", count: 1)])
            #expect(try await store.voteCounts(task: Setup.preference).isEmpty)
        },

        ConformanceCase("votesAreStreamedItemByItemInOrder") { store in
            try await Setup.texts(store, 4)
            let ids = try await Setup.ids(store, 1...4)
            let v = { (label: String?, variant: String, who: String) in MachineVote(annotator: who, variant: variant, label: label, confidence: nil) }
            try await store.saveVotes([(ids[2], v("pos", "a", "x")), (ids[0], v("neg", "a", "y")), (ids[0], v(nil, "b", "x")),
                                       (ids[0], v("neu", "c", "z")), (ids[1], v("pos", "a", "z"))], task: "sentiment", at: Setup.date(0))
            var seen: [(Int64, [MachineVote])] = []
            try await store.forEachItemVotes(task: Setup.sentiment, annotators: ["y", "x"]) { seen.append(($0, $1)) }
            #expect(seen.map(\.0) == [ids[0], ids[2]])
            #expect(seen.first?.1 == [v("neg", "a", "y"), v(nil, "b", "x")] && seen.last?.1 == [v("pos", "a", "x")])
            // Every annotator's: the same as the table.
            let table = try await store.votes(task: Setup.sentiment)
            var all: [Int64: [MachineVote]] = [:]
            var order: [Int64] = []
            try await store.forEachItemVotes(task: Setup.sentiment, annotators: nil) { all[$0] = $1; order.append($0) }
            #expect(all == table.byItem && order == order.sorted() && order.count == 3)
        },
    ]

    static let routeCases: [ConformanceCase] = [
        ConformanceCase("reroutingRevokesTheMachinesDecisionsAndNeverTouchesPeoples") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            try await store.applyRouting([Setup.route(ids[0], .machine, score: 0.1), Setup.route(ids[1], .machine, score: 0.2),
                                          Setup.route(ids[2], .machine, score: 0.3)], task: "sentiment", at: Setup.date(0))
            #expect(try await store.currentDecisions(task: Setup.sentiment, kind: .machine).map(\.itemRowID) == ids)
            try await Setup.decide(store, item: ids[0], by: "ana", label: "neg", at: 1)
            try await Setup.decide(store, item: ids[2], by: "ana", label: "neg", at: 2)
            // Re-route: item 2 and 3 now go to people, item 1 again to the machine (with another label).
            try await store.applyRouting([Setup.route(ids[0], .machine, score: 0.1, label: "neu"), Setup.route(ids[1], .human, score: 0.9),
                                          Setup.route(ids[2], .human, score: 0.8)], task: "sentiment", at: Setup.date(5))
            #expect(try await Setup.current(store, item: ids[0]) == ["ana": "neg", "m": "neu"])
            #expect(try await Setup.current(store, item: ids[1]).isEmpty)
            #expect(try await Setup.current(store, item: ids[2]) == ["ana": "neg"])
            #expect(try await Setup.next(store, "bo") == ids[1])
            // The log keeps the revoked machine label; re-applying the same routing adds nothing.
            let before = try await Setup.logCount(store, ids, task: "sentiment")
            try await store.applyRouting([Setup.route(ids[0], .machine, score: 0.1, label: "neu"), Setup.route(ids[1], .human, score: 0.9),
                                          Setup.route(ids[2], .human, score: 0.8)], task: "sentiment", at: Setup.date(6))
            #expect(try await Setup.logCount(store, ids, task: "sentiment") == before)
            #expect(try await store.annotations(itemRowIDs: [ids[1]], task: "sentiment")[ids[1]]?.contains { $0.entry.status == .revoked } == true)
            // A person's earlier decision keeps a re-routed item off the queue.
            let routes = try await store.routes(task: Setup.sentiment)
            #expect(routes[ids[0]]?.pending == false && routes[ids[2]]?.pending == false && routes[ids[1]]?.pending == true)
            #expect(routes[ids[0]]?.machineLabel == "neu" && routes[ids[1]]?.route == .human)
            #expect(try await store.routes(task: Setup.sentiment, route: .human).keys.sorted() == [ids[1], ids[2]])
        },

        ConformanceCase("machinePairDecisionsHaveThePersonsShape") { store in
            try await store.syncTasks([Setup.preference])
            try await Setup.load(store, (1...4).map { Setup.pair($0) }, file: "/data/prefs.jsonl", dataset: "prefs")
            var ids: [Int64] = []
            for n in 1...4 { ids.append(try await Setup.id(store, "p\(n)", dataset: "prefs")) }
            let entries = [Setup.route(ids[0], .machine, score: 0, label: "0"), Setup.route(ids[1], .machine, score: 0, label: "1"),
                           Setup.route(ids[2], .audit, score: 0, label: "tie"), Setup.route(ids[3], .human, score: 1, label: "both-bad")]
            try await store.applyRouting(entries, task: "preference", at: Setup.date(0))
            let values = Dictionary(uniqueKeysWithValues: try await store.currentDecisions(task: Setup.preference, kind: .machine)
                .map { ($0.itemRowID, $0.value) })
            #expect(values[ids[0]] == PairJudgment(choice: .response(0)).json)
            #expect(values[ids[1]] == PairJudgment(choice: .response(1)).json)
            #expect(values[ids[2]] == PairJudgment(choice: .tie).json)
            #expect(values[ids[3]] == nil)
            // A re-route with the same labels changes nothing (the stored shape is what it compares with).
            let log = try await Setup.logCount(store, ids, task: nil)
            try await store.applyRouting(entries, task: "preference", at: Setup.date(1))
            #expect(try await Setup.logCount(store, ids, task: nil) == log)
        },

        ConformanceCase("theStoreReadsAnEntrysVotesWhenItWritesItsDecision") { store in
            try await Setup.texts(store, 2)
            let ids = try await Setup.ids(store, 1...2)
            let votes = [Setup.vote("pos", "a", by: "x", confidence: 0.9), Setup.vote("neg", "a", by: "y", confidence: 0.5),
                         Setup.vote("pos", "b", by: "x", confidence: nil), Setup.vote("neg", "a", by: "other", confidence: nil)]
            try await store.saveVotes(votes.map { (ids[0], $0) }, task: "sentiment", at: Setup.date(0))
            let panel = PanelOrder(["y", "x"])
            try await store.applyRouting([RouteEntry(itemRowID: ids[0], route: .machine, score: 0.6, machineLabel: "pos", annotator: "panel", votesBy: panel),
                                          RouteEntry(itemRowID: ids[1], route: .human, score: .infinity, machineLabel: nil, annotator: "panel",
                                                     votesBy: panel)], task: "sentiment", at: Setup.date(0))
            let expected = RouteEntry(itemRowID: ids[0], route: .machine, score: 0.6, machineLabel: "pos", annotator: "panel", votesBy: panel)
                .filled(with: [votes[1], votes[0], votes[2]])
            #expect(expected.entropy > 0 && expected.confidence == 0.7)
            let log = try await store.annotations(itemRowIDs: [ids[0]], task: "sentiment")[ids[0]] ?? []
            let written = try #require(log.first { $0.entry.annotatorKind == .machine })
            #expect(written.entry.votes == expected.votesJSON)
            #expect(written.entry.entropy == expected.entropy && written.entry.confidence == expected.confidence)
            #expect(try await store.routes(task: Setup.sentiment)[ids[1]]?.score == .infinity)
        },

        ConformanceCase("routingOfAnItemIsItsRouteAndItsRoutersVotes") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            try await store.saveVotes([(ids[0], Setup.vote("pos", "a", by: "m")), (ids[0], Setup.vote("neg", "a", by: "other")),
                                       (ids[0], Setup.vote("pos", "b", by: "m"))], task: "sentiment", at: Setup.date(0))
            try await store.applyRouting([Setup.route(ids[0], .machine, score: 0.4), Setup.route(ids[1], .audit, score: 0.2)],
                                         task: "sentiment", at: Setup.date(0))
            let one = try #require(try await store.routing(task: Setup.sentiment, itemRowID: ids[0]))
            #expect(one.route == RouteRecord(itemRowID: ids[0], route: .machine, score: 0.4, machineLabel: "pos", annotator: "m", pending: false))
            #expect(one.votes == [Setup.vote("pos", "a", by: "m"), Setup.vote("pos", "b", by: "m")])
            let audit = try #require(try await store.routing(task: Setup.sentiment, itemRowID: ids[1]))
            #expect(audit.route.route == .audit && audit.route.pending)
            #expect(try await store.routing(task: Setup.sentiment, itemRowID: ids[2]) == nil)
            #expect(try await store.routing(task: Setup.preference, itemRowID: ids[0]) == nil)
        },

        ConformanceCase("anAuditsInclusionProbabilityIsStoredAndReadBack") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            func audit(_ id: Int64, _ p: Double?) -> RouteEntry {
                var e = Setup.route(id, .audit, score: 0.3)
                e.auditProbability = p
                return e
            }
            try await store.applyRouting([Setup.route(ids[0], .machine, score: 0.1), audit(ids[1], 0.125), audit(ids[2], nil)],
                                         task: "sentiment", at: Setup.date(0))
            var routes = try await store.routes(task: Setup.sentiment)
            #expect(routes[ids[0]]?.auditProbability == nil)
            #expect(routes[ids[1]]?.auditProbability == 0.125)
            #expect(routes[ids[2]]?.auditProbability == nil && routes[ids[2]]?.route == .audit)
            #expect(try await store.routing(task: Setup.sentiment, itemRowID: ids[1])?.route.auditProbability == 0.125)
            // A re-route that changes only the probability writes it; a person's label keeps it.
            try await store.applyRouting([audit(ids[1], 0.5), audit(ids[2], 0.0625)], task: "sentiment", at: Setup.date(1))
            _ = try await Setup.decide(store, item: ids[1], by: "ann", at: 2)
            routes = try await store.routes(task: Setup.sentiment, route: .audit)
            #expect(routes[ids[1]]?.auditProbability == 0.5 && routes[ids[1]]?.pending == false)
            #expect(routes[ids[2]]?.auditProbability == 0.0625)
            #expect(routes[ids[0]] == nil)
            // Triage rows carry it once the audit is answered; a blind one shows nothing of the machine's (π rises
            // with its uncertainty).
            let rows = try await store.triage(task: Setup.sentiment, filter: TriageFilter(pendingOnly: false), limit: 10)
            let π = Dictionary(uniqueKeysWithValues: rows.map { ($0.item.rowID, $0.route.auditProbability) })
            #expect(π[ids[1]] == .some(0.5) && π[ids[2]] == .some(nil) && π[ids[0]] == .some(nil))
        },

        ConformanceCase("triageOrdersByUncertaintyAndFilters") { store in
            try await Setup.texts(store, 6)
            let ids = try await Setup.ids(store, 1...6)
            try await store.saveVotes(ids.map { ($0, Setup.vote("pos", "a", by: "m")) }, task: "sentiment", at: Setup.date(0))
            try await store.applyRouting([
                Setup.route(ids[0], .human, score: 0.5), Setup.route(ids[1], .human, score: 0.9, label: "neg"),
                Setup.route(ids[2], .machine, score: 0.1), Setup.route(ids[3], .audit, score: 2.0),
                Setup.route(ids[4], .machine, score: 0.7, label: "neg"), Setup.route(ids[5], .human, score: 0.5),
            ], task: "sentiment", at: Setup.date(0))
            try await Setup.decide(store, item: ids[5], by: "ana", at: 1, flagged: true)
            func rows(_ filter: TriageFilter, limit: Int = 50) async throws -> [Int64] {
                try await store.triage(task: Setup.sentiment, filter: filter, limit: limit).map(\.item.rowID)
            }
            // Pending only (the default): most uncertain first, ties in item order; a blind audit last, whatever its score.
            #expect(try await rows(TriageFilter()) == [ids[1], ids[0], ids[3]])
            #expect(try await rows(TriageFilter(pendingOnly: false)) == [ids[1], ids[4], ids[0], ids[5], ids[2], ids[3]])
            #expect(try await rows(TriageFilter(pendingOnly: false, ascending: true)) == [ids[2], ids[0], ids[5], ids[4], ids[1], ids[3]])
            #expect(try await rows(TriageFilter(pendingOnly: false), limit: 2) == [ids[1], ids[4]])
            #expect(try await rows(TriageFilter(route: .machine, pendingOnly: false)) == [ids[4], ids[2]])
            // Filters on what the machine said never pick out a blind audit.
            #expect(try await rows(TriageFilter(pendingOnly: false, label: "neg")) == [ids[1], ids[4]])
            #expect(try await rows(TriageFilter(pendingOnly: false, minScore: 0.6)) == [ids[1], ids[4]])
            #expect(try await rows(TriageFilter(pendingOnly: false, flaggedOnly: true)) == [ids[5]])
            // A blind audit's row carries nothing the machine made; others carry the router's votes.
            let all = try await store.triage(task: Setup.sentiment, filter: TriageFilter(pendingOnly: false), limit: 50)
            let audit = try #require(all.first { $0.item.rowID == ids[3] })
            #expect(audit.machine == nil && audit.votes.isEmpty && audit.route.machineLabel == nil)
            let human = try #require(all.first { $0.item.rowID == ids[1] })
            #expect(human.votes == [Setup.vote("pos", "a", by: "m")] && human.route.machineLabel == "neg" && human.route.score == 0.9)
            #expect(try await store.triage(task: Setup.preference, filter: TriageFilter(pendingOnly: false), limit: 50).isEmpty)
        },
    ]

    static let cacheCases: [ConformanceCase] = [
        ConformanceCase("responseCacheRoundTripAndOverwrite") { store in
            #expect(try await store.cachedResponse(key: "k") == nil)
            let first = CachedResponse(text: "positive", promptTokens: 12, completionTokens: 1, logprobs: [-0.1, -0.25])
            try await store.storeResponse(first, key: "k")
            try await store.storeResponse(CachedResponse(text: "other ✓"), key: "k2")
            #expect(try await store.cachedResponse(key: "k") == first)
            #expect(try await store.cachedResponse(key: "k2") == CachedResponse(text: "other ✓"))
            let second = CachedResponse(text: "negative", promptTokens: 13, completionTokens: 2)
            try await store.storeResponse(second, key: "k")
            #expect(try await store.cachedResponse(key: "k") == second)
            #expect(try await store.cachedResponse(key: "K") == nil)
        },
    ]
}
