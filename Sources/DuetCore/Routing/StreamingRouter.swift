import Foundation

/// One pass over a panel's votes: `body` gets each item that has votes with its votes (in the panel's
/// order, as `VoteTable.members` orders them), items in ascending order. The streaming router calls it
/// once per pass it needs.
public typealias VotePass = (_ body: (Int64, [MachineVote]) throws -> Void) async throws -> Void

extension VoteTable {
    /// The table as a `VotePass` (its items in their order).
    public func forEachItem(_ body: (Int64, [MachineVote]) throws -> Void) rethrows {
        for item in items { try body(item, self[item]!) }
    }
}

/// What `Router.route` decides, computed in passes over the votes (`StreamingRouter`) and held in a few
/// bytes per item instead of every vote: a score, the majority label's code, the learned label's code
/// when a model labels, and flags.
public struct StreamedRouting: Sendable {
    /// The routed items, as given.
    public let order: [Int64]
    /// Per item of `order`: its uncertainty score (`RoutingOutcome.scores`).
    public fileprivate(set) var scores: [Double]
    fileprivate var flags: [UInt8]
    /// Code in `names` of the majority label of the item's votes (-1: none parsed).
    fileprivate var majority: [Int32]
    /// Code of the learned model's label (-1: none); empty unless a learned model labels the machine's items.
    fileprivate var learned: [Int32] = []
    fileprivate var names = Interner<String>()

    fileprivate static let hasVotes: UInt8 = 1, parsed: UInt8 = 2, supported: UInt8 = 4, toPeople: UInt8 = 8, kept: UInt8 = 16

    fileprivate init(order: [Int64]) {
        self.order = order
        scores = Array(repeating: .infinity, count: order.count)
        flags = Array(repeating: 0, count: order.count)
        majority = Array(repeating: -1, count: order.count)
    }

    fileprivate func has(_ i: Int, _ flag: UInt8) -> Bool { flags[i] & flag != 0 }

    /// Whether the item has votes.
    public func hasVotes(at i: Int) -> Bool { has(i, Self.hasVotes) }
    /// Whether any of its votes parsed to a label.
    public func parsed(at i: Int) -> Bool { has(i, Self.parsed) }
    /// Whether the item goes to people (`RoutingOutcome.toHumans`).
    public func toPeople(at i: Int) -> Bool { has(i, Self.toPeople) }
    /// The machine's label for an item it keeps (`RoutingOutcome.machineLabels`): the learned model's when
    /// one labels, else the majority; nil for the items people get.
    public func machineLabel(at i: Int) -> String? {
        guard has(i, Self.kept) else { return nil }
        let code = learned.isEmpty ? majority[i] : learned[i]
        return code < 0 ? nil : names[code]
    }
    /// The majority label of the item's votes (ties: the label voted first).
    public func majorityLabel(at i: Int) -> String? { majority[i] < 0 ? nil : names[majority[i]] }

    /// Sends every item scored above `threshold` to people, and only those (`duet route --threshold`).
    public mutating func sendToPeople(above threshold: Double) {
        for i in order.indices {
            if scores[i] > threshold { flags[i] |= Self.toPeople } else { flags[i] &= ~Self.toPeople }
        }
    }

    /// The same routing as a `RoutingOutcome` (people's items in item order, not ranked): for tests and small inputs.
    public var outcome: RoutingOutcome {
        var machine: [Int64: String] = [:], scored: [Int64: Double] = [:]
        for (i, id) in order.enumerated() {
            scored[id] = scores[i]
            if let l = machineLabel(at: i) { machine[id] = l }
        }
        return RoutingOutcome(toHumans: order.indices.filter(toPeople(at:)).map { order[$0] }, machineLabels: machine, scores: scored)
    }

    /// Which items `sendTop` may pick.
    fileprivate enum Pool { case all, notKnown([Int64: String]), notToPeople }

    /// Sends to people the `k` items with the highest scores in `pool` (equal scores: the earlier item first),
    /// exactly the prefix `Allocation.ranked` gives, without sorting the items: the k-th highest score is
    /// found on a sorted copy of the scores, then one walk in order takes those above it and the first of
    /// those equal to it.
    fileprivate mutating func sendTop(_ k: Int, from pool: Pool) {
        func eligible(_ i: Int) -> Bool {
            switch pool {
            case .all: return true
            case .notKnown(let known): return known[order[i]] == nil
            case .notToPeople: return !has(i, Self.toPeople)
            }
        }
        let candidates = order.indices.filter(eligible)
        guard k > 0, !candidates.isEmpty else { return }
        if k >= candidates.count {
            for i in candidates { flags[i] |= Self.toPeople }
            return
        }
        var sorted = candidates.map { scores[$0] }
        sorted.sort(by: >)
        let cut = sorted[k - 1]
        var equal = k - sorted.prefix(k).filter { $0 > cut }.count
        for i in candidates {
            let s = scores[i]
            if s > cut || (s == cut && equal > 0) {
                if s == cut { equal -= 1 }
                flags[i] |= Self.toPeople
            }
        }
    }

