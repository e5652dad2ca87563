import DuetCore
import Foundation
import TermUI

/// Everything the screen shows, as plain data. `update` changes it,
/// `render` draws it; neither does I/O.
public struct AppState: Sendable {
    public var width: Int
    public var height: Int
    public var screen: Screen
    public var overlay: Overlay?
    /// A one-line message at the bottom ("saved", "nothing to undo", errors).
    public var status: Status?
    public var theme: Theme
    public var keymap: Keymap
    public var annotator: String
    public var tasks: [TaskSpec]
    /// [router] target_accuracy: audits whose interval reaches under it are shown as a warning.
    public var targetAccuracy = 0.9
    /// Quitting from a task goes back to the dashboard when it was opened from there.
    public var startedOnDashboard: Bool
    /// An item opened from triage: quitting the label screen goes back to this table.
    public var triageReturn: TriageState?
    public var quitting = false
    /// A store effect that failed for a moment (the store was busy) and is tried again
    /// when the runtime's wake-up comes; any newer action or effect result ends it.
    public var retry: Retry?

    public init(width: Int, height: Int, tasks: [TaskSpec], annotator: String, theme: Theme = .mono,
                keymap: Keymap = .defaults, screen: Screen = .dashboard(DashboardState())) {
        self.width = width
        self.height = height
        self.tasks = tasks
        self.annotator = annotator
        self.theme = theme
        self.keymap = keymap
        self.screen = screen
        if case .dashboard = screen { startedOnDashboard = true } else { startedOnDashboard = false }
    }

    public static let minimumSize = (width: 40, height: 12)
    public var isTooSmall: Bool { width < AppState.minimumSize.width || height < AppState.minimumSize.height }
}

public struct Status: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case info, warning, error }
    public var text: String
    public var kind: Kind
    public init(_ text: String, _ kind: Kind = .info) {
        self.text = text
        self.kind = kind
    }
}

/// A store effect waiting to be tried again, and how it failed last.
public struct Retry: Sendable, Equatable {
    public var effect: Effect
    /// Attempts made so far.
    public var attempt: Int
    public var failure: StoreFailure
    public init(effect: Effect, attempt: Int, failure: StoreFailure) {
        self.effect = effect
        self.attempt = attempt
        self.failure = failure
    }
}

public enum Screen: Sendable {
    case dashboard(DashboardState)
    case label(LabelState)
    case triage(TriageState)
    case adjudicate(AdjudicateState)
    case quality(QualityState)
}

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

/// Items where annotators disagree, one at a time, with who said what.
public struct AdjudicateState: Sendable {
    public var task: TaskSpec
    /// Only people's answers count as disagreeing (machines' are still shown).
    public var peopleOnly: Bool
    public var items: [Adjudication.Disagreement] = []
    /// The disagreement shown.
    public var index = 0
    /// Its content (nil while loading).
    public var item: StoredItem?
    /// The highlighted answer.
    public var selected = 0
    public var scroll = 0
    public var loaded = false

    public init(task: TaskSpec, peopleOnly: Bool = false) {
        self.task = task
        self.peopleOnly = peopleOnly
    }

    public var current: Adjudication.Disagreement? { items.indices.contains(index) ? items[index] : nil }
    public var settledCount: Int { items.filter { $0.settled != nil }.count }
}

/// The routed queue as a table.
public struct TriageState: Sendable {
    public var task: TaskSpec
    public var filter: TriageFilter
    public var rows: [TriageRow] = []
    public var selected = 0
    /// Rows marked with space (item row ids).
    public var marked: Set<Int64> = []
    public var loaded = false
    /// What the rows' ids share (`IDText.sharedPrefix`, found when they load): the id column shows the rest.
    public var idPrefix = ""

    public init(task: TaskSpec, filter: TriageFilter = TriageFilter()) {
        self.task = task
        self.filter = filter
    }

    /// The labels the machine's labels can take (for the label filter).
    public var labels: [String] { task.answerLabels }

