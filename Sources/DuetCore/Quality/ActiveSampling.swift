import Foundation

/// Audits drawn by active statistical inference (Zrnic & Candès 2024, "Active Statistical Inference",
/// ICML): each machine-kept item is audited with its own probability πᵢ, higher where the router is less
/// sure, and the accuracy is estimated by weighting each audit by 1/πᵢ.
///
/// **Design.** With uncertainties uᵢ ≥ 0 (mean ū), a uniform share γ ∈ [0, 1] and a budget B (the
/// expected number of audits, at most the number of items N), each item's weight is
/// `wᵢ = (1 − γ)·uᵢ/ū + γ` (all wᵢ = 1 when every uᵢ is 0) and its inclusion probability
/// `πᵢ = min(1, c·wᵢ)`, with c the one constant that makes `Σπᵢ = B` (found exactly: items whose c·wᵢ
/// reaches 1 are fixed at 1 and c is solved again on the rest; a budget left over for items of weight 0
/// is shared evenly among them). γ bounds every πᵢ below by about γ·B/N,
/// which keeps the 1/πᵢ weights, and so the variance, bounded. The paper's variance-optimal rule for a
/// mean makes π proportional to `√E[(Y − f(X))² | X]`, the prediction's expected error; for a label
/// kept with a calibrated confidence p that is `√(p(1 − p))` (`uncertainty(confidence:)`).
///
/// **Draw.** Item i is audited when `U(id, seed) < πᵢ`, U the item's SplitMix64 key under the seed
/// mapped to [0, 1) (`Allocation.tieKey`): independent across items (Poisson sampling), the same for the
/// same item, seed and probability whatever the order or the other items.
///
/// **Estimate** (`estimate`): the paper's active estimator, with power tuning when asked,
/// `θ̂ = (1/N) Σᵢ zᵢ`, `zᵢ = λ·fᵢ + (Yᵢ − λ·fᵢ)·ξᵢ/πᵢ`, ξᵢ = 1 for audited items, fᵢ the machine's
/// confidence; `se = sd(z)/√N` (divisor N), interval `θ̂ ± z·se`. `zᵢ = aᵢ + λbᵢ` with `aᵢ = Yᵢξᵢ/πᵢ`,
/// `bᵢ = fᵢ(1 − ξᵢ/πᵢ)`, so the variance-minimizing `λ̂ = −cov(a, b)/var(b)`, clipped to [0, 1];
/// λ = 0 is the inverse-probability-weighted (Horvitz–Thompson) mean.
public enum ActiveSampling {
    /// One item of the design: its id, the probability it is audited, and whether the draw chose it.
    public struct Draw: Sendable, Hashable, Codable {
        public var item: Int64
        public var probability: Double
        public var audited: Bool
    }

    /// The sampling standard deviation of a kept label's correctness if the confidence p is right.
    public static func uncertainty(confidence p: Double) -> Double {
        let q = min(1, max(0, p))
        return (q * (1 - q)).squareRoot()
    }

    /// Inclusion probabilities for the design above (budget clamped to [0, N], γ to [0, 1]). Every sum
    /// is taken over the values in sorted order, so an item's probability does not depend on the order
    /// of the items, to the last bit.
    public static func probabilities(uncertainty u: [Double], budget: Double, uniformShare gamma: Double) -> [Double] {
        let n = u.count
        guard n > 0 else { return [] }
        let b = min(Double(n), max(0, budget)), g = min(1, max(0, gamma))
        let clean = u.map { $0.isFinite ? max(0, $0) : 0 }
        let ubar = clean.sorted().reduce(0, +) / Double(n)
        let w = ubar > 0 ? clean.map { (1 - g) * $0 / ubar + g } : Array(repeating: 1.0, count: n)
        // Capping is monotone in the weight: the k items fixed at 1 are the k heaviest. suffix[k] is the
        // weight of all but the k heaviest, summed from the lightest up.
        let sorted = w.sorted(by: >)
        var suffix = Array(repeating: 0.0, count: n + 1)
        for k in stride(from: n - 1, through: 0, by: -1) { suffix[k] = suffix[k + 1] + sorted[k] }
        var capped = 0
        while capped < n, suffix[capped] > 0, (b - Double(capped)) / suffix[capped] * sorted[capped] >= 1 { capped += 1 }
        guard capped < n else { return Array(repeating: 1, count: n) }
        let left = b - Double(capped)
        guard suffix[capped] > 0 else {
            // Only weightless items left (γ = 0 and no uncertainty): the rest of the budget goes to them evenly.
            let even = left / Double(n - capped)
            return w.map { $0 > 0 ? 1 : even }
        }
        let c = left / suffix[capped]
        let cut = capped > 0 ? sorted[capped - 1] : .infinity
        return w.map { $0 >= cut ? 1 : min(1, c * $0) }
    }

