import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

@Suite struct TriageTests {
    /// t1, t2 to people (t1 less sure), t3 a blind audit, t4 kept by the machine.
    func routed(width: Int = 100, height: Int = 16) throws -> Harness {
        let h = try Harness(width: width, height: height, task: nil)
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
    func open(_ h: Harness, filter: TriageFilter = TriageFilter()) -> Runtime {
        var state = h.state
        state.quitting = false
        let effects = App.openTriage(&state, Harness.sentiment, filter: filter)
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
        let audit = try #require(screen.first { $0.contains("│  t3 ") })
        #expect(audit.contains("(blind)"))
        #expect(!audit.contains("positive"))
        #expect(screen.first { $0.contains("│  t1 ") }?.contains("positive") == true)
    }

    /// An answered audit shows the inclusion probability it was drawn with in a π column (its weight in the
    /// estimate is 1/π); a blind audit shows none (π rises with the machine's uncertainty), and a list where
    /// no row has one has no π column.
    @Test(arguments: [100, 120]) func anAnsweredAuditShowsItsInclusionProbability(width: Int) throws {
        let h = try routed(width: width)
        func audit(_ id: Int64, _ p: Double) -> RouteEntry {
            var e = RouteEntry(itemRowID: id, route: .audit, score: 0.5, machineLabel: "positive", annotator: "llm:x", votes: [], entropy: 0.5,
                               confidence: nil)
            e.auditProbability = p
            return e
        }
        try h.store.applyRouting([audit(3, 0.25), audit(4, 0.3)], task: "sentiment", at: Date())
        let blind = Render.screen(open(h).state).lines
        #expect(!blind.contains { $0.contains(" π") } && !blind.contains { $0.contains("0.25") || $0.contains("0.30") })
        try h.store.record(NewAnnotation(itemRowID: 3, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "negative"))
        let screen = Render.screen(open(h, filter: TriageFilter(pendingOnly: false)).state).lines
        #expect(screen.contains { $0.contains("route   π") })
        #expect(screen.first { $0.contains("│  t3 ") }?.contains("audit ✓ 0.25") == true)
        let t4 = try #require(screen.first { $0.contains("│  t4 ") })
        #expect(t4.contains("(blind)") && !t4.contains("0.30"))
        #expect(screen.allSatisfy { DisplayWidth.of($0) <= width })
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
        r.send(.key(.char("h"), at: Date()))  // uncertainty ≥ 0.5: t1 (1.10) and t2 (0.64), not the audit (0)
        guard case .triage(let sure) = r.state.screen else { Issue.record("left triage"); return }
        #expect(sure.rows.map(\.item.item.uid) == ["t1", "t2"])
        r.send(.key(.char("h"), at: Date()))  // ≥ 1.0
        guard case .triage(let unsure) = r.state.screen else { Issue.record("left triage"); return }
        #expect(unsure.rows.map(\.item.item.uid) == ["t1"])
        #expect(Render.screen(r.state).lines[0].contains("uncertainty ≥ 1.0"))
        r.send(.key(.char("h"), at: Date()))  // back to any
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
        r.send(.key(.char("y"), at: Date()))
        let d = try h.decisions(Harness.sentiment)
        #expect(d.map(\.0) == ["t1", "t2"])
        #expect(d.map(\.1) == ["positive", "neutral"])
        guard case .triage(let after) = r.state.screen else { Issue.record("left triage"); return }
        #expect(after.rows.map(\.item.item.uid) == ["t3"])
        #expect(r.state.status?.text == "Accepted the machine's label on 2 items · u undoes")
    }

    func triage(_ r: Runtime) -> TriageState? { if case .triage(let t) = r.state.screen { return t } else { return nil } }
    func press(_ r: Runtime, _ keys: String) { for k in keys { r.send(.key(.char(k), at: Date())) } }

    /// A bulk accept says how many items it takes and asks once; nothing is written before the yes;
    /// one u undoes all of it, each item back as it was (in the store and on the screen).
    @Test func bulkAcceptConfirmThenOneUndoRestoresEveryItem() throws {
        let h = try routed()
        // ana had said "negative" on t2 before.
        try h.store.record(NewAnnotation(itemRowID: 2, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "negative"))
        let r = open(h)
        press(r, "rrr")  // all routed: t1, t2, t4 (kept), t3 (audit)
        #expect(triage(r)?.rows.map(\.item.item.uid) == ["t1", "t2", "t4", "t3"])
        press(r, "kk")  // the cursor stayed on t4 through the filters: back to the top
        press(r, "  ")  // t1, t2 marked
        press(r, "A")
        #expect(triage(r)?.confirm?.count == 2)
        #expect(Render.screen(r.state).lines.contains { $0.contains("Accept 2 machine labels?") && $0.contains("y yes") })
        #expect(Render.screen(r.state).lines.last?.contains("n no") == true)
        // Other keys leave the question up and the table as it is; nothing is written yet.
        press(r, "jsq")
        #expect(triage(r)?.confirm?.count == 2)
        #expect(try h.decisions(Harness.sentiment).map { "\($0.0)=\($0.1?.string ?? "")" } == ["t2=negative"])
        press(r, "y")
        #expect(try h.decisions(Harness.sentiment).map { "\($0.0)=\($0.1?.string ?? "")" } == ["t1=positive", "t2=neutral"])
        #expect(triage(r)?.confirm == nil)
        #expect(triage(r)?.undo.count == 1)
        press(r, "u")
        #expect(try h.decisions(Harness.sentiment).map { "\($0.0)=\($0.1?.string ?? "")" } == ["t2=negative"])
        let table = try h.store.currentDecisions(task: Harness.sentiment, kind: .human)
        #expect(table.map(\.itemRowID) == [2])
        #expect(table.first?.value?.string == "negative")
        #expect(r.state.status?.text == "Undone: 2 items back as they were")
        #expect(triage(r)?.undo.isEmpty == true)
        press(r, "u")
        #expect(r.state.status?.kind == .warning)
        #expect(try h.decisions(Harness.sentiment).count == 1)
    }

    /// A with nothing marked asks about the row under the cursor; n leaves the store as it was.
    @Test func acceptWithNothingMarkedAsksAboutTheOneRow() throws {
        let h = try routed()
        let r = open(h)
        press(r, "A")
        #expect(triage(r)?.question == "Accept 1 machine label?")
        press(r, "n")
        #expect(triage(r)?.confirm == nil)
        #expect(try h.decisions(Harness.sentiment).isEmpty)
        #expect(r.state.status?.text == "Nothing accepted")
    }

    /// After a bulk accept and its undo, the cursor is on the item it was on (by id, not row number).
    @Test func cursorStaysOnItsItem() throws {
        let h = try routed()
        let r = open(h)
        press(r, " ")  // t1 marked; the cursor moves to t2
        #expect(triage(r)?.selectedRowID == 2)
        press(r, "Ay")  // t1 leaves the "to label" list
        #expect(triage(r)?.rows.map(\.item.item.uid) == ["t2", "t3"])
        #expect(triage(r)?.selectedRowID == 2)
        press(r, "u")  // t1 is back above it
        #expect(triage(r)?.rows.map(\.item.item.uid) == ["t1", "t2", "t3"])
        #expect(triage(r)?.selectedRowID == 2)
        press(r, "s")  // the sort flips, the cursor stays on t2
        #expect(triage(r)?.selectedRowID == 2)
    }

    /// The table's title says which end of the sort is on top.
    @Test func titleFollowsTheSort() throws {
        let h = try routed()
        let r = open(h)
        #expect(Render.screen(r.state).lines[1].contains("least sure items first"))
        press(r, "s")
        #expect(Render.screen(r.state).lines[1].contains("surest items first"))
        #expect(Render.screen(r.state).lines[0].contains("least uncertain first"))
    }

    /// f with nothing flagged stays on the current view and says so.
    @Test func flaggedFilterWithNothingFlaggedStays() throws {
        let h = try routed()
        let r = open(h)
        press(r, "j")
        press(r, "f")
        #expect(triage(r)?.rows.map(\.item.item.uid) == ["t1", "t2", "t3"])
        #expect(triage(r)?.filter.flaggedOnly == false)
        #expect(triage(r)?.filter.pendingOnly == true)
        #expect(triage(r)?.selectedRowID == 2)
        #expect(r.state.status?.text == "No flagged items")
        #expect(Render.screen(r.state).lines.last?.contains("No flagged items") == true)
    }

    /// The preview pane: beside the table at 120×40, below it at 80×24, none at 40×12; the hint line
    /// keeps "? help" and "q quit".
    @Test func previewPaneAtThreeSizes() throws {
        for (w, hgt) in [(120, 40), (80, 24), (40, 12)] {
            let h = try routed(width: w, height: hgt)
            let r = open(h)
            let lines = Render.screen(r.state).lines
            #expect(lines.count == hgt)
            // Every body line ends on a box's right edge: wide characters took their two columns.
            #expect(lines[1..<(hgt - 1)].allSatisfy { DisplayWidth.of($0) == w && $0.hasSuffix("│") || $0.hasSuffix("┐") || $0.hasSuffix("┘") },
                    "\(w)×\(hgt):\n\(lines.joined(separator: "\n"))")
            let title = lines.firstIndex { $0.contains("item t1") }
            let text = lines.firstIndex { $0.contains("你好, the coffee was great 😀") && !$0.contains(" t1 ") }
            switch w {
            case 120:
                // Beside: the preview's title on the table's title line, its text on a line of the table's rows.
                #expect(title == 1, "\(lines.joined(separator: "\n"))")
                #expect(lines[1].contains("least sure items first"))
                #expect(lines.contains { $0.contains(" t1 ") && $0.contains("你好, the coffee was great 😀") })
            case 80:
                // Below the table.
                let t = try #require(title, "\(lines.joined(separator: "\n"))")
                #expect(t > 5)
                #expect(text.map { $0 > t } == true)
            default:
                #expect(title == nil)
            }
            #expect(lines.last?.contains("? help") == true)
            #expect(lines.last?.contains("q quit") == true)
        }
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

