import Foundation

/// Where a routed item goes.
public enum Route: String, Sendable, Hashable, Codable, CaseIterable {
    /// The machine's label is accepted.
    case machine
    /// A person labels it (most uncertain first).
    case human
    /// The machine's label is accepted and a person also labels it blind,
    /// to estimate how good the accepted labels are.
    case audit
}

/// One item's routing, as `duet route` stores it.
public struct RouteEntry: Sendable, Hashable {
    public var itemRowID: Int64
    public var route: Route
    /// The uncertainty the item was ranked by (higher = less sure).
    public var score: Double
    /// The machine's label (majority or reliability-weighted vote).
    public var machineLabel: String?
    /// The machine annotator the votes came from.
    public var annotator: String
    public var votes: [MachineVote]
    public var entropy: Double
    /// Mean stated confidence of the votes, when they stated one.
    public var confidence: Double?
    /// A blind audit's inclusion probability πᵢ (`Router.audits`): the estimate weighs its outcome by 1/πᵢ.
    /// Nil for every other route.
    public var auditProbability: Double?

    /// When set, `votes`, `entropy` and `confidence` are left empty: the store reads the item's votes by this
    /// panel when it writes the machine's decision (`filled(with:)`), so a routing holds no item's votes
    /// before it needs them (and none for the items whose decision stays as it is).
    public var votesToRead: PanelOrder?

    public init(itemRowID: Int64, route: Route, score: Double, machineLabel: String?, annotator: String, votes: [MachineVote],
                entropy: Double, confidence: Double?) {
        self.itemRowID = itemRowID
        self.route = route
        self.score = score
        self.machineLabel = machineLabel
        self.annotator = annotator
        self.votes = votes
        self.entropy = entropy
        self.confidence = confidence
    }

    /// An entry whose votes the store reads by `panel` when it writes the decision.
    public init(itemRowID: Int64, route: Route, score: Double, machineLabel: String?, annotator: String, votesBy panel: PanelOrder) {
        self.init(itemRowID: itemRowID, route: route, score: score, machineLabel: machineLabel, annotator: annotator, votes: [],
                  entropy: 0, confidence: nil)
        votesToRead = panel
    }

    /// The entry with the item's votes, their spread (`MachineView.entropy`: unparseable answers a class of
    /// their own; a review's verdict votes not pooled with its ratings) and mean stated confidence (of the
    /// whole-answer votes).
    public func filled(with votes: [MachineVote]) -> RouteEntry {
        var e = self
        let whole = votes.filter { $0.facet == nil }
        let confidence = (whole.isEmpty ? votes : whole).compactMap(\.confidence)
        e.votes = votes
        e.entropy = MachineView(label: machineLabel, score: score, votes: votes, annotator: annotator).entropy
        e.confidence = confidence.isEmpty ? nil : confidence.reduce(0, +) / Double(confidence.count)
        e.votesToRead = nil
        return e
    }

    /// The votes as stored with the machine's annotation (and exported with it): each `MachineVote.json`.
    public var votesJSON: JSONValue { .array(votes.map(\.json)) }
}

/// A routed item as read back (for the queue, the suggestion pane, triage).
public struct RouteRecord: Sendable, Hashable {
    public var itemRowID: Int64
    public var route: Route
    public var score: Double
    public var machineLabel: String?
    public var annotator: String
    /// True while a person still has to label it.
    public var pending: Bool
    /// A blind audit's inclusion probability as routed (`RouteEntry.auditProbability`); nil for other routes
    /// and for audits routed before it was recorded.
    public var auditProbability: Double?

    public init(itemRowID: Int64, route: Route, score: Double, machineLabel: String?, annotator: String, pending: Bool,
                auditProbability: Double? = nil) {
        self.itemRowID = itemRowID
        self.route = route
        self.score = score
        self.machineLabel = machineLabel
        self.annotator = annotator
        self.pending = pending
        self.auditProbability = auditProbability
    }
}

extension RouteRecord {
    /// A blind audit a person still has to label: nothing the machine made
    /// (label, votes, uncertainty) may be shown for it, nor used to filter or
    /// order it, or the audit's estimate of the machine is biased.
    public var isBlind: Bool { route == .audit && pending }

