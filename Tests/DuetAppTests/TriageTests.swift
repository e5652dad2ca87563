import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

@Suite struct TriageTests {
    /// t1, t2 to people (t1 less sure), t3 a blind audit, t4 kept by the machine.
    func routed() throws -> Harness {
        let h = try Harness(width: 100, height: 16, task: nil)
        func v(_ item: Int64, _ labels: [String?]) -> [MachineVote] {
            labels.enumerated().map { MachineVote(annotator: "llm:x", variant: "v\($0.offset)", label: $0.element) }
        }
        let votes = [1: v(1, ["positive", "negative", nil]), 2: v(2, ["neutral", "neutral", "negative"]), 3: v(3, ["positive", "positive", "positive"]),
                     4: v(4, ["negative", "negative", "negative"])]
        try h.store.saveVotes(votes.sorted { $0.key < $1.key }.flatMap { id, vs in vs.map { (Int64(id), $0) } }, task: "sentiment", at: Date())
        let routes: [(Int64, Route, String)] = [(1, .human, "positive"), (2, .human, "neutral"), (3, .audit, "positive"), (4, .machine, "negative")]
        try h.store.applyRouting(routes.map { id, route, label in
            let vs = votes[Int(id)]!
            return RouteEntry(itemRowID: id, route: route, score: Uncertainty.entropy(vs.map(\.label)), machineLabel: label, annotator: "llm:x",
                              votes: vs, entropy: Uncertainty.entropy(vs.map(\.label)), confidence: nil)
        }, task: "sentiment", at: Date())
        h.runtime.send(.key(.char("q"), at: Date()))  // leave the dashboard harness state
        return h
    }

    /// A runtime on the same store with the triage table open.
    func open(_ h: Harness) -> Runtime {
        var state = h.state
        state.quitting = false
        let effects = App.openTriage(&state, Harness.sentiment)
        let runtime = Runtime(state: state, store: h.store, backend: h.backend, clock: { Date() }, editor: { _ in nil })
        runtime.start(effects)
        return runtime
    }

    @Test func listsPeoplesItemsMostUncertainFirstAndHidesAudits() throws {
        let h = try routed()
        let r = open(h)
        guard case .triage(let t) = r.state.screen else { Issue.record("no triage"); return }
        #expect(t.rows.map(\.item.item.uid) == ["t1", "t2", "t3"])
        let screen = Render.screen(r.state).lines
        #expect(screen[0].hasPrefix(" triage · sentiment · 3 rows to label · most uncertain first"))
        let audit = try #require(screen.first { $0.contains(" t3 ") })
        #expect(audit.contains("(blind)"))
        #expect(!audit.contains("positive"))
        #expect(screen.first { $0.contains(" t1 ") }?.contains("positive") == true)
    }

    @Test func filtersAndSort() throws {
        let h = try routed()
        let r = open(h)
        r.send(.key(.char("s"), at: Date()))
        guard case .triage(let asc) = r.state.screen else { Issue.record("left triage"); return }
        #expect(asc.rows.map(\.item.item.uid) == ["t2", "t1", "t3"])  // a blind audit is not placed by its score
        r.send(.key(.char("r"), at: Date()))  // audits to label
        guard case .triage(let audits) = r.state.screen else { Issue.record("left triage"); return }
        #expect(audits.rows.map(\.item.item.uid) == ["t3"])
        r.send(.key(.char("r"), at: Date()))  // machine-kept
        guard case .triage(let kept) = r.state.screen else { Issue.record("left triage"); return }
        #expect(kept.rows.map(\.item.item.uid) == ["t4"])
        r.send(.key(.char("r"), at: Date()))  // all routed
        r.send(.key(.char("l"), at: Date()))  // machine said "negative"
        guard case .triage(let negative) = r.state.screen else { Issue.record("left triage"); return }
        #expect(negative.filter.label == "negative")
        #expect(negative.rows.map(\.item.item.uid) == ["t4"])
    }

    @Test func uncertaintyAndFlaggedFilters() throws {
        let h = try routed()
        let r = open(h)
        r.send(.key(.char("u"), at: Date()))  // uncertainty ≥ 0.5: t1 (1.10) and t2 (0.64), not the audit (0)
        guard case .triage(let sure) = r.state.screen else { Issue.record("left triage"); return }
        #expect(sure.rows.map(\.item.item.uid) == ["t1", "t2"])
        r.send(.key(.char("u"), at: Date()))  // ≥ 1.0
        guard case .triage(let unsure) = r.state.screen else { Issue.record("left triage"); return }
        #expect(unsure.rows.map(\.item.item.uid) == ["t1"])
        #expect(Render.screen(r.state).lines[0].contains("uncertainty ≥ 1.0"))
        r.send(.key(.char("u"), at: Date()))  // back to any
        // A person labels t2 and flags it: the flagged filter shows it, done or not.
        try h.store.record(NewAnnotation(itemRowID: 2, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "neutral", flagged: true))
        r.send(.key(.char("f"), at: Date()))
        guard case .triage(let flagged) = r.state.screen else { Issue.record("left triage"); return }
        #expect(flagged.rows.map(\.item.item.uid) == ["t2"])
    }

    @Test func acceptMarkedRowsSkipsBlindAudits() throws {
        let h = try routed()
        let r = open(h)
        r.send(.key(.char(" "), at: Date()))
        r.send(.key(.char(" "), at: Date()))
        r.send(.key(.char(" "), at: Date()))  // t1, t2, t3 marked
        r.send(.key(.char("A"), at: Date()))
        let d = try h.decisions(Harness.sentiment)
        #expect(d.map(\.0) == ["t1", "t2"])
        #expect(d.map(\.1) == ["positive", "neutral"])
        guard case .triage(let after) = r.state.screen else { Issue.record("left triage"); return }
        #expect(after.rows.map(\.item.item.uid) == ["t3"])
        #expect(r.state.status?.text == "Accepted the machine's label on 2 items")
    }

    @Test func openingAnItemAndComingBack() throws {
        let h = try routed()
        let r = open(h)
        r.send(.key(.char("j"), at: Date()))
        r.send(.key(.enter, at: Date()))
        guard case .label(let l) = r.state.screen else { Issue.record("no label screen"); return }
        #expect(l.item?.item.uid == "t2")
        r.send(.key(.char("3"), at: Date()))
        r.send(.key(.char("q"), at: Date()))
        guard case .triage(let back) = r.state.screen else { Issue.record("q did not return to triage"); return }
        #expect(!back.rows.contains { $0.item.item.uid == "t2" })
    }
}

