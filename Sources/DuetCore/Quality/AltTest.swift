import Foundation

/// The alternative annotator test (Calderon, Reichart & Dror, "The Alternative Annotator Test for
/// LLM-as-a-Judge: How to Statistically Justify Replacing Human Annotators with LLMs", ACL 2025): can the
/// machine replace the people? It asks, for each person j held out in turn, whether the machine agrees
/// with the *other* people at least about as well as j does.
///
/// **Procedure** (the paper's, for categorical labels). Only items labeled by at least two people count.
/// For person j, Iⱼ is the items j labeled (with at least one other person); on item i the others'
/// labels are H₋ⱼ(i), and the alignment score of a label ℓ is the share of them that equal it:
/// `S(ℓ, i, j) = |{k ∈ H₋ⱼ(i) : ℓ = hₖ(i)}| / |H₋ⱼ(i)|` (the paper's accuracy score, `ACC`).
/// - Indicators: `Wᶠᵢⱼ = 1[S(f(i)) ≥ S(hⱼ(i))]` (the machine f is at least as aligned),
///   `Wʰᵢⱼ = 1[S(hⱼ(i)) ≥ S(f(i))]`; ties count for both.
/// - Advantage probabilities: `ρ̂ᶠⱼ = mean_{i∈Iⱼ} Wᶠᵢⱼ`, `ρ̂ʰⱼ = mean_{i∈Iⱼ} Wʰᵢⱼ`.
/// - Hypotheses: `H₀ⱼ: ρᶠⱼ ≤ ρʰⱼ − ε` against `H₁ⱼ: ρᶠⱼ > ρʰⱼ − ε`, ε the cost–benefit margin (the
///   authors' rule of thumb: 0.2 for experts, 0.15 for skilled annotators, 0.1 for crowd workers).
/// - Test: a one-sided paired t-test on `dᵢ = Wʰᵢⱼ − Wᶠᵢⱼ`: `t = (d̄ − ε)/(s_d/√nⱼ)` (s_d with divisor
///   nⱼ − 1), `p = P(T_{nⱼ−1} ≤ t)`. When s_d = 0, p = 0 if d̄ < ε and 1 otherwise (the limit of t).
/// - The Benjamini–Yekutieli procedure at level α over the m people tested (FDR under any dependence):
///   with p₍₁₎ ≤ … ≤ p₍ₘ₎, reject the k smallest for the largest k with `p₍ₖ₎ ≤ k·α/(m·Σᵢ₌₁ᵐ 1/i)`.
/// - Winning rate `ω = (rejected H₀ⱼ)/m`; the machine passes when `ω ≥ 0.5`. The average advantage
///   probability `ρ = mean_j ρ̂ᶠⱼ` compares machines with each other.
///
/// **Few items.** The t-test needs `tTestItems` items (default 30, as the authors' code and FAQ: below that
/// its normality is doubtful). With fewer, the authors' FAQ prescribes a non-parametric test: the exact
/// Wilcoxon signed-rank test of `dᵢ − ε` (`SignedRank.less`, one-sided, `p = P(T⁺ ≤ t⁺)`). A person with
/// fewer than `fewestItems` items (`SignedRank.fewestToReach(α)`: 5 at α = 0.05, since n items give at
/// best p = 2⁻ⁿ) could not be rejected by any test at α, so is listed with the reason but not tested and
/// not counted in m (counting them would only lower ω). The authors also advise at least three people.
public struct AltTest: Sendable, Hashable, Codable {
    /// One item: the machine's label and each person's.
    public struct Item: Sendable, Hashable {
        public var machine: String
        public var people: [String: String]

        public init(machine: String, people: [String: String]) {
            self.machine = machine
            self.people = people
        }
    }

    /// The test a person's items get.
    public enum Test: String, Sendable, Hashable, Codable {
        /// The paired t-test (`tTestItems` items or more).
        case t
        /// The exact Wilcoxon signed-rank test (`fewestItems` up to `tTestItems` − 1 items).
        case signedRank = "signed_rank"
    }

    public struct Person: Sendable, Hashable, Codable {
        public var name: String
        public var items: Int
        /// ρ̂ᶠⱼ and ρ̂ʰⱼ.
        public var machineAdvantage: Double
        public var personAdvantage: Double
        /// The test run; nil when not tested (fewer than `fewestItems` items).
        public var test: Test?
        /// The t statistic; nil unless the t-test ran, and when every dᵢ is the same (s_d = 0).
        public var t: Double?
        /// The signed-rank statistic T⁺ of dᵢ − ε; nil unless the signed-rank test ran.
        public var signedRank: Double?
        /// The one-sided p-value; nil when not tested.
        public var pValue: Double?
        public var rejected: Bool

