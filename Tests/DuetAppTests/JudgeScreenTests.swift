import DuetCore
import DuetStoreAPI
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// Rate and review tasks: the judges' scores and spread in the suggestion pane, triage and the Quality screen.
@Suite struct JudgeScreenTests {
    static let tasks = [Harness.review, Harness.sentiment]

    /// d1 (ratings 4, 4, 2, ∅; verdicts accept, reject, accept) goes to people; d2 (5 × 4, accept × 3) is kept.
    func routed() throws -> Harness {
        let h = try Harness(width: 99, height: 24, task: nil, tasks: Self.tasks)
        let ids = Dictionary(uniqueKeysWithValues: try h.store.allItems(for: Harness.review).map { ($0.item.uid, $0.rowID) })
        func v(_ ratings: [String?], _ verdicts: [String?]) -> [MachineVote] {
            zip(["rubric", "paraphrase", "reversed", "no-system"], ratings).map { MachineVote(annotator: "llm:j", variant: $0, label: $1) }
                + zip(["rubric", "paraphrase", "no-system"], verdicts).map {
                    MachineVote(annotator: "llm:j", variant: MachineVote.variant($0, facet: "verdict"), label: $1)
                }
        }
        let d1 = v(["4", "4", "2", nil], ["accept", "reject", "accept"]), d2 = v(["5", "5", "5", "5"], ["accept", "accept", "accept"])
        try h.store.saveVotes(d1.map { (ids["d1"]!, $0) } + d2.map { (ids["d2"]!, $0) }, task: "review", at: Date())
        let h1 = Uncertainty.entropy(Harness.review.routingLabels(d1))
        try h.store.applyRouting([
            RouteEntry(itemRowID: ids["d1"]!, route: .human, score: h1, machineLabel: "4", annotator: "llm:j", votes: d1, entropy: h1, confidence: nil),
            RouteEntry(itemRowID: ids["d2"]!, route: .machine, score: 0, machineLabel: "5", annotator: "llm:j", votes: d2, entropy: 0, confidence: nil),
        ], task: "review", at: Date())
        return h
    }

    @Test func suggestionPaneShowsMeanSpreadAndVerdicts() throws {
        let h = try Harness(width: 99, height: 24, task: Harness.review, store: try routed().store, tasks: Self.tasks)
        #expect(h.label?.item?.item.uid == "d1")
        let s = try #require(h.label?.suggestion)
        // The split counts the ratings only: verdicts are not scale points.
        #expect(s.votes == 4 && s.distribution.map(\.label) == ["4", "2", Uncertainty.unparseable])
        #expect(s.spread?.mean == 10.0 / 3 && s.spread?.accept == 2)
        let screen = h.screen
        #expect(screen.contains { $0.contains("4  2/4") && !$0.contains("⏎ accept") })  // Enter submits the person's own review
        #expect(screen.contains { $0.contains("│ mean 3.3 · sd 0.94") } && screen.contains { $0.contains("│ verdict: accept 2/3") })
        // −(.5 ln .5 + 2 · .25 ln .25) = 1.0397…
        #expect(screen.contains { $0.contains("H 1.04 · 4 2 · 2 1 · ∅ 1") })
    }

    @Test func triageShowsMeanScoreAndDeviation() throws {
        let h = try routed()
        var state = h.state
        state.quitting = false
        let effects = App.openTriage(&state, Harness.review)
        let r = Runtime(state: state, store: h.store, backend: h.backend, clock: { Date() }, editor: { _ in nil })
        r.start(effects)
        let screen = Render.screen(r.state).lines
        #expect(screen.contains { $0.contains("machine") && $0.contains(" H ") && $0.contains(" sd ") })
        let row = try #require(screen.first { $0.contains("│  d1 ") })
        #expect(row.contains("4 (3.3)") && row.contains("1.04") && row.contains("0.94"))
    }

    @Test func qualityScreenListsEachJudge() throws {
        let h = try routed()
        h.press(.char("v"))
        guard case .quality(let q) = h.state.screen else { Issue.record("not on the quality screen"); return }
        #expect(q.task.name == "review" && q.report?.judges?.count == 1)
        // d1: mean 10/3, sd √(8/9); d2: mean 5, sd 0. Verdicts: 5 accept of 6.
        #expect(h.screen.contains { $0.contains("Judges' scores") })
        #expect(h.screen.contains { $0.contains("llm:j: 2 items · mean score 4.2 · mean sd 0.47 · 0 items split (sd ≥ 1)") })
        #expect(h.screen.contains { $0.contains("unparseable · accept 83%") })
    }
}