    /// The machine keeps every item people do not get that has a label (learned, else majority).
    fileprivate mutating func keepLabeled() {
        for i in order.indices where !has(i, Self.toPeople) && (learned.isEmpty ? majority[i] : learned[i]) >= 0 { flags[i] |= Self.kept }
    }
}

/// `Router.route` for `duet route` on any number of items: the same decisions (routes, labels and scores;
/// `StreamingRouterTests` checks it against `Router.route`), computed in passes over the votes in item
/// order instead of on every vote held in memory.
///
/// - Pass 1 scores every item from its votes (entropy, support, majority, stated confidence) and keeps the
///   votes of the items people labeled (what `Reliability` and the Dawid–Skene anchors learn from).
/// - A learned strategy that needs a fit beyond people's labels (the panel's Dawid–Skene model) reads in a
///   second pass the votes of the anchored items and of a fixed pseudo-random sample of at most
///   `fitSample` other items (all of them when there are no more: small projects fit exactly as before),
///   fits on those, and scores every item in a last pass with the fitted parameters.
/// - The share for people is picked from the compact scores (`StreamedRouting.sendTop`), not by sorting items.
public enum StreamingRouter {
    /// Items without people's labels a Dawid–Skene fit reads at most (beyond the anchored ones). Below it the
    /// fit is on every item, as `Router.route` fits; above it on the items with the lowest `tieKey` under
    /// `sampleSeed`: thousands of items per member and class are far more than the model's few parameters need.
    public static let fitSample = 50_000
    static let sampleSeed = 29

    /// Routes the items of `order` (no duplicates) as `Router.route` would with `votes` holding what `pass`
    /// reads (no oracle: this is for routing, not planning).
    public static func route(_ pass: VotePass, order: [Int64], labels: [String], strategy: RoutingStrategy, budget: Double,
                             known: [Int64: String] = [:], seed: Int = 0, fitSample: Int = StreamingRouter.fitSample) async throws -> StreamedRouting {
        var r = StreamedRouting(order: order)
        let position = Positions(order)
        let n = Allocation.count(order.count, share: budget)
        var members = Set<String>()
        var knownVotes = VoteTable()
        var outside: [Int64] = []  // items with votes, without people's labels, not routed (rare): a Dawid–Skene fit reads them too
        try await pass { item, votes in
            guard !votes.isEmpty else { return }
            var last: String?
            for v in votes where v.annotator != last {
                last = v.annotator
                members.insert(v.annotator)
            }
            if known[item] != nil {
                for v in votes { knownVotes.append(v, item: item) }
            }
            guard let i = position(item) else {
                if known[item] == nil && strategy == .default { outside.append(item) }
                return
            }
            let labels = votes.map(\.label)
            let parsed = labels.contains { $0 != nil }
            r.flags[i] = StreamedRouting.hasVotes | (parsed ? StreamedRouting.parsed : 0)
                | (parsed && Uncertainty.supported(labels) ? StreamedRouting.supported : 0)
            r.majority[i] = Uncertainty.majority(labels).map { r.names.code($0) } ?? -1
            r.scores[i] = strategy == .confidence ? Uncertainty.confidenceUncertainty(votes) ?? 1 : Uncertainty.entropy(labels)
        }
        func score(_ f: (Int) -> Double) {
            for i in order.indices where r.hasVotes(at: i) { r.scores[i] = f(i) }
        }
        switch strategy {
        case .entropy, .confidence, .random:
            if strategy == .random { for i in order.indices { r.scores[i] = Double(Allocation.tieKey(order[i], seed)) } }
            r.sendTop(n, from: .all)
            r.keepLabeled()
        case .default where members.count >= DawidSkene.minimumPanel:
            // Router.panel: CoAnnotating's entropy, an item without a parsed vote first.
            score { r.parsed(at: $0) ? r.scores[$0] : .infinity }
            try await panel(pass, &r, position: position, labels: labels, people: n, known: known, knownVotes: knownVotes,
                      outside: outside, fitSample: fitSample)
        case .calibrated, .default:
            if strategy == .default {
                score { Uncertainty.supportedEntropy(entropy: r.scores[$0], parsed: r.parsed(at: $0), supported: r.has($0, StreamedRouting.supported)) }
            }
            let learnedHelps = known.count >= RoutingStrategy.minimumEvidence
                && Reliability.beatsMajority(votes: knownVotes, truth: known, labels: labels)
            r.sendTop(strategy == .calibrated || learnedHelps ? n / 2 : n, from: .notKnown(known))
            let reliability = Reliability(votes: knownVotes, truth: known, classes: labels.count)
            guard strategy == .calibrated || (reliability.evidence >= RoutingStrategy.minimumEvidence
                                              && Reliability.beatsMajority(votes: knownVotes, truth: known, labels: labels)) else {
                r.keepLabeled()
                return r
            }
            try await relabel(pass, &r, position: position, people: n) { _, votes in
                (reliability.label(votes, labels: labels), reliability.uncertainty(votes, labels: labels))
            }
        }
        return r
    }

