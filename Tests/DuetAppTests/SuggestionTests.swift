import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// A routed task: the suggestion pane, Enter to accept, blind audits.
@Suite struct SuggestionTests {
    /// Routes t1 to people (split votes) and t2 as an audit; the rest stays unrouted.
    func routed() throws -> Harness {
        let h = try Harness(width: 99, height: 24)
        let votes: [(Int64, MachineVote)] = [
            (1, MachineVote(annotator: "llm:x", variant: "a", label: "positive", confidence: 0.9)),
            (1, MachineVote(annotator: "llm:x", variant: "b", label: "positive", confidence: 0.7)),
            (1, MachineVote(annotator: "llm:x", variant: "c", label: "negative", confidence: 0.5)),
            (1, MachineVote(annotator: "llm:x", variant: "d", label: nil)),
            (2, MachineVote(annotator: "llm:x", variant: "a", label: "neutral")),
        ]
        try h.store.saveVotes(votes.map { ($0.0, $0.1) }, task: "sentiment", at: Date())
        let v1 = votes.filter { $0.0 == 1 }.map(\.1)
        try h.store.applyRouting([
            RouteEntry(itemRowID: 1, route: .human, score: 1.04, machineLabel: "positive", annotator: "llm:x", votes: v1,
                       entropy: Uncertainty.entropy(v1.map(\.label)), confidence: 0.7),
            RouteEntry(itemRowID: 2, route: .audit, score: 0, machineLabel: "neutral", annotator: "llm:x", votes: [votes[4].1],
                       entropy: 0, confidence: nil),
        ], task: "sentiment", at: Date())
        // Reopen the task so the first item is loaded with its suggestion.
        return try Harness(width: 99, height: 24, store: h.store)
    }

    @Test func paneShowsLabelVotesAndEntropy() throws {
        let h = try routed()
        #expect(h.label?.item?.item.uid == "t1")
        let s = try #require(h.label?.suggestion)
        #expect(s.label == "positive")
        #expect(s.votes == 4)
        #expect(s.distribution.map(\.label) == ["positive", "negative", Uncertainty.unparseable])
        let screen = h.screen
        // −(.5 ln .5 + 2 · .25 ln .25) = 1.0397…
        #expect(screen.contains { $0.contains("positive  2/4  ⏎ accept") })
        // What does not fit says so with "…" below 100 columns (from 100 the side panel has it all).
        #expect(screen.contains { $0.contains("H 1.04 · positive 2 · negativ…│") }, "\(screen.joined(separator: "\n"))")
    }

    @Test func enterAcceptsTheSuggestion() throws {
        let h = try routed()
        h.press(.enter)
        #expect(try h.decisions(Harness.sentiment).first { $0.0 == "t1" }?.1 == "positive")
        #expect(h.state.status?.text == "saved t1 → positive (the machine's answer)")
    }

    @Test func auditsAreBlind() throws {
        let h = try routed()
        h.press(.char("3"))
        #expect(h.label?.item?.item.uid == "t2")
        #expect(h.label?.suggestion?.isBlind == true)
        #expect(h.screen.contains { $0.contains("blind audit: judge it yourself") })
        #expect(!h.screen.contains { $0.contains("neutral 1") })
        // Enter does not accept a blind audit's hidden label.
        h.press(.enter)
        #expect(try h.decisions(Harness.sentiment).first { $0.0 == "t2" } == nil)
        #expect(h.state.status?.kind == .warning)
    }
}
