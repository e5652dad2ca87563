import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// What the screens show of multilabel votes (per label) and of rankings (the consensus order and its spread).
@Suite struct VotesSpreadScreenTests {
    /// t1 of the multilabel task "topics" routed to people: food yes 2/2, travel split 1/1, tech no 2/2.
    func multilabel(width: Int, task: TaskSpec? = Harness.topics) throws -> Harness {
        let h = try Harness(width: width, height: 30, task: nil)
        let answers: [(String, String, String)] = [("q", "food", "yes"), ("p", "food", "yes"), ("q", "travel", "yes"), ("p", "travel", "no"),
                                                   ("q", "tech", "no"), ("p", "tech", "no")]
        let votes = answers.map { MachineVote(annotator: "llm:x", variant: MachineVote.variant($0.0, facet: $0.1), label: $0.2) }
        try h.store.saveVotes(votes.map { (1, $0) }, task: "topics", at: Date())
        let judged = KindScorer.multilabel(labels: Harness.topics.labels).judge(votes)
        try h.store.applyRouting([RouteEntry(itemRowID: 1, route: .human, score: judged.score, machineLabel: judged.label, annotator: "llm:x",
                                             votes: votes, entropy: judged.spread, confidence: nil)], task: "topics", at: Date())
        return try Harness(width: width, height: 30, task: task, store: h.store)
    }

    @Test func suggestionPaneShowsEachLabelsVotes() throws {
        let h = try multilabel(width: 200)
        let s = try #require(h.label?.suggestion)
        #expect(s.label == "food")
        #expect(s.perLabel.map(\.label) == ["food", "travel", "tech"])
        #expect(s.perLabel.map(\.applies) == [true, nil, false])
        // Votes agreeing with the set {food}: food's yes, travel's no, tech's two no.
        #expect(s.agreeing == 5 && s.votes == 6)
        #expect(abs(s.entropy - log(2)) < 1e-12)
        // From 100 columns in the side panel; Enter takes the toggled set, not the machine's.
        let screen = h.screen
        #expect(screen.contains { $0.contains("food · 5/6 agree") } && !screen.contains { $0.contains("⏎ accept") })
        #expect(screen.contains { $0.contains("H 0.69") } && screen.contains { $0.contains("food ✓2/2 · travel ?1/2 · tech ✗0/2") })
        // Below, in the suggestion pane.
        let narrow = try multilabel(width: 99).screen
        #expect(narrow.contains { $0.contains("food  5/6") && !$0.contains("⏎ accept") })
        #expect(narrow.contains { $0.contains("H 0.69 · food ✓2/2") })
    }

    @Test func triageShowsTheSetAndTheLeastSureLabel() throws {
        let h = try multilabel(width: 100, task: nil)
        var state = h.state
        let effects = App.openTriage(&state, Harness.topics)
        let r = Runtime(state: state, store: h.store, backend: h.backend, clock: { Date() }, editor: { _ in nil })
        r.start(effects)
        let row = try #require(Render.screen(r.state).lines.first { $0.contains("│  t1 ") })
        #expect(row.contains("food") && row.contains("0.69"))
        // The bar counts the 5 agreeing votes of 6 as the machine's (█), the split one as another answer (▒).
        #expect(row.contains("██████████▒▒"))
    }

    @Test func qualityScreenListsEachLabelsSpread() throws {
        let h = try multilabel(width: 100, task: nil)
        h.press(.char("j"), .char("v"))
        let screen = h.screen.joined(separator: "\n")
        #expect(screen.contains("quality · topics · multilabel"))
        #expect(screen.contains("Machine votes"))
        #expect(screen.contains("food: yes on 1 of 1 items, unsure on 0 · mean H 0.00"))
        #expect(screen.contains("travel: yes on 0 of 1 items, unsure on 1 · mean H 0.69"))
    }

    @Test func rankingSuggestionIsTheConsensusInTheOrderShown() throws {
        let h = try Harness(width: 120, height: 30, task: nil)
        let r1 = try #require(try h.store.item(dataset: "r", uid: "r1")).rowID
        let votes = ["2>0>1", "2>0>1", "0>2>1"].enumerated().map { MachineVote(annotator: "llm:x", variant: "o\($0.offset)", label: $0.element) }
        try h.store.saveVotes(votes.map { (r1, $0) }, task: "ranks", at: Date())
        let judged = KindScorer.ranking.judge(votes)
        #expect(judged.label == "2>0>1")
        try h.store.applyRouting([RouteEntry(itemRowID: r1, route: .human, score: judged.score, machineLabel: judged.label, annotator: "llm:x",
                                             votes: votes, entropy: judged.spread, confidence: nil)], task: "ranks", at: Date())
        let g = try Harness(width: 120, height: 30, task: Harness.ranks, store: h.store)
        let p = try #require(g.label?.pair)
        // Stored 2, then 0, then 1, named by the positions they are shown in.
        let positions = [2, 0, 1].map { String(p.shown.firstIndex(of: $0)! + 1) }.joined(separator: " > ")
        // τ: 1, 1/3, 1/3 → spread 1 − 5/9.
        // In the side panel (at 120 columns the judge row is beside it): the consensus, its spread, and each order's votes.
        let panel = g.screen.map { String($0.suffix(40)) }.joined(separator: "\n")
        #expect(panel.contains("\(positions) · 2/3 agree") && panel.contains("1−τ 0.44"), "\(panel)")
        #expect(panel.contains("\(positions) ×2"))
        let narrow = try Harness(width: 100 - 1, height: 30, task: Harness.ranks, store: h.store)
        #expect(!narrow.screen.contains { $0.contains("┌ context") })
        #expect(g.label?.suggestion?.agreeing == 2)
    }
}