    /// The route filter in words.
    public var routeName: String {
        switch (filter.route, filter.pendingOnly) {
        case (nil, true): return "to label"
        case (nil, false): return "all routed"
        case (let r?, true): return "\(r.rawValue), to label"
        case (let r?, false): return r.rawValue
        }
    }
}

/// One row of the dashboard.
public struct TaskSummary: Sendable, Hashable {
    public var task: TaskSpec
    public var progress: TaskProgress
    /// Compare tasks: position bias, tie and both-bad rates, source agreement.
    public var pairs: PairStats?
    /// Routed tasks: the machine's accuracy from blind audits.
    public var audit: [AuditEstimate]
    public init(task: TaskSpec, progress: TaskProgress, pairs: PairStats? = nil, audit: [AuditEstimate] = []) {
        self.task = task
        self.progress = progress
        self.pairs = pairs
        self.audit = audit
    }

    /// Human decisions per hour of measured labeling time (`TaskProgress.itemsPerHour`).
    public var itemsPerHour: Double? { progress.itemsPerHour }
}

public struct DashboardState: Sendable {
    public var rows: [TaskSummary] = []
    public var selected = 0
    public var loaded = false
    public init(rows: [TaskSummary] = [], loaded: Bool = false) {
        self.rows = rows
        self.loaded = loaded
    }
}

public struct LabelState: Sendable {
    public var task: TaskSpec
    public var item: StoredItem?
    public var progress = TaskProgress()
    /// False until the first item has been loaded.
    public var loaded = false
    /// When the item was shown, for the seconds spent on it.
    public var shownAt: Date?
    /// Multi-label toggles / the highlighted choice.
    public var toggled: Set<Int> = []
    public var highlighted: Int?
    /// Review: the rating given so far and the edited response.
    public var rating: Int?
    public var edited: String?
    /// Flag and note for the decision being made.
    public var flagged = false
    public var note: String?
    /// Item pane scroll offset (lines).
    public var scroll = 0
    /// Items decided in this session (row ids, oldest first), for [ and ].
    public var history: [Int64] = []
    /// Index into `history` while looking back; nil at the queue.
    public var browsing: Int?
    /// The decision shown for a browsed item.
    public var previousValue: JSONValue?
    /// Compare tasks: sides, focus, per-pane scroll, diff, rationale, ranks.
    public var pair: PairState?
    /// Compare tasks with `show_source`: the dataset's own preference.
    public var sourceValue: JSONValue?
    /// Compare tasks: the diff highlight stays on from item to item once asked for.
    public var diffOn = false
    /// The router's label and votes for the item (nil when the task is not routed).
    public var suggestion: Suggestion?

    public init(task: TaskSpec) { self.task = task }

    /// Resets what belongs to one item.
    mutating func startItem(_ item: StoredItem?, at date: Date) {
        self.item = item
        shownAt = date
        toggled = []
        highlighted = nil
        rating = nil
        edited = nil
        flagged = false
        note = nil
        scroll = 0
        previousValue = nil
        sourceValue = nil
        pair = nil
        suggestion = nil
    }

    /// The screen's key contexts.
    public var contexts: Set<KeyContext> {
        switch task.kind {
        case .classify: return [.label, .classify]
        case .multilabel: return [.label, .multilabel]
        case .rate: return [.label, .rate]
        case .review: return [.label, .review]
        case .compare: return item?.item.kind == .ranking ? [.label, .rank] : [.label, .compare]
        }
    }

    /// The choices shown with their keys: labels, or the rating scale.
    public var choices: [String] {
        switch task.kind {
        case .classify, .multilabel: return task.labels
        case .rate, .review: return task.scale.map(String.init)
        case .compare: return []
        }
    }
}

