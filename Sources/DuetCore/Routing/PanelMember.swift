import Foundation

/// How far one panel member can be trusted: its answers against people's
/// labels (gold standing in where the user allows), with a 95% interval, what
/// it costs, and whether it is any better than a constant guess.
public struct PanelMember: Sendable, Hashable, Codable {
    /// The name its votes are stored under.
    public var annotator: String
    /// Labeled items it answered (its own majority over its variants; an item it could not answer counts as wrong).
    public var items: Int
    public var correct: Int
    public var accuracy: Double
    /// 95% Wilson interval of `accuracy`.
    public var low: Double
    public var high: Double
    /// What always answering the most common label scores on the same items.
    public var chance: Double
    /// The interval does not rise above `chance`: its votes add cost and noise, not evidence.
    public var noBetterThanChance: Bool
    /// Its stored tokens at its prices per item it voted on (nil: not priced, e.g. the built-in annotator).
    public var costPerItem: Double?
    /// Accuracy learned by the panel's Dawid–Skene model (nil for a panel too small to learn).
    public var learnedAccuracy: Double?

    public init(annotator: String, items: Int, correct: Int, accuracy: Double, low: Double, high: Double, chance: Double,
                noBetterThanChance: Bool, costPerItem: Double?, learnedAccuracy: Double?) {
        self.annotator = annotator
        self.items = items
        self.correct = correct
        self.accuracy = accuracy
        self.low = low
        self.high = high
        self.chance = chance
        self.noBetterThanChance = noBetterThanChance
        self.costPerItem = costPerItem
        self.learnedAccuracy = learnedAccuracy
    }

    /// The words of the flag a member at chance gets.
    public static let chanceWarning = "no better than chance: adds cost and noise"

    /// Most accurate first (ties by name): the order every list of members is shown in.
    public static func ranked(_ members: [PanelMember]) -> [PanelMember] {
        members.sorted { ($0.accuracy, $1.annotator) > ($1.accuracy, $0.annotator) }
    }

    /// One line: "gpt: 0.850 (0.710–0.930) on 40 · chance 0.400 · learned 0.840 · cost 0.0021 per item", and the flag.
    public var line: String {
        var s = "\(annotator): " + String(format: "%.3f (%.3f–%.3f) on %d · chance %.3f", accuracy, low, high, items, chance)
        if let l = learnedAccuracy { s += String(format: " · learned %.3f", l) }
        if let c = costPerItem { s += String(format: " · cost %.4f per item", c) }
        if noBetterThanChance { s += " · " + Self.chanceWarning }
        return s
    }

    enum CodingKeys: String, CodingKey {
        case annotator, items, correct, accuracy, low, high, chance
        case noBetterThanChance = "no_better_than_chance"
        case costPerItem = "cost_per_item"
        case learnedAccuracy = "learned_accuracy"
    }

    /// Every member of `members` measured on the items of `truth`. `costs` gives each member's machine
    /// cost (absent: unpriced); the Dawid–Skene model is fitted on every item with votes, `truth` as anchors.
    public static func measure(votes: VoteTable, members: [String], truth: [Int64: String], labels: [String],
                               costs: [String: Double] = [:]) -> [PanelMember] {
        var answered: [String: [(answer: String?, truth: String)]] = [:]
        var voted: [String: Int] = [:]
        for item in votes.items {
            var own: [String: [String?]] = [:]
            for v in votes.annotatedLabels(item) ?? [] { own[v.annotator, default: []].append(v.label) }
            for (who, ls) in own {
                voted[who, default: 0] += 1
                if let t = truth[item] { answered[who, default: []].append((Uncertainty.majority(ls), t)) }
            }
        }
        let model = members.count >= DawidSkene.minimumPanel && !truth.isEmpty
            ? DawidSkene.fit(votes: votes, items: votes.items, labels: labels, anchors: truth) : nil
        return members.map { who in
            let pairs = answered[who] ?? []
            let correct = pairs.filter { $0.answer == $0.truth }.count
            var counts: [String: Int] = [:]
            for p in pairs { counts[p.truth, default: 0] += 1 }
            let chance = pairs.isEmpty ? 0 : Double(counts.values.max() ?? 0) / Double(pairs.count)
            let interval = Audit.wilson(successes: correct, trials: pairs.count) ?? (0, 1)
            let cost = costs[who].map { $0 / Double(max(1, voted[who] ?? 0)) }
            return PanelMember(annotator: who, items: pairs.count, correct: correct,
                               accuracy: pairs.isEmpty ? 0 : Double(correct) / Double(pairs.count),
                               low: interval.low, high: interval.high, chance: chance,
                               noBetterThanChance: !pairs.isEmpty && interval.low <= chance, costPerItem: cost,
                               learnedAccuracy: model?.accuracy(who))
        }
    }
}
