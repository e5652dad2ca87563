import DuetAnnotators
import DuetCore
import Testing

/// The pairwise model on ranking items: trained on people's orders (every two candidates they ranked
/// apart), each member orders held-out candidates by its pairwise wins.
@Suite struct LocalRankingTests {
    /// Ranking items of three candidates, detailed > one step > poor, in a random stored order; the true order as text.
    static func corpus(_ n: Int, seed: UInt64, firstID: Int64) -> [(item: StoredItem, order: RankingOrder)] {
        var rng = LocalTestRNG(seed)
        return (0..<n).map { i in
            let topic = LocalPairTests.topics.randomElement(using: &rng)!
            let quality = [LocalPairTests.detailed(topic, &rng), "here is how to \(topic).\n1. \(LocalPairTests.steps.randomElement(using: &rng)!).",
                           LocalPairTests.poor.randomElement(using: &rng)!]
            let shown = Array(0..<3).shuffled(using: &rng)  // shown[k]: the quality level stored at k
            let fields = ItemFields(prompt: [.user("how do i \(topic)?")], responses: shown.map { [.assistant(quality[$0])] })
            let item = StoredItem(rowID: firstID + Int64(i), item: Item(uid: "r\(i)", dataset: "d", kind: .ranking, fields: fields))
            return (item, RankingOrder((0..<3).map { level in shown.firstIndex(of: level)! }))
        }
    }

    @Test func ordersHeldOutCandidatesFromPairFeatures() async throws {
        let train = Self.corpus(60, seed: 5, firstID: 1), test = Self.corpus(40, seed: 6, firstID: 1000)
        let e = try LocalEnsemble(seed: 2, judgments: [], rankings: train.map { ($0.item.item, $0.order) })
        #expect(e.isPairwise && e.trainingCount == 60 * 3)
        let votes = try await e.annotate(test.map(\.item), task: TaskSpec(name: "c", kind: .compare)) { _ in }
        #expect(votes.count == 40)
        var agreement = 0.0, exact = 0
        for row in test {
            let v = try #require(votes[row.item.rowID])
            #expect(v.count == 7 && v.allSatisfy { RankingOrder(text: $0.label ?? "")?.isStrict == true })
            let consensus = try #require(RankingOrder.consensus(v.map(\.label)))
            agreement += RankingOrder.pairAgreement(consensus, truth: row.order) ?? 0
            if consensus == row.order { exact += 1 }
        }
        // Chance: half the pairs, one order in six.
        #expect(agreement / 40 > 0.8, "pairs the right way round: \(agreement / 40)")
        #expect(exact > 20, "exact orders \(exact)/40")
    }
}
