import DuetAnnotators
import DuetCore
import Foundation
import Testing

/// The built-in annotator on multilabel tasks: one-vs-rest ensembles whose members vote yes/no per label.
@Suite struct LocalMultilabelTests {
    static let labels = ["sports", "food", "music"]
    static let signal = ["sports": ["goal", "match", "referee", "league", "striker"],
                         "food": ["recipe", "garlic", "oven", "dinner", "pasta"],
                         "music": ["guitar", "chorus", "album", "drummer", "melody"]]

    /// Texts of 8 filler words plus, for each label in the item's set, one or two of its words; each
    /// label is in a set with probability 0.4, and 10% of texts also carry a word of a label they lack.
    static func corpus(_ n: Int, seed: UInt64) -> [(text: String, labels: Set<String>)] {
        var rng = SplitMix64(seed)
        func below(_ k: Int) -> Int { Int(rng.next() % UInt64(k)) }
        return (0..<n).map { _ in
            var words = (0..<8).map { _ in "w\(below(300))" }
            var set = Set<String>()
            for l in labels where below(10) < 4 {
                set.insert(l)
                for _ in 0...below(2) { words.insert(signal[l]![below(5)], at: below(words.count + 1)) }
            }
            if below(10) == 0, let absent = labels.first(where: { !set.contains($0) }) {
                words.insert(signal[absent]![below(5)], at: below(words.count + 1))
            }
            return (words.joined(separator: " "), set)
        }
    }

    @Test func learnsPlantedSignalsPerLabelOnHeldOutItems() async throws {
        let train = Self.corpus(300, seed: 11), test = Self.corpus(200, seed: 12)
        let ensemble = try LocalMultilabelEnsemble(seed: 3, labels: Self.labels, training: train)
        let items = localTextItems(test.map(\.text))
        let task = TaskSpec(name: "tags", kind: .multilabel, labels: Self.labels)
        let votes = try await ensemble.annotate(items, task: task) { _ in }
        #expect(votes.count == 200)
        let first = try #require(votes[1])
        #expect(first.map(\.variant) == Self.labels.flatMap { l in (0..<7).map { "member-\($0)@\(l)" } })
        #expect(first.allSatisfy { ($0.label == "yes" || $0.label == "no") && $0.confidence != nil })
        var exact = 0
        for label in Self.labels {
            var right = 0, truthYes = 0
            for (i, row) in test.enumerated() {
                let per = Multilabel.perLabel(votes[Int64(i + 1)]!, labels: [label])[0]
                if (per.applies ?? false) == row.labels.contains(label) { right += 1 }
                if row.labels.contains(label) { truthYes += 1 }
            }
            // Chance: always the more common answer.
            let chance = Double(max(truthYes, 200 - truthYes)) / 200
            let accuracy = Double(right) / 200
            #expect(accuracy > chance + 0.2, "\(label): \(accuracy) vs chance \(chance)")
        }
        let scorer = KindScorer.multilabel(labels: Self.labels)
        for (i, row) in test.enumerated() where scorer.judge(votes[Int64(i + 1)]!).label.map(Multilabel.labels(of:)) == row.labels { exact += 1 }
        // Exact sets: well above the most common set (the empty one, about 0.6³ ≈ 22%).
        #expect(Double(exact) / 200 > 0.6, "exact sets \(exact)/200")
    }

    @Test func aLabelNeverSeenIsVotedAsSeenAndNothingLearnableThrows() async throws {
        let train: [(text: String, labels: Set<String>)] = [("goal match", ["sports"]), ("pasta dinner", []), ("referee league", ["sports"]),
                                                            ("garlic oven", [])]
        let e = try LocalMultilabelEnsemble(members: 3, labels: ["sports", "music"], training: train)
        let votes = try await e.annotate(localTextItems(["striker goal", "melody"]), task: TaskSpec(name: "t", kind: .multilabel, labels: ["sports", "music"])) { _ in }
        #expect(votes[1]!.filter { $0.facet == "music" }.map(\.label) == ["no", "no", "no"])
        #expect(votes[1]!.filter { $0.facet == "music" }.allSatisfy { $0.confidence == nil })
        #expect(throws: LocalEnsembleError.notEnoughLabels(have: 1, need: 2)) {
            try LocalMultilabelEnsemble(labels: ["music"], training: train)
        }
        await #expect(throws: LocalEnsembleError.self) {
            try await e.annotate(localTextItems(["x"]), task: TaskSpec(name: "c", kind: .classify, labels: ["a"])) { _ in }
        }
    }
}
