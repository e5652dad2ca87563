import DuetCore
@testable import DuetStore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// Honeypots on the label screen (blind, counted once, stopping a person), the dashboard's warning, and the
/// Quality screen's People section at 80×24 and 120×40 with names of wide characters and escapes.
@Suite struct PeopleQualityScreenTests {
    /// One item in two is a gold check.
    static let checked = TaskSpec(name: "sentiment", kind: .classify, labels: ["negative", "neutral", "positive"], dataset: "t", honeypotRate: 0.5)

    /// t1–t4 with gold "positive", t5–t8 without; bob labeled the gold items already; every item routed to people
    /// with the machine's "negative".
    func store() throws -> SQLiteStore {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks([Self.checked])
        _ = try store.importBatch(dryRun: false) { w in
            try w.beginFile(path: "/data/t.jsonl", format: "jsonl", dataset: "t")
            for n in 1...8 {
                try w.add(ImportedRecord(item: Item(uid: "t\(n)", dataset: "t", kind: .text, fields: .text("text \(n)"),
                                                    gold: n <= 4 ? "positive" : nil)))
            }
        }
        try store.applyRouting((1...8).map { id in
            RouteEntry(itemRowID: Int64(id), route: .human, score: Double(id) / 10, machineLabel: "negative", annotator: "m",
                       votes: [MachineVote(annotator: "m", variant: "v1", label: "negative")], entropy: 0.5, confidence: 0.9)
        }, task: "sentiment", at: Date())
        for id in 1...4 {
            try store.record(NewAnnotation(itemRowID: Int64(id), task: "sentiment", annotatorKind: .human, annotator: "bob",
                                           value: "positive", createdAt: Date(timeIntervalSince1970: 1_700_000_000)))
        }
        return store
    }

    @Test func aHoneypotIsServedBlindAndCountedOnceByTheStore() throws {
        let store = try store()
        let h = try Harness(width: 120, height: 40, task: Self.checked, store: store, tasks: [Self.checked])
        var honeypots = 0
        for _ in 0..<4 {
            let l = try #require(h.label)
            let item = try #require(l.item)
            if item.honeypot {
                honeypots += 1
                // Blind: nothing of the machine's on the screen; it looks as a blind audit does.
                #expect(l.suggestion?.isBlind == true && l.suggestion?.label == nil && l.suggestion?.byAnnotator.isEmpty == true)
                #expect(h.screen.joined().contains("blind audit: judge it yourself"))
                #expect(!h.screen.joined().contains("negative ·"), "\(h.screen.joined(separator: "\n"))")
            } else {
                #expect(l.suggestion?.label == "negative")
            }
            h.press(.char("3"))
            // The screen's count is the store's: a honeypot on an item bob labeled adds no item.
            #expect(h.label?.progress.human == (try store.taskProgress(Self.checked).human), "after \(item.item.uid)")
        }
        #expect(honeypots == 2)
        #expect(try store.taskProgress(Self.checked).human == 6)
    }

    /// Undo brings the item undone back on the screen: a honeypot comes back as it was served, blind (nothing
    /// of the machine's, though the item is routed to people with a suggestion), and its second answer is counted
    /// as the store counts it (bob labeled it: alice's answers add no item, before or after the undo).
    @Test func anUndoneHoneypotComesBackBlindAndIsCountedOnce() throws {
        let store = try store()
        let h = try Harness(width: 120, height: 40, task: Self.checked, store: store, tasks: [Self.checked])
        var gold: Int64?
        for _ in 0..<4 where gold == nil {
            let item = try #require(h.label?.item)
            if item.honeypot { gold = item.rowID } else { h.press(.char("3")) }
        }
        let g = try #require(gold)
        let before = try store.taskProgress(Self.checked).human
        h.press(.char("3"))
        #expect(try store.taskProgress(Self.checked).human == before)
        h.press(.char("u"))
        let l = try #require(h.label)
        #expect(l.item?.rowID == g && l.item?.honeypot == true)
        #expect(l.suggestion?.isBlind == true && l.suggestion?.label == nil && l.suggestion?.byAnnotator.isEmpty == true)
        #expect(h.screen.joined().contains("blind audit: judge it yourself"))
        #expect(!h.screen.joined().contains("negative ·"), "\(h.screen.joined(separator: "\n"))")
        #expect(l.progress.human == (try store.taskProgress(Self.checked).human))
        h.press(.char("3"))
        #expect(try store.taskProgress(Self.checked).human == before)
        #expect(h.label?.progress.human == before)
        #expect(h.label?.item?.rowID != g)
    }

