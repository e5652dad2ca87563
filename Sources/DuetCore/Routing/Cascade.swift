/// A cascade of machine annotators, cheapest first: each next one is asked
/// only about the items the ones before it are least sure of.
public enum Cascade {
    /// The items to pass on to the next annotator, most uncertain first: of `open` (items people have not
    /// labeled), the `share` with the highest uncertainty of the votes so far (entropy with support; an
    /// item without a parsed vote first of all), or with `above`, every item whose uncertainty is above it.
    public static func escalate(votes: VoteTable, open: [Int64], share: Double, above: Double? = nil) -> [Int64] {
        let scores = open.map { id in (item: id, score: votes.labels(id).map(Uncertainty.supportedEntropy) ?? .infinity) }
        let ranked = Allocation.ranked(scores)
        if let above { return ranked.filter { $0.score > above }.map(\.item) }
        return ranked.prefix(Allocation.count(open.count, share: share)).map(\.item)
    }
}
