import DuetCore
import Foundation
import GRDB
import Testing
@testable import DuetStore

@Suite struct RoutingStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func vote(_ label: String?, _ variant: String = "v1", by who: String = "m") -> MachineVote {
        MachineVote(annotator: who, variant: variant, label: label, confidence: 0.8)
    }

    func entry(_ id: Int64, _ route: Route, score: Double, label: String? = "pos") -> RouteEntry {
        RouteEntry(itemRowID: id, route: route, score: score, machineLabel: label, annotator: "m", votes: [vote(label)], entropy: score,
                   confidence: 0.8)
    }

    @Test func votesAreReplacedByKeyAndReadInOrder() throws {
        let store = try Fixture.store(texts: 3)
        try store.saveVotes([(1, vote("pos", "a")), (1, vote("neg", "b")), (2, vote(nil, "a"))], task: "sentiment", at: t0)
        try store.saveVotes([(1, vote("neu", "a"))], task: "sentiment", at: t0)  // same key: replaced
        let v = try store.votes(task: Fixture.sentiment)
        #expect(v[1]?.map(\.label) == ["neu", "neg"])
        #expect(v[2]?.first?.label == nil)
        #expect(v[3] == nil)
    }

    @Test func votesOfOneAnnotatorAndWhoHasVotes() throws {
        let store = try Fixture.store(texts: 3)
        try store.saveVotes([(2, vote("pos", "a", by: "x")), (1, vote("neg", "a", by: "y")), (1, vote(nil, "b", by: "x")),
                             (3, vote("neu", "a", by: "y"))], task: "sentiment", at: t0)
        let x = try store.votes(task: Fixture.sentiment, annotator: "x")
        #expect(x.items == [1, 2] && x.voteCount == 2)
        #expect(x[1] == [MachineVote(annotator: "x", variant: "b", label: nil, confidence: 0.8)])
        #expect(try store.votes(task: Fixture.sentiment, annotator: "y").byItem.mapValues { $0.map(\.label) } == [1: ["neg"], 3: ["neu"]])
        #expect(try store.votes(task: Fixture.sentiment, annotator: "z").isEmpty)
        #expect(try store.votes(task: Fixture.sentiment).voteCount == 4)
        #expect(try store.voteAnnotators(task: Fixture.sentiment) == ["x", "y"])
    }

    @Test func voteTokensAreSummedPerAnnotator() throws {
        let store = try Fixture.store(texts: 2)
        func v(_ variant: String, by who: String, _ p: Int?, _ c: Int?) -> MachineVote {
            MachineVote(annotator: who, variant: variant, label: "pos", promptTokens: p, completionTokens: c)
        }
        try store.saveVotes([(1, v("a", by: "llm:x", 100, 7)), (2, v("a", by: "llm:x", 120, 9)), (1, v("b", by: "llm:x", nil, nil)),
                             (1, v("a", by: "local:ensemble", nil, nil))], task: "sentiment", at: t0)
        #expect(try store.voteTokens(task: Fixture.sentiment, annotator: "llm:x") == VoteTokens(votes: 3, promptTokens: 220, completionTokens: 16))
        #expect(try store.voteTokens(task: Fixture.sentiment, annotator: "local:ensemble") == VoteTokens(votes: 1))
        // A re-run replaces the vote, so its tokens are counted once.
        try store.saveVotes([(2, v("a", by: "llm:x", 20, 1))], task: "sentiment", at: t0)
        #expect(try store.voteTokens(task: Fixture.sentiment, annotator: "llm:x") == VoteTokens(votes: 3, promptTokens: 120, completionTokens: 8))
        #expect(try store.voteTokens(task: Fixture.sentiment, annotator: "nobody") == VoteTokens())
        #expect(abs(VoteTokens(votes: 3, promptTokens: 2_000_000, completionTokens: 500_000).cost(promptPrice: 0.15, completionPrice: 0.6) - 0.6) < 1e-12)
    }

    /// A False / No answer is stored (raw text, tokens) and counted in what the run cost, and no read that
    /// counts votes sees it: the router's table, one item's routing votes, triage, `--unparseable`.
    @Test func noVotesAreStoredAndCostButAreNeverReadAsVotes() throws {
        let store = try Fixture.store(texts: 2)
        let no = MachineVote.noVote(annotator: "m", variant: "tf:neg", raw: "False.", promptTokens: 50, completionTokens: 3)
        var table = VoteTable()
        table.append(MachineVote(annotator: "m", variant: "a", label: "pos", raw: "positive", promptTokens: 40, completionTokens: 2), item: 1)
        table.append(no, item: 1)
        table.append(MachineVote.noVote(annotator: "m", variant: "tf:pos", raw: "No.", promptTokens: 45, completionTokens: 2), item: 2)
        try store.replaceVotes(table, annotator: "m", items: [1, 2], task: "sentiment", at: t0)
        let read = try store.votes(task: Fixture.sentiment, annotator: "m")
        #expect(read.items == [1] && read.voteCount == 1 && read[1]?.map(\.label) == ["pos"] && read.noVoteCount == 0)
        #expect(try store.voteTokens(task: Fixture.sentiment, annotator: "m") == VoteTokens(votes: 3, promptTokens: 135, completionTokens: 7))
        let records = try store.voteRecords(task: Fixture.sentiment, item: nil, annotator: nil, unparseableOnly: false, limit: 10)
        #expect(records.map(\.vote) == [table[1]![0], no, Array(table.noVotes)[1].vote])
        #expect(try store.voteRecords(task: Fixture.sentiment, item: nil, annotator: nil, unparseableOnly: true, limit: 10).isEmpty)
        try store.applyRouting([RouteEntry(itemRowID: 1, route: .machine, score: 0, machineLabel: "pos", annotator: "m",
                                           votes: read[1]!, entropy: 0, confidence: nil)], task: "sentiment", at: t0)
        #expect(try store.routing(task: Fixture.sentiment, itemRowID: 1)?.votes.map(\.variant) == ["a"])
        // The machine's decision carries its votes' raw answers (the router read them without).
        let logged = try #require(try store.annotations(itemRowIDs: [1], task: "sentiment")[1]?.last)
        #expect(logged.entry.votes == [["variant": "a", "label": "pos", "raw": "positive"]])
    }

    @Test func aRunReplacesItsAnnotatorsVotesOnTheItemsItAnswered() throws {
        let store = try Fixture.store(texts: 3)
        try store.saveVotes([(1, vote(nil, "tf:neg")), (1, vote("pos", "a")), (2, vote(nil, "a")), (1, vote("neg", "a", by: "other"))],
                            task: "sentiment", at: t0)
        // The run answered items 1 and 3: item 1's error on tf:neg became a False (no vote); item 2 was not asked.
        var run = VoteTable()
        run.append(vote("pos", "a"), item: 1)
        run.append(vote("neu", "a"), item: 3)
        try store.replaceVotes(run, annotator: "m", items: [1, 3], task: "sentiment", at: t0)
        let v = try store.votes(task: Fixture.sentiment)
        #expect(v[1]?.map { "\($0.annotator) \($0.variant) \($0.label ?? "-")" } == ["other a neg", "m a pos"])
        #expect(v[2]?.map(\.label) == [nil], "an item the run did not answer keeps its votes")
        #expect(v[3]?.map(\.label) == ["neu"])
    }

    @Test func routingQueuesPeopleByUncertaintyAndRecordsMachineLabels() throws {
        let store = try Fixture.store(texts: 5)
        try store.applyRouting([entry(1, .machine, score: 0.1), entry(2, .human, score: 0.9), entry(3, .audit, score: 0.2),
                                entry(4, .human, score: 1.5), entry(5, .machine, score: 0)], task: "sentiment", at: t0)
        // People: 4 (most uncertain), then 2, then the audit 3.
        #expect(try store.nextItem(for: Fixture.sentiment, annotator: "ana")?.rowID == 4)
        let p = try store.taskProgress(Fixture.sentiment)
        // 1 and 5; the audit 3 keeps the machine's label but waits for people, so it is theirs to do.
        #expect(p.machine == 2 && p.auditsOpen == 1)
        #expect(p.remaining == 3)
        // People's decisions move the queue along.
        try store.record(NewAnnotation(itemRowID: 4, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "neg", createdAt: t0))
        #expect(try store.nextItem(for: Fixture.sentiment, annotator: "ana")?.rowID == 2)
        try store.record(NewAnnotation(itemRowID: 2, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "neg", createdAt: t0))
        #expect(try store.nextItem(for: Fixture.sentiment, annotator: "ana")?.rowID == 3)
        // Undo puts the item back in the queue.
        #expect(try store.undoLast(task: "sentiment", annotator: "ana", at: t0.addingTimeInterval(1)) == 2)
        #expect(try store.nextItem(for: Fixture.sentiment, annotator: "ana")?.rowID == 2)
        let routes = try store.routes(task: Fixture.sentiment)
        #expect(routes[4]?.pending == false)
        #expect(routes[2]?.pending == true)
        #expect(routes[1]?.route == .machine && routes[1]?.pending == false)
        // A person labels the audit: it is theirs (human), the machine's count does not move, and what is
        // left for people goes down by one; the kept counts equal a scan all along.
        try store.record(NewAnnotation(itemRowID: 3, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "neg", createdAt: t0))
        let after = try store.taskProgress(Fixture.sentiment)
        #expect(after.machine == 2 && after.auditsOpen == 0 && after.human == 2 && after.remaining == 1)
        #expect(after == (try store.taskProgressByScan(Fixture.sentiment)))
    }

    @Test func rerouteNeverTouchesPeopleAndRevokesDroppedMachineLabels() throws {
        let store = try Fixture.store(texts: 2)
        try store.applyRouting([entry(1, .machine, score: 0.1), entry(2, .machine, score: 0.2)], task: "sentiment", at: t0)
        try store.record(NewAnnotation(itemRowID: 1, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "neg", createdAt: t0))
        // Re-route: item 2 now goes to people, item 1 again to the machine (with another label).
        try store.applyRouting([entry(1, .machine, score: 0.1, label: "neu"), entry(2, .human, score: 0.9)], task: "sentiment",
                               at: t0.addingTimeInterval(5))
        let d = try store.currentDecisions(task: Fixture.sentiment)
        #expect(d.first { $0.itemRowID == 1 && $0.annotator == "ana" }?.value == "neg")
        #expect(d.first { $0.itemRowID == 1 && $0.annotator == "m" }?.value == "neu")
        #expect(!d.contains { $0.itemRowID == 2 && $0.annotator == "m" })
        #expect(try store.nextItem(for: Fixture.sentiment, annotator: "bo")?.rowID == 2)
        // The log keeps the revoked machine label; re-applying the same routing adds nothing.
        let before = try store.annotations(itemRowIDs: [1, 2], task: "sentiment").values.flatMap { $0 }.count
        try store.applyRouting([entry(1, .machine, score: 0.1, label: "neu"), entry(2, .human, score: 0.9)], task: "sentiment", at: t0)
        #expect(try store.annotations(itemRowIDs: [1, 2], task: "sentiment").values.flatMap { $0 }.count == before)
        #expect(try store.annotations(itemRowIDs: [2], task: "sentiment")[2]?.contains { $0.entry.status == .revoked } == true)
        // A person's earlier decision keeps a re-routed human item off the queue.
        #expect(try store.routes(task: Fixture.sentiment)[1]?.pending == false)
    }

    @Test func responseCacheRoundTrip() throws {
        let store = try SQLiteStore.inMemory()
        #expect(try store.cachedResponse(key: "k") == nil)
        try store.storeResponse(CachedResponse(text: "positive", promptTokens: 12, completionTokens: 1, logprobs: [-0.1, -0.25]), key: "k")
        #expect(try store.cachedResponse(key: "k") == CachedResponse(text: "positive", promptTokens: 12, completionTokens: 1, logprobs: [-0.1, -0.25]))
    }

    /// The machine's pair decisions take the shape a person's have (`{"choice": …, "strength": 1}`), so
    /// exports of final decisions, audits and agreement read both alike.
    @Test func machinePairDecisionsHaveThePersonsShape() throws {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks([Fixture.preference])
        try Fixture.load(store, (1...4).map { Fixture.pair($0) }, file: "/data/prefs.jsonl", dataset: "prefs")
        let ids = try (1...4).map { n in try #require(try store.item(dataset: "prefs", uid: "p\(n)")?.rowID) }
        try store.applyRouting([entry(ids[0], .machine, score: 0, label: "0"), entry(ids[1], .machine, score: 0, label: "1"),
                                entry(ids[2], .audit, score: 0, label: "tie"), entry(ids[3], .human, score: 1, label: "both-bad")],
                               task: "preference", at: t0)
        let values = Dictionary(uniqueKeysWithValues: try store.currentDecisions(task: Fixture.preference, kind: .machine)
            .map { ($0.itemRowID, $0.value) })
        #expect(values[ids[0]] == PairJudgment(choice: .response(0)).json)
        #expect(values[ids[1]] == PairJudgment(choice: .response(1)).json)
        #expect(values[ids[2]] == PairJudgment(choice: .tie).json)
        #expect(values[ids[3]] == nil)
        // A re-route with the same labels changes nothing (the stored shape is what it compares with).
        let log = try Fixture.count(store, "SELECT COUNT(*) FROM annotations")
        try store.applyRouting([entry(ids[0], .machine, score: 0, label: "0"), entry(ids[1], .machine, score: 0, label: "1"),
                                entry(ids[2], .audit, score: 0, label: "tie"), entry(ids[3], .human, score: 1, label: "both-bad")],
                               task: "preference", at: t0)
        #expect(try Fixture.count(store, "SELECT COUNT(*) FROM annotations") == log)
    }

    /// Stores routed before v10 kept the machine's pair labels as text: the migration reshapes them.
    @Test func theMigrationReshapesOldMachinePairDecisions() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator().migrate(queue, upTo: "v9-item-content-hash")
        let old = SQLiteStore(writer: queue, path: nil)
        try Fixture.insertOldTasks(queue, [Fixture.sentiment, Fixture.preference])
        try Fixture.load(old, (1...2).map { Fixture.pair($0) }, file: "/data/prefs.jsonl", dataset: "prefs")
        try Fixture.load(old, [Fixture.text(1)])
        let p1 = try #require(try old.item(dataset: "prefs", uid: "p1")?.rowID)
        let p2 = try #require(try old.item(dataset: "prefs", uid: "p2")?.rowID)
        try Fixture.decide(old, item: p1, task: "preference", by: "m", kind: .machine, label: "1", at: 1)
        try Fixture.decide(old, item: p2, task: "preference", by: "m", kind: .machine, label: "both-bad", at: 2)
        try Fixture.decide(old, item: try Fixture.id(old, 1), by: "m", kind: .machine, label: "pos", at: 3)
        try Schema.migrator().migrate(queue)
        let values = Dictionary(uniqueKeysWithValues: try old.currentDecisions(task: Fixture.preference, kind: .machine)
            .map { ($0.itemRowID, $0.value) })
        #expect(values[p1] == PairJudgment(choice: .response(1)).json)
        #expect(values[p2] == PairJudgment(choice: .bothBad).json)
        #expect(try old.currentDecisions(task: Fixture.sentiment, kind: .machine).first?.value == "pos")
    }
}
