import DuetCore
import Foundation
import TermUI

/// The Quality screen's estimates (`QualityEstimates`, the figures `duet quality` prints): the audit
/// estimate, the machine's calibration with its reliability bars, and the alt-test.
extension QualityLayout {
    static func estimateLines(_ report: QualityReport, width: Int, theme t: Theme, section: (String) -> Void,
                              text: (String, Role) -> Void, append: (StyledLine) -> Void) {
        guard let e = report.estimates else { return }
        section("Audit estimate")
        let limited = e.audit.comparison?.machineNoBetterThanPeople ?? false
        for (i, line) in e.auditLines.enumerated() {
            let isLimit = line == e.audit.limit
            text(line, i == 0 && e.audit.estimate != nil ? .text : isLimit && limited ? .warning : .muted)
        }

        section("Calibration")
        let c = e.calibration
        if let ece = c.ece, let brier = c.brier {
            text("\(c.items) items with the machine's confidence and people's label: ECE \(PlanFormat.score(ece)) · Brier \(PlanFormat.score(brier))", .text)
            // One bar per non-empty bin: the share people agreed with, ▏ marking the bin's mean confidence.
            let barWidth = max(5, min(30, width - 34))
            append(StyledLine(spans: [("  confidence  " + "people agreed".padded(to: barWidth + 1) + "  n", t[.label])]))
            for b in c.bins where b.count > 0 {
                let acc = b.accuracy ?? 0, conf = b.meanConfidence ?? 0
                let filled = Int((acc * Double(barWidth)).rounded())
                let mark = min(barWidth - 1, Int(conf * Double(barWidth)))
                var bar = Array(String(repeating: "█", count: filled) + String(repeating: "·", count: barWidth - filled))
                bar[mark] = "|"
                let gap = abs(acc - conf) > 0.1
                append(StyledLine(spans: [(String(format: "  %.1f–%.1f    ", b.low, b.high), t[.text]), (String(bar), gap ? t[.warning] : t[.accent]),
                                          (String(format: " %.2f %d", acc, b.count), t[.muted])]))
            }
            text("Risk–coverage: " + QualityEstimates.coverageSteps(c.curve).map {
                "\(PlanFormat.percent($0.coverage)) kept → error \(PlanFormat.score($0.risk))"
            }.joined(separator: " · "), .text)
        } else {
            text(e.calibrationLines.first ?? "", .muted)
        }

        section("Alt-test: can the machine replace a person?")
        let lines = e.altTestLines
        text(lines.first ?? "", e.altTest?.passed == true ? .success : e.altTest?.winningRate == nil ? .muted : .warning)
        if e.altTest != nil {
            for line in lines.dropFirst() { append(StyledLine("  " + line, t[.muted])) }
        }
    }
}
