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

    @Test func voteTokensPriceTheirTokens() {
        #expect(abs(VoteTokens(votes: 3, promptTokens: 2_000_000, completionTokens: 500_000).cost(promptPrice: 0.15, completionPrice: 0.6) - 0.6) < 1e-12)
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
