import DuetCore
import DuetStoreAPI
import DuetStore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// The label and pair screens' side panel (≥ 100 columns), the confirmation of each saved decision,
/// and the summary said on quitting.
@Suite struct SidePanelTests {
    /// Votes from several annotators on item `rowID`, routed to people on the first one's votes.
    static func route(_ store: SQLiteStore, task: String, rowID: Int64, machine: String, votes: [(String, String?)]) throws {
        let all = votes.enumerated().map { MachineVote(annotator: $0.element.0, variant: "v\($0.offset)", label: $0.element.1) }
        try store.saveVotes(all.map { (rowID, $0) }, task: task, at: Date())
        try store.applyRouting([RouteEntry(itemRowID: rowID, route: .human, score: 1, machineLabel: machine, annotator: all[0].annotator,
                                           votes: all.filter { $0.annotator == all[0].annotator },
                                           entropy: Uncertainty.entropy(all.map(\.label)), confidence: 0.6)], task: task, at: Date())
    }

    static let classifyVotes: [(String, String?)] = [
        ("llm:gpt-4o-mini", "positive"), ("llm:gpt-4o-mini", "positive"), ("llm:gpt-4o-mini", "negative"), ("llm:gpt-4o-mini", nil),
        ("local:tfidf", "neutral"), ("llm:模型-大", "positive"), ("llm:模型-大", "negative"),
    ]

    /// The first item (t1, 你好 … 😀) with votes from three annotators.
    func routedSentiment(width: Int, height: Int) throws -> Harness {
        let h = try Harness(width: width, height: height)
        try Self.route(h.store, task: "sentiment", rowID: 1, machine: "positive", votes: Self.classifyVotes)
        return try Harness(width: width, height: height, store: h.store)
    }

