import Foundation

/// What `duet plan` prices its rows with: people's time per item at the
/// hourly rate, and the machine annotator's stored tokens at its prices.
///
/// The machine votes on every item whatever the budget (its uncertainty is
/// what routes), so its cost is the same in every row.
public struct CostBasis: Sendable, Hashable, Encodable {
    /// Items the router would route: every item of the task with votes.
    public var items: Int
    public var secondsPerItem: Double
    /// Human decisions the seconds were measured over; 0 = assumed ([cost] seconds_per_item).
    public var measuredDecisions: Int
    /// Currency units per person-hour; 0 = unknown.
    public var hourlyRate: Double
    public var currency: String
    public var tokens: VoteTokens
    /// The tokens at the annotator's prices (0 for the built-in and replayed annotators).
    public var machineCost: Double

    /// `measuredSeconds` summed over `measuredDecisions` human decisions; with
    /// none measured, `settings.secondsPerItem` is assumed.
    public init(items: Int, measuredSeconds: Double, measuredDecisions: Int, settings: CostSettings,
                tokens: VoteTokens = VoteTokens(), promptPrice: Double = 0, completionPrice: Double = 0) {
        self.items = items
        let measured = measuredDecisions > 0 && measuredSeconds > 0
        self.measuredDecisions = measured ? measuredDecisions : 0
        secondsPerItem = measured ? measuredSeconds / Double(measuredDecisions) : settings.secondsPerItem
        hourlyRate = settings.hourlyRate
        currency = settings.currency
        self.tokens = tokens
        machineCost = tokens.cost(promptPrice: promptPrice, completionPrice: completionPrice)
    }

    public var isMeasured: Bool { measuredDecisions > 0 }
    public var hasRate: Bool { hourlyRate > 0 }

    /// Items of the task that go to people at `budget`.
    public func peopleItems(budget: Double) -> Int { Allocation.count(items, share: budget) }
    public func personHours(budget: Double) -> Double { Double(peopleItems(budget: budget)) * secondsPerItem / 3600 }
    /// People's time at the hourly rate plus the machine's tokens.
    public func cost(budget: Double) -> Double { personHours(budget: budget) * hourlyRate + machineCost }

    /// "measured over 42 decisions" or "assumed: …".
    public var secondsSource: String {
        isMeasured ? "measured over \(measuredDecisions) human decision\(measuredDecisions == 1 ? "" : "s")"
            : "assumed: no measured human time yet, [cost] seconds_per_item"
    }

    /// One line saying what a row's cost is made of.
    public var summary: String {
        var s = "people: \(PlanFormat.seconds(secondsPerItem)) per item (\(secondsSource))"
        s += hasRate ? " at \(money(hourlyRate))/person-hour" : ", no hourly rate ([cost] hourly_rate): costs in person-hours"
        if tokens.promptTokens + tokens.completionTokens > 0 {
            s += "; machine: \(tokens.promptTokens + tokens.completionTokens) tokens, \(money(machineCost)) in every row"
        } else {
            s += "; machine: no token cost"
        }
        return s
    }

    /// An amount in the currency: "$42", "$1,250", "$3.10".
    public func money(_ v: Double) -> String {
        guard v.isFinite else { return currency + "?" }
        if v == 0 { return currency + "0" }
        if abs(v) < 0.01 { return "<" + currency + "0.01" }
        if abs(v) < 10 { return currency + String(format: "%.2f", v) }
        return currency + Int(v.rounded()).formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
    }

    /// A row's cost as text: "$42 (2.1 person-hours)", or person-hours alone without a rate.
    public func costText(_ row: PlanRow) -> String {
        let hours = "\(PlanFormat.hours(row.personHours)) person-hours"
        let machine = machineCost > 0 ? " + \(money(machineCost)) machine" : ""
        return hasRate ? "\(money(row.cost)) (\(hours)\(machine))" : hours + machine
    }

    /// What rows are compared by: money with a rate, else person-hours (the
    /// same order, as the machine's cost is the same in every row).
    func paretoCost(_ row: PlanRow) -> Double { hasRate ? row.cost : row.personHours }

