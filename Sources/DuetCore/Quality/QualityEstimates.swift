import Foundation

/// What `duet quality` and the Quality screen report about a task's labels (docs/estimates.md): the
/// accuracy of the machine-kept labels and of the whole exported set from the blind audits, how well the
/// machine's confidence matches people, and whether the machine could replace people (the alt-test).
/// Pure: the workflow (DuetProject's `EstimatesWorkflow`) reads the store into `Item`s.
///
/// **Audit estimate.** The kept items are those routed `machine` or `audit` with a machine label; an audit
/// outcome is 1 when people's answer (`Audit.peopleAnswers`) is the machine's label. Audits not yet
/// labeled are left out (an unanswered draw counted as unaudited would bias the estimate).
/// - Every labeled audit carries the inclusion probability it was routed with and they are not all equal
///   (`Router.audits`' active design, drawn with a fixed size): `ActiveSampling.fixedSizeEstimate`, each
///   audit weighted by 1/πᵢ, Brewer's variance (method `active_ipw`): an interval for the accuracy of this
///   task's kept labels. PPI assumes audits drawn uniformly and is not used then.
/// - Otherwise (uniform audits, or audits routed before probabilities were recorded): stratified PPI++ over
///   `strata` bins of the router's uncertainty when every kept item has a machine confidence, else PPI++,
///   else the audits alone (`classical`); the others computed are listed as `alternatives`.
/// - The whole exported set: `AccuracyEstimate.finalSet`, people's labels counted right, the machine's on
///   the kept items no person labeled.
/// - The limit (`PeopleComparison`): the audits measure agreement with a person; the statement says when
///   the machine is no better than the people it is compared with, or that no item has two people to tell.
///
/// **Calibration**: `Calibration` over every item with a machine label, its confidence and people's
/// answer (items sent to people included: the diagram is conditional on the confidence).
///
/// **Alt-test**: `AltTest` over the items with a machine label and at least two people (adjudicators left out).
public struct QualityEstimates: Sendable, Hashable, Encodable {
    /// One item of the task as the estimates see it.
    public struct Item: Sendable, Hashable {
        public var id: Int64
        /// Nil: not routed.
        public var route: Route?
        public var machineLabel: String?
        /// The machine's confidence in `machineLabel` (`MachineVote.support`), when known.
        public var confidence: Double?
        /// The router's uncertainty score.
        public var uncertainty: Double
        public var auditProbability: Double?
        /// People's answer (`Audit.peopleAnswers`).
        public var answer: String?
        /// Each person's label, adjudicators left out.
        public var people: [String: String]

        public init(id: Int64, route: Route?, machineLabel: String?, confidence: Double?, uncertainty: Double, auditProbability: Double?,
                    answer: String?, people: [String: String]) {
            self.id = id
            self.route = route
            self.machineLabel = machineLabel
            self.confidence = confidence
            self.uncertainty = uncertainty
            self.auditProbability = auditProbability
            self.answer = answer
            self.people = people
        }

        var kept: Bool { (route == .machine || route == .audit) && machineLabel != nil }
    }

    public struct AuditFigures: Sendable, Hashable, Encodable {
        /// The machine-kept labels' accuracy; nil with fewer than 2 labeled audits.
        public var estimate: AccuracyEstimate?
        /// The whole exported set's accuracy.
        public var finalSet: AccuracyEstimate?
        /// The other estimators that apply, for comparison.
        public var alternatives: [AccuracyEstimate]
        /// Audits routed, and of those not labeled yet.
        public var planned: Int
        public var pending: Int
        /// Kept items no person labeled, and items with people's labels (the exported set's two parts).
        public var machineItems: Int
        public var peopleItems: Int
        public var comparison: PeopleComparison?
        /// What the estimate cannot show, in words (nil without an estimate).
        public var limit: String?
        /// Why the method was chosen, or why there is no estimate.
        public var note: String

        enum CodingKeys: String, CodingKey {
            case alternatives, planned, pending, limit, note
            case finalSet = "final_set", machineItems = "machine_items", peopleItems = "people_items", comparison = "people_comparison"
            case estimate, low = "ci_low", high = "ci_high", method, wilsonLow = "wilson_low", wilsonHigh = "wilson_high", audits
            case standardError = "standard_error", lambda, items, halving = "audits_to_halve_width"
        }

