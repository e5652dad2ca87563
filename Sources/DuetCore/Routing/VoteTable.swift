/// Machine votes of many items, held compactly for routing and planning.
///
/// A `MachineVote` takes about 100 bytes (three strings, the raw answer,
/// token counts); routing 10^5 items with 11 votes each held them all twice
/// and peaked over 400 MB. Here a vote is a source code (annotator and
/// variant), a label code and a confidence: 16 bytes, the names interned
/// once. `table[item]` gives an item's votes back as `MachineVote`s, in the
/// order they were added. Raw answers and token counts (an LLM's votes have
/// them; the built-in annotator's and votes read for routing do not) take
/// room only once some vote has them.
///
/// No-votes (`MachineVote.noVote`: a False / No answer) are held apart: they are in `all` (so they are
/// stored and their tokens counted) and `noVotes`, never in what the router and the planner read
/// (`items`, `count`, `contains`, `labels`, `table[item]`).
public struct VoteTable: Sendable {
    private struct Detail: Hashable, Sendable {
        var raw: String?
        var promptTokens: Int?
        var completionTokens: Int?
    }

    private struct Source: Hashable, Sendable {
        var annotator: String
        var variant: String
    }

    /// Items in the order their votes were added.
    public private(set) var items: [Int64] = []
    private var position: [Int64: Int32] = [:]
    /// The votes of `items[i]` are at `ends[i - 1] ..< ends[i]`.
    private var ends: [Int32] = []
    private var sourceCodes: [Int32] = []
    /// Code in `labels`; -1 = unparseable.
    private var labelCodes: [Int32] = []
    /// NaN = no confidence stated.
    private var confidences: [Double] = []
    /// Raw answer and token counts per vote; empty while no vote had any.
    private var details: [Detail] = []
    private var sources = Interner<Source>()
    private var labels = Interner<String>()
    /// The no-votes in the order they were added: item, source code, raw answer and tokens (no label, no confidence).
    private var noVoteItems: [Int64] = []
    private var noVoteSources: [Int32] = []
    private var noVoteDetails: [Detail] = []

    public init() {}

    /// The votes of a dictionary, items in ascending order.
    public init(_ votes: [Int64: [MachineVote]]) {
        for item in votes.keys.sorted() {
            for v in votes[item]! { append(v, item: item) }
        }
    }

