import Foundation

/// How well the machine's stated (or learned) confidence in its labels matches how often people agree
/// with them. One outcome per item people labeled: the machine's confidence p ∈ [0, 1] in its label and
/// whether the person gave that label.
///
/// - Reliability diagram: `bins` equal-width bins of p over [0, 1] (bin k holds k/B ≤ p < (k+1)/B, the
///   last bin also p = 1); per bin its count, mean confidence and accuracy.
/// - ECE (expected calibration error, Guo et al. 2017): `Σₖ (nₖ/n)·|accₖ − confₖ|` over those bins.
/// - Brier score (Brier 1950): `(1/n) Σ (pᵢ − yᵢ)²`, yᵢ = 1 when the person agreed.
/// - Risk–coverage curve (El-Yaniv & Wiener 2010): the items by confidence, highest first; for each
///   distinct confidence t the kept share (coverage) and the error among the kept (risk) when the
///   machine keeps every label with p ≥ t.
/// - Threshold check: the items split in two halves by a seeded key of their id; on the first half the
///   lowest t whose kept labels' error is at most `maxRisk` (the most coverage), then that t applied to the
///   second half: its coverage, error and the Wilson interval of the error, an honest figure for the
///   threshold because it was not chosen on those items.
public struct Calibration: Sendable, Hashable {
    public struct Outcome: Sendable, Hashable {
        public var item: Int64
        public var confidence: Double
        public var correct: Bool

        public init(item: Int64, confidence: Double, correct: Bool) {
            self.item = item
            self.confidence = confidence
            self.correct = correct
        }
    }

    public struct Bin: Sendable, Hashable, Codable {
        public var low: Double
        public var high: Double
        public var count: Int
        /// Nil for an empty bin.
        public var meanConfidence: Double?
        public var accuracy: Double?

        enum CodingKeys: String, CodingKey {
            case low, high, count, accuracy
            case meanConfidence = "mean_confidence"
        }
    }

    public struct CoveragePoint: Sendable, Hashable, Codable {
        /// Labels with confidence ≥ threshold are kept.
        public var threshold: Double
        public var kept: Int
        public var coverage: Double
        public var risk: Double
    }

    public struct ThresholdCheck: Sendable, Hashable, Codable {
        public var maxRisk: Double
        /// Nil when no threshold keeps the first half's error at or under `maxRisk`.
        public var threshold: Double?
        public var fitItems: Int
        public var fitCoverage: Double
        public var fitRisk: Double?
        public var checkItems: Int
        public var checkKept: Int
        public var checkCoverage: Double
        public var checkRisk: Double?
        public var checkRiskLow: Double?
        public var checkRiskHigh: Double?

        enum CodingKeys: String, CodingKey {
            case threshold
            case maxRisk = "max_risk", fitItems = "fit_items", fitCoverage = "fit_coverage", fitRisk = "fit_risk"
            case checkItems = "check_items", checkKept = "check_kept", checkCoverage = "check_coverage", checkRisk = "check_risk"
            case checkRiskLow = "check_risk_low", checkRiskHigh = "check_risk_high"
        }
    }

    public var bins: [Bin]
    /// Nil without outcomes (also `brier`).
    public var ece: Double?
    public var brier: Double?
    public var curve: [CoveragePoint]

    public init(_ outcomes: [Outcome], bins count: Int = 10) {
        bins = Self.reliability(outcomes, bins: count)
        let n = Double(outcomes.count)
        ece = outcomes.isEmpty ? nil : bins.reduce(0) { sum, b in
            guard let acc = b.accuracy, let conf = b.meanConfidence else { return sum }
            return sum + Double(b.count) / n * abs(acc - conf)
        }
        brier = outcomes.isEmpty ? nil : outcomes.reduce(0) { s, o in
            let d = o.confidence - (o.correct ? 1 : 0)
            return s + d * d
        } / n
        curve = Self.riskCoverage(outcomes)
    }

    public static func reliability(_ outcomes: [Outcome], bins count: Int) -> [Bin] {
        let k = max(1, count)
        var n = Array(repeating: 0, count: k), conf = Array(repeating: 0.0, count: k), right = Array(repeating: 0, count: k)
        for o in outcomes {
            let p = min(1, max(0, o.confidence))
            let b = min(k - 1, Int(p * Double(k)))
            n[b] += 1
            conf[b] += p
            if o.correct { right[b] += 1 }
        }
        return (0..<k).map { b in
            Bin(low: Double(b) / Double(k), high: Double(b + 1) / Double(k), count: n[b],
                meanConfidence: n[b] > 0 ? conf[b] / Double(n[b]) : nil,
                accuracy: n[b] > 0 ? Double(right[b]) / Double(n[b]) : nil)
        }
    }

    public static func riskCoverage(_ outcomes: [Outcome]) -> [CoveragePoint] {
        let sorted = outcomes.sorted { $0.confidence > $1.confidence }
        var points: [CoveragePoint] = []
        var wrong = 0
        for (i, o) in sorted.enumerated() {
            if !o.correct { wrong += 1 }
            // Emit once per distinct confidence, after its last item: a threshold keeps all its ties.
            if i + 1 < sorted.count, sorted[i + 1].confidence == o.confidence { continue }
            let kept = i + 1
            points.append(CoveragePoint(threshold: o.confidence, kept: kept, coverage: Double(kept) / Double(sorted.count),
                                        risk: Double(wrong) / Double(kept)))
        }
        return points
    }

    /// The two halves: the items ordered by their key under the seed, the first ⌊n/2⌋ to fit.
    public static func halves(_ outcomes: [Outcome], seed: Int) -> (fit: [Outcome], check: [Outcome]) {
        let keyed = outcomes.sorted { Allocation.tieKey($0.item, seed &+ 0xCA1) < Allocation.tieKey($1.item, seed &+ 0xCA1) }
        let half = keyed.count / 2
        return (Array(keyed[..<half]), Array(keyed[half...]))
    }

    public static func thresholdCheck(_ outcomes: [Outcome], maxRisk: Double, seed: Int = 0) -> ThresholdCheck {
        let h = halves(outcomes, seed: seed)
        return thresholdCheck(fit: h.fit, check: h.check, maxRisk: maxRisk)
    }

    /// The threshold chosen on `fit` and checked on `check`.
    public static func thresholdCheck(fit: [Outcome], check: [Outcome], maxRisk: Double) -> ThresholdCheck {
        let chosen = riskCoverage(fit).last { $0.risk <= maxRisk }
        let kept = chosen.map { t in check.filter { $0.confidence >= t.threshold } } ?? []
        let wrong = kept.count(where: { !$0.correct })
        let w = Audit.wilson(successes: wrong, trials: kept.count)
        return ThresholdCheck(maxRisk: maxRisk, threshold: chosen?.threshold, fitItems: fit.count, fitCoverage: chosen?.coverage ?? 0,
                              fitRisk: chosen?.risk, checkItems: check.count, checkKept: kept.count,
                              checkCoverage: check.isEmpty ? 0 : Double(kept.count) / Double(check.count),
                              checkRisk: kept.isEmpty ? nil : Double(wrong) / Double(kept.count), checkRiskLow: w?.low, checkRiskHigh: w?.high)
    }
}
