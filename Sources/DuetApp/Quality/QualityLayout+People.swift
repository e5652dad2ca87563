import DuetCore
import Foundation
import TermUI

/// The Quality screen's People section: each person's accuracy on gold (honeypots) with its 95% interval,
/// answers too fast for their own pace, and the machine's suggestions they took against their agreement with
/// the machine when they could not see it (blind audits): a wide gap is automation bias.
extension QualityLayout {
    /// Widest a name column gets (longer names are cut, by display width).
    static let peopleNameWidth = 16

    static func peopleLines(_ people: [PersonQuality], _ task: TaskSpec, state: AppState, width: Int, out: inout [StyledLine]) {
        let t = state.theme
        if !out.isEmpty { out.append(StyledLine("", t[.text])) }
        out.append(StyledLine("People", t[.title]))
        func text(_ s: String, _ role: Role) { out += StyledLine.wrapped(s, width: width, style: t[role], indent: "  ") }
        let min = state.quality.minPersonAccuracy
        text((task.honeypotRate > 0 ? String(format: "gold: answers on gold items served blind (honeypot_rate %.2f)", task.honeypotRate)
                                    : "gold: answers on items with gold labels (honeypots are off: set honeypot_rate in the task)")
             + String(format: "; fast: answers under %.0f%% of the person's median time", state.quality.tooFast * 100)
             + "; took: share of the machine's suggestions taken, beside blind: agreement with the machine on blind audits"
             + " (far above blind: automation bias)", .muted)
        guard !people.isEmpty else {
            text("No decisions by people yet.", .muted)
            return
        }
        let names = people.map { Names.shown($0.name) }
        // The figures' columns take 37; a narrow screen (the plan's chart beside) cuts names sooner.
        let nameWidth = Swift.min(peopleNameWidth, Swift.max(6, names.map(DisplayWidth.of).max() ?? 6), Swift.max(6, width - 37))
        let head = "  " + cell("person", nameWidth) + " " + cell("gold (95%)", 24) + " " + cell("fast", 9)
        out.append(StyledLine(head + (DisplayWidth.of(head) + 13 <= width ? " took · blind" : ""), t[.label]))
        for (p, name) in zip(people, names) {
            let below = min.map { m in p.high.map { $0 < m } ?? false } ?? false
            let gold = p.goldAccuracy.map { String(format: "%d/%d %.2f (%.2f–%.2f)", p.goldRight, p.goldItems, $0, p.low ?? 0, p.high ?? 0) } ?? "–"
            let fast = p.medianSeconds == nil ? "–" : "\(p.tooFast)/\(p.timed)"
            let took = [p.acceptanceRate.map { "took \(percent($0))" }, p.blindAgreement.map { "blind \(percent($0))" }]
                .compactMap { $0 }.joined(separator: " · ")
            let tookText = took.isEmpty ? "–" : took
            // Beside the row when it fits, else on a line of its own under the figures (the plan's chart takes half the screen).
            let fits = 2 + nameWidth + 1 + 25 + 10 + DisplayWidth.of(tookText) <= width
            out.append(StyledLine(spans: [
                ("  " + cell(name, nameWidth) + " ", t[.text]),
                (cell(gold, 24) + " ", below ? t[.warning] : t[.text]),
                (cell(fast, 9), p.tooFast > 0 ? t[.warning] : t[.text]),
                (fits ? " " + tookText : "", t[.muted]),
            ]))
            if !fits { out += StyledLine.wrapped(tookText, width: width, style: t[.muted], indent: String(repeating: " ", count: 3 + nameWidth)) }
        }
        if let min {
            for p in people where p.high.map({ $0 < min }) ?? false {
                text("⚠ \(Names.shown(p.name)) is below \(String(format: "%.2f", min)) on gold: \(p.goldSummary)"
                     + (state.quality.stopBelow ? "; they get no new items" : ""), .warning)
            }
        }
    }

    /// `text` cut and padded to `width` columns (wide characters take two).
    static func cell(_ text: String, _ width: Int) -> String {
        let cut = Wrap.truncate(text, width: width)
        return cut + String(repeating: " ", count: Swift.max(0, width - DisplayWidth.of(cut)))
    }

    static func percent(_ v: Double) -> String { String(format: "%.0f%%", v * 100) }
}