/// What the machine said about the item, for the suggestion pane.
public struct Suggestion: Sendable, Hashable {
    public var label: String?
    public var route: Route
    public var votes: Int
    /// Votes per label (unparseable under `Uncertainty.unparseable`), largest first.
    public var distribution: [(label: String, count: Int)] {
        get { zip(labels, counts).map { ($0, $1) } }
    }
    var labels: [String]
    var counts: [Int]
    /// The votes' spread (`MachineView.entropy`: a multilabel item's least sure label, a ranking's 1 − mean τ).
    public var entropy: Double
    public var confidence: Double?
    public var annotator: String
    /// Rate and review: the judges' scores and spread (mean, sd, votes; a review's verdicts).
    public var spread: ScoreSpread?
    /// Enter takes the machine's label (not on a review: Enter submits the person's own review).
    public var enterAccepts: Bool
    /// Votes that agree with the machine's label (`KindScorer.agrees`).
    public var agreeing: Int
    /// Multilabel votes: each label's yes/no/unparseable votes (empty for other votes).
    public var perLabel: [Multilabel.LabelVotes]

    /// Audits are judged blind: the person must not see the machine's answer, so
    /// a blind suggestion holds none of it (no label, votes, entropy or confidence).
    public let isBlind: Bool

    /// Read through `RouteRecord.machineView` (as the label screen, where the item is decided). The
    /// split counts the votes the router reads (`TaskKind.routesOn`: a review's ratings, not its verdicts).
    public init(route: RouteRecord, votes all: [MachineVote], kind: TaskKind = .classify) {
        let machine = route.machineView(votes: all, deciding: true)
        isBlind = machine == nil
        let votes = (machine?.votes ?? []).filter(kind.routesOn)
        spread = machine.flatMap { kind == .rate || kind == .review ? $0.spread : nil }
        enterAccepts = kind != .review && kind != .multilabel  // review: Enter submits the person's review; multilabel: the toggled set
        label = machine?.label
        self.route = route.route
        self.votes = votes.count
        let d = Uncertainty.distribution(votes.map(\.label)).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        labels = d.map(\.key)
        counts = d.map(\.value)
        entropy = machine?.entropy ?? 0
        agreeing = votes.filter { KindScorer.agrees($0, with: machine?.label) }.count
        perLabel = KindScorer.forVotes(votes).map { $0 == .ranking ? [] : Multilabel.perLabel(votes) } ?? []
        confidence = machine.flatMap { Uncertainty.confidenceUncertainty($0.votes).map { 1 - $0 } }
        annotator = route.annotator
    }
}

/// The pair (or ranking) being judged.
public struct PairState: Sendable, Hashable {
    /// Display position → stored response index (A/left/top first).
    public var shown: [Int]
    /// 0 = the prompt pane, 1… = the responses in display order.
    public var focus = 1
    /// Scroll offset per pane (prompt first).
    public var scrolls: [Int]
    public var diff = false
    public var rationale: String?
    /// Rankings: the rank given to each display position (nil = not yet).
    public var ranks: [Int?]

    public init(shown: [Int]) {
        self.shown = shown
        scrolls = Array(repeating: 0, count: shown.count + 1)
        ranks = Array(repeating: nil, count: shown.count)
    }

    /// "AB" or "BA" for a pair.
    public var order: DisplayOrder? {
        guard shown.count == 2 else { return nil }
        return shown == [0, 1] ? .ab : .ba
    }
}

/// A text field (note, search query).
public struct TextInput: Sendable, Hashable {
    public var text: String
    public init(_ text: String = "") { self.text = text }

    /// Applies a key; returns false when the key is not for the field.
    public mutating func apply(_ key: Key) -> Bool {
        switch key {
        case .char(let c):
            text.append(c)
            return true
        case .backspace:
            if !text.isEmpty { text.removeLast() }
            return true
        case .ctrl("u"):
            text = ""
            return true
        default:
            return false
        }
    }
}

public enum Overlay: Sendable {
    case help(scroll: Int)
    case guidelines(scroll: Int)
    case note(TextInput)
    case rationale(TextInput)
    case search(SearchState)
}

public struct SearchState: Sendable {
    public var query = TextInput()
    /// nil before the search ran.
    public var results: [StoredItem]?
    public var selected = 0
    public init() {}
}