    enum CodingKeys: String, CodingKey {
        case items, currency, tokens
        case secondsPerItem = "seconds_per_item"
        case measuredDecisions = "measured_decisions"
        case secondsSource = "seconds_source"
        case hourlyRate = "hourly_rate"
        case machineCost = "machine_cost"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(secondsPerItem, forKey: .secondsPerItem)
        try c.encode(measuredDecisions, forKey: .measuredDecisions)
        try c.encode(isMeasured ? "measured" : "assumed", forKey: .secondsSource)
        try c.encode(hourlyRate, forKey: .hourlyRate)
        try c.encode(currency, forKey: .currency)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(machineCost, forKey: .machineCost)
    }
}

public enum Pareto {
    /// For each point, whether it is on the frontier: no other point costs
    /// as little or less and is as good or better, and strictly so in one.
    /// Equal points are all on it.
    public static func frontier(_ points: [(cost: Double, quality: Double)]) -> [Bool] {
        points.map { p in
            !points.contains { q in q.cost <= p.cost && q.quality >= p.quality && (q.cost < p.cost || q.quality > p.quality) }
        }
    }
}

/// What the plan advises.
public struct PlanRecommendation: Sendable, Hashable, Encodable {
    /// A budget short of 100% reaches the target accuracy.
    public var reachesTarget: Bool
    /// The recommended row; when none reaches the target, the best one.
    public var row: PlanRow?
    public var text: String

    enum CodingKeys: String, CodingKey {
        case row, text
        case reachesTarget = "reaches_target"
    }
}

/// What the rows are measured on.
public struct PlanEvaluation: Sendable, Hashable, Encodable {
    /// Items with votes and truth (people's labels, else gold).
    public var items: Int
    public var humanLabels: Int
    public var goldLabels: Int
    /// Folds the machine's votes on those items were cross-fitted in (0 = the stored votes).
    public var crossFitFolds: Int
    /// Items whose votes were cross-fitted.
    public var crossFitItems: Int
    /// Anything that makes the rows less trustworthy (e.g. why it could not cross-fit).
    public var note: String?

    public init(items: Int, humanLabels: Int, goldLabels: Int, crossFitFolds: Int = 0, crossFitItems: Int = 0, note: String? = nil) {
        self.items = items
        self.humanLabels = humanLabels
        self.goldLabels = goldLabels
        self.crossFitFolds = crossFitFolds
        self.crossFitItems = crossFitItems
        self.note = note
    }

    public var summary: String {
        var truth: [String] = []
        if humanLabels > 0 { truth.append("\(humanLabels) labeled by people") }
        if goldLabels > 0 { truth.append("\(goldLabels) with gold labels") }
        var s = "quality measured on \(items) items (\(truth.joined(separator: ", "))); people are assumed right on the items they get"
        if crossFitFolds > 0 {
            s += ". The annotator learns from these labels, so its votes on \(crossFitItems) of them were cross-fitted: "
                + "retrained \(crossFitFolds) times without one fold and asked about that fold (in memory; the store is unchanged)"
        }
        if let note { s += ". \(note)" }
        return s
    }

    enum CodingKeys: String, CodingKey {
        case items, note
        case humanLabels = "human_labels"
        case goldLabels = "gold_labels"
        case crossFitFolds = "cross_fit_folds"
        case crossFitItems = "cross_fit_items"
    }
}

/// `duet plan`: quality and cost per strategy and budget, the frontier and a recommendation.
/// What labeling every item with the most common true label scores, beside the machine alone: a machine
/// worse than that is worse than knowing nothing about the items.
public struct PlanBaseline: Sendable, Hashable, Encodable {
    /// The most common label among the measured items' truth (ties: the first in the task's labels).
    public var label: String
    public var accuracy: Double
    public var macroF1: Double
    /// The machine's majority vote on every item (entropy at 0% to people): CoAnnotating's reference.
    public var machineAccuracy: Double