    /// The second stage of a learned strategy: one pass scores and labels every item people did not get in
    /// the first stage by the learned model (`learned(votes)`), the rest of the people's share goes by those
    /// scores, and the machine keeps the others with the learned labels.
    private static func relabel(_ pass: VotePass, _ r: inout StreamedRouting, position: Positions, people n: Int,
                                learned: @escaping (Int64, [MachineVote]) -> (label: String?, uncertainty: Double)) async throws {
        r.learned = Array(repeating: -1, count: r.order.count)
        var first = 0
        for i in r.order.indices {
            if r.toPeople(at: i) { first += 1 } else { r.scores[i] = .infinity }
        }
        try await pass { item, votes in
            guard let i = position(item), !r.toPeople(at: i) else { return }
            let (label, uncertainty) = learned(item, votes)
            r.scores[i] = uncertainty
            r.learned[i] = label.map { r.names.code($0) } ?? -1
        }
        r.sendTop(n - first, from: .notToPeople)
        r.keepLabeled()
    }

    /// `Router.panel`, with the Dawid–Skene model fitted on the anchored items and a bounded sample.
    private static func panel(_ pass: VotePass, _ r: inout StreamedRouting, position: Positions, labels: [String], people n: Int,
                              known: [Int64: String], knownVotes: VoteTable, outside: [Int64], fitSample: Int) async throws {
        r.sendTop(n / 2, from: .all)
        let anchors = known.filter { knownVotes.contains($0.key) }
        func entropyOnly() {
            for i in r.order.indices { r.flags[i] &= ~StreamedRouting.toPeople }
            r.sendTop(n, from: .all)
            r.keepLabeled()
        }
        guard anchors.count >= RoutingStrategy.minimumEvidence else { return entropyOnly() }
        // The sample: the unanchored items with votes whose keys are among the `fitSample` lowest.
        var keys = outside.map { Allocation.tieKey($0, sampleSeed) }
        for i in r.order.indices where r.hasVotes(at: i) && known[r.order[i]] == nil { keys.append(Allocation.tieKey(r.order[i], sampleSeed)) }
        var cutoff = UInt64.max
        if keys.count > fitSample {
            keys.sort()
            cutoff = fitSample > 0 ? keys[fitSample - 1] : 0
        }
        keys = []
        var sample = VoteTable()
        try await pass { item, votes in
            guard anchors[item] != nil || (fitSample > 0 && Allocation.tieKey(item, sampleSeed) <= cutoff) else { return }
            for v in votes { sample.append(v, item: item) }
        }
        let check = DawidSkene.crossValidate(votes: sample, items: sample.items, labels: labels, anchors: anchors)
        guard check.beatsMajority else { return entropyOnly() }
        let model = DawidSkene.fit(votes: sample, items: sample.items, labels: labels, anchors: anchors)
        let calibration = PlattScaling(check.predictions)
        // Router.panel's second stage, and every item's model score kept for the one scale stored below.
        r.learned = Array(repeating: -1, count: r.order.count)
        var modelScores = [Double](repeating: .infinity, count: r.order.count)
        var first = 0
        for i in r.order.indices {
            if r.toPeople(at: i) { first += 1 } else { r.scores[i] = .infinity }
        }
        try await pass { item, votes in
            guard let i = position(item) else { return }
            // A fitted item keeps its fitted posterior (an anchor's is its label); others get one E step.
            let (label, uncertainty) = sample.contains(item) ? (model.label(item), model.uncertainty(item))
                : model.scored(votes.map { ($0.annotator, $0.label) })
            modelScores[i] = uncertainty
            guard !r.toPeople(at: i) else { return }
            r.scores[i] = uncertainty
            r.learned[i] = label.map { r.names.code($0) } ?? -1
        }
        r.sendTop(n - first, from: .notToPeople)
        r.keepLabeled()
        // Every item on one scale: the model's chance of a wrong label, Platt-calibrated when the anchors allow.
        for i in r.order.indices where r.hasVotes(at: i) { r.scores[i] = PlattScaling.chanceOfError(modelScores[i], calibration) }
    }
}

/// Where an item is in the routed order: a binary search (over the order, or a sorted permutation of it).
struct Positions {
    private let order: [Int64]
    private let sorted: [Int32]?

    init(_ order: [Int64]) {
        self.order = order
        sorted = zip(order, order.dropFirst()).allSatisfy { $0 < $1 } ? nil
            : order.indices.map { Int32($0) }.sorted { order[Int($0)] < order[Int($1)] }
    }

    func callAsFunction(_ item: Int64) -> Int? {
        var lo = 0, hi = order.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if order[at(mid)] < item { lo = mid + 1 } else { hi = mid }
        }
        return lo < order.count && order[at(lo)] == item ? at(lo) : nil
    }

    private func at(_ k: Int) -> Int { sorted.map { Int($0[k]) } ?? k }
}
