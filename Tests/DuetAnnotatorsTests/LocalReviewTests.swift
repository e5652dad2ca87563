@testable import DuetAnnotators
import DuetCore
import Foundation
import Testing

/// The built-in annotator on rate and review tasks: a softmax over the scale's points (and accept/reject)
/// that learns a planted signal, checked on held-out items.
@Suite struct LocalReviewTests {
    /// Texts whose rating is planted in one word ("awful" 1 … "superb" 5) among seeded filler words; a tenth
    /// of the training ratings are replaced by a random point (noise).
    static func planted(_ n: Int, seed: UInt64) -> [(text: String, rating: Int)] {
        var rng = LocalTestRNG(seed)
        let marks = ["awful", "poor", "fair", "good", "superb"]
        let fillers = ["river", "blue", "code", "seven", "lamp", "quick", "paper", "north", "green", "stone", "music", "table"]
        return (0..<n).map { _ in
            let rating = Int(rng.next() % 5) + 1
            var words = (0..<8).map { _ in fillers[Int(rng.next() % UInt64(fillers.count))] }
            words.insert(marks[rating - 1], at: Int(rng.next() % 9))
            return (words.joined(separator: " "), rating)
        }
    }

    @Test func ratingsAreLearnedWellAboveChance() throws {
        let data = Self.planted(300, seed: 7)
        var rng = LocalTestRNG(99)
        let training = data.prefix(200).map { d in
            (text: d.text, label: String(rng.next() % 10 == 0 ? Int(rng.next() % 5) + 1 : d.rating))
        }
        let task = TaskSpec(name: "stars", kind: .rate)
        let ensemble = try LocalEnsemble(labels: task.answerLabels, training: Array(training))
        let held = Array(data.suffix(100))
        let votes = ensemble.votes(for: held.map(\.text))
        let right = zip(held, votes).filter { Uncertainty.majority($0.1.map(\.label)) == String($0.0.rating) }.count
        #expect(right >= 70, "\(right) of 100 held-out ratings right; chance is 20")
    }

    @Test func reviewJudgeVotesRatingsAndVerdictsAndLearnsWithEitherHalf() async throws {
        let data = Self.planted(240, seed: 3)
        func verdict(_ r: Int) -> String { r >= 3 ? "accept" : "reject" }
        let ratings = data.prefix(160).map { (text: $0.text, label: String($0.rating)) }
        let verdicts = data.prefix(160).map { (text: $0.text, label: verdict($0.rating)) }
        let task = TaskSpec(name: "review", kind: .review)
        let judge = try LocalReviewJudge(scale: task.answerLabels, ratings: Array(ratings), verdicts: Array(verdicts))
        #expect(judge.trainingCount == 320)
        let held = Array(data.suffix(80))
        let items = held.enumerated().map { i, d in
            StoredItem(rowID: Int64(i + 1), item: Item(uid: "d\(i)", dataset: "d", kind: .demonstration,
                                                        fields: ItemFields(messages: [.user("Rate this."), .assistant(d.text)])))
        }
        let votes = try await judge.annotate(items, task: task) { _ in }
        var ratingRight = 0, verdictRight = 0
        for (i, d) in held.enumerated() {
            let v = try #require(votes[Int64(i + 1)])
            #expect(v.map(\.variant) == (0..<7).map { "member-\($0)" } + (0..<7).map { "member-\($0)@verdict" })
            if Uncertainty.majority(task.routingLabels(v)) == String(d.rating) { ratingRight += 1 }
            if Uncertainty.majority(v.filter { $0.facet == "verdict" }.map(\.label)) == verdict(d.rating) { verdictRight += 1 }
        }
        #expect(ratingRight >= 56, "\(ratingRight) of 80 held-out ratings right; chance is 16")
        #expect(verdictRight >= 64, "\(verdictRight) of 80 held-out verdicts right; chance is about 48")
        // Only ratings (every verdict "accept"): rating votes alone. Nothing to learn from: an error.
        let ratingsOnly = try LocalReviewJudge(scale: task.answerLabels, ratings: Array(ratings), verdicts: verdicts.map { ($0.text, "accept") })
        #expect(try await ratingsOnly.annotate(Array(items.prefix(1)), task: task) { _ in }[1]?.allSatisfy { $0.facet == nil } == true)
        #expect(throws: LocalEnsembleError.self) { try LocalReviewJudge(scale: task.answerLabels, ratings: [], verdicts: []) }
    }
}
