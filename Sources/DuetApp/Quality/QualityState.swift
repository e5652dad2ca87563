import DuetCore
import Foundation
import TermUI

/// What the Quality screen shows for a task.
public struct QualityReport: Sendable {
    public var agreement: AgreementReport
    /// The machine's accuracy from blind audits, per machine annotator.
    public var audit: [AuditEstimate]
    /// Compare tasks: position bias and the rest.
    public var pairs: PairStats?
    /// The planner's curves (nil when the task has no votes or nothing to score against).
    public var plan: PlanView?
    /// Why there is no plan, in words.
    public var planNote: String?
    /// Rate and review tasks: each judge's scores and spread (nil for other kinds).
    public var judges: [JudgeSummary]?
    /// Multilabel tasks and rankings: how unsure the machine's votes are, per label or over the orders.
    public var votesSpread: JudgeSpread?
    /// The checks on people: accuracy on gold, too-fast answers, suggestions taken (`PeopleQuality`).
    public var people: [PersonQuality] = []

    /// The audit estimate, calibration and alt-test (`QualityEstimates`, as `duet quality` reports them).
    public var estimates: QualityEstimates?

    public init(agreement: AgreementReport, audit: [AuditEstimate] = [], pairs: PairStats? = nil, plan: PlanView? = nil, planNote: String? = nil,
                judges: [JudgeSummary]? = nil, votesSpread: JudgeSpread? = nil) {
        self.judges = judges
        self.votesSpread = votesSpread
        self.agreement = agreement
        self.audit = audit
        self.pairs = pairs
        self.plan = plan
        self.planNote = planNote
    }
}

/// The planner as the Quality screen draws it: accuracy per strategy over the share sent to people.
public struct PlanView: Sendable, Hashable {
    public struct Curve: Sendable, Hashable {
        public var strategy: String
        /// (share to people, accuracy), by share.
        public var points: [Point]
        public init(strategy: String, points: [Point]) {
            self.strategy = strategy
            self.points = points
        }
    }
    public struct Point: Sendable, Hashable {
        public var budget: Double
        public var accuracy: Double
        public var cost: Double?
        public var pareto: Bool
        public init(budget: Double, accuracy: Double, cost: Double? = nil, pareto: Bool = false) {
            self.budget = budget
            self.accuracy = accuracy
            self.cost = cost
            self.pareto = pareto
        }
    }
    public var curves: [Curve]
    /// The chart as `duet plan` draws it.
    public var chart: LineChart
    /// "send 30% to people (default): accuracy 0.91, $42", or the warning that no budget reaches the target.
    public var recommendation: String
    public var reachesTarget: Bool
    /// Where the figures come from (items scored, gold or people, cross-fitting, seconds per item).
    public var basis: [String]
    /// A panel's members against the truth: who to trust (empty for one annotator).
    public var panel: [PanelMember]
    public init(curves: [Curve], chart: LineChart, recommendation: String, reachesTarget: Bool, basis: [String] = [], panel: [PanelMember] = []) {
        self.panel = panel
        self.curves = curves
        self.chart = chart
        self.recommendation = recommendation
        self.reachesTarget = reachesTarget
        self.basis = basis
    }
}

/// The Quality screen of one task.
public struct QualityState: Sendable {
    public var task: TaskSpec
    public var report: QualityReport?
    public var scroll = 0
    public init(task: TaskSpec) { self.task = task }
}
