@testable import DuetCore
import Foundation
import Testing

/// Rate and review: the spread of ordinal votes, and how a review's verdict votes are kept apart from its ratings.
@Suite struct OrdinalUncertaintyTests {
    static func vote(_ variant: String, _ label: String?) -> MachineVote { MachineVote(annotator: "j", variant: variant, label: label) }

    @Test func spreadIsEntropyAndStandardDeviationByHand() {
        let labels: [String?] = ["2", "4", "4", "5", nil]
        // Scores 2, 4, 4, 5: mean 15/4; squared deviations 49/16 + 1/16 + 1/16 + 25/16 = 76/16 over 4.
        #expect(Uncertainty.meanScore(labels) == 3.75)
        #expect(abs(Uncertainty.scoreDeviation(labels)! - (76.0 / 64).squareRoot()) < 1e-12)
        // Classes 2, 4, 4, 5, ∅ of 5 votes: −(3 · 0.2 ln 0.2 + 0.4 ln 0.4).
        #expect(abs(Uncertainty.entropy(labels) - -(3 * 0.2 * log(0.2) + 0.4 * log(0.4))) < 1e-12)
        #expect(Uncertainty.scoreDeviation(["3", "3"]) == 0 && Uncertainty.scoreDeviation([nil, nil]) == nil)
        // Entropy cannot tell a one-point split from a two-point one; the deviation can.
        #expect(Uncertainty.entropy(["2", "4"]) == Uncertainty.entropy(["3", "4"]))
        #expect(Uncertainty.scoreDeviation(["2", "4"]) == 1 && Uncertainty.scoreDeviation(["3", "4"]) == 0.5)
    }

    @Test func verdictVotesAreNotScalePoints() {
        let votes = [Self.vote("rubric", "4"), Self.vote("paraphrase", "4"), Self.vote("reversed", "2"), Self.vote("no-system", nil),
                     Self.vote("rubric@verdict", "accept"), Self.vote("paraphrase@verdict", "accept"), Self.vote("no-system@verdict", nil)]
        let s = ScoreSpread(votes: votes)
        #expect(s.votes == 4 && s.scores == [4, 4, 2] && s.unparseable == 1 && s.mean == 10.0 / 3)
        #expect(s.accept == 2 && s.reject == 0 && s.verdictUnparseable == 1)
        #expect(s.lines == ["mean 3.3 · sd 0.94", "verdict: accept 2/3"])
        #expect(ScoreSpread(votes: [Self.vote("a", nil)]).lines == ["no score"])
        let review = TaskSpec(name: "r", kind: .review)
        #expect(review.routingLabels(votes) == ["4", "4", "2", nil])
        #expect(TaskSpec(name: "s", kind: .rate).routingLabels(votes).count == 7)
        let table = VoteTable([7: votes, 8: [Self.vote("rubric@verdict", "reject")]])
        let routed = review.routingVotes(table)
        #expect(routed.items == [7] && routed.labels(7) == ["4", "4", "2", nil])
        #expect(MachineView(label: "4", score: 0, votes: votes, annotator: "j").entropy == Uncertainty.entropy(["4", "4", "2", nil]))
    }

    @Test func machineReviewHasAPersonsShape() {
        let votes = [Self.vote("rubric", "4"), Self.vote("rubric@verdict", "reject"), Self.vote("paraphrase@verdict", "reject"),
                     Self.vote("no-system@verdict", "accept")]
        #expect(TaskKind.review.decisionValue(forLabel: "4", votes: votes) == ["rating": 4, "verdict": "reject"])
        // Verdicts without support (a tie, or more unparseable than either) give no verdict; the rating stays.
        let tied = [Self.vote("rubric@verdict", "reject"), Self.vote("paraphrase@verdict", "accept")]
        #expect(TaskKind.review.decisionValue(forLabel: "3", votes: tied) == ["rating": 3])
        #expect(TaskKind.review.decisionValue(forLabel: "3") == ["rating": 3])
        #expect(TaskKind.review.decisionValue(forLabel: "high") == nil)
        #expect(TaskKind.rate.decisionValue(forLabel: "3", votes: votes) == 3)
        // A person's review reads back as its rating for the router; the machine's the same way.
        let person: JSONValue = ["verdict": "accept", "rating": 4, "edited": "Arr, 4."]
        #expect(TaskKind.review.routingLabel(person) == "4" && TaskKind.review.routingLabel(["verdict": "reject"]) == nil)
        #expect(TaskKind.review.routingLabel(TaskKind.review.decisionValue(forLabel: "4", votes: votes)) == "4")
        #expect(ReviewDecision(person) == ReviewDecision(verdict: "accept", rating: 4, edited: "Arr, 4."))
        #expect(TaskKind.rate.routingLabel(4) == "4" && TaskKind.multilabel.routingLabel(["a", "b"]) == "a|b")
    }

    @Test func replayedVerdictVotesKeepTheirLabels() throws {
        let lines = """
            {"item": "a", "annotator": "m", "variant": "rubric", "label": "4"}
            {"item": "a", "annotator": "m", "variant": "rubric@verdict", "label": "accept"}
            {"item": "a", "annotator": "m", "variant": "paraphrase@verdict", "label": "4"}
            {"item": "a", "annotator": "m", "variant": "paraphrase", "label": "accept"}
            """
        let task = TaskSpec(name: "r", kind: .review)
        let rows = try VoteReplay.read(MemoryByteSource(Array(lines.utf8)), file: "v.jsonl", task: task)
        #expect(rows.map(\.vote.label) == ["4", "accept", nil, nil])
    }

    @Test func judgeSummaryOverATask() {
        let table = VoteTable([
            1: [Self.vote("a", "4"), Self.vote("b", "4"), Self.vote("a@verdict", "accept")],
            2: [Self.vote("a", "1"), Self.vote("b", "3"), Self.vote("a@verdict", "reject")],
            3: [Self.vote("a", nil), Self.vote("b", nil)],
        ])
        let j = JudgeSummary(annotator: "j", votes: table)
        #expect(j.items == 3 && j.votes == 6 && j.unparseable == 2 && j.split == 1)
        #expect(j.meanScore == 3 && j.meanDeviation == 0.5 && j.accept == 1 && j.verdictVotes == 2)
        #expect(j.summary == "j: 3 items · mean score 3.0 · mean sd 0.50 · 1 item split (sd ≥ 1) · 2 of 6 votes unparseable · accept 50%")
    }
}
