import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// Items per hour and seconds per decision count only decisions that measured a person's time.
@Suite struct PaceTests {
    @Test func bulkAcceptsAreNoLabelingTime() throws {
        let h = try Harness(width: 120, height: 30, task: nil)
        func put(_ id: Int64, seconds: Double?, note: String? = nil) throws {
            try h.store.record(NewAnnotation(itemRowID: id, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "neutral",
                                             note: note, createdAt: Date(timeIntervalSince1970: 1_800_000_000), seconds: seconds))
        }
        try put(1, seconds: 10)
        try put(2, seconds: 20)
        // Accepted in bulk from triage: no seconds.
        for id in Int64(3)...6 { try put(id, seconds: nil, note: "accepted the machine's label (llm:x)") }
        h.runtime.start([.loadDashboard])
        guard case .dashboard(let d) = h.state.screen, let row = d.rows.first(where: { $0.task.name == "sentiment" }) else {
            Issue.record("no dashboard row"); return
        }
        #expect(row.progress.human == 6)
        #expect(row.itemsPerHour == 240)  // 2 timed decisions in 30 s; 6 in 30 s would be 720
        let screen = h.screen.joined(separator: "\n")
        #expect(screen.contains("240 items/hour · 15.0 s per decision"))
        #expect(screen.contains("240/h"))
    }

    @Test func theLabelScreenCountsOnlyTimedDecisionsToo() throws {
        let h = try Harness()
        h.press(.char("1"), seconds: 12)
        #expect(h.label?.progress.timed == 1 && h.label?.progress.humanSeconds == 12)
    }
}
