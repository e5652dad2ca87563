import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// The compare screen: sides, judgments, rationale, diff, focus, rankings.
@Suite struct PairTests {
    func logEntry(_ h: Harness, _ uid: String, task: String = "prefs") throws -> Annotation? {
        let item = try #require(try h.store.item(dataset: task == "prefs" ? "p" : "r", uid: uid))
        return (try h.store.annotations(itemRowIDs: [item.rowID], task: task)[item.rowID] ?? []).last { $0.entry.task == task }
    }

    @Test func sidesAreReproduciblePerItemAndAnnotator() throws {
        let a = try Harness(task: Harness.prefs, annotator: "ana")
        let b = try Harness(task: Harness.prefs, annotator: "ana")
        #expect(a.label?.pair?.shown == b.label?.pair?.shown)
        // Over items and people both orders occur.
        var orders = Set<[Int]>()
        for person in ["ana", "bo", "cy", "di", "ed", "fa"] {
            for uid in ["p1", "p2", "p3", "p4"] {
                orders.insert(PairOrder.order(dataset: "p", uid: uid, annotator: person) == .ab ? [0, 1] : [1, 0])
            }
        }
        #expect(orders == [[0, 1], [1, 0]])
    }

    @Test func keysNameSidesAndTheStoreKeepsResponses() throws {
        let h = try Harness(task: Harness.prefs)
        for (key, expectedStrength) in [(Key.char("a"), 1), (.char("B"), 2)] {
            let shown = try #require(h.label?.pair?.shown)
            let uid = try #require(h.label?.item?.item.uid)
            h.press(key)
            let entry = try #require(try logEntry(h, uid))
            let side = key == .char("a") ? 0 : 1
            let judgment = try #require(PairJudgment(entry.entry.value))
            #expect(judgment.preferred == shown[side])
            #expect(judgment.strength == expectedStrength)
            #expect(entry.entry.display == (shown == [0, 1] ? .ab : .ba))
        }
        h.press(.char("t"))
        h.press(.char("x"))
        let d = try h.decisions(Harness.prefs)
        #expect(d.map(\.0) == ["p1", "p2", "p3", "p4"])
        #expect(PairJudgment(d[2].1)?.choice == .tie)
        #expect(PairJudgment(d[3].1)?.choice == .bothBad)
        #expect(h.label?.item == nil)
    }

    @Test func enterAcceptsTheMachinesJudgment() throws {
        let h = try Harness(task: Harness.prefs)
        h.press(.enter)
        #expect(h.state.status?.kind == .warning)  // not routed: nothing to accept
        let votes = [MachineVote(annotator: "llm:x", variant: "instruction:AB", label: "1"), MachineVote(annotator: "llm:x", variant: "instruction:BA", label: "1")]
        try h.store.saveVotes(votes.map { (Int64(9), $0) }, task: "prefs", at: Date())  // p1 is row 9 (after t1–t6, d1, d2)
        try #require(try h.store.item(rowID: 9)?.item.uid == "p1")
        try h.store.applyRouting([RouteEntry(itemRowID: 9, route: .human, score: 0, machineLabel: "1", annotator: "llm:x", votes: votes,
                                             entropy: 0, confidence: nil)], task: "prefs", at: Date())
        let again = try Harness(task: Harness.prefs, store: h.store)
        let shown = try #require(again.label?.pair?.shown)
        // The pane names the side response 1 is on.
        #expect(again.screen.contains { $0.contains("machine: \(shown[0] == 1 ? "A" : "B") better") } || again.state.width < 100)
        again.press(.enter)
        let d = try again.decisions(Harness.prefs).first { $0.0 == "p1" }
        #expect(PairJudgment(d?.1)?.preferred == 1)
    }

    @Test func rationaleGoesWithTheJudgment() throws {
        let h = try Harness(task: Harness.prefs)
        h.press(.char("r"))
        h.type("A is correct")
        h.press(.enter)
        #expect(h.label?.pair?.rationale == "A is correct")
        #expect(h.screen.contains { $0.contains("why: A is correct") })
        h.press(.char("a"))
        #expect(PairJudgment(try h.decisions(Harness.prefs).first?.1)?.rationale == "A is correct")
        #expect(h.label?.pair?.rationale == nil)
    }