    @Test func aPersonBelowTheMinimumIsStoppedWithTheReasonInWords() throws {
        let store = try store()
        // ana got three gold items wrong: 0 of 3, the interval's top 0.56 is under 0.9.
        for id in 1...3 {
            try store.record(NewAnnotation(itemRowID: Int64(id), task: "sentiment", annotatorKind: .human, annotator: "ana",
                                           value: "negative", createdAt: Date(timeIntervalSince1970: 1_700_000_100)))
        }
        let settings = QualitySettings(minPersonAccuracy: 0.9, stopBelow: true)
        let h = try Harness(width: 80, height: 24, task: Self.checked, store: store, tasks: [Self.checked], quality: settings)
        #expect(h.label?.item == nil)
        let screen = h.screen.joined(separator: "\n")
        #expect(screen.contains("No new items: your answers on gold"), "\(screen)")
        #expect(screen.contains("are 0/3") && screen.contains("0.56"))
        // The header counts the task as the store does (bob's 4 items and ana's 3 gold answers: 4 items).
        #expect(h.screen[0].contains("4/8"))
        // Without stop_below the same person goes on labeling.
        let free = try Harness(width: 80, height: 24, task: Self.checked, store: store, tasks: [Self.checked],
                               quality: QualitySettings(minPersonAccuracy: 0.9))
        #expect(free.label?.item != nil)
    }

    /// `stop_below` is checked before every item from the person's own answers on gold (`goldAnswers`), never by
    /// reading every decision of the task: ana answers the gold items wrong until she is stopped (0 of 3: the
    /// interval's top 0.56 is under 0.6; 0 of 2, 0.66, is not), and the task's decisions are read no more than
    /// when the screen opened.
    @Test func theStopIsCheckedFromThePersonsGoldAnswersAlone() throws {
        let store = try store()
        let disk = FullDisk()
        let h = try Harness(width: 80, height: 24, task: Self.checked, store: store, tasks: [Self.checked], wrap: disk.wrapping,
                            quality: QualitySettings(minPersonAccuracy: 0.6, stopBelow: true))
        let opened = disk.taskDecisionReads
        var answered = 0
        while h.label?.item != nil, answered < 8 {
            h.press(.char("1"))
            answered += 1
        }
        #expect(h.label?.item == nil && h.screen.joined(separator: "\n").contains("are 0/3"), "\(h.screen.joined(separator: "\n"))")
        #expect(answered < 8)
        #expect(disk.taskDecisionReads == opened)
        let answers = try store.goldAnswers(task: Self.checked, annotator: "ana")
        #expect(answers.decisions.count == 3 && Set(answers.gold.values) == ["positive"] && answers.decisions.allSatisfy { $0.annotator == "ana" })
    }

    @Test func theDashboardWarnsAboutAPersonBelowTheMinimum() throws {
        let store = try store()
        for id in 1...4 {
            try store.record(NewAnnotation(itemRowID: Int64(id), task: "sentiment", annotatorKind: .human, annotator: "李小龙😀",
                                           value: "negative", createdAt: Date(timeIntervalSince1970: 1_700_000_100)))
        }
        let h = try Harness(width: 120, height: 40, task: nil, store: store, tasks: [Self.checked], quality: QualitySettings(minPersonAccuracy: 0.8))
        let screen = h.screen.joined(separator: "\n")
        #expect(screen.contains("⚠ 李小龙😀 below 0.80: 0/4 right on gold"), "\(screen)")
        #expect(!screen.contains("⚠ bob"))
        // Without a minimum there is no warning.
        let quiet = try Harness(width: 120, height: 40, task: nil, store: store, tasks: [Self.checked])
        #expect(!quiet.screen.joined().contains("⚠"))
    }

    static let people = [
        PersonQuality(name: "ana", goldItems: 10, goldRight: 7, decisions: 40, timed: 20, medianSeconds: 9, tooFast: 2, suggested: 30,
                      accepted: 29, blindAudits: 5, blindAgreeing: 3),
        PersonQuality(name: "李小龙😀", goldItems: 10, goldRight: 3, decisions: 30, timed: 20, medianSeconds: 8, tooFast: 0),
        PersonQuality(name: "eve\u{1B}[31m", goldItems: 0, goldRight: 0, decisions: 2),
    ]

