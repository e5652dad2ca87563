import Foundation

/// Multilabel votes: one yes/no vote per label and perturbation. A vote about label `L` has
/// `variant == MachineVote.variant(perturbation, facet: L)` ("question@toxic") and label "yes", "no"
/// or nil (unparseable). Each label is judged on its own votes (entropy and support as in
/// `Uncertainty`); an item is as unsure as its least sure label, so it goes to people when any label is
/// uncertain; the machine's label is the set of labels with a supported "yes" majority, written as
/// `Decisions.labelText` writes a person's set (sorted, joined by "|"; the empty set is "").
public enum Multilabel {
    public static let yes = "yes"
    public static let no = "no"

    /// One label's votes on one item.
    public struct LabelVotes: Sendable, Hashable {
        public var label: String
        public var yes: Int
        public var no: Int
        /// Unparseable (or failed) answers about this label.
        public var unparseable: Int
        /// Entropy of yes / no / unparseable (natural log; 0 when unanimous).
        public var entropy: Double
        /// `Uncertainty.supportedEntropy`: the entropy, + `Uncertainty.unsupportedOffset` when the
        /// majority has no support, infinite when no vote about the label was read (or none was cast).
        public var score: Double
        /// true: a supported "yes" majority; false: a supported "no" majority; nil: no supported majority.
        public var applies: Bool?

        public init(label: String, votes: [String?]) {
            self.label = label
            yes = votes.filter { $0 == Multilabel.yes }.count
            no = votes.filter { $0 == Multilabel.no }.count
            unparseable = votes.count - yes - no
            // Anything but yes/no is read as unparseable.
            let read: [String?] = votes.map { $0 == Multilabel.yes || $0 == Multilabel.no ? $0 : nil }
            entropy = Uncertainty.entropy(read)
            score = read.isEmpty ? .infinity : Uncertainty.supportedEntropy(read)
            applies = Uncertainty.supported(read) ? yes > no : nil
        }

        public var votes: Int { yes + no + unparseable }
    }

    /// The votes per label, in `labels`' order (a label without votes has none); votes about facets
    /// outside `labels`, and whole-answer votes, are left out. Empty `labels`: the facets in the order
    /// they first appear (a screen that knows only the votes).
    public static func perLabel(_ votes: [MachineVote], labels: [String] = []) -> [LabelVotes] {
        var byFacet: [String: [String?]] = [:]
        var seen: [String] = []
        for v in votes {
            guard let f = v.facet else { continue }
            if byFacet[f] == nil { seen.append(f) }
            byFacet[f, default: []].append(v.label)
        }
        return (labels.isEmpty ? seen : labels).map { LabelVotes(label: $0, votes: byFacet[$0] ?? []) }
    }

    /// The machine's label set as label text: the labels with a supported "yes" majority, sorted and
    /// joined by "|" ("" when every label has a supported "no"); nil when no vote could be read at all.
    public static func labelText(_ perLabel: [LabelVotes]) -> String? {
        guard perLabel.contains(where: { $0.yes + $0.no > 0 }) else { return nil }
        return perLabel.filter { $0.applies == true }.map(\.label).sorted().joined(separator: "|")
    }

    /// The labels of a label text ("a|b" → ["a", "b"], "" → []).
    public static func labels(of text: String) -> Set<String> {
        Set(text.split(separator: "|").map(String.init))
    }

    /// The entropy strategy's score: the largest label entropy (infinite when a label has no vote).
    public static func entropyScore(_ perLabel: [LabelVotes]) -> Double {
        perLabel.map { $0.votes == 0 ? .infinity : $0.entropy }.max() ?? .infinity
    }

    /// The default strategy's score: the largest per-label `score` (support taken into account).
    public static func supportedScore(_ perLabel: [LabelVotes]) -> Double {
        perLabel.map(\.score).max() ?? .infinity
    }

    /// Exact-set accuracy and the mean per-label F1 (macro over `labels`; a label absent from both the
    /// truth and the predictions does not count) of predicted label sets against true ones. A missing
    /// prediction is wrong and predicts no label.
    public static func accuracyAndLabelF1(predicted: [Int64: String?], truth: [Int64: String], labels: [String]) -> (accuracy: Double, labelF1: Double) {
        guard !truth.isEmpty else { return (0, 0) }
        var exact = 0
        var tp: [String: Int] = [:], fp: [String: Int] = [:], fn: [String: Int] = [:]
        var all = Set(labels)
        for (id, t) in truth {
            let p = (predicted[id] ?? nil).map(Multilabel.labels(of:))
            let truthSet = Multilabel.labels(of: t)
            if let p, p == truthSet { exact += 1 }
            let predictedSet = p ?? []
            all.formUnion(truthSet)
            for l in truthSet { if predictedSet.contains(l) { tp[l, default: 0] += 1 } else { fn[l, default: 0] += 1 } }
            for l in predictedSet where !truthSet.contains(l) { fp[l, default: 0] += 1 }
        }
        var f1s: [Double] = []
        for l in all.sorted() {
            let t = Double(tp[l, default: 0]), p = t + Double(fp[l, default: 0]), r = t + Double(fn[l, default: 0])
            guard p + r > 0 else { continue }
            f1s.append(2 * t / (p + r))
        }
        return (Double(exact) / Double(truth.count), f1s.isEmpty ? 0 : f1s.reduce(0, +) / Double(f1s.count))
    }
}
