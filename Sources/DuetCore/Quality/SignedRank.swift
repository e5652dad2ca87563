import Foundation

/// The Wilcoxon signed-rank test, one-sided ("less"), exact: the alt-test's test for a person with fewer
/// than 30 items, where the t-test's normality is doubtful (the authors' FAQ prescribes it there).
///
/// **Definition.** Zeros are dropped (Wilcoxon's convention, scipy's `zero_method="wilcox"`). The absolute
/// values of the n remaining xᵢ are ranked 1…n, tied values taking the mean of their ranks (mid-ranks);
/// the statistic is `T⁺ = Σ_{xᵢ>0} rᵢ`. Under the null hypothesis (x symmetric about 0) each sign is + or −
/// with probability ½ independently, so `T⁺ = Σ rᵢ·Bᵢ` with the ranks fixed; its distribution, counted
/// over all 2ⁿ sign patterns with the observed mid-ranks (a conditional, exact test: correct with ties, which
/// the alt-test's xᵢ = dᵢ − ε always have), gives `p = P(T⁺ ≤ t⁺)`: small when x sits below 0. Doubled
/// mid-ranks are integers, so the count is a subset-sum table over them, exact in Doubles up to n = 53.
/// Matches `scipy.stats.wilcoxon(x, alternative="less")` with `method="exact"` without ties and with
/// every sign pattern (`PermutationMethod`) with them (Tests/DuetCoreTests/Fixtures/alttest.json).
public enum SignedRank {
    public struct Result: Sendable, Hashable {
        /// T⁺, the sum of the ranks of the positive values.
        public var statistic: Double
        /// P(T⁺ ≤ statistic) under the null hypothesis; 1 when every value is zero.
        public var pValue: Double
    }

    public static func less(_ x: [Double]) -> Result {
        let nonzero = x.filter { $0 != 0 }
        guard !nonzero.isEmpty else { return Result(statistic: 0, pValue: 1) }
        let doubled = doubledMidRanks(nonzero.map(abs))
        let observed = zip(nonzero, doubled).reduce(0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
        // counts[s]: the sign patterns whose doubled T⁺ is s.
        var counts = [Double](repeating: 0, count: doubled.reduce(0, +) + 1)
        counts[0] = 1
        var reach = 0
        for r in doubled {
            for s in stride(from: reach, through: 0, by: -1) where counts[s] > 0 { counts[s + r] += counts[s] }
            reach += r
        }
        let below = counts[0...observed].reduce(0, +)
        return Result(statistic: Double(observed) / 2, pValue: below / pow(2, Double(doubled.count)))
    }

    /// Twice the mid-rank of each value (ties share the mean of their ranks), an integer.
    static func doubledMidRanks(_ values: [Double]) -> [Int] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Int](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            // Ranks start + 1 … end + 1; twice their mean is their sum of ends.
            for k in start...end { ranks[order[k]] = start + end + 2 }
            start = end + 1
        }
        return ranks
    }

    /// The fewest nonzero values at which the test can reject at level α: the smallest p-value it gives,
    /// every value below 0, is 2⁻ⁿ.
    public static func fewestToReach(_ alpha: Double) -> Int {
        guard alpha > 0 && alpha < 1 else { return 1 }
        return max(1, Int((log2(1 / alpha) - 1e-12).rounded(.up)))
    }
}
