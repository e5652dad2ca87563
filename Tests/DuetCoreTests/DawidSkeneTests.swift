import Foundation
import Testing
@testable import DuetCore

/// A simulated panel: `items` items with uniform truth over `labels`; each member answers right with its
/// accuracy, else a uniformly drawn wrong label (members in `biased`: always the first wrong label, as a model
/// with a favourite class does). Members listed in `copies` answer exactly like the member named.
struct SimulatedPanel {
    var truth: [Int64: String] = [:]
    var votes = VoteTable()
    let labels: [String]

    init(items: Int, labels: [String], accuracies: [(String, Double)], copies: [String: String] = [:], biased: Set<String> = [], variants: Int = 1, seed: UInt64) {
        self.labels = labels
        var rng = SplitMix64(seed: seed)
        for id in 1...Int64(items) {
            let t = labels[Int(rng.next() % UInt64(labels.count))]
            truth[id] = t
            var answers: [String: [String]] = [:]
            for (who, accuracy) in accuracies {
                answers[who] = (0..<variants).map { _ in
                    if Double(rng.next() % 1_000_000) / 1_000_000 < accuracy { return t }
                    let wrong = labels.filter { $0 != t }
                    return biased.contains(who) ? wrong[0] : wrong[Int(rng.next() % UInt64(wrong.count))]
                }
            }
            for (copy, original) in copies { answers[copy] = answers[original] }
            for who in (accuracies.map(\.0) + copies.keys.sorted()) {
                for (v, l) in answers[who]!.enumerated() { votes.append(MachineVote(annotator: who, variant: "v\(v)", label: l), item: id) }
            }
        }
    }
}

@Suite struct DawidSkeneTests {
    /// Every item anchored: the M step is closed form. Member x on 4 items: truth a→a, a→b, b→b, b→unparseable.
    /// Prior 2 pseudo-votes spread 1/3 to each of the 3 answers, +2 on the diagonal:
    /// row a = ([1,1,0] + [2.667,0.667,0.667]) / 6, row b = ([0,1,1] + [0.667,2.667,0.667]) / 6; P(a) = (2+1)/(4+2).
    @Test func anchoredConfusionIsTheSmoothedCount() {
        let votes = VoteTable([
            1: [MachineVote(annotator: "x", variant: "v", label: "a")], 2: [MachineVote(annotator: "x", variant: "v", label: "b")],
            3: [MachineVote(annotator: "x", variant: "v", label: "b")], 4: [MachineVote(annotator: "x", variant: "v", label: nil)],
        ])
        let model = DawidSkene.fit(votes: votes, items: [1, 2, 3, 4], labels: ["a", "b"], anchors: [1: "a", 2: "a", 3: "b", 4: "b"])
        let third = 2.0 / 3
        let rowA = [1 + 2 + third, 1 + third, third].map { $0 / 6 }, rowB = [third, 1 + 2 + third, 1 + third].map { $0 / 6 }
        for k in 0..<3 {
            #expect(abs(model.confusion[0][0][k] - rowA[k]) < 1e-12)
            #expect(abs(model.confusion[0][1][k] - rowB[k]) < 1e-12)
        }
        #expect(abs(model.classPrior[0] - 0.5) < 1e-12)
        #expect(abs(model.accuracy("x")! - 0.5 * (rowA[0] + rowB[1])) < 1e-12)
        // Anchors keep their label.
        #expect(model.label(2) == "a")
    }

