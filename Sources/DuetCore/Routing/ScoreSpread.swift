import Foundation

/// How unsure a judge is about one rate or review item, from its ordinal votes: the rating votes'
/// entropy (unparseable answers their own class, as CoAnnotating), the mean and standard deviation of
/// the scores that parsed, and for a review the verdict votes (facet `ReviewDecision.verdictFacet`),
/// counted apart from the ratings.
public struct ScoreSpread: Sendable, Hashable {
    /// Rating votes (whole-answer votes), parsed or not.
    public var votes: Int
    /// The rating votes that parsed as whole numbers, in vote order.
    public var scores: [Int]
    /// Rating votes that did not parse.
    public var unparseable: Int { votes - scores.count }
    public var entropy: Double
    /// Nil when no score parsed.
    public var mean: Double?
    /// Population standard deviation of `scores`; nil when no score parsed.
    public var standardDeviation: Double?
    /// Verdict votes: accept, reject, and those that could not be read.
    public var accept = 0
    public var reject = 0
    public var verdictUnparseable = 0
    public var verdictVotes: Int { accept + reject + verdictUnparseable }

    public init(votes: [MachineVote]) {
        let ratings = votes.filter { $0.facet == nil }.map(\.label)
        self.votes = ratings.count
        scores = Uncertainty.scores(ratings)
        entropy = Uncertainty.entropy(ratings)
        mean = Uncertainty.meanScore(ratings)
        standardDeviation = Uncertainty.scoreDeviation(ratings)
        for v in votes where v.facet == ReviewDecision.verdictFacet {
            switch v.label {
            case ReviewDecision.accept?: accept += 1
            case ReviewDecision.reject?: reject += 1
            default: verdictUnparseable += 1
            }
        }
    }

    /// What a suggestion pane shows: "mean 3.8 · sd 0.40" ("no score" when nothing parsed), then for a
    /// review "verdict: accept 3/4".
    public var lines: [String] {
        var out = [mean.flatMap { m in standardDeviation.map { String(format: "mean %.1f · sd %.2f", m, $0) } } ?? "no score"]
        if verdictVotes > 0 { out.append("verdict: accept \(accept)/\(verdictVotes)") }
        return out
    }
}

extension Uncertainty {
    /// The labels that are whole numbers (a rating vote's scale point), in order; others left out.
    public static func scores(_ labels: [String?]) -> [Int] {
        labels.compactMap { $0.flatMap { Int($0) } }
    }

    /// Mean of the parsed scores (nil when none parsed).
    public static func meanScore(_ labels: [String?]) -> Double? {
        let s = scores(labels)
        return s.isEmpty ? nil : Double(s.reduce(0, +)) / Double(s.count)
    }

    /// Population standard deviation √(Σ (x − mean)² / n) of the parsed scores: how far a judge's votes
    /// spread on the scale, which entropy alone does not see ("2, 4" and "3, 4" have the same entropy).
    /// Nil when none parsed; 0 for one score or unanimous scores.
    public static func scoreDeviation(_ labels: [String?]) -> Double? {
        let s = scores(labels)
        guard let mean = meanScore(labels) else { return nil }
        let variance = s.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(s.count)
        return variance.squareRoot()
    }
}

/// One judge's scores over a rate or review task (the Quality screen): items judged, the mean score, the
/// mean spread of its votes per item, the items its votes put a point or more apart, and for a review
/// its verdicts.
public struct JudgeSummary: Sendable, Hashable {
    public var annotator: String
    /// Items with at least one rating vote.
    public var items = 0
    public var votes = 0
    public var unparseable = 0
    /// Mean over the items of their mean score (items with a parsed score).
    public var meanScore: Double?
    /// Mean over the items of the standard deviation of their scores.
    public var meanDeviation: Double?
    /// Items whose scores' standard deviation is at least `splitAt`: the judge's variants disagree.
    public var split = 0
    public var accept = 0
    public var verdictVotes = 0
    public static let splitAt = 1.0

    public init(annotator: String, votes table: VoteTable) {
        self.annotator = annotator
        var means: [Double] = [], deviations: [Double] = []
        for item in table.items {
            let s = ScoreSpread(votes: table[item] ?? [])
            accept += s.accept
            verdictVotes += s.verdictVotes
            guard s.votes > 0 else { continue }
            items += 1
            votes += s.votes
            unparseable += s.unparseable
            if let m = s.mean, let sd = s.standardDeviation {
                means.append(m)
                deviations.append(sd)
                if sd >= Self.splitAt { split += 1 }
            }
        }
        meanScore = means.isEmpty ? nil : means.reduce(0, +) / Double(means.count)
        meanDeviation = deviations.isEmpty ? nil : deviations.reduce(0, +) / Double(deviations.count)
    }

    /// "llm:m: 40 items · mean score 3.6 · mean sd 0.45 · 3 items split (sd ≥ 1) · 2 of 160 votes unparseable · accept 70%"
    public var summary: String {
        var parts = ["\(annotator): \(items) item\(items == 1 ? "" : "s")"]
        if let m = meanScore, let sd = meanDeviation {
            parts.append(String(format: "mean score %.1f · mean sd %.2f", m, sd))
        }
        parts.append("\(split) item\(split == 1 ? "" : "s") split (sd ≥ \(String(format: "%g", Self.splitAt)))")
        parts.append("\(unparseable) of \(votes) votes unparseable")
        if verdictVotes > 0 { parts.append(String(format: "accept %.0f%%", 100 * Double(accept) / Double(verdictVotes))) }
        return parts.joined(separator: " · ")
    }
}
