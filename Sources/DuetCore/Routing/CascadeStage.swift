import Foundation

/// One stage of a cascade as `duet plan` prices it: the items it was asked about and what that cost.
public struct CascadeStage: Sendable, Hashable, Encodable {
    public var annotator: String
    /// Items it has votes on.
    public var items: Int
    /// Its stored tokens at its prices (0 when unpriced).
    public var cost: Double

    public init(annotator: String, items: Int, cost: Double) {
        self.annotator = annotator
        self.items = items
        self.cost = cost
    }

    /// Each stage of `stages` (vote names) with the items it voted on in `votes` and its cost from `costs`.
    public static func measure(votes: VoteTable, stages: [String], costs: [String: Double]) -> [CascadeStage] {
        var items: [String: Int] = [:]
        for item in votes.items {
            for who in Set((votes.annotatedLabels(item) ?? []).map(\.annotator)) { items[who, default: 0] += 1 }
        }
        return stages.map { CascadeStage(annotator: $0, items: items[$0] ?? 0, cost: costs[$0] ?? 0) }
    }
}
