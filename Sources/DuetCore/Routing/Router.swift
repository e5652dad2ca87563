import Foundation

/// How the router ranks items for people.
public enum RoutingStrategy: String, Sendable, CaseIterable, Codable {
    /// Vote entropy (CoAnnotating).
    case entropy
    /// 1 − mean stated confidence (CoAnnotating's self-evaluation).
    case confidence
    /// Half the budget by entropy, then reliabilities learned from those
    /// labels re-rank the rest and weight the machine's votes.
    case calibrated
    /// A seeded random share (the baseline).
    case random
    /// What `duet route` uses: entropy with support (an item whose majority
    /// label has no support, `Uncertainty.supported`, ranks before every
    /// supported one; an item with no parsed vote first of all), switching to
    /// the learned weights only when there are enough human labels and the
    /// weights beat the plain majority on them (leave-one-out).
    case `default`

    /// Human labels needed before `default` trusts learned reliabilities.
    public static let minimumEvidence = 10
}

/// One line of `duet plan`: the quality of the mixed labels when `budget`
/// of the items go to people (gold or human labels standing in for them),
/// and what that costs (filled in by `PlanReport`).
public struct PlanRow: Sendable, Hashable, Codable {
    public var strategy: String
    public var budget: Double
    public var accuracy: Double
    public var macroF1: Double
    /// Items with truth (the ones measured) that went to people.
    public var humanItems: Int
    /// Items of the whole task that would go to people (what the cost counts).
    public var peopleItems: Int
    public var personHours: Double
    /// People's time at the hourly rate plus the machine's tokens at its prices.
    public var cost: Double
    /// On the Pareto frontier: no other row is as cheap and as accurate, and better in one.
    public var pareto: Bool

    public init(strategy: String, budget: Double, accuracy: Double, macroF1: Double, humanItems: Int,
                peopleItems: Int = 0, personHours: Double = 0, cost: Double = 0, pareto: Bool = false) {
        self.strategy = strategy
        self.budget = budget
        self.accuracy = accuracy
        self.macroF1 = macroF1
        self.humanItems = humanItems
        self.peopleItems = peopleItems
        self.personHours = personHours
        self.cost = cost
        self.pareto = pareto
    }

    enum CodingKeys: String, CodingKey {
        case strategy, budget, accuracy, cost, pareto
        case macroF1 = "macro_f1"
        case humanItems = "human_items"
        case peopleItems = "people_items"
        case personHours = "person_hours"
    }
}

/// The outcome of routing one task's items.
public struct RoutingOutcome: Sendable, Hashable {
    /// Items for people, most uncertain first.
    public var toHumans: [Int64]
    /// The machine's label for every item it keeps.
    public var machineLabels: [Int64: String]
    /// Uncertainty score used for each item.
    public var scores: [Int64: Double]
}

