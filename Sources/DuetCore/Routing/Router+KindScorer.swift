import Foundation

extension Router {
    /// Routes items of a kind `scorer` judges (see `KindScorer`): `entropy` ranks by the plain spread,
    /// `default` and `calibrated` by the spread with support, `confidence` by 1 − mean stated
    /// confidence, `random` by a seeded key; the machine keeps the rest with the scorer's label.
    /// Items without votes come first. `order` holds only items no person has labeled.
    public static func route(scorer: KindScorer, votes: VoteTable, order: [Int64], strategy: RoutingStrategy,
                             budget: Double, seed: Int = 0) -> RoutingOutcome {
        var machine: [Int64: String] = [:]
        var scores: [Int64: Double] = [:]
        var ranking: [(item: Int64, score: Double)] = []
        ranking.reserveCapacity(order.count)
        for id in order {
            let vs = votes[id]
            let judged = vs.map(scorer.judge)
            let score: Double
            switch strategy {
            case .entropy: score = judged?.spread ?? .infinity
            case .default, .calibrated: score = judged?.score ?? .infinity
            case .confidence: score = vs.map { Uncertainty.confidenceUncertainty($0) ?? 1 } ?? .infinity
            case .random: score = Double(Allocation.tieKey(id, seed))
            }
            scores[id] = score
            ranking.append((id, score))
            if let l = judged?.label { machine[id] = l }
        }
        let humans = Array(Allocation.ranked(ranking).prefix(Allocation.count(order.count, share: budget)).map(\.item))
        for id in humans { machine[id] = nil }
        return RoutingOutcome(toHumans: humans, machineLabels: machine, scores: scores)
    }

    /// `duet plan` for kinds `scorer` judges: each strategy × budget, `truth` standing in for people;
    /// accuracy is exact match and `macroF1` holds the scorer's second figure (`KindScorer.evaluate`).
    public static func plan(scorer: KindScorer, votes: VoteTable, order: [Int64], truth: [Int64: String], labels: [String],
                            strategies: [RoutingStrategy] = KindScorer.strategies, budgets: [Double], randomSeeds: Int = 200) -> [PlanRow] {
        let scored = order.filter { truth[$0] != nil }
        return planRows(strategies: strategies, budgets: budgets, randomSeeds: randomSeeds) { strategy, b, seed in
            let o = route(scorer: scorer, votes: votes, order: scored, strategy: strategy, budget: b, seed: seed)
            let e = evaluate(scorer: scorer, o, truth: truth, labels: labels)
            return (e.accuracy, e.second, o.toHumans.count)
        }
    }

    /// The mixed labels' quality under `scorer` (people right on what they get).
    public static func evaluate(scorer: KindScorer, _ outcome: RoutingOutcome, truth: [Int64: String], labels: [String]) -> (accuracy: Double, second: Double) {
        let humans = Set(outcome.toHumans)
        var predicted: [Int64: String?] = [:]
        for id in truth.keys { predicted[id] = humans.contains(id) ? truth[id] : outcome.machineLabels[id] }
        return scorer.evaluate(predicted: predicted, truth: truth, labels: labels)
    }
}
