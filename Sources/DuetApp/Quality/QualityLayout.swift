import DuetCore
import Foundation
import TermUI

/// The Quality screen's geometry, computed once from the state by one rule: the chart (when there
/// is a plan and room) and the figures' box; the view draws into it and the reducer bounds the
/// figures' scroll by it (the reducer calls no drawing code).
struct QualityLayout {
    /// Where the chart goes (nil: no room or no plan).
    var chart: Rect?
    /// The figures' box and its text area (a column of padding on the left).
    var box: Rect
    var text: Rect
    /// The figures' lines at `text.width`.
    var lines: [StyledLine]
    var maxScroll: Int { max(0, lines.count - text.height) }

    init(_ state: AppState, _ q: QualityState) { self.init(body: state.body, q, state: state) }

    init(body: Rect, _ q: QualityState, state: AppState) {
        if q.report?.plan != nil, body.height >= 12, body.width >= 40 {
            if body.width >= 110 {
                let (left, right) = body.splitLeft(body.width * 9 / 20)
                (chart, box) = (right, left)
            } else {
                let (top, rest) = body.splitTop(min(16, body.height / 2))
                (chart, box) = (top, rest)
            }
        } else {
            (chart, box) = (nil, body)
        }
        let inner = box.inset(1)
        text = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 1, height: inner.height)
        lines = QualityLayout.lines(q, state: state, width: text.width)
    }

    static func lines(_ q: QualityState, state: AppState, width: Int) -> [StyledLine] {
        guard let report = q.report else { return [] }
        let t = state.theme
        var out: [StyledLine] = []
        func section(_ title: String) {
            if !out.isEmpty { out.append(StyledLine("", t[.text])) }
            out.append(StyledLine(title, t[.title]))
        }
        func text(_ s: String, _ role: Role = .text) { out += StyledLine.wrapped(s, width: width, style: t[role], indent: "  ") }
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }

        section("Plan")
        if let plan = report.plan {
            text(plan.recommendation, plan.reachesTarget ? .success : .warning)
            for line in plan.basis { text(line, .muted) }
            // The numbers behind the chart, for narrow terminals and screen readers.
            let budgets = plan.curves.first?.points.map(\.budget) ?? []
            out.append(StyledLine(spans: [("  " + "share".padded(to: 11), t[.label])]
                + budgets.map { (String(format: "%5.0f%%", $0 * 100), t[.label]) }))
            for curve in plan.curves {
                out.append(StyledLine(spans: [("  " + curve.strategy.padded(to: 11), t[.text])]
                    + curve.points.map { (String(format: "%6.2f", $0.accuracy), $0.pareto ? t[.accent] : t[.muted]) }))
            }
            if !plan.panel.isEmpty {
                section("Who to trust")
                text("each panel member against the labels above, 95% interval; chance = always the most common label", .muted)
                for m in PanelMember.ranked(plan.panel) { text(m.line, m.noBetterThanChance ? .warning : .text) }
            }
        } else {
            text(report.planNote ?? "No plan: the task needs machine votes and gold or human labels (duet route, then label some items).", .muted)
        }

        if let j = report.votesSpread { judgeLines(j, section: section, text: text) }

        let a = report.agreement
        section("Agreement")
        if a.items == 0 {
            text("No labeled items yet.", .muted)
        } else {
            text("\(a.items) items labeled by " + a.annotators.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
            text("percent agreement \(f(a.percentAgreement)) · pairwise \(f(a.pairwiseAgreement))")
            text("Fleiss' κ \(f(a.fleissKappa))" + (a.fleissRaters.map { " (\($0) raters)" } ?? "")
                + " · Krippendorff's α (\(a.alphaLevel)) \(f(a.krippendorffAlpha))" + (a.alphaInterval.map { " · interval \(f($0))" } ?? ""))
            let pairs = a.cohenKappa.filter { $0.overlap > 0 }
            if !pairs.isEmpty {
                text("Cohen's κ per pair:")
                for p in pairs { text("  \(p.a) – \(p.b): \(f(p.kappa)) on \(p.overlap) items") }
            }
            if a.annotators.count < 2 || pairs.isEmpty { text("Agreement needs items labeled by two or more annotators (overlap, audits).", .muted) }
        }

        if let judges = report.judges {
            section("Judges' scores")
            if judges.isEmpty { text("No votes yet: `duet route` asks the task's annotator.", .muted) }
            for j in judges { text(j.summary, j.split > 0 ? .warning : .text) }
        }

        section("Machine accuracy from blind audits")
        if report.audit.allSatisfy({ $0.planned == 0 }) {
            text("No blind audits: `duet route` sends a share of the machine's labels to people, blind.", .muted)
        }
        for e in report.audit where e.planned > 0 {
            let below = e.below(state.targetAccuracy)
            text("\(e.annotator): \(e.summary)"
                + (below ? String(format: " — may be under the target %.2f", state.targetAccuracy) : ""), below ? .warning : .text)
        }

        estimateLines(report, width: width, theme: t, section: section, text: text, append: { out.append($0) })

        if let pairs = report.pairs {
            section("Position bias")
            if pairs.overall.decisions == 0 { text("No pair judgments by people yet.", .muted) }
            for (name, fig) in [("everyone", pairs.overall)] + pairs.annotators.map({ ($0.name, $0.figures) }) where fig.decisions > 0 {
                text("\(name): " + biasLine(fig), fig.biased ? .warning : .text)
            }
            for m in pairs.machines { text("machine " + m.text, m.biased ? .warning : .text) }
        }
        peopleLines(report.people, q.task, state: state, width: width, out: &out)
        return out
    }

    /// The machine's spread on multilabel items (per label) and rankings (1 − mean τ of the orders).
    static func judgeLines(_ j: JudgeSpread, section: (String) -> Void, text: (String, Role) -> Void) {
        section("Machine votes")
        for l in j.labels {
            text("\(l.label): yes on \(l.yes) of \(l.items) items, unsure on \(l.unsure)" + String(format: " · mean H %.2f", l.meanEntropy),
                 l.unsure > 0 ? .warning : .text)
        }
        if let spread = j.meanRankingSpread {
            text("\(j.rankings) rankings: orders agree on \(j.unanimousRankings)" + String(format: " · mean spread 1−τ %.2f (0 = every vote the same order)", spread), .text)
        }
    }

    /// Left share with its 95% interval, tie and both-bad rates, agreement with the dataset.
    static func biasLine(_ f: PairStats.Figures) -> String {
        var s = "preferred the left/top response \(PairStats.percent(f.leftShare))"
        if let ci = f.leftInterval {
            s += " (95% \(PairStats.percent(ci.low))–\(PairStats.percent(ci.high))" + (f.biased ? ": biased)" : ")")
        }
        s += " of \(f.strictShown) · tie \(PairStats.percent(f.tieRate)) · both bad \(PairStats.percent(f.bothBadRate))"
        if f.sourceComparable > 0 { s += " · agrees with the dataset \(PairStats.percent(f.sourceAgreement))" }
        return s
    }
}
