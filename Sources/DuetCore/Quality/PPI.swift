import Foundation

/// Prediction-powered inference for an accuracy, from audits drawn uniformly at random.
///
/// Notation: `n` audited items with the audit outcome `Y` (1: the person gave the machine's label, 0:
/// not) and the machine's confidence `f` in its label; `N` unaudited items with their confidence `f̃`.
/// The machine's confidence predicts `Y` on every item; the audits correct its bias.
///
/// - `mean` is PPI++ (Angelopoulos, Duchi & Zrnic 2023, "PPI++: Efficient Prediction-Powered
///   Inference", arXiv:2311.01453) with power tuning, exactly as ppi-python 0.2.3's `ppi_mean_ci` /
///   `ppi_mean_pointestimate` with `lam=None` (held to it by Tests/DuetCoreTests/Fixtures/ppi.json):
///   `λ̂ = clip₀¹( cov(Y, f) / ((1 + n/N) · var(f ∪ f̃)) )` (cov over the n audits with divisor n, var
///   over all n + N confidences with divisor n + N − 1), `θ̂ = λ̂·mean(f̃) + mean(Y − λ̂f)`,
///   `se² = λ̂²·var(f̃)/N + var(Y − λ̂f)/n` (divisors N and n), interval `θ̂ ± z·se`.
///   λ = 0 is the audits alone, λ = 1 plain PPI (Angelopoulos et al. 2023, Science).
/// - `stratified` is stratified PPI (Fisch et al. 2024, "Stratified Prediction-Powered Inference for
///   Hybrid Language Model Evaluation", NeurIPS): the items split into strata (bins of the router's
///   uncertainty), PPI++ with its own λ̂ₖ in each, `θ̂ = Σ wₖθ̂ₖ`, `se² = Σ wₖ²seₖ²`, `wₖ` the stratum's
///   share of all items.
/// - `classical` is the audits alone, ppi-python's `classical_mean_ci`: `mean(Y) ± z·sd(Y)/√n`.
public enum PPI {
    /// PPI++ with power tuning (`lambda` nil), or with a fixed λ. Nil with fewer than 2 audits or no
    /// unaudited item. When the confidences do not vary, λ̂ = 0 (the audits alone).
    public static func mean(labels y: [Double], predictions f: [Double], unlabeled fu: [Double], lambda: Double? = nil,
                            z: Double = Audit.z95) -> AccuracyEstimate? {
        guard let s = Stratum(labels: y, predictions: f, unlabeled: fu, lambda: lambda) else { return nil }
        return AccuracyEstimate(method: .ppi, estimate: s.estimate, standardError: s.variance.squareRoot(), z: z, lambda: s.lambda,
                                labels: y, items: y.count + fu.count,
                                auditsToHalveWidth: Halving.extraAudits(fixed: s.fixedVariance, perAudit: s.auditVariance,
                                                                        audits: y.count, available: fu.count))
    }

    /// The power-tuning weight ppi-python's `_calc_lam_glm` gives a mean (clipped to [0, 1]).
    public static func tunedLambda(labels y: [Double], predictions f: [Double], unlabeled fu: [Double]) -> Double {
        let n = Double(y.count), bigN = Double(fu.count)
        let num = Moments.covariance(y, f)
        let den = (1 + n / bigN) * Moments.variance(f + fu, ddof: 1)
        guard den > 0, num.isFinite else { return 0 }
        return min(1, max(0, num / den))
    }

    /// The audits alone: `mean(Y) ± z·sd(Y)/√n` (sd with divisor n). Nil without audits.
    public static func classical(labels y: [Double], items: Int? = nil, z: Double = Audit.z95) -> AccuracyEstimate? {
        guard !y.isEmpty else { return nil }
        let v = Moments.variance(y) / Double(y.count)
        return AccuracyEstimate(method: .classical, estimate: Moments.mean(y), standardError: v.squareRoot(), z: z, lambda: nil,
                                labels: y, items: items ?? y.count,
                                auditsToHalveWidth: Halving.extraAudits(fixed: 0, perAudit: v, audits: y.count,
                                                                        available: (items ?? y.count) - y.count))
    }

    /// One item for `stratified`: its stratum, its confidence, and its audit outcome if audited.
    public struct Unit: Sendable, Hashable {
        public var stratum: Int
        public var prediction: Double
        public var label: Double?