    /// The design and its draw for the given items (parallel arrays), deterministic in `seed`.
    public static func draw(items: [Int64], uncertainty u: [Double], budget: Double, uniformShare: Double, seed: Int) -> [Draw] {
        precondition(items.count == u.count, "one uncertainty per item")
        let p = probabilities(uncertainty: u, budget: budget, uniformShare: uniformShare)
        return items.indices.map { i in Draw(item: items[i], probability: p[i], audited: unit(items[i], seed: seed) < p[i]) }
    }

    /// The design above drawn with a fixed size (`count` audits exactly, the budget): systematic sampling
    /// with unequal probabilities (Madow 1949) in a seeded random order. The items are ordered by their
    /// SplitMix64 key under the seed, their probabilities laid end to end on [0, count), and an item is
    /// audited when one of the points `u + k` (k = 0 … count − 1, u the seed's uniform number) falls in its
    /// stretch. Every stretch is at most 1 long, so each item is audited with exactly its πᵢ, and exactly
    /// `count` items are (a routing's audit share stays the number of audits it asks for, not only their
    /// expectation). Deterministic in the items, their uncertainties and the seed (not in their order).
    /// `estimate`'s variance is Poisson sampling's; a fixed size removes the part a random sample size adds,
    /// so its interval errs wide.
    public static func fixedSizeDraw(items: [Int64], uncertainty u: [Double], count: Int, uniformShare: Double, seed: Int) -> [Draw] {
        precondition(items.count == u.count, "one uncertainty per item")
        let n = min(items.count, max(0, count))
        let p = probabilities(uncertainty: u, budget: Double(n), uniformShare: uniformShare)
        guard n > 0 else { return items.indices.map { Draw(item: items[$0], probability: p[$0], audited: false) } }
        let order = items.indices.sorted { Allocation.tieKey(items[$0], seed &+ 0x5B5) < Allocation.tieKey(items[$1], seed &+ 0x5B5) }
        let start = unit(Int64(n), seed: seed &+ 0x57A7)
        var audited = Array(repeating: false, count: items.count)
        var below = 0.0, picked = 0
        for i in order {
            let above = below + p[i]
            // Points u + k in [below, above): their count is ⌈above − u⌉ − ⌈below − u⌉ (0 or 1: p ≤ 1).
            if picked < n, (above - start).rounded(.up) > (below - start).rounded(.up) || p[i] >= 1 {
                audited[i] = true
                picked += 1
            }
            below = above
        }
        return items.indices.map { Draw(item: items[$0], probability: p[$0], audited: audited[$0]) }
    }