    /// The E step: an unanchored item's posterior is the prior times each member's confusion column, its
    /// variants weighted 1/k each (one correlated answer), with the model's own returned parameters.
    @Test func posteriorFollowsTheReturnedParameters() {
        let panel = SimulatedPanel(items: 300, labels: ["a", "b", "c"], accuracies: [("p", 0.8), ("q", 0.6), ("r", 0.5)], variants: 3, seed: 7)
        let model = DawidSkene.fit(votes: panel.votes, items: panel.votes.items, labels: panel.labels, anchors: [:], tolerance: 0)
        let item: Int64 = 5
        var score = model.classPrior.map { Foundation.log($0) }
        let a = model.annotators
        for who in a {
            let mine = panel.votes[item]!.filter { $0.annotator == who }
            for v in mine {
                let k = v.label.flatMap { panel.labels.firstIndex(of: $0) } ?? panel.labels.count
                for y in 0..<3 { score[y] += Foundation.log(model.confusion(of: who)![y][k]) / Double(mine.count) }
            }
        }
        let m = score.max()!
        let z = score.map { Foundation.exp($0 - m) }.reduce(0, +)
        let expected = score.map { Foundation.exp($0 - m) / z }
        let got = model.posterior(item)!
        // One E step behind the returned M step at most: equal to the tolerance the fit ran to.
        for y in 0..<3 { #expect(abs(got[y] - expected[y]) < 1e-3) }
    }

    /// One good member, several noisy ones and two copies of one model: the learned accuracies are the
    /// planted ones (the copies' too, though the model cannot know they are copies).
    @Test func recoversPlantedAccuracies() {
        let planted = [("good", 0.9), ("noisy1", 0.45), ("noisy2", 0.4), ("noisy3", 0.5), ("mid", 0.7)]
        let panel = SimulatedPanel(items: 3000, labels: ["a", "b", "c"], accuracies: planted, copies: ["mid-copy": "mid"], seed: 11)
        let model = DawidSkene.fit(votes: panel.votes, items: panel.votes.items, labels: panel.labels, anchors: [:])
        // The copy is one member with its original; nobody else is joined.
        #expect(model.groups.filter { $0.count > 1 } == [["mid", "mid-copy"]])
        for (who, accuracy) in planted + [("mid-copy", 0.7)] {
            let learned = model.accuracy(who)!
            #expect(abs(learned - accuracy) < 0.05, "\(who): learned \(learned), planted \(accuracy)")
        }
        // Its labels beat the plain majority, which counts the noisy members and the copy as much as the good one.
        let dsRight = panel.truth.filter { model.label($0.key) == $0.value }.count
        let majorityRight = panel.truth.filter { Uncertainty.majority(panel.votes.labels($0.key)!) == $0.value }.count
        #expect(dsRight > majorityRight + 100)
    }

    /// A constant member (always "a") is learned as one, and its "a" carries no evidence.
    @Test func aConstantMemberIsLearnedAsOne() {
        var panel = SimulatedPanel(items: 1000, labels: ["a", "b", "c"], accuracies: [("p", 0.8), ("q", 0.75), ("r", 0.7)], seed: 3)
        var votes = VoteTable()
        for item in panel.votes.items {
            for v in panel.votes[item]! { votes.append(v, item: item) }
            votes.append(MachineVote(annotator: "constant", variant: "v", label: "a"), item: item)
        }
        panel.votes = votes
        let model = DawidSkene.fit(votes: votes, items: votes.items, labels: panel.labels, anchors: [:])
        let c = model.confusion(of: "constant")!
        for y in 0..<3 { #expect(c[y][0] > 0.9) }
        #expect(abs(model.accuracy("constant")! - 1.0 / 3) < 0.05)
    }

    /// Pooled entropy by hand: 13 members, votes 6 a, 4 b, 2 c, 1 unparseable.
    @Test func pooledEntropyByHand() {
        let labels: [String?] = Array(repeating: "a", count: 6) + Array(repeating: "b", count: 4) + ["c", "c", nil]
        let p = [6.0, 4, 2, 1].map { $0 / 13 }
        let h = -p.map { $0 * Foundation.log($0) }.reduce(0, +)
        #expect(abs(Uncertainty.entropy(labels) - h) < 1e-12)
        #expect(Uncertainty.majority(labels) == "a")
    }

    /// Where learning cannot help (equally good independent members), the default is never below entropy.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func robustDefaultNeverBelowEntropyWhenLearningIsUseless(seed: UInt64) {
        let panel = SimulatedPanel(items: 600, labels: ["a", "b", "c"],
                                   accuracies: [("m1", 0.6), ("m2", 0.6), ("m3", 0.6), ("m4", 0.6), ("m5", 0.6)], seed: seed)
        let budgets = [0.1, 0.2, 0.3, 0.4, 0.5]
        let rows = Router.plan(votes: panel.votes, order: panel.votes.items, truth: panel.truth, labels: panel.labels,
                               strategies: [.entropy, .default], budgets: budgets)
        for b in budgets {
            let e = rows.first { $0.strategy == "entropy" && $0.budget == b }!.accuracy
            let d = rows.first { $0.strategy == "default" && $0.budget == b }!.accuracy
            #expect(d >= e, "seed \(seed), budget \(b): default \(d) < entropy \(e)")
        }
    }

    /// Where one member is good and the rest noisy with favourite classes (as weak models are), the default
    /// learns whom to trust and beats entropy.
    @Test func robustDefaultLearnsWhoToTrust() {
        let panel = SimulatedPanel(items: 600, labels: ["a", "b", "c"],
                                   accuracies: [("good", 0.85), ("n1", 0.4), ("n2", 0.4), ("n3", 0.4), ("n4", 0.4)],
                                   biased: ["n1", "n2", "n3", "n4"], seed: 9)
        let rows = Router.plan(votes: panel.votes, order: panel.votes.items, truth: panel.truth, labels: panel.labels,
                               strategies: [.entropy, .default], budgets: [0.2, 0.3])
        for b in [0.2, 0.3] {
            let e = rows.first { $0.strategy == "entropy" && $0.budget == b }!.accuracy
            let d = rows.first { $0.strategy == "default" && $0.budget == b }!.accuracy
            #expect(d > e + 0.05, "budget \(b): default \(d), entropy \(e)")
        }
    }

    /// The guard: with fewer than three members the default does not use the model.
    @Test func smallPanelsKeepTheSingleAnnotatorDefault() {
        let panel = SimulatedPanel(items: 200, labels: ["a", "b"], accuracies: [("p", 0.8), ("q", 0.6)], seed: 5)
        let outcome = Router.route(votes: panel.votes, order: panel.votes.items, labels: panel.labels, strategy: .default,
                                   budget: 0.3, oracle: panel.truth)
        // The single-annotator path ranks by entropy with support: every item's score is an entropy (no 1 − posterior).
        for (id, s) in outcome.scores { #expect(s == Uncertainty.supportedEntropy(panel.votes.labels(id)!)) }
    }
}

@Suite struct PlattScalingTests {
    /// Outcomes drawn with P(right) = σ(0.5 · logit(c) − 0.2): the fit finds a and b again.
    @Test func recoversAPlantedCurve() throws {
        var rng = SplitMix64(seed: 21)
        func uniform() -> Double { Double(rng.next() % 1_000_000) / 1_000_000 }
        var pairs: [(confidence: Double, right: Bool)] = []
        for _ in 0..<20_000 {
            let c = 0.5 + 0.499 * uniform()
            let p = 1 / (1 + Foundation.exp(-(0.5 * Foundation.log(c / (1 - c)) - 0.2)))
            pairs.append((c, uniform() < p))
        }
        let fit = try #require(PlattScaling(pairs))
        #expect(abs(fit.a - 0.5) < 0.06 && abs(fit.b + 0.2) < 0.06, "a \(fit.a), b \(fit.b)")
        #expect(fit(0.6) < fit(0.9) && fit(0.9) < fit(0.99))
    }

    @Test func refusesWhatCannotBeFitted() {
        #expect(PlattScaling(Array(repeating: (0.9, true), count: 50)) == nil)
        #expect(PlattScaling(Array(repeating: (0.9, false), count: 50)) == nil)
        #expect(PlattScaling([(0.9, true), (0.6, false)]) == nil)
        // Confidence that runs against rightness (a < 0) is no calibration.
        let backwards = (0..<40).map { i in (confidence: i % 2 == 0 ? 0.95 : 0.55, right: i % 2 == 1) }
        #expect(PlattScaling(backwards) == nil)
    }

    /// The panel default stores every item's calibrated chance of a wrong label (0…1) and ranks as the model does.
    @Test func panelScoresAreCalibratedChancesOfError() {
        let panel = SimulatedPanel(items: 600, labels: ["a", "b", "c"],
                                   accuracies: [("good", 0.85), ("n1", 0.4), ("n2", 0.4), ("n3", 0.4), ("n4", 0.4)],
                                   biased: ["n1", "n2", "n3", "n4"], seed: 9)
        let outcome = Router.route(votes: panel.votes, order: panel.votes.items, labels: panel.labels, strategy: .default,
                                   budget: 0.3, oracle: panel.truth)
        #expect(outcome.scores.values.allSatisfy { (0...1).contains($0) })
        // People get the items with the highest chance of error after the first (entropy) half.
        let humans = Set(outcome.toHumans)
        let kept = panel.votes.items.filter { !humans.contains($0) }
        let firstHalf = Set(outcome.toHumans.prefix(outcome.toHumans.count / 2))
        let secondHalf = outcome.toHumans.filter { !firstHalf.contains($0) }
        #expect(secondHalf.map { outcome.scores[$0]! }.min()! >= kept.map { outcome.scores[$0]! }.max()!)
    }
}