    func quality(width: Int, height: Int) -> AppState {
        var report = QualityReport(agreement: AgreementReport.make(task: Self.checked, decisions: []))
        report.people = Self.people
        var state = AppState(width: width, height: height, tasks: [Self.checked], annotator: "ana",
                             screen: .quality(QualityState(task: Self.checked)))
        state.quality = QualitySettings(minPersonAccuracy: 0.75)
        var q = QualityState(task: Self.checked)
        q.report = report
        q.scroll = QualityLayout(body: state.body, q, state: state).maxScroll
        state.screen = .quality(q)
        return state
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func thePeopleSectionLinesUpWithWideNames(_ size: (Int, Int)) throws {
        let state = quality(width: size.0, height: size.1)
        let c = Render.screen(state)
        let lines = c.lines
        func column(_ needle: String, in line: String) -> Int? {
            line.range(of: needle).map { DisplayWidth.of(String(line[..<$0.lowerBound])) }
        }
        let ana = try #require(lines.first { $0.contains(" ana ") && $0.contains("7/10") }, "\(lines.joined(separator: "\n"))")
        let wide = try #require(lines.first { $0.contains("李小龙😀") && $0.contains("3/10") })
        let header = try #require(lines.first { $0.contains("person") && $0.contains("gold (95%)") })
        #expect(column("7/10", in: ana) == column("3/10", in: wide))
        #expect(column("7/10", in: ana) == column("gold (95%)", in: header))
        #expect(column("2/20", in: ana) == column("0/20", in: wide))
        // 3 of 10: the interval's top (0.61) is under 0.75: warned, in words.
        #expect(lines.contains { $0.contains("⚠ 李小龙😀 is below 0.75 on gold") })
        #expect(!lines.contains { $0.contains("⚠ ana") })
        #expect(ana.contains("took 97% · blind 60%"))
        // The escape in a name reaches the screen as a visible symbol, never raw.
        #expect(lines.contains { $0.contains("eve<U+001B>[31m") })
        #expect(!c.cells.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) } })
        for y in 0..<c.height { #expect(DisplayWidth.of(c.row(y)) == c.width, "row \(y): \(c.row(y))") }
    }
}

extension PeopleQualityScreenTests {
    /// Beside the plan's chart the figures get half the screen: took · blind, too long for the row, goes on
    /// a line of its own under it instead of being cut.
    @Test func tookAndBlindWrapUnderTheRowWhenTheColumnIsNarrow() throws {
        let state = quality(width: 80, height: 24)
        var out: [StyledLine] = []
        QualityLayout.peopleLines(Self.people, Self.checked, state: state, width: 52, out: &out)
        let texts = out.map(\.text)
        let ana = try #require(texts.firstIndex { $0.contains(" ana ") && $0.contains("7/10") }, "\(texts)")
        #expect(!texts[ana].contains("took"))
        #expect(texts[ana + 1].contains("took 97% · blind 60%"), "\(texts)")
        for line in texts { #expect(DisplayWidth.of(line) <= 52, "\(line)") }
    }

    /// A scripted session: ana spends 10, 12, 9 and 11 seconds on four items, then answers two in a second each.
    /// Her median is 9.5 s; under a quarter of it (2.4 s) are the two quick ones, and the Quality screen says so.
    @Test func tooFastAnswersOfAScriptedSession() async throws {
        let h = try Harness(width: 120, height: 40)
        for seconds in [10.0, 12, 9, 11, 1, 1] { h.press(.char("1"), seconds: seconds) }
        let report = try await Runtime.storeQuality(h.store, Harness.sentiment)
        let ana = try #require(report.people.first { $0.name == "ana" })
        #expect(ana.timed == 6 && ana.medianSeconds == 9.5)
        #expect(ana.tooFast == 2)
        var state = h.state
        var q = QualityState(task: Harness.sentiment)
        q.report = report
        q.scroll = QualityLayout(body: state.body, q, state: state).maxScroll
        state.screen = .quality(q)
        let row = try #require(Render.screen(state).lines.first { $0.contains(" ana ") && $0.contains("2/6") })
        #expect(row.contains("–"))  // no gold answers
    }
}