public enum Router {
    /// Routes `items` (votes per item) under a strategy and budget. `truth`
    /// holds labels people already gave (they are never routed again and
    /// are what `calibrated` learns from); `oracle` stands in for people
    /// labeling the items routed to them (planning only).
    public static func route(votes: VoteTable, order: [Int64], labels: [String], strategy: RoutingStrategy,
                             budget: Double, known: [Int64: String] = [:], oracle: [Int64: String]? = nil, seed: Int = 0) -> RoutingOutcome {
        let n = Allocation.count(order.count, share: budget)
        var machine: [Int64: String] = [:]
        func majority(_ id: Int64) -> String? { Uncertainty.majority(votes.labels(id) ?? []) }
        func entropy(_ id: Int64) -> Double { votes.labels(id).map(Uncertainty.entropy) ?? .infinity }
        switch strategy {
        case .entropy, .confidence, .random:
            let scores = Dictionary(uniqueKeysWithValues: order.map { id -> (Int64, Double) in
                switch strategy {
                case .entropy: return (id, entropy(id))
                case .confidence: return (id, votes[id].map { Uncertainty.confidenceUncertainty($0) ?? 1 } ?? .infinity)
                default: return (id, Double(Allocation.tieKey(id, seed)))
                }
            })
            let ranked = Allocation.ranked(order.map { ($0, scores[$0]!) }).map(\.item)
            let humans = Array(ranked.prefix(n))
            let chosen = Set(humans)
            for id in order where !chosen.contains(id) { if let l = majority(id) { machine[id] = l } }
            return RoutingOutcome(toHumans: humans, machineLabels: machine, scores: scores)
        case .default where votes.annotators.count >= DawidSkene.minimumPanel:
            return panel(votes: votes, order: order, labels: labels, people: n, known: known, oracle: oracle)
        case .calibrated, .default:
            // Stage 1: half the budget by entropy (or all of it while evidence is thin); the default ranks
            // items whose machine label has no support first.
            let entropyScores = order.map { id in
                (item: id, score: strategy == .default ? votes.labels(id).map(Uncertainty.supportedEntropy) ?? .infinity : entropy(id))
            }
            let ranked1 = Allocation.ranked(entropyScores).map(\.item)
            var truth = known
            let learnedHelps = known.count >= RoutingStrategy.minimumEvidence && Reliability.beatsMajority(votes: votes, truth: known, labels: labels)
            let firstShare = strategy == .calibrated || learnedHelps ? n / 2 : n
            var humans: [Int64] = []
            // Items people already labeled are not routed again (they inform the reliabilities).
            for id in ranked1 where humans.count < firstShare && known[id] == nil {
                humans.append(id)
                if let oracle, let l = oracle[id] { truth[id] = l }
            }
            let reliability = Reliability(votes: votes, truth: truth, classes: labels.count)
            let useLearned = strategy == .calibrated || (reliability.evidence >= RoutingStrategy.minimumEvidence
                && Reliability.beatsMajority(votes: votes, truth: truth, labels: labels))
            guard useLearned else {
                let chosen = Set(humans)
                for id in order where !chosen.contains(id) { if let l = majority(id) { machine[id] = l } }
                return RoutingOutcome(toHumans: humans, machineLabels: machine, scores: Dictionary(uniqueKeysWithValues: entropyScores.map { ($0.item, $0.score) }))
            }
            // Stage 2: the rest of the budget by the learned uncertainty.
            let first = Set(humans)
            let rest = order.filter { !first.contains($0) }
            let calibrated = rest.map { id in (item: id, score: votes[id].map { reliability.uncertainty($0, labels: labels) } ?? .infinity) }
            humans += Allocation.ranked(calibrated).prefix(n - humans.count).map(\.item)
            let chosen = Set(humans)
            for id in order where !chosen.contains(id) {
                if let l = reliability.label(votes[id] ?? [], labels: labels) { machine[id] = l }
            }
            var scores = Dictionary(uniqueKeysWithValues: entropyScores.map { ($0.item, $0.score) })
            for c in calibrated { scores[c.item] = c.score }
            return RoutingOutcome(toHumans: humans, machineLabels: machine, scores: scores)
        }
    }