    public init(label: String, accuracy: Double, macroF1: Double, machineAccuracy: Double) {
        self.label = label
        self.accuracy = accuracy
        self.macroF1 = macroF1
        self.machineAccuracy = machineAccuracy
    }

    /// The majority-class baseline of `truth` and the machine's majority-vote accuracy on it.
    public static func make(votes: VoteTable, order: [Int64], truth: [Int64: String], labels: [String]) -> PlanBaseline? {
        let measured = order.filter { truth[$0] != nil }
        guard !measured.isEmpty else { return nil }
        var counts: [String: Int] = [:]
        for id in measured { counts[truth[id]!, default: 0] += 1 }
        let ranked = (labels + counts.keys.sorted()).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var best: String?
        for l in ranked where best == nil || counts[l, default: 0] > counts[best!, default: 0] { best = l }
        guard let top = best else { return nil }
        let constant = Dictionary(uniqueKeysWithValues: measured.map { ($0, Optional(top)) })
        let scored = Dictionary(uniqueKeysWithValues: measured.map { ($0, truth[$0]!) })
        let (acc, f1) = Metrics.accuracyAndMacroF1(predicted: constant, truth: scored, labels: labels)
        let machine = Router.route(votes: votes, order: measured, labels: labels, strategy: .entropy, budget: 0)
        let machineAccuracy = Router.evaluate(machine, truth: scored, labels: labels).accuracy
        return PlanBaseline(label: top, accuracy: acc, macroF1: f1, machineAccuracy: machineAccuracy)
    }

    /// Set when the machine alone is worse than the constant label.
    public var warning: String? {
        guard machineAccuracy < accuracy - 1e-9 else { return nil }
        return "warning: the machine alone (accuracy \(PlanFormat.score(machineAccuracy))) is worse than labeling every item "
            + "\"\(label)\" (\(PlanFormat.score(accuracy)), the most common label): its votes carry less than nothing here."
    }

    enum CodingKeys: String, CodingKey {
        case label, accuracy, warning
        case macroF1 = "macro_f1"
        case machineAccuracy = "machine_accuracy"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label, forKey: .label)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(macroF1, forKey: .macroF1)
        try c.encode(machineAccuracy, forKey: .machineAccuracy)
        try c.encodeIfPresent(warning, forKey: .warning)
    }
}

public struct PlanReport: Sendable, Encodable {
    public var task: String
    public var annotator: String
    public var targetAccuracy: Double
    public var evaluation: PlanEvaluation
    public var cost: CostBasis
    /// Priced, with the frontier marked.
    public var rows: [PlanRow]
    public var recommendation: PlanRecommendation
    /// The majority-class baseline (nil when nothing was measured).
    public var baseline: PlanBaseline?
    /// Each panel member against the truth: who to trust.
    public var panel: [PanelMember] = []
    /// The cascade's stages, cheapest first, when [router] cascade is what was planned.
    public var cascade: [CascadeStage] = []
    /// Compare tasks: the annotator's own position bias in its votes.
    public var positionBias: MachinePositionBias?
    /// Compare tasks planned on a panel: each member's position bias.
    public var panelPositionBias: [MachinePositionBias] = []
    /// A confidence threshold for the machine's labels chosen on one half of the measured items and checked
    /// on the other (`checkThreshold`); nil when not made.
    public var thresholdCheck: Calibration.ThresholdCheck?

    public init(task: String, annotator: String, rows: [PlanRow], cost: CostBasis, targetAccuracy: Double, evaluation: PlanEvaluation,
                baseline: PlanBaseline? = nil) {
        self.baseline = baseline
        self.task = task
        self.annotator = annotator
        self.targetAccuracy = targetAccuracy
        self.evaluation = evaluation
        self.cost = cost
        self.rows = Self.price(rows, cost)
        recommendation = Self.recommend(self.rows, target: targetAccuracy, cost: cost)
    }

