import Foundation
import Testing
@testable import DuetCore

@Suite struct UncertaintyTests {
    func votes(_ labels: [String?], confidence: [Double?] = []) -> [MachineVote] {
        labels.enumerated().map { i, l in
            MachineVote(annotator: "m", variant: "v\(i)", label: l, confidence: i < confidence.count ? confidence[i] : nil)
        }
    }

    @Test func entropyHandComputed() {
        #expect(Uncertainty.entropy(["a", "a", "a"]) == 0)
        #expect(Uncertainty.entropy([]) == 0)
        // Two classes, 2:2 → ln 2.
        #expect(abs(Uncertainty.entropy(["a", "b", "a", "b"]) - log(2)) < 1e-12)
        // 3 of 4 "a", 1 unparseable (its own class): −(.75 ln .75 + .25 ln .25) = 0.5623351446188083.
        #expect(abs(Uncertainty.entropy(["a", "a", "a", nil]) - 0.5623351446188083) < 1e-12)
        // Unparseable answers are one class among themselves: {a, ∅, ∅} = {a, b, b}.
        #expect(Uncertainty.entropy(["a", nil, nil]) == Uncertainty.entropy(["a", "b", "b"]))
    }

    @Test func marginConfidenceAndMajority() {
        #expect(Uncertainty.margin(["a", "a", "b", nil]) == 0.25)
        #expect(Uncertainty.margin(["a", "b"]) == 0)
        #expect(Uncertainty.confidenceUncertainty(votes(["a", "b"], confidence: [0.9, 0.7]))! == 1 - 0.8)
        #expect(Uncertainty.confidenceUncertainty(votes(["a"])) == nil)
        // Ties go to the label voted first; unparseable never wins.
        #expect(Uncertainty.majority(["b", "a", "a", "b"]) == "b")
        #expect(Uncertainty.majority([nil, nil, "a"]) == "a")
        #expect(Uncertainty.majority([nil, nil]) == nil)
        let u = ItemUncertainty(itemRowID: 1, votes: votes(["x", "y", "x"], confidence: [1, 0.5, 0.6]))
        #expect(u.label == "x")
        #expect(u.distribution == ["x": 2, "y": 1])
        #expect(abs(u.confidenceUncertainty! - (1 - 0.7)) < 1e-12)
    }

    /// A machine label needs support: more votes than the runner-up and than the unparseable or failed ones.
    @Test func supportAndTheDefaultRanking() {
        #expect(Uncertainty.supported(["a", "a", "b"]))
        #expect(!Uncertainty.supported(["a", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil]), "10 unparseable, 1 label")
        #expect(!Uncertainty.supported(["a", "a", "a", "b", "b", "b"]), "a tie")
        #expect(!Uncertainty.supported([nil, nil, nil, nil, nil, nil, nil, nil, nil, "n"]), "4 failed, 5 unparseable, 1 label")
        #expect(Uncertainty.supportedEntropy([nil, nil]) == .infinity)
        // Entropy calls "10 unparseable + 1 label" sure (0.30); the default sends it first, and an item with no
        // answer at all before it; entropy keeps both and sends the 2:1 item.
        var table = VoteTable()
        let weak: [String?] = ["a"] + Array(repeating: nil, count: 10)
        for (id, labels) in [(Int64(1), ["a", "a", "b"] as [String?]), (2, weak), (3, ["b", "b", "b"]), (4, [nil, nil, nil])] {
            for (i, l) in labels.enumerated() { table.append(MachineVote(annotator: "m", variant: "v\(i)", label: l), item: id) }
        }
        #expect(Uncertainty.entropy(weak) < Uncertainty.entropy(["a", "a", "b"]))
        let order: [Int64] = [1, 2, 3, 4]
        let robust = Router.route(votes: table, order: order, labels: ["a", "b"], strategy: .default, budget: 0.5)
        #expect(robust.toHumans == [4, 2])
        #expect(Router.route(votes: table, order: order, labels: ["a", "b"], strategy: .default, budget: 0.25).toHumans == [4])
        let plain = Router.route(votes: table, order: order, labels: ["a", "b"], strategy: .entropy, budget: 0.25)
        #expect(plain.toHumans == [1])
    }

    @Test func allocationTakesTheMostUncertainFirst() {
        let scores: [(item: Int64, score: Double)] = [(1, 0.1), (2, 0.9), (3, 0.5), (4, 0.9), (5, 0)]
        // 40% of 5 = 2 items: the two 0.9s, in item order.
        #expect(Allocation.toHumans(scores: scores, budget: 0.4) == [2, 4])
        #expect(Allocation.ranked(scores).map(\.item) == [2, 4, 3, 1, 5])
        #expect(Allocation.toHumans(scores: scores, threshold: 0.4) == [2, 3, 4])
        #expect(Allocation.toHumans(scores: scores, budget: 0).isEmpty)
        #expect(Allocation.toHumans(scores: scores, budget: 1).count == 5)
    }