    /// The default for a panel of at least `DawidSkene.minimumPanel` members.
    /// Half the people's share goes by the pooled votes' entropy (CoAnnotating);
    /// the labels people give there, with those they gave before, anchor a
    /// Dawid–Skene model of the panel. When that model beats the plain majority
    /// on people's labels (cross-validated) it ranks the rest by the chance its
    /// label is wrong and labels what the machine keeps. Otherwise (or with
    /// fewer than `RoutingStrategy.minimumEvidence` labels) it is exactly
    /// CoAnnotating's entropy, except that items without a parsed vote go first:
    /// with many members a tie of the pooled votes says little more than their
    /// entropy does, and the default must never do worse than entropy.
    static func panel(votes: VoteTable, order: [Int64], labels: [String], people n: Int, known: [Int64: String],
                      oracle: [Int64: String]?) -> RoutingOutcome {
        let entropy = order.map { id in
            (item: id, score: votes.labels(id).map { $0.contains { $0 != nil } ? Uncertainty.entropy($0) : .infinity } ?? .infinity)
        }
        var humans: [Int64] = []
        var truth = known
        for e in Allocation.ranked(entropy) where humans.count < n / 2 {
            humans.append(e.item)
            if let oracle, let l = oracle[e.item] { truth[e.item] = l }
        }
        let fitted = votes.items
        let anchors = truth.filter { votes.contains($0.key) }
        let check = anchors.count >= RoutingStrategy.minimumEvidence
            ? DawidSkene.crossValidate(votes: votes, items: fitted, labels: labels, anchors: anchors) : nil
        guard let check, check.beatsMajority else {
            let people = Array(Allocation.ranked(entropy).prefix(n).map(\.item))
            let chosen = Set(people)
            var machine: [Int64: String] = [:]
            for id in order where !chosen.contains(id) { if let l = Uncertainty.majority(votes.labels(id) ?? []) { machine[id] = l } }
            return RoutingOutcome(toHumans: people, machineLabels: machine, scores: Dictionary(uniqueKeysWithValues: entropy.map { ($0.item, $0.score) }))
        }
        let model = DawidSkene.fit(votes: votes, items: fitted, labels: labels, anchors: anchors)
        let first = Set(humans)
        let rest = order.filter { !first.contains($0) }.map { (item: $0, score: model.uncertainty($0)) }
        humans += Allocation.ranked(rest).prefix(n - humans.count).map(\.item)
        // The scores stored (and what --threshold compares with): the chance the model's label is wrong,
        // calibrated on the held-out anchors when they allow (Platt keeps the model's order).
        let calibration = PlattScaling(check.predictions)
        let chosen = Set(humans)
        var machine: [Int64: String] = [:]
        for id in order where !chosen.contains(id) { if let l = model.label(id) { machine[id] = l } }
        // Every item on one scale, so the people's queue and --threshold read one kind of number.
        var scores: [Int64: Double] = [:]
        for id in order { scores[id] = PlattScaling.chanceOfError(model.uncertainty(id), calibration) }
        return RoutingOutcome(toHumans: humans, machineLabels: machine, scores: scores)
    }

    /// Accuracy and macro-F1 of the mixed labels (people right on what they get).
    public static func evaluate(_ outcome: RoutingOutcome, truth: [Int64: String], labels: [String]) -> (accuracy: Double, macroF1: Double) {
        let humans = Set(outcome.toHumans)
        var predicted: [Int64: String?] = [:]
        for id in truth.keys { predicted[id] = humans.contains(id) ? truth[id] : outcome.machineLabels[id] }
        return Metrics.accuracyAndMacroF1(predicted: predicted, truth: truth, labels: labels)
    }

    /// `duet plan`: each strategy × budget, with `truth` standing in for people.
    /// `random` is the mean over `randomSeeds` seeds.
    public static func plan(votes: VoteTable, order: [Int64], truth: [Int64: String], labels: [String],
                            strategies: [RoutingStrategy] = RoutingStrategy.allCases, budgets: [Double], randomSeeds: Int = 200) -> [PlanRow] {
        let scored = order.filter { truth[$0] != nil }
        return planRows(strategies: strategies, budgets: budgets, randomSeeds: randomSeeds) { strategy, b, seed in
            let o = route(votes: votes, order: scored, labels: labels, strategy: strategy, budget: b, oracle: truth, seed: seed)
            let e = evaluate(o, truth: truth, labels: labels)
            return (e.accuracy, e.macroF1, o.toHumans.count)
        }
    }

    /// A plan's rows: `measure` (accuracy, second figure, items to people) for each strategy × budget;
    /// `random` is the mean over `randomSeeds` seeds.
    static func planRows(strategies: [RoutingStrategy], budgets: [Double], randomSeeds: Int,
                         measure: (RoutingStrategy, Double, Int) -> (accuracy: Double, second: Double, humans: Int)) -> [PlanRow] {
        var rows: [PlanRow] = []
        for strategy in strategies {
            for b in budgets {
                let seeds = strategy == .random ? Array(0..<max(1, randomSeeds)) : [0]
                var acc = 0.0, second = 0.0, humans = 0
                for seed in seeds {
                    let m = measure(strategy, b, seed)
                    acc += m.accuracy
                    second += m.second
                    humans = m.humans
                }
                rows.append(PlanRow(strategy: strategy.rawValue, budget: b, accuracy: acc / Double(seeds.count),
                                    macroF1: second / Double(seeds.count), humanItems: humans))
            }
        }
        return rows
    }
}
