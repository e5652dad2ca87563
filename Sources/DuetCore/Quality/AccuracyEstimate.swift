import Foundation

/// An estimate of an accuracy (a mean of 0/1 outcomes: "the person gave the machine's label") with its
/// 95% interval, from whichever estimator made it (`PPI`, `ActiveSampling.estimate`), the Wilson
/// interval of the raw audit agreement beside it, and how many more audits would halve its width.
///
/// All estimators here are normal-approximation (CLT) intervals, `estimate ± z · standardError`;
/// `low` and `high` are that interval clamped to [0, 1].
public struct AccuracyEstimate: Sendable, Hashable, Codable {
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// The audit mean alone: `mean(Y) ± z·sd(Y)/√n` (ppi-python's `classical_mean_ci`).
        case classical
        /// PPI++ with power tuning (`PPI.mean`).
        case ppi
        /// PPI++ per uncertainty stratum, weighted by the strata's shares (`PPI.stratified`).
        case stratifiedPPI = "stratified_ppi"
        /// The active-inference estimator for audits drawn with unequal probabilities (`ActiveSampling.estimate`).
        case activeIPW = "active_ipw"
    }

    public var method: Method
    public var estimate: Double
    public var low: Double
    public var high: Double
    public var standardError: Double
    /// The power-tuning weight given to the machine's confidence (0: the audits alone; nil: classical;
    /// stratified: the strata's λ̂ₖ averaged by their shares).
    public var lambda: Double?
    /// Labeled audit items the estimate used.
    public var audits: Int
    /// Items the estimate is about (audited and not).
    public var items: Int
    /// 95% Wilson interval of the raw agreement among the audits (unweighted: under active sampling
    /// it describes the audited items, not the whole set).
    public var wilsonLow: Double?
    public var wilsonHigh: Double?
    /// More audits that would halve the interval's width (see `Halving`); nil when auditing every
    /// remaining item would not.
    public var auditsToHalveWidth: Int?

    enum CodingKeys: String, CodingKey {
        case method, estimate, lambda, audits, items
        case low = "ci_low", high = "ci_high", standardError = "standard_error"
        case wilsonLow = "wilson_low", wilsonHigh = "wilson_high", auditsToHalveWidth = "audits_to_halve_width"
    }

    /// The estimate for a set of which `peopleItems` carry people's labels (counted right: people are
    /// the reference the audits compare with) and `machineItems` the machine's labels this estimate is
    /// about. Every figure is the same affine map `x ↦ (peopleItems + machineItems·x) / total`; the
    /// audits needed to halve the width are the machine estimate's.
    public func finalSet(machineItems: Int, peopleItems: Int) -> AccuracyEstimate {
        let total = Double(machineItems + peopleItems)
        guard total > 0 else { return self }
        let share = Double(machineItems) / total, base = Double(peopleItems) / total
        func map(_ x: Double) -> Double { base + share * x }
        var e = self
        e.estimate = map(estimate)
        e.low = map(low)
        e.high = map(high)
        e.standardError = share * standardError
        e.wilsonLow = wilsonLow.map(map)
        e.wilsonHigh = wilsonHigh.map(map)
        e.items = machineItems + peopleItems
        return e
    }

    /// The interval `center ± z·se` clamped to [0, 1], the raw audit outcomes' Wilson interval beside it.
    init(method: Method, estimate: Double, standardError se: Double, z: Double, lambda: Double?, labels: [Double], items: Int,
         auditsToHalveWidth: Int?) {
        self.method = method
        self.estimate = estimate
        standardError = se
        low = min(1, max(0, estimate - z * se))
        high = min(1, max(0, estimate + z * se))
        self.lambda = lambda
        audits = labels.count
        self.items = items
        let right = labels.reduce(0) { $0 + ($1 >= 0.5 ? 1 : 0) }
        let w = Audit.wilson(successes: right, trials: labels.count)
        wilsonLow = w?.low
        wilsonHigh = w?.high
        self.auditsToHalveWidth = auditsToHalveWidth
    }

    /// Whether a point lies in the interval.
    public func covers(_ truth: Double) -> Bool { low <= truth && truth <= high }
}

/// How many more audits would halve an interval's width, for any estimator whose variance splits as
/// `fixed + perAudit · audits₀ / audits`: a part more audits do not shrink (the machine's predictions on
/// the unaudited items, the population's own spread) and a part that falls as 1/audits. Halving the
/// width is quartering the variance: `audits′ = perAudit · audits₀ / ((fixed + perAudit)/4 − fixed)`.
/// Nil when the fixed part alone is a quarter of the variance or more, when there is no variance, or when
/// more audits would be needed than there are items left to audit (`available`).
public enum Halving {
    public static func extraAudits(fixed: Double, perAudit: Double, audits: Int, available: Int) -> Int? {
        let total = fixed + perAudit, room = total / 4 - max(0, fixed)
        guard audits > 0, perAudit > 0, room > 0 else { return nil }
        let needed = perAudit * Double(audits) / room
        let extra = max(0, Int((needed - Double(audits)).rounded(.up)))
        return extra <= available ? extra : nil
    }
}

/// Plain descriptive statistics used by the estimators (two-pass, population variance unless named).
enum Moments {
    static func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }

    /// Σ(x − x̄)² / (n − ddof); 0 when n ≤ ddof.
    static func variance(_ x: [Double], ddof: Int = 0) -> Double {
        guard x.count > ddof else { return 0 }
        let m = mean(x)
        return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - ddof)
    }

    /// Σ(x − x̄)(y − ȳ) / (n − ddof) for equal-length arrays.
    static func covariance(_ x: [Double], _ y: [Double], ddof: Int = 0) -> Double {
        guard x.count == y.count, x.count > ddof else { return 0 }
        let mx = mean(x), my = mean(y)
        var s = 0.0
        for i in x.indices { s += (x[i] - mx) * (y[i] - my) }
        return s / Double(x.count - ddof)
    }
}