    /// The strategies in the rows' order.
    public var strategies: [String] { rows.reduce(into: [String]()) { if !$0.contains($1.strategy) { $0.append($1.strategy) } } }
    /// The budgets, smallest first.
    public var budgets: [Double] { Array(Set(rows.map(\.budget))).sorted() }

    /// Round accuracy ticks covering every row and the target, labeled with the decimals that tell them apart.
    public var accuracyTicks: [(value: Double, label: String)] {
        let values = rows.map(\.accuracy) + [targetAccuracy]
        let ticks = PlanFormat.ticks(values.min() ?? 0, values.max() ?? 1, count: 8)
        let decimals = PlanFormat.decimals(step: ticks.count > 1 ? ticks[1] - ticks[0] : 0.1)
        return ticks.map { ($0, String(format: "%.\(decimals)f", $0)) }
    }

    /// Each row with its people, person-hours, cost and frontier flag.
    public static func price(_ rows: [PlanRow], _ basis: CostBasis) -> [PlanRow] {
        var out = rows.map { r in
            var r = r
            r.peopleItems = basis.peopleItems(budget: r.budget)
            r.personHours = basis.personHours(budget: r.budget)
            r.cost = basis.cost(budget: r.budget)
            return r
        }
        for (i, on) in Pareto.frontier(out.map { (basis.paretoCost($0), $0.accuracy) }).enumerated() { out[i].pareto = on }
        return out
    }

    /// The cheapest frontier row short of 100% that reaches `target`, or a
    /// warning naming the best row when none does.
    public static func recommend(_ rows: [PlanRow], target: Double, cost basis: CostBasis) -> PlanRecommendation {
        let partial = rows.enumerated().filter { $0.element.budget < 1 }
        // Cheapest, then most accurate; `default` (what `duet route` uses) wins ties.
        func better(_ a: (offset: Int, element: PlanRow), _ b: (offset: Int, element: PlanRow), cheapFirst: Bool) -> Bool {
            let (x, y) = (a.element, b.element)
            let (cx, cy) = (basis.paretoCost(x), basis.paretoCost(y))
            if cheapFirst && cx != cy { return cx < cy }
            if x.accuracy != y.accuracy { return x.accuracy > y.accuracy }
            if !cheapFirst && cx != cy { return cx < cy }
            if x.macroF1 != y.macroF1 { return x.macroF1 > y.macroF1 }
            if (x.strategy == "default") != (y.strategy == "default") { return x.strategy == "default" }
            return a.offset < b.offset
        }
        let reaching = partial.filter { $0.element.pareto && $0.element.accuracy >= target - 1e-9 }
        if let best = reaching.min(by: { better($0, $1, cheapFirst: true) })?.element {
            let what = best.budget == 0 ? "keep the machine's labels on every item" : "send \(PlanFormat.percent(best.budget)) to people"
            let text = "\(what) (\(best.strategy)): accuracy \(PlanFormat.score(best.accuracy)), macro-F1 \(PlanFormat.score(best.macroF1)), "
                + basis.costText(best) + (basis.hasRate ? "" : "; set [cost] hourly_rate to see money")
            return PlanRecommendation(reachesTarget: true, row: best, text: text)
        }
        guard let best = (partial.isEmpty ? Array(rows.enumerated()) : partial).min(by: { better($0, $1, cheapFirst: false) })?.element else {
            return PlanRecommendation(reachesTarget: false, row: nil, text: "no rows to recommend from")
        }
        let tried = rows.contains { $0.budget >= 1 } ? "no budget short of 100%"
            : partial.map(\.element.budget).max().map { "no budget up to \(PlanFormat.percent($0))" } ?? "no budget"
        let text = "warning: \(tried) reaches the target accuracy \(PlanFormat.score(target)) ([router] target_accuracy). "
            + "The best is \(best.strategy) at \(PlanFormat.percent(best.budget)): accuracy \(PlanFormat.score(best.accuracy)), "
            + "macro-F1 \(PlanFormat.score(best.macroF1)), \(basis.costText(best)). Try larger --budgets, or have people label every item: "
            + "CoAnnotating (Li et al., 2023) found tasks where any share left to the machine lowered quality."
        return PlanRecommendation(reachesTarget: false, row: best, text: text)
    }

