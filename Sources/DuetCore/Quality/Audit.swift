import Foundation

/// How good the machine's accepted labels are, estimated from blind audits:
/// people labeled a random share of the machine-kept items without seeing
/// the machine's label, so their agreement is an unbiased sample.
public struct AuditEstimate: Sendable, Hashable, Codable {
    public var annotator: String
    /// Items the router sent to people as blind audits of this annotator's labels.
    public var planned: Int
    /// Audit items a person has labeled.
    public var audited: Int
    /// Of those, where the person gave the machine's label.
    public var agreeing: Int
    public var accuracy: Double?
    /// 95% interval of the accuracy: Wilson's on the raw audits, or the weighted estimate's (`weighted`).
    public var low: Double?
    public var high: Double?
    /// The audits were drawn with unequal probabilities (by uncertainty): `accuracy` and its interval are
    /// the kept labels' accuracy weighted by each audit's inclusion probability (`ActiveSampling.fixedSizeEstimate`,
    /// as `duet quality` computes it), not the raw share right, which the uncertain items drag down.
    public var weighted: Bool = false

    enum CodingKeys: String, CodingKey {
        case annotator, planned, audited, agreeing, accuracy, method
        case low = "ci_low"
        case high = "ci_high"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(annotator: try c.decode(String.self, forKey: .annotator), planned: try c.decode(Int.self, forKey: .planned),
                  audited: try c.decode(Int.self, forKey: .audited), agreeing: try c.decode(Int.self, forKey: .agreeing),
                  accuracy: try c.decodeIfPresent(Double.self, forKey: .accuracy), low: try c.decodeIfPresent(Double.self, forKey: .low),
                  high: try c.decodeIfPresent(Double.self, forKey: .high))
        weighted = try c.decodeIfPresent(String.self, forKey: .method) == AccuracyEstimate.Method.activeIPW.rawValue
    }

    /// `method`: `wilson` (the raw audits) or `active_ipw` (weighted by inclusion probability).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(annotator, forKey: .annotator)
        try c.encode(planned, forKey: .planned)
        try c.encode(audited, forKey: .audited)
        try c.encode(agreeing, forKey: .agreeing)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(low, forKey: .low)
        try c.encode(high, forKey: .high)
        try c.encode(weighted ? AccuracyEstimate.Method.activeIPW.rawValue : "wilson", forKey: .method)
    }

    public init(annotator: String, planned: Int? = nil, audited: Int, agreeing: Int, accuracy: Double? = nil, low: Double? = nil,
                high: Double? = nil) {
        self.annotator = annotator
        self.planned = planned ?? audited
        self.audited = audited
        self.agreeing = agreeing
        self.accuracy = accuracy
        self.low = low
        self.high = high
    }

    /// Whether the interval's lower bound is under `target`.
    public func below(_ target: Double) -> Bool { (low ?? 1) < target }

    /// The estimate in words, the same on every screen and in every command:
    /// `0 of 7 audits labeled yet` or `18/20 right, 0.90 (95% 0.70–0.97); 20 of 25 audits labeled`, and when the
    /// audits were drawn by uncertainty `18/20 right; weighted 0.94 (95% 0.86–1.00); 20 of 25 audits labeled`.
    public var summary: String {
        let count = "\(audited) of \(planned) audit\(planned == 1 ? "" : "s") labeled"
        guard let acc = accuracy, let low, let high else { return count + " yet" }
        if weighted { return String(format: "%d/%d right; weighted %.2f (95%% %.2f–%.2f); ", agreeing, audited, acc, low, high) + count }
        return String(format: "%d/%d right, %.2f (95%% %.2f–%.2f); ", agreeing, audited, acc, low, high) + count
    }
}

public enum Audit {
    public static let z95 = 1.959963984540054

    /// People's answer per item, the one an audit compares the machine's label with (read as
    /// `kind.answerLabel`): an adjudication when there is one, else the first person's.
    public static func peopleAnswers(_ decisions: [CurrentDecision], kind: TaskKind) -> [Int64: String] {
        var human: [Int64: String] = [:]
        for d in decisions where d.annotatorKind == .human && d.status == .submitted {
            guard let l = kind.answerLabel(d.value) else { continue }
            if human[d.itemRowID] == nil || Adjudication.isAdjudicator(d.annotator) { human[d.itemRowID] = l }
        }
        return human
    }

    /// The Wilson score interval for `successes` of `trials` (nil for no trials).
    public static func wilson(successes: Int, trials: Int, z: Double = z95) -> (low: Double, high: Double)? {
        guard trials > 0 else { return nil }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let center = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        return (max(0, center - half), min(1, center + half))
    }

    /// One estimate per machine annotator, from the audit routes and people's decisions (read as
    /// `kind.answerLabel`: a review's rating is what its machine label is). Audits drawn with unequal
    /// probabilities (`RouteRecord.auditProbability`, by uncertainty) are weighted by them as `duet quality`
    /// does (`ActiveSampling.fixedSizeEstimate`), over the kept items: `kept`, the items the machine's labels
    /// stand on unaudited (`TaskProgress.machine`), plus the labeled audits. That needs one annotator with
    /// audits (the progress count is the task's); without `kept`, or with equal probabilities, the raw
    /// audits with Wilson's interval (a uniform draw makes them a fair sample).
    public static func estimates(routes: [Int64: RouteRecord], decisions: [CurrentDecision], kind: TaskKind = .classify,
                                 kept: Int? = nil) -> [AuditEstimate] {
        let human = peopleAnswers(decisions, kind: kind)
        var tally: [String: (planned: Int, n: Int, agree: Int, labeled: [ActiveSampling.Unit])] = [:]
        for r in routes.values where r.route == .audit {
            var t = tally[r.annotator] ?? (0, 0, 0, [])
            t.planned += 1
            if let person = human[r.itemRowID] {
                t.n += 1
                if person == r.machineLabel { t.agree += 1 }
                t.labeled.append(ActiveSampling.Unit(prediction: 0, probability: r.auditProbability ?? 0, label: person == r.machineLabel ? 1 : 0))
            }
            tally[r.annotator] = t
        }
        return tally.keys.sorted().map { name in
            let t = tally[name]!
            let ci = wilson(successes: t.agree, trials: t.n)
            var e = AuditEstimate(annotator: name, planned: t.planned, audited: t.n, agreeing: t.agree,
                                  accuracy: t.n > 0 ? Double(t.agree) / Double(t.n) : nil, low: ci?.low, high: ci?.high)
            let p = t.labeled.map(\.probability)
            if let kept, tally.count == 1, let first = p.first, p.allSatisfy({ $0 > 0 }), p.contains(where: { abs($0 - first) > 1e-12 }),
               let w = ActiveSampling.fixedSizeEstimate(t.labeled + Array(repeating: ActiveSampling.Unit(prediction: 0, probability: 1, label: nil),
                                                                         count: max(0, kept))) {
                e.accuracy = w.estimate
                e.low = w.low
                e.high = w.high
                e.weighted = true
            }
            return e
        }
    }
}