    @Test func metricsHandComputed() {
        // truth a,a,b,b ; predicted a,b,b,nil → accuracy 2/4; F1(a) = 2·1/(1+2) = 2/3, F1(b) = 2·1/(2+2) = 1/2.
        let truth: [Int64: String] = [1: "a", 2: "a", 3: "b", 4: "b"]
        let predicted: [Int64: String?] = [1: "a", 2: "b", 3: "b", 4: nil]
        let m = Metrics.accuracyAndMacroF1(predicted: predicted, truth: truth, labels: ["a", "b"])
        #expect(m.accuracy == 0.5)
        #expect(abs(m.macroF1 - (2.0 / 3 + 0.5) / 2) < 1e-12)
    }

    @Test func reliabilityWeighsReliableSourcesUp() {
        // Source "good" agrees with people on 10 items, "bad" on none.
        var votes: [Int64: [MachineVote]] = [:]
        var truth: [Int64: String] = [:]
        for i in 1...10 {
            votes[Int64(i)] = [MachineVote(annotator: "m", variant: "good", label: "a"), MachineVote(annotator: "m", variant: "bad", label: "b"),
                               MachineVote(annotator: "m", variant: "bad2", label: "b")]
            truth[Int64(i)] = "a"
        }
        let r = Reliability(votes: VoteTable(votes), truth: truth, classes: 2)
        // (10 + 0.6·4) / (10 + 4) = 0.8857…; (0 + 2.4) / 14 = 0.1714…
        #expect(abs(r.accuracy[.init(annotator: "m", variant: "good")]! - 12.4 / 14) < 1e-12)
        #expect(abs(r.accuracy[.init(annotator: "m", variant: "bad")]! - 2.4 / 14) < 1e-12)
        // Majority says "b", the learned weights say "a".
        let item = votes[1]!
        #expect(Uncertainty.majority(item.map(\.label)) == "b")
        #expect(r.label(item, labels: ["a", "b"]) == "a")
    }
}

/// The replayed gpt-4o-mini votes on Spanish stance (11 variants × 100 items), gold standing in for people.
@Suite struct StanceReplayTests {
    static let dir: URL? = {
        let d = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data")
        return FileManager.default.fileExists(atPath: d.appendingPathComponent("stance-es-llm-votes.jsonl").path) ? d : nil
    }()

    static func load() throws -> (votes: [Int64: [MachineVote]], order: [Int64], truth: [Int64: String]) {
        let dir = try #require(dir)
        let items = try String(contentsOf: dir.appendingPathComponent("stance-es-items.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONValue.parse(String($0)) }
        var index: [String: Int64] = [:]
        var truth: [Int64: String] = [:]
        for (i, item) in items.enumerated() {
            index[item["id"]!.string!] = Int64(i + 1)
            truth[Int64(i + 1)] = item["gold"]!.string!
        }
        let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent("stance-es-llm-votes.jsonl")))
        let rows = try VoteReplay.read(MemoryByteSource(bytes), file: "stance-es-llm-votes.jsonl", labels: ["against", "favor", "neutral"])
        var votes: [Int64: [MachineVote]] = [:]
        for r in rows { votes[index[r.item]!, default: []].append(r.vote) }
        return (votes, Array(1...Int64(items.count)), truth)
    }

    @Test(.enabled(if: dir != nil, "../shared/data is absent")) func coAnnotatingFigures() throws {
        let (votes, order, truth) = try Self.load()
        #expect(votes.count == 100 && votes.values.allSatisfy { $0.count == 11 })
        let labels = ["against", "favor", "neutral"]
        let rows = Router.plan(votes: VoteTable(votes), order: order, truth: truth, labels: labels, budgets: [0, 0.1, 0.2, 0.3, 0.4, 0.5])
        func acc(_ s: String, _ b: Double) -> Double { rows.first { $0.strategy == s && $0.budget == b }!.accuracy }
        #expect(acc("entropy", 0) == 0.48)  // majority vote alone
        #expect(acc("entropy", 0.3) == 0.73)
        #expect(acc("confidence", 0.3) == 0.74)
        #expect(abs(acc("random", 0.3) - 0.64) < 0.015)
        #expect(rows.first { $0.strategy == "entropy" && $0.budget == 0.3 }?.humanItems == 30)
        // The default strategy (learned weights only when they beat the majority on the labels it has) is never worse than entropy.
        let budgets = [0.1, 0.2, 0.3, 0.4, 0.5]
        for b in budgets { #expect(acc("default", b) >= acc("entropy", b), "budget \(b)") }
        // ... and better on average over those budgets.
        #expect(budgets.map { acc("default", $0) }.reduce(0, +) > budgets.map { acc("entropy", $0) }.reduce(0, +))
        for r in rows where r.strategy == "default" || r.strategy == "calibrated" || r.strategy == "entropy" {
            print(String(format: "plan %@ %.1f accuracy %.3f macro-F1 %.3f", r.strategy, r.budget, r.accuracy, r.macroF1))
        }
    }
}