        enum CodingKeys: String, CodingKey {
            case name, items, test, t, rejected
            case machineAdvantage = "rho_machine", personAdvantage = "rho_person", pValue = "p_value", signedRank = "signed_rank"
        }
    }

    public var people: [Person]
    public var epsilon: Double
    public var alpha: Double
    /// The items from which a person gets the t-test, and the fewest a person needs to be tested at all.
    public var tTestItems: Int
    public var fewestItems: Int
    /// People tested (m).
    public var tested: Int
    /// ω; nil when nobody was tested.
    public var winningRate: Double?
    /// ρ, the mean of ρ̂ᶠⱼ over the people tested; nil when nobody was tested.
    public var averageAdvantage: Double?

    enum CodingKeys: String, CodingKey {
        case people, epsilon, alpha, tested
        case tTestItems = "t_test_items", fewestItems = "fewest_items"
        case winningRate = "winning_rate", averageAdvantage = "average_advantage"
    }

    /// Whether the machine passes (ω ≥ 0.5).
    public var passed: Bool { (winningRate ?? 0) >= 0.5 }

    public init(_ items: [Item], epsilon: Double = 0.2, alpha: Double = 0.05, tTestItems: Int = 30) {
        self.epsilon = epsilon
        self.alpha = alpha
        let tItems = max(2, tTestItems), fewest = min(tItems, SignedRank.fewestToReach(alpha))
        self.tTestItems = tItems
        fewestItems = fewest
        var d: [String: [Double]] = [:], wf: [String: Double] = [:], wh: [String: Double] = [:]
        for item in items where item.people.count >= 2 {
            for (j, own) in item.people {
                let others = item.people.filter { $0.key != j }.map(\.value)
                func score(_ label: String) -> Double { Double(others.count(where: { $0 == label })) / Double(others.count) }
                let sf = score(item.machine), sh = score(own)
                let f: Double = sf >= sh ? 1 : 0, h: Double = sh >= sf ? 1 : 0
                d[j, default: []].append(h - f)
                wf[j, default: 0] += f
                wh[j, default: 0] += h
            }
        }
        var list: [Person] = d.keys.sorted().map { j in
            let dj = d[j]!, n = Double(dj.count)
            var p = Person(name: j, items: dj.count, machineAdvantage: wf[j]! / n, personAdvantage: wh[j]! / n, test: nil, t: nil,
                           signedRank: nil, pValue: nil, rejected: false)
            if dj.count < fewest { return p }
            if dj.count < tItems {
                let r = SignedRank.less(dj.map { $0 - epsilon })
                p.test = .signedRank
                p.signedRank = r.statistic
                p.pValue = r.pValue
            } else {
                p.test = .t
                let mean = Moments.mean(dj), sd = Moments.variance(dj, ddof: 1).squareRoot()
                if sd > 0 {
                    let t = (mean - epsilon) / (sd / n.squareRoot())
                    p.t = t
                    p.pValue = StudentT.cdf(t, df: n - 1)
                } else {
                    p.pValue = mean < epsilon ? 0 : 1
                }
            }
            return p
        }
        let testedIdx = list.indices.filter { list[$0].pValue != nil }
        for i in Self.benjaminiYekutieli(testedIdx.map { list[$0].pValue! }, alpha: alpha) { list[testedIdx[i]].rejected = true }
        people = list
        tested = testedIdx.count
        winningRate = tested > 0 ? Double(testedIdx.count(where: { list[$0].rejected })) / Double(tested) : nil
        averageAdvantage = tested > 0 ? testedIdx.reduce(0) { $0 + list[$1].machineAdvantage } / Double(tested) : nil
    }

    /// The indices of the p-values the Benjamini–Yekutieli step-up procedure rejects at level α.
    public static func benjaminiYekutieli(_ p: [Double], alpha: Double) -> Set<Int> {
        let m = p.count
        guard m > 0 else { return [] }
        let harmonic = (1...m).reduce(0) { $0 + 1 / Double($1) }
        let order = p.indices.sorted { p[$0] < p[$1] }
        var k = 0
        for (rank, i) in order.enumerated() where p[i] <= Double(rank + 1) * alpha / (Double(m) * harmonic) { k = rank + 1 }
        return Set(order.prefix(k))
    }
}
