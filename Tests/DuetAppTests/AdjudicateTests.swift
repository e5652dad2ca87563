import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

@Suite struct AdjudicateTests {
    /// t1: ana neg, bob pos, the machine pos; t2: ana and bob agree; t3: ana pos vs the machine neutral.
    func disputed(width: Int = 100, height: Int = 24) throws -> (Harness, Runtime) {
        let h = try Harness(width: width, height: height, task: nil)
        func put(_ n: Int64, _ who: String, _ v: JSONValue, _ kind: AnnotatorKind = .human) throws {
            try h.store.record(NewAnnotation(itemRowID: n, task: "sentiment", annotatorKind: kind, annotator: who, value: v,
                                             createdAt: Date(timeIntervalSince1970: 1_800_000_000), seconds: kind == .human ? 12 : nil))
        }
        try put(1, "ana", "negative"); try put(1, "bob", "positive"); try put(1, "llm:x", "positive", .machine)
        try put(2, "ana", "neutral"); try put(2, "bob", "neutral")
        try put(3, "ana", "positive"); try put(3, "llm:x", "neutral", .machine)
        return (h, h.adjudication(as: "cleo"))
    }

    func adjudicating(_ r: Runtime) throws -> AdjudicateState {
        struct NotAdjudicating: Error {}
        guard case .adjudicate(let a) = r.state.screen else { throw NotAdjudicating() }
        return a
    }

    func final(_ h: Harness, _ uid: String) throws -> JSONValue? {
        let item = try #require(try h.store.item(dataset: "t", uid: uid))
        let log = try h.store.annotations(itemRowIDs: [item.rowID], task: "sentiment")[item.rowID] ?? []
        return Decisions.final(log, task: "sentiment")?.entry.value
    }

    @Test func showsWhoSaidWhatAndTakesTheHighlightedAnswer() throws {
        let (h, r) = try disputed()
        let a = try adjudicating(r)
        #expect(a.items.map(\.itemRowID) == [1, 3])
        let screen = Render.screen(r.state).lines
        #expect(screen[0].contains("adjudicate · sentiment · item 1 of 2 disputed · 0 settled"))
        #expect(screen.contains { $0.contains("你好, the coffee was great 😀") })
        #expect(screen.contains { $0.contains("2 × positive · 1 × negative") })
        let bob = try #require(screen.first { $0.contains("bob") })
        #expect(bob.contains("person") && bob.contains("positive") && bob.contains("12 s"))
        #expect(screen.contains { $0.contains("llm:x") && $0.contains("machine") })
        // The most common answer is highlighted first: bob's positive.
        #expect(a.answersSelected == "bob")
        r.send(.key(.enter, at: Date()))
        #expect(try final(h, "t1") == "positive")
        let after = try adjudicating(r)
        #expect(after.index == 1 && after.settledCount == 1)  // on to t3
        #expect(Render.screen(r.state).lines.last?.contains("Settled: positive is final") == true)
        // Undo reopens t1 and shows it again; the final decision falls back to the latest person's.
        r.send(.key(.char("u"), at: Date()))
        let undone = try adjudicating(r)
        #expect(undone.index == 0 && undone.items[0].settled == nil)
        #expect(try final(h, "t1") != nil)
        #expect(try h.store.currentDecisions(task: Harness.sentiment).filter { Adjudication.isAdjudicator($0.annotator) }.isEmpty)
    }

    @Test func numberKeysGiveALabelNobodyGave() throws {
        let (h, r) = try disputed()
        r.send(.key(.char("2"), at: Date()))  // neutral
        #expect(try final(h, "t1") == "neutral")
        let d = try #require(try h.store.currentDecisions(task: Harness.sentiment).first { $0.annotator == "adjudicator:cleo" })
        #expect(d.itemRowID == 1 && d.annotatorKind == .human)
        // Settling the last one says so.
        r.send(.key(.char("j"), at: Date()))
        r.send(.key(.enter, at: Date()))
        #expect(try final(h, "t3") != nil)
        #expect(try adjudicating(r).settledCount == 2)
        #expect(Render.screen(r.state).lines.last?.contains("All 2 disputed items are settled") == true)
    }

    @Test func peopleOnlyLeavesMachineDisputesOutAndNavigationWraps() throws {
        let (_, r) = try disputed()
        r.send(.key(.char("m"), at: Date()))
        #expect(try adjudicating(r).items.map(\.itemRowID) == [1])
        r.send(.key(.char("m"), at: Date()))
        r.send(.key(.char("n"), at: Date()))
        #expect(try adjudicating(r).index == 1)
        r.send(.key(.char("n"), at: Date()))
        #expect(try adjudicating(r).index == 0)
        r.send(.key(.char("p"), at: Date()))
        #expect(try adjudicating(r).index == 1)
    }

    @Test func rendersAtSmallSizesAndWithNothingToSettle() throws {
        let (_, r) = try disputed(width: 40, height: 12)
        let lines = Render.screen(r.state).lines
        #expect(lines.count == 12)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 40 })
        #expect(lines.contains { $0.contains("who said what") })

        let h = try Harness(width: 80, height: 24, task: nil)
        var state = h.state
        state.startedOnDashboard = false
        let effects = App.openAdjudication(&state, Harness.sentiment)
        let empty = Runtime(state: state, store: h.store, backend: h.backend, clock: { Date() }, editor: { _ in nil })
        empty.start(effects)
        #expect(Render.screen(empty.state).lines.contains { $0.contains("No disagreements in this task") })
    }
}

extension AdjudicateState {
    var answersSelected: String? { current.flatMap { $0.answers.indices.contains(selected) ? $0.answers[selected].annotator : nil } }
}

/// With overlap, progress after a decision includes what other people labeled.
@Suite struct OverlapProgressTests {
    static let twice = TaskSpec(name: "twice", kind: .classify, labels: ["negative", "neutral", "positive"], dataset: "t", overlap: 2)

    @Test func progressFollowsWhoElseLabeledTheItem() throws {
        let ana = try Harness(task: Self.twice, annotator: "ana", tasks: [Self.twice])
        ana.press(.char("1"), .char("2"))
        #expect(ana.label?.progress.human == 2 && ana.label?.progress.complete == 0 && ana.label?.progress.remaining == 4)
        ana.press(.char("q"))
        // Bob labels the same two items (and a third): the first two become complete, no new item is labeled.
        let bob = try Harness(task: Self.twice, annotator: "bob", store: ana.store, tasks: [Self.twice])
        #expect(bob.label?.item?.item.uid == "t1")
        bob.press(.char("1"), .char("3"), .char("3"))
        let p = try #require(bob.label?.progress)
        #expect(p.human == 3 && p.complete == 2 && p.remaining == 3)
        // What the screen shows equals the store's own count.
        let stored = try ana.store.taskProgress(Self.twice)
        #expect((stored.human, stored.complete, stored.remaining) == (p.human, p.complete, p.remaining))
    }
}