    /// The machine's view of the item, the one way any screen reads it: nil
    /// for a blind audit. `deciding`: the reader is the label screen, where a
    /// person can still (re)decide the item, so every audit stays blind there,
    /// looking back included.
    public func machineView(votes: [MachineVote], deciding: Bool = false) -> MachineView? {
        if isBlind || (deciding && route == .audit) { return nil }
        return MachineView(label: machineLabel, score: score, votes: votes, annotator: annotator)
    }
}

/// What the machine said about an item: its label, its votes and how unsure it is.
public struct MachineView: Sendable, Hashable {
    public var label: String?
    /// The router's uncertainty score.
    public var score: Double
    public var votes: [MachineVote]
    public var annotator: String
    public init(label: String?, score: Double, votes: [MachineVote], annotator: String) {
        self.label = label
        self.score = score
        self.votes = votes
        self.annotator = annotator
    }

    /// The spread of the votes: for multilabel votes the least sure label's entropy, for rankings 1 − mean τ
    /// (`KindScorer`); else the entropy of the whole-answer votes (unparseable ones count as one more
    /// label): a review's verdict votes (`MachineVote.facet`) are not pooled with its ratings.
    public var entropy: Double {
        if let scorer = KindScorer.forVotes(votes) { return scorer.judge(votes).spread }
        let whole = votes.filter { $0.facet == nil }
        return Uncertainty.entropy((whole.isEmpty ? votes : whole).map(\.label))
    }

    /// Rate and review: the judges' scores and their spread (`ScoreSpread`).
    public var spread: ScoreSpread { ScoreSpread(votes: votes) }
}

/// Which routed items the triage table lists.
public struct TriageFilter: Sendable, Hashable {
    /// nil = every route.
    public var route: Route?
    /// Only items a person still has to label.
    public var pendingOnly: Bool
    /// Least uncertain first instead of most.
    public var ascending: Bool
    /// Only items whose machine label is this.
    public var label: String?
    /// Only items whose uncertainty score is at least this.
    public var minScore: Double?
    /// Only items a person flagged.
    public var flaggedOnly: Bool

    public init(route: Route? = nil, pendingOnly: Bool = true, ascending: Bool = false, label: String? = nil,
                minScore: Double? = nil, flaggedOnly: Bool = false) {
        self.route = route
        self.pendingOnly = pendingOnly
        self.ascending = ascending
        self.label = label
        self.minScore = minScore
        self.flaggedOnly = flaggedOnly
    }
}

/// One row of the triage table. A blind audit's row carries nothing the
/// machine made: its label, score, votes and inclusion probability (which rises
/// with the machine's uncertainty) are dropped when the row is made.
public struct TriageRow: Sendable, Hashable {
    public var item: StoredItem
    public private(set) var route: RouteRecord
    public private(set) var votes: [MachineVote]
    public init(item: StoredItem, route: RouteRecord, votes: [MachineVote]) {
        self.item = item
        self.route = route
        self.votes = votes
        if route.isBlind { scrub() }
    }

    /// What the screens show of the machine (nil for a blind audit).
    public var machine: MachineView? { route.machineView(votes: votes) }

    /// Sets the router's votes (the store reads them after the rows).
    public mutating func setVotes(_ votes: [MachineVote]) {
        self.votes = votes
        if route.isBlind { scrub() }
    }

    private mutating func scrub() {
        route.machineLabel = nil
        route.score = 0
        route.auditProbability = nil
        votes = []
    }
}

/// A panel's members in their order: an item's votes by member (then in stored order), others' left out.
/// The order matters: a tied majority goes to the label voted first.
public struct PanelOrder: Sendable, Hashable {
    public let members: [String]
    private let rank: [String: Int]

    public init(_ members: [String]) {
        self.members = members
        rank = Dictionary(members.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
    }

    /// The members' votes among `votes` (given in stored order), by member, each member's in stored order.
    public func ordered(_ votes: [MachineVote]) -> [MachineVote] {
        if members.count == 1 {
            let only = members[0]
            return votes.allSatisfy { $0.annotator == only } ? votes : votes.filter { $0.annotator == only }
        }
        // Votes already in order: nothing to move.
        var sorted = true
        var previous = -1
        for v in votes {
            guard let r = rank[v.annotator] else { sorted = false; break }
            if r < previous { sorted = false; break }
            previous = r
        }
        if sorted { return votes }
        return votes.enumerated().compactMap { v in rank[v.element.annotator].map { (rank: $0, offset: v.offset, vote: v.element) } }
            .sorted { ($0.rank, $0.offset) < ($1.rank, $1.offset) }.map(\.vote)
    }
}