    /// Rows every cell of which is filled: wide characters take two columns, so borders line up.
    func expectAligned(_ h: Harness, sourceLocation: SourceLocation = #_sourceLocation) {
        let c = Render.screen(h.state)
        for y in 0..<c.height { #expect(DisplayWidth.of(c.row(y)) == c.width, "row \(y): \(c.row(y))", sourceLocation: sourceLocation) }
    }

    @Test func at120x40ThePanelShowsEveryAnnotatorsVotes() throws {
        let h = try routedSentiment(width: 120, height: 40)
        #expect(h.label?.item?.item.uid == "t1")
        let screen = h.screen
        // The item keeps its CJK line beside the panel, and the panel's border stands in the last column.
        #expect(screen.contains { $0.contains("你好, the coffee was great 😀") && $0.hasSuffix("│") && $0.contains("┌ context") == false })
        let panel = screen.map { String($0.suffix(40)) }
        #expect(panel[1].hasPrefix("┌ context"))
        let text = panel.joined(separator: "\n")
        for expected in ["positive · 2/4 agree", "from llm:gpt-4o-mini", "H 1.04",
                         "llm:gpt-4o-mini (4)", "  positive ×2 · negative ×1", "  unparseable ×1",  // wrapped, not cut
                         "llm:模型-大 (2)", "negative ×1 · positive ×1",
                         "local:tfidf (1)", "neutral ×1",
                         "done 0 · left 6", "dataset t"] {
            #expect(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        // The choices row has no room kept for a suggestion pane that is not there: one line of labels, two of border.
        let top = try #require(screen.firstIndex { $0.hasPrefix("┌ label ") })
        #expect(screen[top + 2].hasPrefix("└"))
        expectAligned(h)
    }

    @Test func at80x24And40x12ThereIsNoPanel() throws {
        for (w, ht) in [(80, 24), (40, 12)] {
            let h = try routedSentiment(width: w, height: ht)
            #expect(!h.screen.contains { $0.contains("context") || $0.contains("llm:gpt-4o-mini") }, "\(w)×\(ht)")
            expectAligned(h)
        }
    }

    @Test func thePairScreenSaysTheVotesInTheSidesShown() throws {
        let h = try Harness(width: 120, height: 40, task: Harness.prefs)
        try Self.route(h.store, task: "prefs", rowID: 9, machine: "0",
                       votes: [("llm:a", "0"), ("llm:a", "0"), ("llm:a", "tie"), ("llm:评审", "1"), ("llm:评审", nil)])
        let g = try Harness(width: 120, height: 40, task: Harness.prefs, store: h.store)
        let p = try #require(g.label?.pair)
        #expect(g.label?.item?.item.uid == "p1")
        let a = PairState.sideName(p.shown.firstIndex(of: 0)!, count: 2), b = PairState.sideName(p.shown.firstIndex(of: 1)!, count: 2)
        let text = g.screen.map { String($0.suffix(40)) }.joined(separator: "\n")
        for expected in ["\(a) better · 2/3 agree", "llm:a (3)", "\(a) better ×2 · tie ×1", "llm:评审 (2)", "\(b) better ×1 ·"] {
            #expect(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        // The prompt (你好) and both responses still show beside it.
        #expect(g.screen.contains { $0.contains("你好! What is 2+2?") })
        #expect(g.screen.contains { $0.contains("2+2 is 4. 😀") } && g.screen.contains { $0.contains("2+2 is 5.") })
        expectAligned(g)
        for (w, ht) in [(80, 24), (40, 12)] {
            let small = try Harness(width: w, height: ht, task: Harness.prefs, store: h.store)
            #expect(!small.screen.contains { $0.contains("┌ context") }, "\(w)×\(ht)")
            expectAligned(small)
        }
    }

    /// Metadata, ids and annotator names are data: drawn through the canvas (controls and bidi made
    /// visible), cut to the panel, wide characters on two cells.
    @Test func untrustedTextInThePanelIsMadeSafe() throws {
        let task = TaskSpec(name: "m", kind: .classify, labels: ["a", "b"], dataset: "z")
        let item = Item(uid: "z\u{1B}[2J1", dataset: "z", kind: .text, fields: .text("日本語のテキスト"),
                        metadata: ["osc": .string("\u{1B}]52;c;QUFB\u{07}copied"), "名前": .string("値\u{202E}live\u{202C} " + String(repeating: "長", count: 40))],
                        sourceLine: 12)
        let store = try ScreenTextTests.store([task], dataset: "z", [item])
        try Self.route(store, task: "m", rowID: 1, machine: "a", votes: [("llm:\u{1B}[31mred", "a"), ("llm:\u{202E}x", "b")])
        let h = try Harness(width: 120, height: 40, task: task, store: store, tasks: [task])
        let c = Render.screen(h.state)
        #expect(!c.cells.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E } })
        let text = h.screen.joined(separator: "\n")
        #expect(text.contains("dataset z · z.jsonl:12"), "\(text)")
        #expect(text.contains("osc: ␛]52;c;QUFB"))
        #expect(text.contains("名前: 値"))
        expectAligned(h)
    }

    @Test func below100ColumnsTheHeaderSaysThePace() throws {
        let h = try Harness(width: 80, height: 24)
        func right() -> String { h.screen[0].trimmingCharacters(in: .whitespaces) }
        #expect(right().hasSuffix(" ana") && !right().contains("/item"))
        h.press(.char("1"), seconds: 4)
        h.press(.char("3"), seconds: 6)
        #expect(right().hasSuffix("  5.0s/item · 20s left · ana"), "\(h.screen[0])")
        #expect(!h.screen.contains { $0.contains("┌ context") })
    }

    @Test func guidelinesOpenBesideTheItem() throws {
        let h = try Harness(width: 120, height: 40)
        h.press(.char("g"))
        let row = try #require(h.screen.firstIndex { $0.contains("Label the overall feeling.") })
        let line = h.screen[row]
        // In the panel's columns (the right 40), and the item is still there to read.
        #expect(DisplayWidth.of(String(line.prefix(while: { $0 != "L" }))) >= 80)
        #expect(h.screen.contains { $0.contains("你好, the coffee was great 😀") })
    }

    @Test func recentDecisionsAndPace() throws {
        let h = try Harness(width: 120, height: 40)
        h.press(.char("1"), seconds: 4)
        h.press(.char("3"), seconds: 6)
        h.press(.char(" "), seconds: 1)
        let text = h.screen.map { String($0.suffix(40)) }.joined(separator: "\n")
        for expected in ["t3 → skipped", "t2 → positive", "t1 → negative", "done 2 · left 4", "pace 5.0s per item · 20s left"] {
            #expect(text.contains(expected), "missing \(expected) in\n\(text)")
        }
    }
}

/// "saved t1 → positive" appears once the store acknowledged the write, never before.
@Suite struct SavedConfirmationTests {
    @Test func confirmationOnlyAfterTheStoresAcknowledgement() throws {
        let h = try Harness()
        var state = h.state
        let at = Date(timeIntervalSince1970: 1_800_000_010)
        let effects = App.update(&state, .key(.char("3"), at: at))
        guard case .record(let entry, _)? = effects.first else { Issue.record("no record effect: \(effects)"); return }
        // Asked for, not saved: nothing says so yet, and nothing is counted.
        #expect(state.status == nil)
        #expect(state.session.decisions.isEmpty)
        // The store failed: still nothing said to be saved.
        var failed = state
        _ = App.update(&failed, .storeFailed(effects[0], .readOnly))
        #expect(failed.status?.text.contains("saved t1") != true && failed.session.decisions.isEmpty)
        // The store acknowledged it.
        _ = App.update(&state, .recorded(entry))
        #expect(state.status?.text == "saved t1 → positive")
        #expect(state.session.saved(task: "sentiment") == 1)
    }

    @Test func theConfirmationStaysUntilTheNextKey() throws {
        let h = try Harness()
        h.press(.char("1"))
        #expect(h.screen.last?.contains("saved t1 → negative") == true)
        h.press(.char("j"))
        #expect(h.screen.last?.contains("saved t1") == false)
        #expect(h.screen.last?.contains("? help") == true)
    }

    @Test func acceptingTheMachinesLabelSaysSoAfterTheAck() throws {
        let h = try Harness(width: 100, height: 24)
        try SidePanelTests.route(h.store, task: "sentiment", rowID: 1, machine: "positive", votes: SidePanelTests.classifyVotes)
        let g = try Harness(width: 100, height: 24, store: h.store)
        g.press(.enter)
        #expect(g.state.status?.text == "saved t1 → positive (the machine's answer)")
    }
}

/// The line printed after the terminal is restored.
@Suite struct SessionSummaryTests {
    @Test func summaryCountsConfirmedDecisionsAndUndo() throws {
        let h = try Harness()
        #expect(h.state.sessionSummary == nil)
        h.press(.char("1"), .char("2"), .char(" "), .char("3"))
        #expect(h.state.sessionSummary == SessionSummary(saved: 3, skipped: 1, left: 3, task: "sentiment"))
        h.press(.char("u"))
        #expect(h.state.sessionSummary == SessionSummary(saved: 2, skipped: 1, left: 4, task: "sentiment"))
        #expect(h.state.sessionSummary?.text(next: "duet export --task sentiment")
                == "saved 2 · skipped 1 · 4 left in sentiment · next: duet export --task sentiment")
    }

    @Test func summaryText() {
        #expect(SessionSummary(saved: 23, skipped: 0, left: 37, task: "tweets").text(next: "duet export …")
                == "saved 23 · 37 left in tweets · next: duet export …")
        #expect(SessionSummary(saved: 5, skipped: 0, left: 0, task: "tweets").text(next: nil) == "saved 5 · tweets done")
    }
}