    /// Items with at least one vote.
    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }
    /// Votes over all items.
    public var voteCount: Int { labelCodes.count }
    /// Whether the item has votes.
    public func contains(_ item: Int64) -> Bool { position[item] != nil }
    /// The annotators with votes (or no-votes).
    public var annotators: Set<String> { Set(sources.values.map(\.annotator)) }

    /// Room for `votes` votes (on at most as many items) without growing.
    public mutating func reserveCapacity(votes: Int) {
        sourceCodes.reserveCapacity(votes)
        labelCodes.reserveCapacity(votes)
        confidences.reserveCapacity(votes)
    }

    /// Adds a vote on `item`. An item's votes are added together: adding to
    /// an item that other items' votes followed is a programming error.
    public mutating func append(_ vote: MachineVote, item: Int64) {
        if vote.noVote {
            noVoteItems.append(item)
            noVoteSources.append(sources.code(Source(annotator: vote.annotator, variant: vote.variant)))
            noVoteDetails.append(Detail(raw: vote.raw, promptTokens: vote.promptTokens, completionTokens: vote.completionTokens))
            return
        }
        if items.last != item {
            precondition(position[item] == nil, "VoteTable: votes of item \(item) must be added together")
            position[item] = Int32(items.count)
            items.append(item)
            ends.append(Int32(labelCodes.count))
        }
        sourceCodes.append(sources.code(Source(annotator: vote.annotator, variant: vote.variant)))
        labelCodes.append(vote.label.map { labels.code($0) } ?? -1)
        confidences.append(vote.confidence ?? .nan)
        let detail = Detail(raw: vote.raw, promptTokens: vote.promptTokens, completionTokens: vote.completionTokens)
        if !details.isEmpty || detail != Detail() {
            if details.isEmpty { details = Array(repeating: Detail(), count: labelCodes.count - 1) }
            details.append(detail)
        }
        ends[ends.count - 1] += 1
    }

    private func range(_ item: Int64) -> Range<Int>? {
        guard let p = position[item].map(Int.init) else { return nil }
        return (p == 0 ? 0 : Int(ends[p - 1]))..<Int(ends[p])
    }

    /// The item's votes (nil when it has none).
    public subscript(item: Int64) -> [MachineVote]? {
        guard let r = range(item) else { return nil }
        return r.map { i in
            let s = sources[sourceCodes[i]]
            let d = details.isEmpty ? Detail() : details[i]
            return MachineVote(annotator: s.annotator, variant: s.variant, label: label(at: i),
                               confidence: confidences[i].isNaN ? nil : confidences[i], raw: d.raw,
                               promptTokens: d.promptTokens, completionTokens: d.completionTokens)
        }
    }

    /// Only the labels of the item's votes (nil = unparseable), without building votes.
    public func labels(_ item: Int64) -> [String?]? {
        range(item).map { $0.map(label(at:)) }
    }

    /// Who cast each of the item's votes and what it read (nil = unparseable), without building votes.
    public func annotatedLabels(_ item: Int64) -> [(annotator: String, label: String?)]? {
        range(item).map { $0.map { (sources[sourceCodes[$0]].annotator, label(at: $0)) } }
    }

    private func label(at i: Int) -> String? {
        labelCodes[i] < 0 ? nil : labels[labelCodes[i]]
    }

    /// Every vote with its item, item by item, then the no-votes: everything to store.
    public var all: some Sequence<(item: Int64, vote: MachineVote)> {
        [AnySequence(items.lazy.flatMap { item in self[item]!.lazy.map { (item: item, vote: $0) } }), AnySequence(noVotes)].joined()
    }

    /// The no-votes with their items, in the order they were added.
    public var noVotes: LazyMapSequence<Range<Int>, (item: Int64, vote: MachineVote)> {
        noVoteItems.indices.lazy.map { i in
            let s = sources[noVoteSources[i]], d = noVoteDetails[i]
            return (item: noVoteItems[i], vote: .noVote(annotator: s.annotator, variant: s.variant, raw: d.raw,
                                                        promptTokens: d.promptTokens, completionTokens: d.completionTokens))
        }
    }

    /// No-votes over all items.
    public var noVoteCount: Int { noVoteItems.count }

    /// The same votes with those of `replacements`' items replaced (items
    /// new to the table come after the others, in ascending order).
    public func replacing(_ replacements: [Int64: [MachineVote]]) -> VoteTable {
        var out = VoteTable()
        for item in items {
            for v in replacements[item] ?? self[item]! { out.append(v, item: item) }
        }
        for item in replacements.keys.sorted() where position[item] == nil {
            for v in replacements[item]! { out.append(v, item: item) }
        }
        for n in noVotes where replacements[n.item] == nil { out.append(n.vote, item: n.item) }
        return out
    }

    /// Only the votes of `members`, each item's in the order of `members` (then added order); items left
    /// without votes are dropped. The order matters: a tied majority goes to the label voted first.
    public func members(_ members: [String]) -> VoteTable {
        let panel = PanelOrder(members)
        var out = VoteTable()
        out.reserveCapacity(votes: voteCount)
        for item in items {
            for v in panel.ordered(self[item]!) { out.append(v, item: item) }
        }
        return out
    }

    /// The votes per item, as a dictionary.
    public var byItem: [Int64: [MachineVote]] {
        Dictionary(uniqueKeysWithValues: items.map { ($0, self[$0]!) })
    }
}

extension VoteTable: Equatable {
    /// Equal when the same items have the same votes in the same order (however the names were interned).
    public static func == (a: VoteTable, b: VoteTable) -> Bool {
        a.items == b.items && a.items.allSatisfy { a[$0] == b[$0] }
            && a.noVoteItems == b.noVoteItems && a.noVotes.map(\.vote) == b.noVotes.map(\.vote)
    }
}
