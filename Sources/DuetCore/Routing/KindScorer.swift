import Foundation

/// What the votes on one item say, for task kinds whose votes are not one label each.
public struct JudgedItem: Sendable, Hashable {
    /// The machine's label text (`Decisions.labelText`'s shape), nil when no vote could be read.
    public var label: String?
    /// The plain spread (the `entropy` strategy): the largest label entropy (multilabel), the
    /// orders' 1 − mean τ (rankings), or the vote entropy.
    public var spread: Double
    /// The spread with support (the `default` strategy): + `Uncertainty.unsupportedOffset` without
    /// support, infinite with nothing read.
    public var score: Double

    public init(label: String?, spread: Double, score: Double) {
        self.label = label
        self.spread = spread
        self.score = score
    }
}

/// How items of a task are scored when its votes are not one label each: multilabel tasks (a yes/no
/// vote per label, `Multilabel`) and compare tasks holding ranking items (orders, `RankingOrder`).
/// `Router.route(scorer:…)` and `Router.plan(scorer:…)` route and plan with it; `forTask` says whether
/// a task needs one (nil: the router's label votes apply as they are).
public enum KindScorer: Sendable, Hashable {
    /// One yes/no vote per label and perturbation, about the facet `label`.
    case multilabel(labels: [String])
    /// Compare tasks with ranking items: items whose votes are orders are scored by their spread and
    /// labelled by consensus; pair items' votes as label votes (entropy with support, majority).
    case ranking

    /// The scorer a task needs: multilabel tasks always; compare tasks when some item's votes are orders.
    public static func forTask(_ task: TaskSpec, votes: VoteTable) -> KindScorer? {
        switch task.kind {
        case .multilabel: return .multilabel(labels: task.labels)
        case .compare:
            for id in votes.items where votes.labels(id)!.contains(where: { $0.flatMap(RankingOrder.init(text:)) != nil }) {
                return .ranking
            }
            return nil
        default: return nil
        }
    }

    /// The scorer one item's votes need, told from the votes alone (screens that show a stored item):
    /// yes/no votes about facets are multilabel, orders a ranking; nil for label votes.
    public static func forVotes(_ votes: [MachineVote]) -> KindScorer? {
        if votes.contains(where: { $0.label.flatMap(RankingOrder.init(text:)) != nil }) { return .ranking }
        let facets = votes.filter { $0.facet != nil }
        if !facets.isEmpty, facets.count == votes.count,
           facets.allSatisfy({ $0.label == nil || $0.label == Multilabel.yes || $0.label == Multilabel.no }) {
            return .multilabel(labels: [])
        }
        return nil
    }

    public func judge(_ votes: [MachineVote]) -> JudgedItem {
        switch self {
        case .multilabel(let labels):
            let per = Multilabel.perLabel(votes, labels: labels)
            return JudgedItem(label: Multilabel.labelText(per), spread: Multilabel.entropyScore(per), score: Multilabel.supportedScore(per))
        case .ranking:
            let labels = votes.map(\.label)
            if labels.contains(where: { $0.flatMap(RankingOrder.init(text:)) != nil }) {
                let spread = RankingOrder.spread(labels)
                return JudgedItem(label: RankingOrder.consensus(labels)?.text, spread: spread,
                                  score: RankingOrder.supported(labels) ? spread : spread + Uncertainty.unsupportedOffset)
            }
            let parsed = labels.contains { $0 != nil }
            return JudgedItem(label: Uncertainty.majority(labels), spread: parsed ? Uncertainty.entropy(labels) : .infinity,
                              score: Uncertainty.supportedEntropy(labels))
        }
    }

    /// Accuracy (exact match: the same label set, the same order) and the second figure of a plan row:
    /// the mean per-label F1 (multilabel) or, for rankings, the mean share of response pairs put the
    /// right way round (pair items: right or wrong).
    public func evaluate(predicted: [Int64: String?], truth: [Int64: String], labels: [String]) -> (accuracy: Double, second: Double) {
        switch self {
        case .multilabel(let taskLabels):
            let r = Multilabel.accuracyAndLabelF1(predicted: predicted, truth: truth, labels: taskLabels)
            return (r.accuracy, r.labelF1)
        case .ranking:
            guard !truth.isEmpty else { return (0, 0) }
            var exact = 0, pairs = 0.0
            for (id, t) in truth {
                let p = predicted[id] ?? nil
                if p == t { exact += 1 }
                if let p, let po = RankingOrder(text: p), let to = RankingOrder(text: t) {
                    pairs += RankingOrder.pairAgreement(po, truth: to) ?? (p == t ? 1 : 0)
                } else if p == t {
                    pairs += 1
                }
            }
            return (Double(exact) / Double(truth.count), pairs / Double(truth.count))
        }
    }

    /// What a plan's figures mean for these kinds, in words (`duet plan` says it under "quality").
    public var planNote: String {
        switch self {
        case .multilabel:
            return "Accuracy counts an item right when its whole label set is; the macro-F1 rows hold the mean per-label F1"
        case .ranking:
            return "Accuracy counts a ranking right when its whole order is; the macro-F1 rows hold the share of response pairs put the right way round"
        }
    }

