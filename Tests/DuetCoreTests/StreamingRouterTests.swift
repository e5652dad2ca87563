import Foundation
import Testing
@testable import DuetCore

/// `StreamingRouter` (what `duet route` runs) against `Router.route` (every vote in memory): the same
/// routes, labels and scores on random tables, panels and single annotators, every strategy.
@Suite struct StreamingRouterTests {
    struct Case {
        var votes = VoteTable()
        var order: [Int64] = []
        var known: [Int64: String] = [:]
        let labels = ["a", "b", "c"]
    }

    /// Items 1…n; a single annotator with several variants or a panel of 3–5 members of mixed quality (a
    /// copy of one, one that mostly fails to parse, labels outside the task's); some items without votes;
    /// people's labels (the truth) on a random share, sometimes fewer than `minimumEvidence`.
    static func randomCase(seed: UInt64) -> Case {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() % 1_000_000) / 1_000_000 }
        var c = Case()
        let n = 40 + Int(rng.next() % 200)
        let panel = rng.next() % 3 != 0
        let members: [(name: String, accuracy: Double, variants: Int)] = panel
            ? (0..<(3 + Int(rng.next() % 3))).map { ("m\($0)", 0.35 + 0.6 * uniform(), 1 + Int(rng.next() % 3)) }
            : [("llm:x", 0.5 + 0.45 * uniform(), 1 + Int(rng.next() % 7))]
        let copy = panel && rng.next() % 2 == 0
        var truth: [Int64: String] = [:]
        for id in 1...Int64(n) {
            let t = c.labels[Int(rng.next() % 3)]
            truth[id] = t
            if rng.next() % 10 == 0 { continue }  // no votes
            var first: [MachineVote] = []
            for m in members {
                for v in 0..<m.variants {
                    let r = uniform()
                    let label: String? = r < 0.05 ? nil : r < 0.07 ? "zz" : uniform() < m.accuracy ? t : c.labels[Int(rng.next() % 3)]
                    let vote = MachineVote(annotator: m.name, variant: "v\(v)", label: label,
                                           confidence: rng.next() % 4 == 0 ? nil : uniform())
                    c.votes.append(vote, item: id)
                    if first.count < m.variants, m.name == members[0].name { first.append(vote) }
                }
            }
            if copy { for v in first { c.votes.append(MachineVote(annotator: "copy", variant: v.variant, label: v.label), item: id) } }
        }
        let share = [0.0, 0.05, 0.2, 0.4][Int(rng.next() % 4)]
        for id in 1...Int64(n) where uniform() < share { c.known[id] = truth[id] }
        c.order = (1...Int64(n)).filter { c.known[$0] == nil }
        if rng.next() % 3 == 0 { c.order.removeAll { $0 % 7 == 0 } }  // votes on items not routed (outside the task's filter)
        if rng.next() % 4 == 0 { c.order.shuffle(using: &rng) }
        return c
    }

    func same(_ c: Case, _ strategy: RoutingStrategy, budget: Double, seed: Int) async throws -> Bool {
        let memory = Router.route(votes: c.votes, order: c.order, labels: c.labels, strategy: strategy, budget: budget, known: c.known, seed: seed)
        let streamed = try await StreamingRouter.route(c.votes.forEachItem, order: c.order, labels: c.labels, strategy: strategy, budget: budget,
                                                 known: c.known, seed: seed).outcome
        #expect(Set(streamed.toHumans) == Set(memory.toHumans), "\(strategy) \(budget)")
        #expect(streamed.toHumans.count == memory.toHumans.count)
        #expect(streamed.machineLabels == memory.machineLabels, "\(strategy) \(budget)")
        #expect(streamed.scores.keys.sorted() == memory.scores.keys.sorted())
        let sameScores = memory.scores.allSatisfy { streamed.scores[$0.key]?.bitPattern == $0.value.bitPattern }
        #expect(sameScores, "\(strategy) \(budget)")
        return streamed.machineLabels.contains { id, label in label != Uncertainty.majority(c.votes.labels(id) ?? []) }
    }

    @Test func streamedRouteEqualsTheInMemoryRoute() async throws {
        var learned: [RoutingStrategy: Int] = [:]
        for seed in 0..<60 as Range<UInt64> {
            let c = Self.randomCase(seed: seed)
            for strategy in RoutingStrategy.allCases {
                for budget in [0, 0.1, 0.3, 0.5, 1] {
                    if try await same(c, strategy, budget: budget, seed: Int(seed)) { learned[strategy, default: 0] += 1 }
                }
            }
        }
        // The cases reach the learned paths: Dawid–Skene for panels (default) and the reliability weights (calibrated).
        #expect(learned[.default, default: 0] > 0)
        #expect(learned[.calibrated, default: 0] > 0)
    }

    /// Planted panels where Dawid–Skene wins (one good member, noisy others): the streamed default labels by
    /// the model exactly as the in-memory one.
    @Test func streamedPanelDefaultEqualsOnSimulatedPanels() async throws {
        for seed in 1...4 as ClosedRange<UInt64> {
            let sim = SimulatedPanel(items: 300, labels: ["a", "b", "c"], accuracies: [("good", 0.9), ("n1", 0.45), ("n2", 0.45), ("n3", 0.4)],
                                     biased: ["n1"], seed: seed)
            var c = Case()
            c.votes = sim.votes
            c.known = sim.truth.filter { $0.key % 5 == 0 }
            c.order = sim.votes.items.filter { c.known[$0] == nil }
            for budget in [0.1, 0.3] { #expect(try await same(c, .default, budget: budget, seed: 0)) }
        }
    }

    /// An unanchored item the model was fitted on gets its fitted posterior again from its votes: the last
    /// pass's scores equal the fit's when the sample is every item.
    @Test func scoringAFittedItemGivesItsFittedPosterior() {
        let sim = SimulatedPanel(items: 200, labels: ["a", "b"], accuracies: [("x", 0.8), ("y", 0.7), ("z", 0.6)], seed: 7)
        let anchors = sim.truth.filter { $0.key % 4 == 0 }
        let model = DawidSkene.fit(votes: sim.votes, items: sim.votes.items, labels: sim.labels, anchors: anchors)
        for id in sim.votes.items where anchors[id] == nil {
            let scored = model.scored(sim.votes.annotatedLabels(id)!)
            #expect(scored.label == model.label(id))
            #expect(scored.uncertainty.bitPattern == model.uncertainty(id).bitPattern)
        }
    }

    /// Above `fitSample` the model is fitted on the anchored items and a bounded sample (the passes read the
    /// rest one item at a time); the people's share is still exactly the budget, and a sample that covers
    /// every item routes exactly as the in-memory router.
    @Test func aBoundedSampleStillRoutesTheBudget() async throws {
        let sim = SimulatedPanel(items: 400, labels: ["a", "b", "c"], accuracies: [("good", 0.9), ("n1", 0.5), ("n2", 0.5)], biased: ["n1"], seed: 3)
        let known = sim.truth.filter { $0.key % 8 == 0 }
        let order = sim.votes.items.filter { known[$0] == nil }
        var read = 0
        let sampled = try await StreamingRouter.route({ body in try sim.votes.forEachItem { read += 1; try body($0, $1) } }, order: order,
                                                labels: sim.labels, strategy: .default, budget: 0.3, known: known, fitSample: 40)
        #expect(order.indices.filter(sampled.toPeople(at:)).count == Allocation.count(order.count, share: 0.3))
        #expect(order.indices.allSatisfy { sampled.toPeople(at: $0) || sampled.machineLabel(at: $0) != nil })
        #expect(read >= 2 * sim.votes.count)  // more than one pass, none holding every vote
        let whole = try await StreamingRouter.route(sim.votes.forEachItem, order: order, labels: sim.labels, strategy: .default, budget: 0.3,
                                              known: known, fitSample: sim.votes.count).outcome
        let memory = Router.route(votes: sim.votes, order: order, labels: sim.labels, strategy: .default, budget: 0.3, known: known)
        #expect(Set(whole.toHumans) == Set(memory.toHumans) && whole.machineLabels == memory.machineLabels && whole.scores == memory.scores)
    }

    @Test func aThresholdSendsExactlyTheItemsAboveIt() async throws {
        let c = Self.randomCase(seed: 11)
        var r = try await StreamingRouter.route(c.votes.forEachItem, order: c.order, labels: c.labels, strategy: .entropy, budget: 0.2)
        r.sendToPeople(above: 0.5)
        #expect(c.order.indices.allSatisfy { r.toPeople(at: $0) == (r.scores[$0] > 0.5) })
    }

}
