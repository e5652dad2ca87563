import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// A blind audit shows nothing machine-made on any surface: triage rows, the
/// label and uncertainty filters, the sort, search, look-back, the suggestion
/// pane, the header, the Quality screen.
@Suite struct BlindAuditTests {
    /// t1 to people ("positive", sure), t2 to people ("neutral", less sure), t3 a blind audit whose hidden
    /// label is "positive" with the most uncertain votes of all, t4 kept by the machine.
    func routed() throws -> Harness {
        let h = try Harness(width: 110, height: 20, task: nil)
        func v(_ labels: [String?]) -> [MachineVote] {
            labels.enumerated().map { MachineVote(annotator: "llm:x", variant: "v\($0.offset)", label: $0.element) }
        }
        let votes: [Int64: [MachineVote]] = [1: v(["positive", "positive", "positive"]), 2: v(["neutral", "negative", "neutral"]),
                                             3: v(["positive", "negative", "neutral", nil]), 4: v(["negative", "negative", "negative"])]
        try h.store.saveVotes(votes.sorted { $0.key < $1.key }.flatMap { id, vs in vs.map { (id, $0) } }, task: "sentiment", at: Date())
        let routes: [(Int64, Route, String)] = [(1, .human, "positive"), (2, .human, "neutral"), (3, .audit, "positive"), (4, .machine, "negative")]
        try h.store.applyRouting(routes.map { id, route, label in
            let e = Uncertainty.entropy(votes[id]!.map(\.label))
            return RouteEntry(itemRowID: id, route: route, score: e, machineLabel: label, annotator: "llm:x", votes: votes[id]!, entropy: e, confidence: nil)
        }, task: "sentiment", at: Date())
        return h
    }

    func triage(_ h: Harness, filter: TriageFilter = TriageFilter()) -> Runtime {
        var state = h.state
        state.quitting = false
        let effects = App.openTriage(&state, Harness.sentiment, filter: filter)
        let r = Runtime(state: state, store: h.store, backend: h.backend, clock: { Date() }, editor: { _ in nil })
        r.start(effects)
        return r
    }

    func rows(_ r: Runtime) -> [String] {
        guard case .triage(let t) = r.state.screen else { return [] }
        return t.rows.map(\.item.item.uid)
    }

    /// t3's entropy as the triage table would print it.
    let hiddenEntropy = String(format: "%.2f", Uncertainty.entropy(["positive", "negative", "neutral", nil]))

    @Test func triageRowsShowNoLabelVotesOrEntropy() throws {
        let h = try routed()
        let r = triage(h)
        let line = try #require(Render.screen(r.state).lines.first { $0.contains(" t3 ") })
        #expect(line.contains("(blind)"))
        #expect(!line.contains("positive"))
        #expect(!line.contains(hiddenEntropy))
        #expect(!line.contains("█"))
        guard case .triage(let t) = r.state.screen, let row = t.rows.first(where: { $0.item.item.uid == "t3" }) else {
            Issue.record("no t3 row"); return
        }
        #expect(row.machine == nil && row.route.machineLabel == nil && row.votes.isEmpty)
    }

    @Test func theLabelFilterNeverPicksOutABlindAudit() throws {
        let h = try routed()
        let r = triage(h, filter: TriageFilter(label: "positive"))
        #expect(rows(r) == ["t1"])
        #expect(!Render.screen(r.state).lines.contains { $0.contains(" t3 ") })
        let all = triage(h, filter: TriageFilter(pendingOnly: false, label: "positive"))
        #expect(rows(all) == ["t1"])
    }

    @Test func theUncertaintyFilterAndSortDoNotPlaceABlindAuditByItsScore() throws {
        let h = try routed()
        // t3's votes are the most split: sorted by its score it would come first.
        #expect(rows(triage(h)) == ["t2", "t1", "t3"])
        #expect(rows(triage(h, filter: TriageFilter(ascending: true))) == ["t1", "t2", "t3"])
        #expect(rows(triage(h, filter: TriageFilter(minScore: 1.0))).isEmpty)
        #expect(rows(triage(h, filter: TriageFilter(minScore: 0.5))) == ["t2"])
    }

