import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// The Quality screen's estimate sections (`QualityLayout+Estimates.swift`) drawn at 80×24 and 120×40:
/// every row inside the screen, every section's figures reachable by scrolling.
@Suite struct QualityEstimatesScreenTests {
    /// 40 kept items, 10 of them audited uniformly (8 agreed); two people on 12 items sent to people.
    static func estimates() -> QualityEstimates {
        var items: [QualityEstimates.Item] = []
        for i in 1...40 {
            let audited = i <= 10
            let answer: String? = audited ? (i <= 8 ? "pos" : "neg") : nil
            items.append(QualityEstimates.Item(id: Int64(i), route: audited ? .audit : .machine, machineLabel: "pos",
                                               confidence: i % 2 == 0 ? 0.95 : 0.65, uncertainty: i % 2 == 0 ? 0.1 : 0.6, auditProbability: 0.25,
                                               answer: answer, people: answer.map { ["ana": $0] } ?? [:]))
        }
        for i in 41...52 {
            let bob = i % 4 == 0 ? "neg" : "pos"
            items.append(QualityEstimates.Item(id: Int64(i), route: .human, machineLabel: "pos", confidence: 0.55, uncertainty: 0.9,
                                               auditProbability: nil, answer: "pos", people: ["ana": "pos", "bob\u{1B}[31m": bob]))
        }
        return QualityEstimates(task: "sentiment", items: items, tTestItems: 5)
    }

    /// Every line the figures' box shows, scrolled from top to bottom, and whether each screen fits.
    static func rendered(width: Int, height: Int) throws -> (lines: [String], fits: Bool) {
        let h = try Harness(width: width, height: height, task: nil)
        var q = QualityState(task: Harness.sentiment)
        var report = QualityReport(agreement: AgreementReport.make(task: Harness.sentiment, decisions: []))
        report.estimates = estimates()
        q.report = report
        var state = h.state
        state.screen = .quality(q)
        var seen: [String] = [], fits = true
        for scroll in 0...QualityLayout(state, q).maxScroll {
            q.scroll = scroll
            state.screen = .quality(q)
            let screen = Render.screen(state).lines
            fits = fits && screen.count == height && screen.allSatisfy { DisplayWidth.of($0) <= width }
            seen += screen
        }
        return (seen, fits)
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func estimateSectionsRender(size: (Int, Int)) throws {
        let (lines, fits) = try Self.rendered(width: size.0, height: size.1)
        let text = lines.joined(separator: "\n")
        #expect(fits)
        for title in ["Audit estimate", "Calibration", "Alt-test: can the machine replace a person?"] {
            #expect(text.contains(title), "\(title) at \(size)")
        }
        #expect(text.contains("Machine-kept labels: accuracy"))
        #expect(text.contains("stratified PPI++"))
        #expect(text.contains("ECE") && text.contains("Brier"))
        #expect(text.contains("Risk–coverage"))
        #expect(text.contains("people agreed"))
        #expect(text.contains("ρ machine") && text.contains("ρ person"))
        // A person's hostile name is drawn without its escape.
        #expect(!text.contains("\u{1B}"))
    }

    /// The figures the screen shows are the assembly's: ECE and Brier as `QualityEstimates` computed them.
    @Test func theScreenShowsTheAssemblysFigures() throws {
        let e = Self.estimates()
        let (lines, _) = try Self.rendered(width: 120, height: 40)
        let text = lines.joined(separator: "\n")
        #expect(text.contains("ECE \(PlanFormat.score(e.calibration.ece ?? -1)) · Brier \(PlanFormat.score(e.calibration.brier ?? -1))"))
        let est = try #require(e.audit.estimate)
        #expect(text.contains("accuracy \(PlanFormat.score(est.estimate)) (95% \(PlanFormat.score(est.low))–\(PlanFormat.score(est.high)))"))
    }
}