    /// The strategies a plan compares for these kinds: no reliabilities are learned for them, so
    /// `calibrated` is left out (`default` is entropy with support).
    public static let strategies: [RoutingStrategy] = [.default, .entropy, .confidence, .random]
}

extension TaskSpec {
    /// Whether a vote's label is an answer this task's votes can hold: one of `answerLabels`; for a
    /// multilabel task "yes" or "no" about one of its labels (the variant's facet); for a compare task
    /// also an order of a ranking item's responses (`RankingOrder`).
    public func acceptsVote(label: String, variant: String) -> Bool {
        switch kind {
        case .multilabel:
            guard let at = variant.firstIndex(of: MachineVote.facetSeparator) else { return false }
            return labels.contains(String(variant[variant.index(after: at)...])) && (label == Multilabel.yes || label == Multilabel.no)
        case .compare:
            return answerLabels.contains(label) || RankingOrder(text: label) != nil
        default:
            // A vote about a facet (a review's verdict) takes that facet's labels.
            if let facet = MachineVote(annotator: "", variant: variant, label: nil).facet, let allowed = facetLabels[facet] {
                return allowed.contains(label)
            }
            return answerLabels.contains(label)
        }
    }
}

extension PlanBaseline {
    /// The most common true label (set, order) for every item, and the machine alone, under `scorer`.
    public static func make(scorer: KindScorer, votes: VoteTable, order: [Int64], truth: [Int64: String], labels: [String]) -> PlanBaseline? {
        let measured = order.filter { truth[$0] != nil }
        guard !measured.isEmpty else { return nil }
        var counts: [String: Int] = [:]
        for id in measured { counts[truth[id]!, default: 0] += 1 }
        guard let top = counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key })?.key else { return nil }
        let scored = Dictionary(uniqueKeysWithValues: measured.map { ($0, truth[$0]!) })
        let constant = scorer.evaluate(predicted: Dictionary(uniqueKeysWithValues: measured.map { ($0, Optional(top)) }), truth: scored, labels: labels)
        let machine = Router.route(scorer: scorer, votes: votes, order: measured, strategy: .entropy, budget: 0)
        let alone = Router.evaluate(scorer: scorer, machine, truth: scored, labels: labels).accuracy
        return PlanBaseline(label: top, accuracy: constant.accuracy, macroF1: constant.second, machineAccuracy: alone)
    }
}

extension KindScorer {
    /// Whether a vote agrees with the machine's label: a yes/no vote about a label when the label set
    /// holds it (yes) or not (no); any other vote when it is that label (an order: the consensus).
    public static func agrees(_ vote: MachineVote, with label: String?) -> Bool {
        guard let label, let said = vote.label else { return false }
        if let facet = vote.facet, said == Multilabel.yes || said == Multilabel.no {
            return Multilabel.labels(of: label).contains(facet) == (said == Multilabel.yes)
        }
        return said == label
    }
}

/// How unsure the machine is over a task's items, for the Quality screen: per label of a multilabel
/// task (items whose votes about it have no supported majority, its mean entropy), or over ranking
/// items (the mean 1 − τ spread of their orders, and how many are unanimous).
public struct JudgeSpread: Sendable, Hashable {
    public struct Label: Sendable, Hashable {
        public var label: String
        /// Items with votes about the label.
        public var items: Int
        /// Items whose votes give it a supported "yes".
        public var yes: Int
        /// Items without a supported majority about it (the ones that go to people first).
        public var unsure: Int
        public var meanEntropy: Double
    }

    public var labels: [Label] = []
    /// Ranking items with votes that are orders.
    public var rankings = 0
    public var meanRankingSpread: Double?
    /// Ranking items whose orders all agree.
    public var unanimousRankings = 0

    /// nil when the task's votes are one label each (no multilabel or ranking votes).
    public static func make(task: TaskSpec, votes: VoteTable) -> JudgeSpread? {
        guard let scorer = KindScorer.forTask(task, votes: votes) else { return nil }
        var out = JudgeSpread()
        switch scorer {
        case .multilabel(let labels):
            var items = [Int](repeating: 0, count: labels.count), yes = items, unsure = items
            var entropy = [Double](repeating: 0, count: labels.count)
            for id in votes.items {
                for (i, l) in Multilabel.perLabel(votes[id]!, labels: labels).enumerated() where l.votes > 0 {
                    items[i] += 1
                    entropy[i] += l.entropy
                    if l.applies == true { yes[i] += 1 }
                    if l.applies == nil { unsure[i] += 1 }
                }
            }
            out.labels = labels.indices.map {
                Label(label: labels[$0], items: items[$0], yes: yes[$0], unsure: unsure[$0], meanEntropy: items[$0] > 0 ? entropy[$0] / Double(items[$0]) : 0)
            }
        case .ranking:
            var total = 0.0
            for id in votes.items {
                let labels = votes.labels(id)!
                guard labels.contains(where: { $0.flatMap(RankingOrder.init(text:)) != nil }) else { continue }
                let s = RankingOrder.spread(labels)
                out.rankings += 1
                total += s
                if s == 0 { out.unanimousRankings += 1 }
            }
            out.meanRankingSpread = out.rankings > 0 ? total / Double(out.rankings) : nil
        }
        return out
    }
}
