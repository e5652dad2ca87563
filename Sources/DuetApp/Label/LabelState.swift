import DuetCore
import Foundation
import TermUI

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
    /// Why the person gets no new items in this task (`[quality] stop_below`); nil while they may go on.
    public var stopped: String?

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
    /// Every annotator's votes on the item (not only the router's): counts per answer (unparseable under
    /// `Uncertainty.unparseable`), largest first; annotators by name.
    public var byAnnotator: [AnnotatorVotes]

    /// Read through `RouteRecord.machineView` (as the label screen, where the item is decided). The
    /// split counts the votes the router reads (`TaskKind.routesOn`: a review's ratings, not its verdicts).
    /// `everyone`: every annotator's votes on the item (the router's own are `all`), for `byAnnotator`.
    public init(route: RouteRecord, votes all: [MachineVote], kind: TaskKind = .classify, everyone: [MachineVote]? = nil) {
        let machine = route.machineView(votes: all, deciding: true)
        isBlind = machine == nil
        let votes = (machine?.votes ?? []).filter(kind.routesOn)
        spread = machine.flatMap { kind == .rate || kind == .review ? $0.spread : nil }
        enterAccepts = kind != .review && kind != .multilabel  // review: Enter submits the person's review; multilabel: the toggled set
        label = machine?.label
        self.route = route.route
        self.votes = votes.count
        let d = Suggestion.ranked(votes.map(\.label))
        labels = d.map(\.label)
        counts = d.map(\.count)
        entropy = machine?.entropy ?? 0
        agreeing = votes.filter { KindScorer.agrees($0, with: machine?.label) }.count
        perLabel = KindScorer.forVotes(votes).map { $0 == .ranking ? [] : Multilabel.perLabel(votes) } ?? []
        confidence = machine.flatMap { Uncertainty.confidenceUncertainty($0.votes).map { 1 - $0 } }
        annotator = route.annotator
        // A blind audit shows no one's votes.
        let others = machine == nil ? [] : (everyone ?? all).filter { !$0.noVote && kind.routesOn($0) }
        byAnnotator = Dictionary(grouping: others, by: \.annotator).sorted { $0.key < $1.key }.map { name, mine in
            AnnotatorVotes(annotator: name, counts: Suggestion.ranked(mine.map(\.label)))
        }
    }

    /// Votes per answer (unparseable under `Uncertainty.unparseable`), largest first, ties by answer.
    static func ranked(_ labels: [String?]) -> [AnswerCount] {
        Uncertainty.distribution(labels).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { AnswerCount(label: $0.key, count: $0.value) }
    }
}

/// One annotator's votes on an item, per answer.
public struct AnnotatorVotes: Sendable, Hashable {
    public var annotator: String
    public var counts: [AnswerCount]
    public var total: Int { counts.reduce(0) { $0 + $1.count } }
}

public struct AnswerCount: Sendable, Hashable {
    public var label: String
    public var count: Int
}
