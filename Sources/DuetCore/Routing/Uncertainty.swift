import Foundation

/// How unsure a machine is about one item, from its votes (CoAnnotating §3).
public struct ItemUncertainty: Sendable, Hashable {
    public var itemRowID: Int64
    /// The majority label (nil when no vote could be parsed).
    public var label: String?
    /// Entropy (natural log) of the vote distribution; unparseable answers are their own class.
    public var entropy: Double
    /// 1 − mean stated confidence, when votes stated one.
    public var confidenceUncertainty: Double?
    /// (top count − second count) / votes, 0…1: small margins are unsure.
    public var margin: Double
    public var votes: Int
    /// Votes per label; unparseable answers under `Uncertainty.unparseable`.
    public var distribution: [String: Int]

    /// No-votes (`MachineVote.noVote`) are left out.
    public init(itemRowID: Int64, votes all: [MachineVote]) {
        self.itemRowID = itemRowID
        let votes = all.filter { !$0.noVote }
        let labels = votes.map(\.label)
        self.votes = votes.count
        distribution = Uncertainty.distribution(labels)
        entropy = Uncertainty.entropy(labels)
        label = Uncertainty.majority(labels)
        margin = Uncertainty.margin(labels)
        confidenceUncertainty = Uncertainty.confidenceUncertainty(votes)
    }
}

public enum Uncertainty {
    /// The class unparseable answers are counted under.
    public static let unparseable = "∅"

    public static func distribution(_ labels: [String?]) -> [String: Int] {
        var d: [String: Int] = [:]
        for l in labels { d[l ?? unparseable, default: 0] += 1 }
        return d
    }

    /// u = −Σ p_j ln p_j over the answers' classes (0 for no votes or unanimous votes).
    public static func entropy(_ labels: [String?]) -> Double {
        guard !labels.isEmpty else { return 0 }
        let n = Double(labels.count)
        var h = 0.0
        // Sorted counts: the same votes give the same bits, whatever a dictionary's order.
        for count in distribution(labels).values.sorted() {
            let p = Double(count) / n
            h -= p * Foundation.log(p)
        }
        return h == 0 ? 0 : h  // no negative zero
    }

    /// The most frequent parsed label. A tie goes to the tied label voted
    /// first (votes come in variant order, so normally the plain instruction
    /// prompt decides). Unparseable answers never win; nil when nothing parsed.
    public static func majority(_ labels: [String?]) -> String? {
        let parsed = labels.compactMap { $0 }
        let counts = distribution(parsed)
        guard let top = counts.values.max() else { return nil }
        return parsed.first { counts[$0] == top }
    }

    /// (top − second) / n over all classes, unparseable included.
    public static func margin(_ labels: [String?]) -> Double {
        guard !labels.isEmpty else { return 0 }
        let counts = distribution(labels).values.sorted(by: >)
        let top = counts.first ?? 0, second = counts.dropFirst().first ?? 0
        return Double(top - second) / Double(labels.count)
    }

    /// Whether the majority label has support: it has more votes than the runner-up label and more than
    /// the unparseable or failed answers together. "10 unparseable and 1 negative" or "3 positive, 3
    /// negative" have none: entropy alone would call the first nearly sure.
    public static func supported(_ labels: [String?]) -> Bool {
        let counts = distribution(labels.compactMap { $0 }).values.sorted(by: >)
        let top = counts.first ?? 0, second = counts.dropFirst().first ?? 0
        let none = labels.count - labels.compactMap { $0 }.count
        return top > second && top > none
    }

    /// Added to the entropy of an item whose majority has no support, so the robust strategies rank it
    /// before every supported item (entropy is at most ln of the number of classes).
    public static let unsupportedOffset = 10.0

    /// An item's uncertainty with support taken into account: its entropy; entropy + `unsupportedOffset`
    /// without support; infinite (unknown: first of all) with no parsed vote.
    public static func supportedEntropy(_ labels: [String?]) -> Double {
        let parsed = labels.contains { $0 != nil }
        return supportedEntropy(entropy: parsed ? entropy(labels) : 0, parsed: parsed, supported: parsed && supported(labels))
    }

    /// `supportedEntropy` from an item's entropy, whether any vote parsed and whether its majority has support.
    public static func supportedEntropy(entropy h: Double, parsed: Bool, supported: Bool) -> Double {
        if !parsed { return .infinity }
        return supported ? h : h + unsupportedOffset
    }

    /// 1 − mean stated confidence over the votes that stated one (nil if none did).
    public static func confidenceUncertainty(_ votes: [MachineVote]) -> Double? {
        let c = votes.compactMap(\.confidence)
        guard !c.isEmpty else { return nil }
        return 1 - c.reduce(0, +) / Double(c.count)
    }
}