    @Test func focusAndScrollPerPane() throws {
        let h = try Harness(width: 80, height: 24, task: Harness.prefs)
        h.press(.char("a"), .char("a"), .char("a"))  // on to p4, the long one
        #expect(h.label?.item?.item.uid == "p4")
        #expect(h.label?.pair?.focus == 1)
        h.press(.char("j"), .char("j"))
        #expect(h.label?.pair?.scrolls == [0, 2, 0])
        h.press(.tab)
        h.press(.char("j"))
        #expect(h.label?.pair?.scrolls == [0, 2, 1])
        h.press(.tab)  // the prompt: too short to scroll
        h.press(.char("j"))
        #expect(h.label?.pair?.scrolls == [0, 2, 1])
        h.press(.backTab, .end)
        let limit = PairLayout(h.state, h.label!).maxScroll(h.state, h.label!, pane: 2)
        #expect(limit > 0)
        #expect(h.label?.pair?.scrolls[2] == limit)
    }

    @Test func diffHighlightsOnlyChangedWords() throws {
        let h = try Harness(width: 140, height: 40, task: Harness.prefs, annotator: "ana")
        h.press(.char("d"))
        #expect(h.label?.pair?.diff == true)
        let c = Render.screen(h.state)
        let shown = try #require(h.label?.pair?.shown)
        // "2+2 is 4. 😀" vs "2+2 is 5.": in A, only the differing words are marked.
        let aText = shown[0] == 0 ? "4." : "5."
        let row = try #require((0..<c.height).first { c.row($0).contains("2+2 is \(aText)") })
        let line = c.row(row)
        let start = try #require(line.range(of: "2+2 is ")).upperBound
        let x = DisplayWidth.of(String(line[..<start]))
        #expect(c[x, row].style.attributes.contains(.reverse))
        #expect(!c[x - 2, row].style.attributes.contains(.reverse))
        // The highlight stays on for the next pair, until d again.
        h.press(.char("a"))
        #expect(h.label?.pair?.diff == true)
        h.press(.char("d"))
        #expect(h.label?.pair?.diff == false)
    }

    /// Diff mode shows that it is on: each response pane's title says "diff on" (at 80 and 120 columns), and only then.
    @Test func diffModeShowsInThePaneTitles() throws {
        for (w, hgt) in [(120, 40), (80, 24)] {
            let h = try Harness(width: w, height: hgt, task: Harness.prefs, annotator: "ana")
            #expect(!h.screen.contains { $0.contains("diff on") })
            h.press(.char("d"))
            let on = h.screen
            #expect(on.filter { $0.contains("diff on") }.count >= 1, "\(w)×\(hgt):\n\(on.joined(separator: "\n"))")
            #expect(on.contains { $0.contains("A · ") && $0.contains("diff on") })
            h.press(.char("d"))
            #expect(!h.screen.contains { $0.contains("diff on") })
        }
    }

    @Test func rankingRanksEveryCandidate() throws {
        let h = try Harness(task: Harness.ranks)
        let shown = try #require(h.label?.pair?.shown)
        #expect(shown.sorted() == [0, 1, 2])
        h.press(.char("2"))  // focus moves on to the next unranked candidate
        #expect(h.label?.pair?.focus == 2)
        h.press(.enter)
        #expect(h.state.status?.kind == .warning)
        h.press(.char("1"), .char("2"))  // a tie for second
        #expect(h.label?.pair?.ranks == [2, 1, 2])
        h.press(.enter)
        let entry = try #require(try logEntry(h, "r1", task: "ranks"))
        var expected = [0, 0, 0]
        for (position, index) in shown.enumerated() { expected[index] = [2, 1, 2][position] }
        #expect(Ranking(entry.entry.value)?.ranks == expected)
    }
}

@Suite struct PairDashboardTests {
    @Test func dashboardShowsPositionBiasTiesAndSourceAgreement() throws {
        let h = try Harness(width: 120, height: 30, task: nil)
        h.press(.char("j"), .char("j"), .char("j"), .char("j"), .enter)
        #expect(h.label?.task.name == "prefs")
        // Always the left side on p1–p3 (position bias 100%), a tie on p4.
        h.press(.char("a"), .char("a"), .char("a"), .char("t"), .char("q"))
        h.press(.char("j"), .char("j"), .char("j"), .char("j"))
        // The source preferred response 0 everywhere: agreement = the items where 0 was on the left.
        let agreeing = ["p1", "p2", "p3"].filter { PairOrder.order(dataset: "p", uid: $0, annotator: "ana") == .ab }.count
        let pct = Int((Double(agreeing) / 3 * 100).rounded())
        #expect(h.screen.contains { $0.contains("preferred shown left 100%, tie 25%, both bad 0%, agrees with source \(pct)%") })
    }
}