        public init(stratum: Int, prediction: Double, label: Double?) {
            self.stratum = stratum
            self.prediction = prediction
            self.label = label
        }
    }

    /// Stratified PPI++. Strata are taken in the order of their numbers; a stratum with fewer than
    /// `minAudits` audits (at least 2) is merged into the next one (the last into the one before), so
    /// every stratum estimates its own variance. A stratum without unaudited items uses its audits alone.
    /// Nil with fewer than `minAudits` audits in all.
    public static func stratified(_ units: [Unit], minAudits: Int = 2, z: Double = Audit.z95) -> AccuracyEstimate? {
        let need = max(2, minAudits)
        let groups = mergedStrata(units, minAudits: need)
        guard !groups.isEmpty else { return nil }
        let total = Double(units.count)
        var estimate = 0.0, fixed = 0.0, perAudit = 0.0, lambdaSum = 0.0
        for g in groups {
            let y = g.compactMap(\.label)
            let f = g.filter { $0.label != nil }.map(\.prediction)
            let fu = g.filter { $0.label == nil }.map(\.prediction)
            let w = Double(g.count) / total
            guard let s = Stratum(labels: y, predictions: f, unlabeled: fu, lambda: fu.isEmpty ? 0 : nil) else { return nil }
            estimate += w * s.estimate
            fixed += w * w * s.fixedVariance
            perAudit += w * w * s.auditVariance
            lambdaSum += w * s.lambda
        }
        let labels = units.compactMap(\.label)
        return AccuracyEstimate(method: .stratifiedPPI, estimate: estimate, standardError: (fixed + perAudit).squareRoot(), z: z,
                                lambda: lambdaSum, labels: labels, items: units.count,
                                auditsToHalveWidth: Halving.extraAudits(fixed: fixed, perAudit: perAudit, audits: labels.count,
                                                                        available: units.count - labels.count))
    }

    /// The units grouped by stratum, strata with too few audits merged forward (the last backward).
    static func mergedStrata(_ units: [Unit], minAudits: Int) -> [[Unit]] {
        let byStratum = Dictionary(grouping: units, by: \.stratum)
        var groups: [[Unit]] = []
        var pending: [Unit] = []
        for key in byStratum.keys.sorted() {
            pending += byStratum[key]!
            if pending.count(where: { $0.label != nil }) >= minAudits {
                groups.append(pending)
                pending = []
            }
        }
        if !pending.isEmpty {
            guard !groups.isEmpty else { return [] }
            groups[groups.count - 1] += pending
        }
        return groups
    }

    /// Strata by the router's uncertainty: `count` bins of (nearly) equal size by rank, lowest
    /// uncertainty in stratum 0; equal values always share a stratum.
    public static func uncertaintyStrata(_ uncertainty: [Double], count: Int) -> [Int] {
        guard count > 1, !uncertainty.isEmpty else { return Array(repeating: 0, count: uncertainty.count) }
        let sorted = uncertainty.sorted()
        // Upper edges at the k/count quantiles (by rank); a value goes to the first bin whose edge is ≥ it.
        let edges = (1..<count).map { sorted[min(sorted.count - 1, $0 * sorted.count / count)] }
        return uncertainty.map { u in edges.firstIndex { u < $0 } ?? count - 1 }
    }
}

/// PPI++ for one mean: the tuned λ, the estimate, and its variance split into the part the unaudited
/// items' confidences contribute and the part that falls with more audits.
struct Stratum {
    var lambda: Double
    var estimate: Double
    var fixedVariance: Double
    var auditVariance: Double
    var variance: Double { fixedVariance + auditVariance }

    init?(labels y: [Double], predictions f: [Double], unlabeled fu: [Double], lambda fixedLambda: Double?) {
        guard y.count >= 2, y.count == f.count, !(fu.isEmpty && fixedLambda != 0) else { return nil }
        let lam = fixedLambda ?? PPI.tunedLambda(labels: y, predictions: f, unlabeled: fu)
        let residual = zip(y, f).map { $0 - lam * $1 }
        lambda = lam
        estimate = (fu.isEmpty ? 0 : lam * Moments.mean(fu)) + Moments.mean(residual)
        fixedVariance = fu.isEmpty ? 0 : lam * lam * Moments.variance(fu) / Double(fu.count)
        auditVariance = Moments.variance(residual) / Double(y.count)
    }
}
