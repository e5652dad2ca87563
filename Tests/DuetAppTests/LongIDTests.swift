import DuetCore
@testable import DuetStore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// Long ids that share a prefix: every place an id is shown narrow keeps the part that tells them apart.
@Suite struct LongIDTests {
    static let latin = (121...125).map { "sentiment-test-00\($0)" }
    static let cjk = (121...125).map { "感情分析-テスト-000\($0)" }

    /// A store whose items have `ids`, every one routed to people.
    func harness(_ ids: [String], width: Int, height: Int, task: TaskSpec? = nil) throws -> Harness {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks([Harness.sentiment])
        _ = try store.importBatch(dryRun: false) { w in
            try w.beginFile(path: "/data/t.jsonl", format: "jsonl", dataset: "t")
            for (i, id) in ids.enumerated() {
                try w.add(ImportedRecord(item: Item(uid: id, dataset: "t", kind: .text, fields: .text("Tweet number \(i)"))))
            }
        }
        let rows = try store.itemRowIDs(for: Harness.sentiment)
        let votes = rows.enumerated().map { i, id in
            (id, [MachineVote(annotator: "llm:x", variant: "a", label: "positive"), MachineVote(annotator: "llm:x", variant: "b", label: i % 2 == 0 ? "negative" : nil)])
        }
        try store.saveVotes(votes.flatMap { id, vs in vs.map { (id, $0) } }, task: "sentiment", at: Date())
        try store.applyRouting(votes.map { id, vs in
            RouteEntry(itemRowID: id, route: .human, score: 1, machineLabel: "positive", annotator: "llm:x", votes: vs, entropy: 1, confidence: nil)
        }, task: "sentiment", at: Date())
        return try Harness(width: width, height: height, task: task, store: store, tasks: [Harness.sentiment])
    }

    func triage(_ h: Harness) -> [String] {
        var state = h.state
        state.quitting = false
        state.overlay = nil
        let effects = App.openTriage(&state, Harness.sentiment)
        let runtime = Runtime(state: state, store: h.store, backend: h.backend, clock: { Date() }, editor: { _ in nil })
        runtime.start(effects)
        return Render.screen(runtime.state).lines
    }

    @Test(arguments: [(latin, "sentimen…00"), (cjk, "感情分…000")])
    func triageRowsShowTheirDistinguishingEnd(ids: [String], shown: String) throws {
        let h = try harness(ids, width: 100, height: 16)
        let screen = triage(h)
        for id in ids {
            let tail = String(id.suffix(3))
            let row = try #require(screen.first { $0.contains(shown + tail + " ") }, "no row shows \(shown + tail)")
            #expect(row.contains("Tweet number"))
        }
        #expect(!screen.contains { $0.contains("sentiment-tes…") || $0.contains("感情分析-テ…") })
    }

    @Test func titlesShowTheDistinguishingEndAtNarrowWidths() throws {
        let id = "sentiment-analysis-benchmark-test-split-000121"
        let h = try harness([id], width: 40, height: 12, task: Harness.sentiment)
        let title = try #require(h.screen.first { $0.contains("item ") })
        #expect(title.contains("…000121"))
        #expect(!title.contains(id))
        // Wide: the whole id and the dataset.
        let wide = try harness([id], width: 120, height: 40, task: Harness.sentiment)
        #expect(wide.screen.contains { $0.contains("item \(id) · t") })
        // CJK ids at 40 columns: the end stays whole, the title stays in its box.
        let cjk = try harness(["感情分析-ベンチマーク-テスト-分割-000121"], width: 40, height: 12, task: Harness.sentiment)
        let line = try #require(cjk.screen.first { $0.contains("item ") })
        #expect(line.contains("…000121"))
        #expect(DisplayWidth.of(line) == 40)
    }

    @Test func searchResultsShowTheirDistinguishingEnd() throws {
        let h = try harness(Self.latin, width: 60, height: 24, task: Harness.sentiment)
        h.press(.char("/"))
        h.type("Tweet")
        h.press(.enter)
        guard case .search(let s)? = h.state.overlay else { Issue.record("search closed"); return }
        #expect(s.results?.count == Self.latin.count)
        // The id column is 14 wide at 60 columns: "sentimen…00121", where it read "sentiment-tes…".
        for id in Self.latin { #expect(h.screen.contains { $0.contains("…" + id.suffix(5)) }, "\(id)") }
    }
}
