/// A review of a demonstration as a person records it (`{"verdict": "accept"|"reject", "rating": N,
/// "edited": "…"}`, each key optional but the verdict) and as a machine's decision is stored: the
/// rating its rating votes give, and the verdict its verdict votes give when they agree enough.
public struct ReviewDecision: Sendable, Hashable {
    public static let accept = "accept"
    public static let reject = "reject"
    /// The labels of verdict votes.
    public static let verdicts = [accept, reject]
    /// The facet (`MachineVote.facet`) of votes about the verdict; rating votes are whole-answer votes.
    public static let verdictFacet = "verdict"

    public var verdict: String?
    public var rating: Int?
    public var edited: String?

    public init(verdict: String? = nil, rating: Int? = nil, edited: String? = nil) {
        self.verdict = verdict
        self.rating = rating
        self.edited = edited
    }

    /// A decision value read as a review; nil unless it is an object with a verdict or a whole-number rating.
    public init?(_ value: JSONValue?) {
        guard case .object(let o)? = value else { return nil }
        let verdict = o["verdict"]?.string.flatMap { Self.verdicts.contains($0) ? $0 : nil }
        var rating: Int?
        if case .number(let n)? = o["rating"], n == n.rounded(), abs(n) < 1e9 { rating = Int(n) }
        guard verdict != nil || rating != nil else { return nil }
        self.init(verdict: verdict, rating: rating, edited: o["edited"]?.string)
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [:]
        if let verdict { o["verdict"] = .string(verdict) }
        if let rating { o["rating"] = .number(Double(rating)) }
        if let edited { o["edited"] = .string(edited) }
        return .object(o)
    }

    /// The machine's review: `rating` (a scale point, the router's label) and, when its verdict votes
    /// have a supported majority (`Uncertainty.supported`), that verdict. Nil when `rating` is not a number.
    public static func machine(rating: String, votes: [MachineVote]) -> ReviewDecision? {
        guard let r = Int(rating) else { return nil }
        let verdicts = votes.filter { $0.facet == verdictFacet }.map(\.label)
        let verdict = Uncertainty.supported(verdicts) ? Uncertainty.majority(verdicts) : nil
        return ReviewDecision(verdict: verdict, rating: r)
    }
}

extension TaskKind {
    /// A decision value as the label the router and the planner compare with the machine's: the
    /// rating of a review (its verdict is a facet of its own); otherwise `Decisions.labelText` (a
    /// multi-label set "a|b", a ranking's order "2>0>1").
    public func routingLabel(_ value: JSONValue?) -> String? {
        answerLabel(value)
    }

    /// A decision value as the text a machine's label (a route's `machineLabel`) is compared with, as blind
    /// audits do: a review's rating; otherwise `Decisions.labelText`.
    public func answerLabel(_ value: JSONValue?) -> String? {
        self == .review ? ReviewDecision(value)?.rating.map(String.init) : Decisions.labelText(value)
    }

    /// Whether the router ranks and labels items by this vote: every vote, except that a review's
    /// verdict votes (accept/reject) are not scale points and are never pooled with its rating votes.
    public func routesOn(_ vote: MachineVote) -> Bool {
        self != .review || vote.facet == nil
    }

    /// `decisionValue(forLabel:)` with the item's votes: a review's decision takes the verdict its
    /// verdict votes give (`ReviewDecision.machine`).
    public func decisionValue(forLabel label: String, votes: [MachineVote]) -> JSONValue? {
        guard self == .review else { return decisionValue(forLabel: label) }
        return ReviewDecision.machine(rating: label, votes: votes)?.json
    }
}

extension TaskSpec {
    /// The labels votes about a facet of the answer take, by facet: a review's verdict votes are
    /// "accept"/"reject". Whole-answer votes take `answerLabels`.
    public var facetLabels: [String: [String]] {
        kind == .review ? [ReviewDecision.verdictFacet: ReviewDecision.verdicts] : [:]
    }

    /// The votes the router reads for this task (`TaskKind.routesOn`); the same table when all count.
    public func routingVotes(_ votes: VoteTable) -> VoteTable {
        guard kind == .review else { return votes }
        var out = VoteTable()
        for (item, vote) in votes.all where kind.routesOn(vote) { out.append(vote, item: item) }
        return out
    }

    /// The labels of the votes the router reads (nil = unparseable).
    public func routingLabels(_ votes: [MachineVote]) -> [String?] {
        votes.filter(kind.routesOn).map(\.label)
    }
}