        /// The estimate's own fields at the top level (`estimate`, `ci_low`, … as `AccuracyEstimate` names
        /// them; null without one), beside the rest.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(estimate?.estimate, forKey: .estimate)
            try c.encode(estimate?.low, forKey: .low)
            try c.encode(estimate?.high, forKey: .high)
            try c.encode(estimate?.method, forKey: .method)
            try c.encode(estimate?.wilsonLow, forKey: .wilsonLow)
            try c.encode(estimate?.wilsonHigh, forKey: .wilsonHigh)
            try c.encode(estimate?.audits ?? (planned - pending), forKey: .audits)
            try c.encode(estimate?.standardError, forKey: .standardError)
            try c.encode(estimate?.lambda, forKey: .lambda)
            try c.encode(estimate?.items, forKey: .items)
            try c.encode(estimate?.auditsToHalveWidth, forKey: .halving)
            try c.encode(finalSet, forKey: .finalSet)
            try c.encode(alternatives, forKey: .alternatives)
            try c.encode(planned, forKey: .planned)
            try c.encode(pending, forKey: .pending)
            try c.encode(machineItems, forKey: .machineItems)
            try c.encode(peopleItems, forKey: .peopleItems)
            try c.encode(comparison, forKey: .comparison)
            try c.encode(limit, forKey: .limit)
            try c.encode(note, forKey: .note)
        }
    }

    public struct CalibrationFigures: Sendable, Hashable, Encodable {
        /// Items with a machine label, its confidence and people's answer.
        public var items: Int
        public var bins: [Calibration.Bin]
        public var ece: Double?
        public var brier: Double?
        public var curve: [Calibration.CoveragePoint]

        enum CodingKeys: String, CodingKey {
            case items, bins, ece, brier
            case curve = "risk_coverage"
        }
    }

    public var task: String
    public var audit: AuditFigures
    public var calibration: CalibrationFigures
    /// Nil when no item has a machine label and two people.
    public var altTest: AltTest?
    /// The checks on each person (`PeopleQuality`), by name; set by whoever reads the store.
    public var people: [PersonQuality] = []

    enum CodingKeys: String, CodingKey {
        case task, audit, calibration, people
        case altTest = "alt_test"
    }

    /// Every key always present (`alt_test` null when there is no test).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(task, forKey: .task)
        try c.encode(audit, forKey: .audit)
        try c.encode(calibration, forKey: .calibration)
        try c.encode(altTest, forKey: .altTest)
        try c.encode(people, forKey: .people)
    }

    public init(task: String, items: [Item], strata: Int = 4, bins: Int = 10, epsilon: Double = 0.2, tTestItems: Int = 30) {
        self.task = task
        audit = Self.audit(items, strata: strata)
        let outcomes = items.compactMap { i -> Calibration.Outcome? in
            guard let label = i.machineLabel, let p = i.confidence, let answer = i.answer else { return nil }
            return Calibration.Outcome(item: i.id, confidence: p, correct: answer == label)
        }
        let c = Calibration(outcomes, bins: bins)
        calibration = CalibrationFigures(items: outcomes.count, bins: c.bins, ece: c.ece, brier: c.brier, curve: c.curve)
        let crowded = items.compactMap { i in i.machineLabel.flatMap { i.people.count >= 2 ? AltTest.Item(machine: $0, people: i.people) : nil } }
        altTest = crowded.isEmpty ? nil : AltTest(crowded, epsilon: epsilon, tTestItems: tTestItems)
    }

    static func audit(_ items: [Item], strata: Int) -> AuditFigures {
        let kept = items.filter(\.kept)
        let audits = kept.filter { $0.route == .audit }
        let pending = audits.filter { $0.answer == nil }
        // Audits drawn but not answered are left out of the estimate's items.
        let units = kept.filter { !($0.route == .audit && $0.answer == nil) }
        let labeled = units.filter { $0.route == .audit }
        func outcome(_ i: Item) -> Double? { i.route == .audit ? (i.answer == i.machineLabel ? 1 : 0) : nil }
        let peopleItems = items.count(where: { $0.answer != nil })
        let machineItems = kept.count(where: { $0.answer == nil })
        var figures = AuditFigures(estimate: nil, finalSet: nil, alternatives: [], planned: audits.count, pending: pending.count,
                                   machineItems: machineItems, peopleItems: peopleItems, comparison: nil, limit: nil, note: "")
        let probabilities = labeled.compactMap(\.auditProbability)
        let active = !labeled.isEmpty && probabilities.count == labeled.count
            && probabilities.contains { abs($0 - probabilities[0]) > 1e-12 }
        if active {
            figures.estimate = ActiveSampling.fixedSizeEstimate(units.map {
                ActiveSampling.Unit(prediction: $0.confidence ?? 0, probability: $0.auditProbability ?? 1, label: outcome($0))
            })
            figures.note = "audits drawn with probabilities rising with the router's uncertainty; each weighted by 1/its probability"
        } else {
            let y = labeled.compactMap(outcome)
            var found: [AccuracyEstimate] = []
            if units.allSatisfy({ $0.confidence != nil }) {
                let ranks = PPI.uncertaintyStrata(units.map(\.uncertainty), count: strata)
                if let s = PPI.stratified(zip(units, ranks).map { PPI.Unit(stratum: $1, prediction: $0.confidence ?? 0, label: outcome($0)) }) {
                    found.append(s)
                }
                if let m = PPI.mean(labels: y, predictions: labeled.map { $0.confidence ?? 0 },
                                    unlabeled: units.filter { $0.route != .audit }.map { $0.confidence ?? 0 }) {
                    found.append(m)
                }
            }
            if let c = PPI.classical(labels: y, items: units.count) { found.append(c) }
            figures.estimate = found.first
            figures.alternatives = Array(found.dropFirst())
            figures.note = found.first.map { e in
                e.method == .classical ? "the audits alone: no machine confidence on every kept item to power PPI"
                    : "audits drawn uniformly; the machine's confidence on every kept item narrows the interval (PPI++)"
            } ?? ""
        }
        guard let estimate = figures.estimate else {
            figures.note = "fewer than 2 audits labeled: no estimate yet"
            return figures
        }
        figures.finalSet = estimate.finalSet(machineItems: machineItems, peopleItems: peopleItems)
        let (agreeing, pairs) = Self.pairs(items)
        figures.comparison = PeopleComparison(machine: estimate, agreeingPairs: agreeing, pairs: pairs)
        figures.limit = figures.comparison.map(\.statement)
            ?? "No item has two people's labels: these audits measure agreement with one person, and how often people "
            + "disagree with each other is unknown (raise the task's overlap on some items to find out)."
        return figures
    }

    /// Pairs of people on the same item, and how many of them gave the same label.
    static func pairs(_ items: [Item]) -> (agreeing: Int, pairs: Int) {
        var agreeing = 0, pairs = 0
        for i in items where i.people.count >= 2 {
            let labels = i.people.keys.sorted().map { i.people[$0]! }
            for a in labels.indices { for b in labels.indices where b > a {
                pairs += 1
                if labels[a] == labels[b] { agreeing += 1 }
            } }
        }
        return (agreeing, pairs)
    }
}
