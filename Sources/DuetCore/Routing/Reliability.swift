import Foundation

/// How often each source of votes (annotator + variant) agrees with people,
/// learned from the items people labeled. A "one-coin" Dawid–Skene estimate:
/// each source has one accuracy, smoothed towards a prior so that a handful
/// of labels cannot make it certain.
public struct Reliability: Sendable, Hashable {
    public struct Key: Hashable, Sendable {
        public var annotator: String
        public var variant: String
    }

    /// Smoothed accuracy per source.
    public var accuracy: [Key: Double]
    /// Human-labeled items the estimate rests on.
    public var evidence: Int
    public var classes: Int

    /// - Parameters:
    ///   - votes: machine votes per item; `truth`: people's labels per item.
    ///   - prior: accuracy assumed before evidence, weighted as `priorWeight` labels.
    public init(votes: VoteTable, truth: [Int64: String], classes: Int, prior: Double = 0.6, priorWeight: Double = 4) {
        let counts = Counts(votes: votes, truth: truth)
        self.init(counts: counts, classes: classes, prior: prior, priorWeight: priorWeight)
    }

    private init(counts: Counts, classes: Int, prior: Double, priorWeight: Double) {
        var acc: [Key: Double] = [:]
        for (k, n) in counts.seen where n > 0 { acc[k] = (counts.right[k, default: 0] + prior * priorWeight) / (n + priorWeight) }
        accuracy = acc
        evidence = counts.evidence
        self.classes = max(2, classes)
    }

    /// Per source: labeled items it voted on and how often it was right.
    private struct Counts {
        var right: [Key: Double] = [:]
        var seen: [Key: Double] = [:]
        var evidence = 0

        init(votes: VoteTable, truth: [Int64: String]) {
            for (item, label) in truth {
                guard let vs = votes[item], !vs.isEmpty else { continue }
                add(vs, label: label, sign: 1)
            }
        }

        mutating func add(_ vs: [MachineVote], label: String, sign: Double) {
            evidence += sign > 0 ? 1 : -1
            for v in vs {
                let k = Key(annotator: v.annotator, variant: v.variant)
                seen[k, default: 0] += sign
                if v.label == label { right[k, default: 0] += sign }
            }
        }
    }

    /// The vote weight of a source: log((C−1)·a / (1−a)), the log-odds of a
    /// one-coin annotator being right against a specific wrong class. Unknown
    /// sources get the weight of the prior.
    ///
    /// Never below zero: estimates learned on the hardest items (the ones
    /// routed to people) run below chance, and a negative weight would turn
    /// a source's vote into a vote against its own label.
    public func weight(_ v: MachineVote, prior: Double = 0.6) -> Double {
        let a = min(0.99, max(0.01, accuracy[Key(annotator: v.annotator, variant: v.variant)] ?? prior))
        return max(0, Foundation.log(Double(classes - 1) * a / (1 - a)))
    }

    /// Whether the learned weights beat the plain majority on the labeled
    /// items, each judged by weights learned without it (leave-one-out).
    public static func beatsMajority(votes: VoteTable, truth: [Int64: String], labels: [String]) -> Bool {
        var weighted = 0, plain = 0
        var counts = Counts(votes: votes, truth: truth)
        for (item, label) in truth {
            guard let vs = votes[item], !vs.isEmpty else { continue }
            // Leave this item out: the counts without its votes, then back.
            counts.add(vs, label: label, sign: -1)
            let r = Reliability(counts: counts, classes: labels.count, prior: 0.6, priorWeight: 4)
            counts.add(vs, label: label, sign: 1)
            if r.label(vs, labels: labels) == label { weighted += 1 }
            if Uncertainty.majority(vs.map(\.label)) == label { plain += 1 }
        }
        return weighted > plain
    }

    /// The posterior over labels from weighted votes (unparseable votes carry no evidence).
    ///
    /// Sums run in the order of `labels` (never a dictionary's order, which
    /// varies between runs), so equal inputs give bit-identical results.
    public func posterior(_ votes: [MachineVote], labels: [String]) -> [String: Double] {
        var score = [Double](repeating: 0, count: labels.count)
        for v in votes {
            if let l = v.label, let i = labels.firstIndex(of: l) { score[i] += weight(v) }
        }
        let m = score.max() ?? 0
        var z = 0.0
        for s in score { z += Foundation.exp(s - m) }
        var out: [String: Double] = [:]
        for (i, l) in labels.enumerated() { out[l] = Foundation.exp(score[i] - m) / z }
        return out
    }

    /// The weighted-vote label (ties: the label listed first).
    public func label(_ votes: [MachineVote], labels: [String]) -> String? {
        guard votes.contains(where: { $0.label != nil }) else { return nil }
        let p = posterior(votes, labels: labels)
        return labels.max { (p[$0] ?? 0) < (p[$1] ?? 0) || ((p[$0] ?? 0) == (p[$1] ?? 0) && labels.firstIndex(of: $0)! > labels.firstIndex(of: $1)!) }
    }

    /// Uncertainty of the weighted vote: entropy of the posterior, plus the
    /// share of unparseable answers (they are evidence of confusion too).
    public func uncertainty(_ votes: [MachineVote], labels: [String]) -> Double {
        let p = posterior(votes, labels: labels)
        var h = 0.0
        for l in labels { if let q = p[l], q > 0 { h -= q * Foundation.log(q) } }
        let unparseable = votes.isEmpty ? 1 : Double(votes.filter { $0.label == nil }.count) / Double(votes.count)
        return h + unparseable
    }
}
