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

    /// The votes as stored with the machine's annotation: `[{variant, label, confidence}]`.
    public var votesJSON: JSONValue {
        .array(votes.map { v in
            var o: [String: JSONValue] = ["variant": .string(v.variant), "label": v.label.map(JSONValue.string) ?? .null]
            if let c = v.confidence { o["confidence"] = .number(c) }
            return .object(o)
        })
    }
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

    public init(itemRowID: Int64, route: Route, score: Double, machineLabel: String?, annotator: String, pending: Bool) {
        self.itemRowID = itemRowID
        self.route = route
        self.score = score
        self.machineLabel = machineLabel
        self.annotator = annotator
        self.pending = pending
    }
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

/// One row of the triage table.
public struct TriageRow: Sendable, Hashable {
    public var item: StoredItem
    public var route: RouteRecord
    public var votes: [MachineVote]
    public init(item: StoredItem, route: RouteRecord, votes: [MachineVote]) {
        self.item = item
        self.route = route
        self.votes = votes
    }
}