    /// Chooses the lowest confidence threshold whose kept labels' error is at most 1 − target accuracy on
    /// one seeded half of `outcomes` (the machine's label on each measured item against the truth), checks
    /// it on the other half (`Calibration.thresholdCheck`), and says the held-out figure in the recommendation.
    public mutating func checkThreshold(_ outcomes: [Calibration.Outcome], seed: Int = 0) {
        guard outcomes.count >= 2 else { return }
        let check = Calibration.thresholdCheck(outcomes, maxRisk: max(0, 1 - targetAccuracy), seed: seed)
        thresholdCheck = check
        recommendation.text += " " + Self.heldOutText(check)
    }

    /// The threshold check in words.
    public static func heldOutText(_ c: Calibration.ThresholdCheck) -> String {
        let half = "half of the \(c.fitItems + c.checkItems) measured items"
        guard let t = c.threshold else {
            return "Held out: no confidence threshold keeps the machine's error at or under \(PlanFormat.score(c.maxRisk)) on \(half)."
        }
        var s = "Held out: keeping the machine's labels of confidence ≥ \(PlanFormat.score(t)), chosen on \(half) "
            + "(error \(PlanFormat.score(c.fitRisk ?? 0)), \(PlanFormat.percent(c.fitCoverage)) kept), keeps "
            + "\(PlanFormat.percent(c.checkCoverage)) of the other half"
        if let r = c.checkRisk, let lo = c.checkRiskLow, let hi = c.checkRiskHigh {
            s += " with error \(PlanFormat.score(r)) (95% \(PlanFormat.score(lo))–\(PlanFormat.score(hi)))"
        }
        return s + "."
    }

    enum CodingKeys: String, CodingKey {
        case task, annotator, evaluation, cost, rows, recommendation, baseline, panel, cascade
        case targetAccuracy = "target_accuracy", positionBias = "position_bias", panelPositionBias = "panel_position_bias"
        case thresholdCheck = "threshold_check"
    }
}

/// Number formats shared by the plan's table, chart and SVG.
public enum PlanFormat {
    /// 0.3 → "30%", 0.125 → "12.5%".
    public static func percent(_ share: Double) -> String {
        let p = share * 100
        return abs(p - p.rounded()) < 1e-9 ? "\(Int(p.rounded()))%" : String(format: "%.1f%%", p)
    }

    /// Accuracy and F1: two decimals.
    public static func score(_ v: Double) -> String { String(format: "%.2f", v) }

    public static func hours(_ h: Double) -> String { String(format: h < 10 ? "%.2f" : "%.1f", h) }

    public static func seconds(_ s: Double) -> String { s < 10 ? String(format: "%.1f s", s) : "\(Int(s.rounded())) s" }

    /// Round axis values covering lo…hi, about `count` of them (steps of
    /// 1, 2, 2.5 or 5 × 10^k); a single value gets a step either side.
    public static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        var (lo, hi) = lo.isFinite && hi.isFinite ? (min(lo, hi), max(lo, hi)) : (0, 1)
        if hi - lo <= 0 {
            let pad = lo == 0 ? 0.5 : abs(lo) * 0.05
            (lo, hi) = (lo - pad, hi + pad)
        }
        let raw = (hi - lo) / Double(max(1, count - 1))
        let magnitude = pow(10, log10(raw).rounded(.down))
        let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? 10 * magnitude
        let first = Int((lo / step + 1e-9).rounded(.down)), last = Int((hi / step - 1e-9).rounded(.up))
        return (first...max(first + 1, last)).map { Double($0) * step }
    }

    /// Decimals that tell ticks `step` apart.
    public static func decimals(step: Double) -> Int {
        guard step > 0, step.isFinite else { return 2 }
        var d = 0
        while d < 6 && abs(step * pow(10, Double(d)) - (step * pow(10, Double(d))).rounded()) > 1e-9 { d += 1 }
        return d
    }
}