    /// The estimator above for audits drawn by `fixedSizeDraw`: the same point estimate, its variance by
    /// Brewer's estimator for fixed-size designs with unequal probabilities (Brewer 2002, "Combined Survey
    /// Sampling Inference", eq. 9.9; Brewer & Donadio 2003), not Poisson sampling's, which counts the spread
    /// of a sample size that is fixed here and so errs far wide (CoverageSimulationTests). Over the n audits,
    /// with rᵢ = Yᵢ − λfᵢ, `T̂ = Σ rᵢ/πᵢ`, `dᵢ = rᵢ/πᵢ − T̂/n` and `cᵢ = (n − 1)/(n − πᵢ)`:
    /// `V̂ = Σ (1/cᵢ − πᵢ)·dᵢ² / N²`. More audits (every πᵢ scaled by k, n with it): `V(k) ≈ (Q/k − R)/N²`
    /// with `Q = Σ dᵢ²/cᵢ`, `R = Σ πᵢdᵢ²`, so halving the width takes `k = 4Q/(Q + 3R)`.
    public static func fixedSizeEstimate(_ units: [Unit], lambda: Double = 0, z: Double = Audit.z95) -> AccuracyEstimate? {
        let labels = units.compactMap(\.label)
        guard !units.isEmpty, labels.count >= 2, !units.contains(where: { $0.label != nil && $0.probability <= 0 }) else { return nil }
        let bigN = Double(units.count), n = Double(labels.count)
        let zs = units.map { u in lambda * u.prediction + (u.label.map { ($0 - lambda * u.prediction) / u.probability } ?? 0) }
        let audited = units.filter { $0.label != nil }
        let expanded = audited.map { (($0.label ?? 0) - lambda * $0.prediction) / $0.probability }
        let total = expanded.reduce(0, +)
        var q = 0.0, r = 0.0
        for (u, x) in zip(audited, expanded) {
            let d = x - total / n
            q += (n - u.probability) / (n - 1) * d * d
            r += u.probability * d * d
        }
        let v = max(0, q - r) / (bigN * bigN)
        var halving: Int?
        if v > 0, q + 3 * r > 0 {
            let extra = Int((4 * q / (q + 3 * r) * n - n).rounded(.up))
            halving = extra <= units.count - labels.count ? max(0, extra) : nil
        }
        return AccuracyEstimate(method: .activeIPW, estimate: Moments.mean(zs), standardError: v.squareRoot(), z: z, lambda: lambda,
                                labels: labels, items: units.count, auditsToHalveWidth: halving)
    }

    /// The item's uniform number in [0, 1) under the seed.
    public static func unit(_ item: Int64, seed: Int) -> Double {
        Double(Allocation.tieKey(item, seed &+ 0x5A17) >> 11) * 0x1p-53
    }

    /// One item for `estimate`: the machine's confidence in its label, the probability it was audited
    /// with, and the audit's outcome when it was audited (nil: not drawn).
    public struct Unit: Sendable, Hashable {
        public var prediction: Double
        public var probability: Double
        public var label: Double?

        public init(prediction: Double, probability: Double, label: Double?) {
            self.prediction = prediction
            self.probability = probability
            self.label = label
        }
    }

    /// The active estimator above: by default λ = 0, the inverse-probability-weighted mean; `lambda: nil`
    /// tunes λ̂ on the same audits, which narrows the interval but covers less than it claims with few
    /// audits (CoverageSimulationTests: 92.4% with 100 expected audits of 400, 93.9% with 150 of 600;
    /// IPW 94.2% and 94.9%). Every
    /// drawn item must have its outcome: an audit drawn but not yet answered is not a unit with a nil
    /// label (that would bias the estimate); leave it out or wait for it. Nil without items, with an
    /// audited item of probability 0, or with fewer than 2 audits.
    ///
    /// More audits: the variance is `var(Y) + E[r²(1 − π)/π]` with `r = Y − λf`; scaling every π by c
    /// leaves `var(z) − Q + Q/c`, `Q = (1/N)Σ ξr²/π²` its estimate, which `Halving` turns into audits.
    public static func estimate(_ units: [Unit], lambda: Double? = 0, z: Double = Audit.z95) -> AccuracyEstimate? {
        let labels = units.compactMap(\.label)
        guard !units.isEmpty, labels.count >= 2, !units.contains(where: { $0.label != nil && $0.probability <= 0 }) else { return nil }
        let a = units.map { u in u.label.map { $0 / u.probability } ?? 0 }
        let b = units.map { u in u.prediction * (1 - (u.label == nil ? 0 : 1 / u.probability)) }
        let vb = Moments.variance(b)
        let lam = lambda ?? (vb > 0 ? min(1, max(0, -Moments.covariance(a, b) / vb)) : 0)
        let zs = zip(a, b).map { $0 + lam * $1 }
        let bigN = Double(units.count)
        let v = Moments.variance(zs)
        var q = 0.0
        for u in units {
            guard let y = u.label else { continue }
            let r = y - lam * u.prediction
            q += r * r / (u.probability * u.probability)
        }
        q /= bigN
        let perAudit = min(q, v)
        return AccuracyEstimate(method: .activeIPW, estimate: Moments.mean(zs), standardError: (v / bigN).squareRoot(), z: z,
                                lambda: lam, labels: labels, items: units.count,
                                auditsToHalveWidth: Halving.extraAudits(fixed: (v - perAudit) / bigN, perAudit: perAudit / bigN,
                                                                        audits: labels.count, available: units.count - labels.count))
    }
}
