import DuetCore
import Foundation
import TermUI

/// Every task with its progress; Enter opens one.
enum Dashboard {
    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ d: DashboardState) {
        let t = state.theme
        guard d.loaded else {
            c.put(" Loading…", x: r.x, y: r.y + 1, style: t[.muted])
            return
        }
        guard !d.rows.isEmpty else {
            c.put(" No tasks yet. Add one:", x: r.x, y: r.y + 1, style: t[.text], maxWidth: r.width)
            c.put("   duet task add NAME --kind classify --labels a,b,c", x: r.x, y: r.y + 2, style: t[.accent], maxWidth: r.width)
            return
        }
        let inner = c.box(r.inset(dx: 0, dy: 0), title: "Tasks", style: t[.border], titleStyle: t[.title])
        // Columns: name, kind, bar, numbers. The bar takes what is left.
        let nameWidth = min(max(8, d.rows.map { DisplayWidth.of($0.task.name) }.max() ?? 8), max(8, inner.width / 4))
        let kindWidth = 11
        let numbersWidth = 28
        let barWidth = max(4, inner.width - nameWidth - kindWidth - numbersWidth - 5)
        // The list keeps the selection in view; the rows below are for the detail.
        let (first, visible) = DashboardLayout.window(inner, d)
        var y = inner.y
        for (i, row) in d.rows.enumerated().dropFirst(first).prefix(visible) {
            let selected = i == d.selected
            let rowStyle = selected ? t[.selected] : t[.text]
            var x = inner.x
            x += c.put(selected ? "▸ " : "  ", x: x, y: y, style: t[.accent])
            c.put(Wrap.truncate(row.task.name, width: nameWidth), x: x, y: y, style: rowStyle, maxWidth: nameWidth)
            x += nameWidth + 1
            c.put(row.task.kind.rawValue, x: x, y: y, style: t[.muted], maxWidth: kindWidth)
            x += kindWidth
            let p = row.progress
            c.segmentedBar(x: x, y: y, width: barWidth, segments: [
                (p.human, t[.human], "█"), (p.machine, t[.machine], "▓"), (p.skipped, t[.skipped], "▒"),
                (max(0, p.remaining - p.skipped), t[.remaining], "░"),
            ])
            x += barWidth + 1
            let done = p.total - p.remaining
            let pct = p.total > 0 ? done * 100 / p.total : 0
            var numbers = "\(done)/\(p.total) \(pct)%"
            if let rate = row.itemsPerHour { numbers += "  \(Int(rate.rounded()))/h" }
            x += c.put(numbers, x: x, y: y, style: t[.text], maxWidth: inner.maxX - x)
            if p.flagged > 0 { x += c.put("  ⚑\(p.flagged)", x: x, y: y, style: t[.flag], maxWidth: inner.maxX - x) }
            if !row.peopleBelow.isEmpty { c.put("  ⚠\(row.peopleBelow.count)", x: x, y: y, style: t[.warning], maxWidth: inner.maxX - x) }
            y += 1
        }
        detail(&c, Rect(x: inner.x, y: inner.maxY - 3, width: inner.width, height: 3), state, d)
    }

    /// The selected task in words, and the bar's legend.
    static func detail(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ d: DashboardState) {
        guard d.rows.indices.contains(d.selected), r.height >= 3 else { return }
        let t = state.theme
        let row = d.rows[d.selected]
        let p = row.progress
        let what = row.task.labels.isEmpty ? row.task.kind.rawValue : row.task.labels.joined(separator: " · ")
        c.put("\(row.task.name): \(what)" + (row.task.dataset.map { "  (dataset \($0))" } ?? ""),
              x: r.x + 2, y: r.y, style: t[.title], maxWidth: r.width - 2)
        var x = r.x + 2
        for (label, n, role, symbol) in [("human", p.human, Role.human, "█"), ("machine", p.machine, .machine, "▓"),
                                         ("skipped", p.skipped, .skipped, "▒"), ("remaining", p.remaining, .remaining, "░"),
                                         ("flagged", p.flagged, .flag, "⚑")] {
            let entry = "\(label) \(n)"
            guard x + DisplayWidth.of(entry) + 2 <= r.maxX else { break }
            x += c.put(symbol + " ", x: x, y: r.y + 1, style: t[role])
            x += c.put(entry + "   ", x: x, y: r.y + 1, style: t[.text], maxWidth: r.maxX - x)
        }
        var third: [String] = []
        if row.task.overlap > 1 { third.append("\(p.complete) of \(p.total) labeled by \(row.task.overlap) people") }
        if let rate = p.itemsPerHour, let secs = p.secondsPerDecision {
            third.append(String(format: "%.0f items/hour · %.1f s per decision", rate, secs))
        }
        var warn = false
        if let f = row.pairs?.overall, f.decisions > 0 { third.append(pairLine(f)) }
        for m in row.pairs?.machines ?? [] where m.chose > 0 {
            third.append("\(m.annotator) chose shown first \(PairStats.percent(m.share))" + (m.biased ? " (position bias)" : ""))
            if m.biased { warn = true }
        }
        for a in row.audit where a.planned > 0 {
            third.append(a.summary)
            if a.below(state.targetAccuracy) { warn = true }
        }
        if let min = state.quality.minPersonAccuracy, !row.peopleBelow.isEmpty {
            // People first: the warning a lead must not miss.
            third = row.peopleBelow.map { "⚠ \(Names.shown($0.name)) below \(String(format: "%.2f", min)): \($0.goldSummary)" } + third
            warn = true
        }
        c.put(third.joined(separator: " · "), x: r.x + 2, y: r.y + 2, style: warn ? t[.warning] : t[.muted], maxWidth: r.width - 2)
    }

    /// Position bias and the rest, in a few words.
    static func pairLine(_ f: PairStats.Figures) -> String {
        var s = "preferred shown left \(PairStats.percent(f.leftShare)), tie \(PairStats.percent(f.tieRate)), both bad \(PairStats.percent(f.bothBadRate))"
        if f.sourceComparable > 0 { s += ", agrees with source \(PairStats.percent(f.sourceAgreement))" }
        return s
    }
}
