import Foundation

/// The estimates in words, the same in `duet quality` and on the Quality screen: one list of lines per
/// section (the screen wraps them to its width; untrusted text, the task's and people's names, is
/// sanitized where it is shown).
extension QualityEstimates {
    /// `0.91 (95% 0.84–0.97)`.
    static func interval(_ e: AccuracyEstimate) -> String {
        "\(PlanFormat.score(e.estimate)) (95% \(PlanFormat.score(e.low))–\(PlanFormat.score(e.high)))"
    }

    /// A method's name as people read it.
    public static func methodName(_ m: AccuracyEstimate.Method) -> String {
        switch m {
        case .classical: return "the audits alone"
        case .ppi: return "PPI++"
        case .stratifiedPPI: return "stratified PPI++"
        case .activeIPW: return "active sampling, inverse-probability weighted"
        }
    }

    public var auditLines: [String] {
        let a = audit
        guard let e = a.estimate else {
            return ["Audits: \(a.planned - a.pending) of \(a.planned) labeled; \(a.note)."]
        }
        var lines = ["Machine-kept labels: accuracy \(Self.interval(e)) by \(Self.methodName(e.method)), on \(e.audits) audits of \(e.items) items."]
        var second = ""
        if let lo = e.wilsonLow, let hi = e.wilsonHigh {
            second = "Wilson interval of the raw audits: \(PlanFormat.score(lo))–\(PlanFormat.score(hi))"
        }
        if let more = e.auditsToHalveWidth {
            second += (second.isEmpty ? "" : "; ") + "\(more) more audit\(more == 1 ? "" : "s") would halve the width"
        }
        if a.pending > 0 { second += (second.isEmpty ? "" : "; ") + "\(a.pending) audit\(a.pending == 1 ? "" : "s") not labeled yet" }
        if !second.isEmpty { lines.append(second + ".") }
        if let f = a.finalSet {
            lines.append("Whole exported set (\(a.peopleItems) labeled by people, \(a.machineItems) by the machine alone): accuracy \(Self.interval(f)).")
        }
        if !a.alternatives.isEmpty {
            lines.append("Also: " + a.alternatives.map { "\(Self.methodName($0.method)) \(Self.interval($0))" }.joined(separator: "; ") + ".")
        }
        lines.append("Method: \(a.note).")
        if let limit = a.limit { lines.append(limit) }
        return lines
    }

    public var calibrationLines: [String] {
        let c = calibration
        guard let ece = c.ece, let brier = c.brier else {
            return ["Calibration: no item has both the machine's confidence and people's label yet."]
        }
        var lines = ["Calibration on \(c.items) items with the machine's confidence and people's label: ECE \(PlanFormat.score(ece)), Brier \(PlanFormat.score(brier))."]
        lines.append("confidence   items  mean conf  people agreed")
        for b in c.bins where b.count > 0 {
            lines.append(String(format: "%.1f–%.1f %9d %10.2f %14.2f", b.low, b.high, b.count, b.meanConfidence ?? 0, b.accuracy ?? 0))
        }
        lines.append("Risk–coverage (keep the most confident first): " + Self.coverageSteps(c.curve).map {
            "\(PlanFormat.percent($0.coverage)) kept → error \(PlanFormat.score($0.risk))"
        }.joined(separator: ", ") + ".")
        return lines
    }

    /// The curve's points at about a quarter, a half, three quarters and all of the items.
    public static func coverageSteps(_ curve: [Calibration.CoveragePoint]) -> [Calibration.CoveragePoint] {
        var out: [Calibration.CoveragePoint] = []
        for q in [0.25, 0.5, 0.75, 1.0] {
            if let p = curve.last(where: { $0.coverage <= q + 1e-9 }) ?? curve.first, out.last != p { out.append(p) }
        }
        return out
    }

    public var altTestLines: [String] {
        guard let t = altTest else { return ["Alt-test: no item has the machine's label and two people's labels yet."] }
        let items = t.people.map(\.items).max() ?? 0
        var head = "Alt-test (ε \(PlanFormat.score(t.epsilon)), α \(PlanFormat.score(t.alpha))): "
        if let w = t.winningRate, let rho = t.averageAdvantage {
            head += "\(t.people.count(where: \.rejected)) of \(t.tested) people tested beaten, winning rate \(PlanFormat.score(w)), "
                + "average advantage \(PlanFormat.score(rho)): "
                + (t.passed ? "the machine may replace a person on this task." : "the machine does not pass.")
        } else {
            head += "nobody has enough items with another person to test (up to \(items); \(t.fewestItems) needed)."
        }
        var lines = [head, "person        items  ρ machine  ρ person  test    stat       p"]
        for p in t.people {
            let name = p.name.count > 12 ? String(p.name.prefix(11)) + "…" : p.name.padding(toLength: 12, withPad: " ", startingAt: 0)
            let test = p.test.map { $0 == .t ? "t   " : "W⁺  " } ?? "–   "
            let stat = (p.t ?? p.signedRank).map { String(format: "%7.2f", $0) } ?? "      –"
            let pText = p.pValue.map { String(format: "%7.3f", $0) } ?? "      –"
            lines.append(name + String(format: " %6d %10.2f %9.2f", p.items, p.machineAdvantage, p.personAdvantage) + "  \(test) \(stat) \(pText)"
                         + (p.rejected ? "  beaten" : p.test == nil ? "  too few" : ""))
        }
        if t.people.contains(where: { $0.test != .t }) {
            lines.append("t: paired t-test, \(t.tTestItems)+ items; W⁺: exact signed-rank test, \(t.fewestItems)–\(t.tTestItems - 1) items")
            if t.people.contains(where: { $0.test == nil }) {
                lines.append("too few: under \(t.fewestItems) items, no result could reach α \(PlanFormat.score(t.alpha)): not tested")
            }
        }
        return lines
    }

    /// Every section, a blank line between them.
    public var text: [String] {
        ["Task \(task)", ""] + auditLines + [""] + calibrationLines + [""] + altTestLines + [""] + peopleLines
    }

    /// A line per person: accuracy on gold, too-fast answers, suggestions taken beside blind agreement.
    public var peopleLines: [String] {
        guard !people.isEmpty else { return ["People: no decisions by people yet."] }
        return ["People (gold: accuracy on gold items; fast: answers under the floor of the person's own median; took: machine suggestions taken; blind: agreement with the machine on blind audits):"]
            + people.map { p in
                var parts = [p.goldSummary + (p.below ? " — below the minimum" : "")]
                parts.append(p.medianSeconds == nil ? "too few timed answers to judge speed" : "\(p.tooFast) of \(p.timed) timed answers too fast")
                if let a = p.acceptanceRate { parts.append("took \(PlanFormat.score(a)) of \(p.suggested) suggestions") }
                if let b = p.blindAgreement { parts.append("blind \(PlanFormat.score(b)) of \(p.blindAudits) audits") }
                return "  \(p.name): " + parts.joined(separator: "; ")
            }
    }
}
