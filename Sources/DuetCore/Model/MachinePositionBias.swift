/// A machine's own position bias on pairs, reported like people's (`PairStats`): its prompts show
/// the two responses in both orders (variants "…:AB" and "…:BA", `MachineVote.displayOrder`), so of
/// its votes for one response, the share for the response shown first should be near half. A small
/// model that always answers "A" chooses the first in every vote.
public struct MachinePositionBias: Sendable, Hashable, Codable {
    public var annotator: String
    /// Parsed votes whose prompt's order is known (ties and both-bad included).
    public var votes: Int
    /// … that chose one response, and of those, the ones for the response shown first.
    public var chose: Int
    public var choseFirst: Int
    public var ties: Int
    public var bothBad: Int
    /// Answers with a known order that could not be read (or requests that failed): not counted above.
    public var unparseable: Int

    public init(annotator: String, votes: Int = 0, chose: Int = 0, choseFirst: Int = 0, ties: Int = 0, bothBad: Int = 0, unparseable: Int = 0) {
        self.annotator = annotator
        self.votes = votes
        self.chose = chose
        self.choseFirst = choseFirst
        self.ties = ties
        self.bothBad = bothBad
        self.unparseable = unparseable
    }

    /// Per annotator (by name) that has pair votes with a known order; labels in stored terms ("0",
    /// "1", "tie", "both-bad"). "0" under "…:AB" and "1" under "…:BA" chose the response shown first.
    public static func make(_ counts: [VoteCount]) -> [MachinePositionBias] {
        var per: [String: MachinePositionBias] = [:]
        for c in counts where c.count > 0 {
            guard let order = MachineVote.displayOrder(variant: c.variant) else { continue }
            var b = per[c.annotator] ?? MachinePositionBias(annotator: c.annotator)
            switch c.label {
            case nil: b.unparseable += c.count
            case "tie"?: b.votes += c.count; b.ties += c.count
            case "both-bad"?: b.votes += c.count; b.bothBad += c.count
            case let l?:
                guard let i = Int(l), i == 0 || i == 1 else { b.unparseable += c.count; break }
                b.votes += c.count
                b.chose += c.count
                if PairOrder.storedIndex(side: 0, order: order) == i { b.choseFirst += c.count }
            }
            per[c.annotator] = b
        }
        return per.values.sorted { $0.annotator < $1.annotator }
    }

    /// The share of votes for one response that chose the one shown first; nil when none did.
    public var share: Double? { chose > 0 ? Double(choseFirst) / Double(chose) : nil }
    /// Its 95% Wilson interval.
    public var interval: (low: Double, high: Double)? { Audit.wilson(successes: choseFirst, trials: chose) }
    /// Whether 50% lies outside that interval (the rule people's figures are held to).
    public var biased: Bool { PairStats.outsideHalf(interval) }

    /// "llm:x chose the response shown first in 7 of 7 votes for one response (100%, 95% CI 65%–100%):
    /// position bias; 2 ties, 4 unparseable not counted".
    public var text: String {
        var s = "\(annotator) chose the response shown first in \(choseFirst) of \(chose) vote\(chose == 1 ? "" : "s") for one response"
        if let share, let ci = interval {
            s += " (\(PairStats.percent(share)), 95% CI \(PairStats.percent(ci.low))–\(PairStats.percent(ci.high)))"
        }
        if biased { s += ": position bias" }
        let left = [(ties, "tie", "ties"), (bothBad, "both bad", "both bad"), (unparseable, "unparseable", "unparseable")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.0 == 1 ? $0.1 : $0.2)" }
        if !left.isEmpty { s += "; " + left.joined(separator: ", ") + " not counted" }
        return s
    }

    enum CodingKeys: String, CodingKey {
        case annotator, votes, chose, ties, unparseable, share, low, high, biased
        case choseFirst = "chose_first", bothBad = "both_bad"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(annotator: try c.decode(String.self, forKey: .annotator), votes: try c.decode(Int.self, forKey: .votes),
                  chose: try c.decode(Int.self, forKey: .chose), choseFirst: try c.decode(Int.self, forKey: .choseFirst),
                  ties: try c.decode(Int.self, forKey: .ties), bothBad: try c.decode(Int.self, forKey: .bothBad),
                  unparseable: try c.decode(Int.self, forKey: .unparseable))
    }

    /// The counts, the share and its interval (rounded to 3 places, null without votes for one response), `biased`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(annotator, forKey: .annotator)
        try c.encode(votes, forKey: .votes)
        try c.encode(chose, forKey: .chose)
        try c.encode(choseFirst, forKey: .choseFirst)
        try c.encode(ties, forKey: .ties)
        try c.encode(bothBad, forKey: .bothBad)
        try c.encode(unparseable, forKey: .unparseable)
        try c.encode(PairStats.rounded(share), forKey: .share)
        try c.encode(PairStats.rounded(interval?.low), forKey: .low)
        try c.encode(PairStats.rounded(interval?.high), forKey: .high)
        try c.encode(biased, forKey: .biased)
    }
}
