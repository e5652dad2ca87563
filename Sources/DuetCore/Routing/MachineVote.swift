import Foundation

/// One answer of a machine annotator to one item under one perturbation
/// (a prompt variant, a swapped order, an ensemble member).
public struct MachineVote: Sendable, Hashable, Encodable {
    /// Who answered: "llm:<model>", "local:<name>", or a replayed annotator's name.
    public var annotator: String
    /// Which perturbation produced it ("instruction", "swapped", "paraphrase", "tf:positive", "member-3", …).
    public var variant: String
    /// The parsed label (for pairs: "A-first"-independent, in stored terms: "0", "1", "tie", "both-bad");
    /// nil = the answer could not be parsed (counts as its own class).
    public var label: String?
    /// Stated (or derived) confidence in 0…1, when there is one.
    public var confidence: Double?
    /// The raw answer text, kept for unparseable answers and audits.
    public var raw: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// An answer that names no label: False / No to a prompt about one label. It is kept (stored, listed,
    /// its tokens counted in what a run cost) but is no vote: `label` is nil and nothing that counts votes
    /// (entropy, support, agreement, the router's reads) ever sees it; `VoteTable` holds it apart.
    public var noVote: Bool

    public init(annotator: String, variant: String, label: String?, confidence: Double? = nil, raw: String? = nil,
                promptTokens: Int? = nil, completionTokens: Int? = nil) {
        self.annotator = annotator
        self.variant = variant
        self.label = label
        self.confidence = confidence
        self.raw = raw
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.noVote = false
    }

    /// A False / No answer kept for its text and tokens: no label, no confidence, no vote.
    public static func noVote(annotator: String, variant: String, raw: String?, promptTokens: Int? = nil,
                              completionTokens: Int? = nil) -> MachineVote {
        var v = MachineVote(annotator: annotator, variant: variant, label: nil, raw: raw, promptTokens: promptTokens,
                            completionTokens: completionTokens)
        v.noVote = true
        return v
    }
}

extension MachineVote {
    /// The vote as JSON, made here and nowhere else (`duet votes list --json`, the votes of a machine's
    /// annotation in exports): `variant`, `label` (null = unparseable or no vote), and when there are
    /// any `confidence`, `raw` (the answer as the model wrote it), `prompt_tokens`, `completion_tokens`,
    /// `no_vote` (true for a False / No answer). Who voted is the annotation's or the record's.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["variant": .string(variant), "label": label.map(JSONValue.string) ?? .null]
        if let confidence { o["confidence"] = .number(confidence) }
        if let raw { o["raw"] = .string(raw) }
        if let promptTokens { o["prompt_tokens"] = .number(Double(promptTokens)) }
        if let completionTokens { o["completion_tokens"] = .number(Double(completionTokens)) }
        if noVote { o["no_vote"] = .bool(true) }
        return .object(o)
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// Separates a vote's perturbation from its facet in `variant`: "<perturbation>@<facet>".
    public static let facetSeparator: Character = "@"

    /// The part of an item's answer this vote is about, when it is about one part only: a multilabel
    /// task's label (the vote is "yes"/"no" for that label), a review's "verdict" (accept/reject).
    /// Written after the first "@" of `variant`; nil for whole-answer votes.
    public var facet: String? {
        variant.firstIndex(of: Self.facetSeparator).map { String(variant[variant.index(after: $0)...]) }
    }

    /// The perturbation that produced the vote: `variant` without its facet.
    public var perturbation: String {
        variant.firstIndex(of: Self.facetSeparator).map { String(variant[..<$0]) } ?? variant
    }

    /// The `variant` of a vote made under `perturbation` about `facet` (nil: the whole answer).
    public static func variant(_ perturbation: String, facet: String?) -> String {
        facet.map { perturbation + String(facetSeparator) + $0 } ?? perturbation
    }

    /// The perturbation of a pair prompt that showed the responses in `order`: "instruction:AB",
    /// "instruction:BA" (A is the response shown first).
    public static func perturbation(_ name: String, shown order: DisplayOrder) -> String { name + ":" + order.rawValue }

    /// The order a pair vote's prompt showed the responses in, read from its perturbation's ":AB" or
    /// ":BA" ending; nil when it names none (the built-in annotator, replayed votes without it).
    public static func displayOrder(variant: String) -> DisplayOrder? {
        let p = variant.firstIndex(of: facetSeparator).map { variant[..<$0] } ?? Substring(variant)
        guard let colon = p.lastIndex(of: ":") else { return nil }
        return DisplayOrder(rawValue: String(p[p.index(after: colon)...]))
    }
}

/// How many of one annotator's votes in a task have one variant and label (nil: unparseable or
/// failed): what statistics over many votes read instead of the votes themselves.
public struct VoteCount: Sendable, Hashable {
    public var annotator: String
    public var variant: String
    public var label: String?
    public var count: Int

    public init(annotator: String, variant: String, label: String?, count: Int) {
        self.annotator = annotator
        self.variant = variant
        self.label = label
        self.count = count
    }
}

/// The tokens one annotator's stored votes in a task took (what its run cost).
public struct VoteTokens: Sendable, Hashable, Codable {
    /// Answers stored for the annotator in the task: votes and no-votes (a False / No answer cost tokens too).
    public var votes: Int
    public var promptTokens: Int
    public var completionTokens: Int

    public init(votes: Int = 0, promptTokens: Int = 0, completionTokens: Int = 0) {
        self.votes = votes
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    enum CodingKeys: String, CodingKey {
        case votes
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }

    /// Their price at `promptPrice` and `completionPrice` per million tokens.
    public func cost(promptPrice: Double, completionPrice: Double) -> Double {
        (Double(promptTokens) * promptPrice + Double(completionTokens) * completionPrice) / 1_000_000
    }
}

extension MachineVote {
    /// The machine's confidence in `label` from its votes (a review's verdict votes, `facet`, left out when
    /// there are others): the mean over the votes of the vote's stated confidence when it gives the label
    /// (1 when it states none) and 0 when it gives another. One vote with a stated confidence p: p; a panel
    /// of three without confidences, two of them for the label: 2/3. Nil without votes.
    public static func support(for label: String, in votes: [MachineVote]) -> Double? {
        let whole = votes.filter { $0.facet == nil }
        let counted = whole.isEmpty ? votes : whole
        guard !counted.isEmpty else { return nil }
        return counted.reduce(0) { $0 + ($1.label == label ? min(1, max(0, $1.confidence ?? 1)) : 0) } / Double(counted.count)
    }

    /// The label with the most `support` among the votes' labels and that support (ties: the label voted
    /// first); nil without a parsed vote.
    public static func supported(in votes: [MachineVote]) -> (label: String, support: Double)? {
        var best: (label: String, support: Double)?
        for label in votes.compactMap(\.label) where best.map({ $0.label != label }) ?? true {
            if let s = support(for: label, in: votes), s > (best?.support ?? -1) { best = (label, s) }
        }
        return best
    }
}