    @Test func searchLookBackSuggestionAndHeaderStayBlind() throws {
        let h = try routed()
        let l = try Harness(width: 110, height: 24, store: h.store)
        // Found by search and opened: the suggestion holds nothing of the machine's.
        l.press(.char("/"))
        l.type("trains")
        l.press(.enter)
        let found = l.screen.joined(separator: "\n")
        #expect(found.contains("t3") && !found.contains(hiddenEntropy))
        l.press(.enter)
        #expect(l.label?.item?.item.uid == "t3")
        func expectBlind(_ where: String) {
            let s = l.label?.suggestion
            #expect(s?.isBlind == true, "\(`where`)")
            #expect(s?.label == nil && s?.votes == 0 && s?.distribution.isEmpty == true && s?.confidence == nil, "\(`where`)")
            #expect(l.screen.contains { $0.contains("blind audit: judge it yourself") }, "\(`where`)")
            #expect(!l.screen.contains { $0.contains("H \(hiddenEntropy)") || $0.contains("⏎ accept") }, "\(`where`)")
            #expect(!l.screen[0].contains("positive") && !l.screen[0].contains("llm"), "\(`where`)")
        }
        expectBlind("opened from search")
        // Decided (no longer pending), then looked back at: still blind on the label screen.
        l.press(.char("1"))
        #expect(l.label?.item?.item.uid != "t3")
        l.press(.char("["))
        #expect(l.label?.item?.item.uid == "t3")
        expectBlind("looking back")
    }

    @Test func theQualityScreenShowsNoItemOfTheAudit() throws {
        let h = try routed()
        var state = h.state
        state.quitting = false
        state.screen = .quality(QualityState(task: Harness.sentiment))
        let r = Runtime(state: state, store: h.store, backend: h.backend, clock: { Date() }, editor: { _ in nil })
        r.start([.loadQuality(Harness.sentiment)])
        let screen = Render.screen(r.state).lines.joined(separator: "\n")
        #expect(screen.contains("blind audits"))
        #expect(!screen.contains("t3") && !screen.contains("trains"))
    }
}

@Suite struct BlindAuditAdjudicationTests {
    /// With overlap 2, an audit one person labeled is still pending: the adjudication screen must not show the machine's answer.
    @Test func aPendingAuditShowsNoMachineAnswerWhenAdjudicating() throws {
        let twice = TaskSpec(name: "sentiment", kind: .classify, labels: ["negative", "neutral", "positive"], dataset: "t", overlap: 2)
        let h = try Harness(width: 100, height: 24, task: nil, tasks: [twice])
        let vote = MachineVote(annotator: "llm:x", variant: "a", label: "positive")
        try h.store.saveVotes([(1, vote)], task: "sentiment", at: Date())
        try h.store.applyRouting([RouteEntry(itemRowID: 1, route: .audit, score: 0, machineLabel: "positive", annotator: "llm:x",
                                             votes: [vote], entropy: 0, confidence: nil)], task: "sentiment", at: Date())
        try h.store.record(NewAnnotation(itemRowID: 1, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "negative"))
        #expect(try h.store.routes(task: twice, route: .audit)[1]?.isBlind == true)
        var state = h.state
        state.quitting = false
        state.annotator = "bob"
        let effects = App.openAdjudication(&state, twice)
        let r = Runtime(state: state, store: h.store, backend: h.backend, clock: { Date() }, editor: { _ in nil })
        r.start(effects)
        guard case .adjudicate(let a) = r.state.screen else { Issue.record("not adjudicating"); return }
        #expect(!a.items.contains { $0.answers.contains { $0.kind == .machine } })
        #expect(!Render.screen(r.state).lines.contains { $0.contains("llm:x") })
    }
}
