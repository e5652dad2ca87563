import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

@Suite struct QualityTests {
    func labeled(width: Int = 100, height: Int = 30) throws -> Harness {
        let h = try Harness(width: width, height: height, task: nil)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        func put(_ n: Int64, _ who: String, _ v: JSONValue, task: String = "sentiment") throws {
            try h.store.record(NewAnnotation(itemRowID: n, task: task, annotatorKind: .human, annotator: who, value: v, createdAt: t0))
        }
        // ana and bob on four texts: they agree on three.
        for (n, a, b) in [(1, "negative", "negative"), (2, "neutral", "neutral"), (3, "positive", "positive"), (4, "neutral", "positive")] as [(Int64, JSONValue, JSONValue)] {
            try put(n, "ana", a)
            try put(n, "bob", b)
        }
        return h
    }

    @Test func dashboardOpensQualityAndQGoesBack() throws {
        let h = try labeled()
        #expect(h.screen.last?.contains("v quality") == true)
        h.press(.char("v"))
        guard case .quality(let q) = h.state.screen else { Issue.record("not on the quality screen"); return }
        #expect(q.task.name == "sentiment")
        let screen = h.screen
        #expect(screen[0].contains("quality · sentiment · classify"))
        #expect(screen.contains { $0.contains("4 items labeled by ana (4), bob (4)") })
        #expect(screen.contains { $0.contains("percent agreement 0.750") })
        // Cohen's κ for ana and bob, computed by hand: po = 3/4; pe = (1·1 + 2·1 + 1·2)/16 = 5/16; κ = (0.75 − 0.3125)/0.6875.
        #expect(screen.contains { $0.contains(String(format: "ana – bob: %.3f on 4 items", (0.75 - 0.3125) / 0.6875)) })
        #expect(screen.contains { $0.contains("No blind audits") })
        #expect(screen.contains { $0.contains("No plan") })
        h.press(.char("q"))
        guard case .dashboard = h.state.screen else { Issue.record("q did not go back"); return }
    }

    @Test func positionBiasWithItsInterval() throws {
        let h = try Harness(width: 100, height: 30, task: nil)
        // Eight strict judgments, all for the response shown on the left: clearly biased.
        for n in 1...4 {
            let item = try #require(try h.store.item(dataset: "p", uid: "p\(n)"))
            for who in ["ana", "bob"] {
                let order = PairOrder.order(dataset: "p", uid: "p\(n)", annotator: who)
                let left = order == .ab ? 0 : 1
                try h.store.record(NewAnnotation(itemRowID: item.rowID, task: "prefs", annotatorKind: .human, annotator: who,
                                                 value: PairJudgment(choice: .response(left)).json, createdAt: Date(), display: order))
            }
        }
        h.press(.char("j"), .char("j"), .char("j"), .char("j"), .char("v"))
        let screen = h.screen.joined(separator: "\n")
        #expect(screen.contains("quality · prefs · compare"))
        #expect(screen.contains("everyone: preferred the left/top response 100% (95% 68%–100%: biased) of 8"))
    }

    @Test func theMachinesOwnPositionBiasBesidePeoples() throws {
        let h = try Harness(width: 100, height: 30, task: nil)
        // An LLM asked in both orders picks the response shown first every time ("0" under AB, "1" under BA).
        var votes: [(item: Int64, vote: MachineVote)] = []
        for n in 1...4 {
            let item = try #require(try h.store.item(dataset: "p", uid: "p\(n)")).rowID
            votes.append((item, MachineVote(annotator: "llm:x", variant: MachineVote.perturbation("short", shown: .ab), label: "0")))
            votes.append((item, MachineVote(annotator: "llm:x", variant: MachineVote.perturbation("short", shown: .ba), label: "1")))
            votes.append((item, MachineVote(annotator: "llm:x", variant: MachineVote.perturbation("instruction", shown: .ab), label: nil)))
        }
        try h.store.saveVotes(votes, task: "prefs", at: Date())
        h.press(.char("j"), .char("j"), .char("j"), .char("j"), .char("v"))
        let screen = h.screen.joined(separator: "\n")
        #expect(screen.contains("No pair judgments by people yet."))
        #expect(screen.contains("machine llm:x chose the response shown first in 8 of 8 votes for one response (100%, 95% CI"))
        #expect(screen.contains("68%–100%): position bias; 4 unparseable not counted"))
        h.press(.char("q"), .char("j"), .char("j"), .char("j"), .char("j"))  // the dashboard, read again: the task's details say it too
        #expect(h.screen.contains { $0.contains("llm:x chose shown first 100% (position bias)") })
    }

    @Test func narrowScreensKeepEveryRowInside() throws {
        let h = try labeled(width: 40, height: 12)
        h.press(.char("v"))
        let lines = h.screen
        #expect(lines.count == 12 && lines.allSatisfy { DisplayWidth.of($0) <= 40 })
        for _ in 0..<50 { h.press(.char("j"), seconds: 0.1) }
        guard case .quality(let q) = h.state.screen else { Issue.record("left quality"); return }
        #expect(q.scroll == QualityLayout(h.state, q).maxScroll && q.scroll > 0)
    }
}

@Suite struct WhoToTrustScreenTests {
    /// A panel's members on the Quality screen, most accurate first, a member at chance flagged.
    @Test func panelMembersWithIntervalsAndTheChanceFlag() throws {
        let h = try Harness(width: 100, height: 40, task: nil)
        var q = QualityState(task: Harness.sentiment)
        let members = [
            PanelMember(annotator: "至-weak", items: 40, correct: 14, accuracy: 0.35, low: 0.22, high: 0.5, chance: 0.4,
                        noBetterThanChance: true, costPerItem: nil, learnedAccuracy: 0.36),
            PanelMember(annotator: "gpt-big", items: 40, correct: 34, accuracy: 0.85, low: 0.71, high: 0.93, chance: 0.4,
                        noBetterThanChance: false, costPerItem: 0.0021, learnedAccuracy: 0.84),
        ]
        let plan = PlanView(curves: [], chart: LineChart(series: []), recommendation: "send 20% to people", reachesTarget: true, panel: members)
        var report = QualityReport(agreement: AgreementReport.make(task: Harness.sentiment, decisions: []))
        report.plan = plan
        q.report = report
        let text = QualityLayout.lines(q, state: h.state, width: 100).map(\.text)
        let big = try #require(text.firstIndex { $0.contains("gpt-big: 0.850 (0.710–0.930) on 40 · chance 0.400 · learned 0.840 · cost 0.0021 per item") })
        let weak = try #require(text.firstIndex { $0.contains("至-weak: 0.350 (0.220–0.500)") && $0.contains("no better than chance") })
        #expect(big < weak)
        #expect(text.contains { $0.contains("Who to trust") })
    }
}
