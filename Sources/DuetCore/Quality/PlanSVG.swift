import Foundation

/// `duet plan --svg`: the plan as a self-contained SVG chart. Accuracy
/// against the share sent to people, one line per strategy, frontier points
/// ringed, the target accuracy dashed.
public enum PlanSVG {
    /// Line colours per strategy (Tableau 10); other names take the rest in turn.
    static let palette = ["default": "#2ca02c", "entropy": "#1f77b4", "confidence": "#ff7f0e", "calibrated": "#9467bd", "random": "#7f7f7f"]
    static let spare = ["#d62728", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]

    public static func render(_ report: PlanReport, width: Double = 780, height: Double = 480) -> String {
        // The recommendation under the title, wrapped to the width.
        let subtitle = wrap(report.recommendation.text, columns: Int((width - 80) / 6.6))
        let left = 64.0, right = 190.0, top = 56.0 + 16 * Double(subtitle.count), bottom = 72.0
        let plotW = max(10, width - left - right), plotH = max(10, height - top - bottom)
        let budgets = report.budgets
        var x0 = budgets.first ?? 0, x1 = budgets.last ?? 1
        if x1 - x0 <= 0 { (x0, x1) = (x0 - 0.05, x1 + 0.05) }
        let yTicks = report.accuracyTicks
        let y0 = yTicks.first?.value ?? 0, y1 = yTicks.last?.value ?? 1
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + (y1 - y) / (y1 - y0) * plotH }
        func n(_ v: Double) -> String { String(format: "%.1f", v) }

        var out: [String] = []
        out.append(##"<?xml version="1.0" encoding="UTF-8"?>"##)
        out.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(n(width))" height="\##(n(height))" viewBox="0 0 \##(n(width)) \##(n(height))" font-family="sans-serif" font-size="12">"##)
        out.append(##"<rect x="0" y="0" width="\##(n(width))" height="\##(n(height))" fill="white"/>"##)
        out.append(##"<text x="\##(n(left))" y="24" font-size="16" font-weight="bold">\##(escape("duet plan: task \(report.task) (votes by \(report.annotator))"))</text>"##)
        for (i, line) in subtitle.enumerated() {
            out.append(##"<text x="\##(n(left))" y="\##(n(44 + 16 * Double(i)))" fill="#444">\##(escape(line))</text>"##)
        }
        // Grid and ticks.
        out.append(##"<g stroke="#e0e0e0" stroke-width="1">"##)
        for t in yTicks { out.append(##"<line x1="\##(n(left))" y1="\##(n(py(t.value)))" x2="\##(n(left + plotW))" y2="\##(n(py(t.value)))"/>"##) }
        for b in budgets { out.append(##"<line x1="\##(n(px(b)))" y1="\##(n(top))" x2="\##(n(px(b)))" y2="\##(n(top + plotH))"/>"##) }
        out.append("</g>")
        out.append(##"<g stroke="#333" stroke-width="1"><line x1="\##(n(left))" y1="\##(n(top + plotH))" x2="\##(n(left + plotW))" y2="\##(n(top + plotH))"/><line x1="\##(n(left))" y1="\##(n(top))" x2="\##(n(left))" y2="\##(n(top + plotH))"/></g>"##)
        for t in yTicks {
            out.append(##"<text x="\##(n(left - 8))" y="\##(n(py(t.value) + 4))" text-anchor="end">\##(t.label)</text>"##)
        }
        for b in budgets {
            out.append(##"<text x="\##(n(px(b)))" y="\##(n(top + plotH + 18))" text-anchor="middle">\##(escape(PlanFormat.percent(b)))</text>"##)
            if report.cost.hasRate {
                out.append(##"<text x="\##(n(px(b)))" y="\##(n(top + plotH + 32))" text-anchor="middle" fill="#666">\##(escape(report.cost.money(report.cost.cost(budget: b))))</text>"##)
            }
        }
        let xTitle = "share of items sent to people" + (report.cost.hasRate ? " (and its cost)" : "")
        out.append(##"<text x="\##(n(left + plotW / 2))" y="\##(n(height - 16))" text-anchor="middle">\##(escape(xTitle))</text>"##)
        out.append(##"<text transform="translate(16 \##(n(top + plotH / 2))) rotate(-90)" text-anchor="middle">accuracy</text>"##)
        // The target.
        if report.targetAccuracy >= y0 && report.targetAccuracy <= y1 {
            let y = py(report.targetAccuracy)
            out.append(##"<line x1="\##(n(left))" y1="\##(n(y))" x2="\##(n(left + plotW))" y2="\##(n(y))" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"/>"##)
        }
        // One polyline and its points per strategy; frontier points ringed.
        let strategies = report.strategies
        for (i, s) in strategies.enumerated() {
            let color = palette[s] ?? spare[i % spare.count]
            let rows = report.rows.filter { $0.strategy == s }.sorted { $0.budget < $1.budget }
            out.append(##"<g class="strategy" data-strategy="\##(escape(s))">"##)
            // Earlier lines wider, so that lines lying on each other still show.
            let stroke = 2 + Double(strategies.count - 1 - i)
            out.append(##"<polyline fill="none" stroke="\##(color)" stroke-width="\##(n(stroke))" points="\##(rows.map { "\(n(px($0.budget))),\(n(py($0.accuracy)))" }.joined(separator: " "))"/>"##)
            for r in rows {
                out.append(##"<circle cx="\##(n(px(r.budget)))" cy="\##(n(py(r.accuracy)))" r="3.5" fill="\##(color)"><title>\##(escape("\(s) at \(PlanFormat.percent(r.budget)): accuracy \(PlanFormat.score(r.accuracy)), macro-F1 \(PlanFormat.score(r.macroF1)), \(report.cost.costText(r))"))</title></circle>"##)
            }
            out.append("</g>")
        }
        out.append(##"<g class="frontier" fill="none" stroke="#000" stroke-width="1.2">"##)
        for r in report.rows where r.pareto { out.append(##"<circle cx="\##(n(px(r.budget)))" cy="\##(n(py(r.accuracy)))" r="7"/>"##) }
        out.append("</g>")
        // Legend.
        let lx = left + plotW + 20
        var ly = top + 8
        for (i, s) in strategies.enumerated() {
            let color = palette[s] ?? spare[i % spare.count]
            out.append(##"<line x1="\##(n(lx))" y1="\##(n(ly))" x2="\##(n(lx + 24))" y2="\##(n(ly))" stroke="\##(color)" stroke-width="\##(n(2 + Double(strategies.count - 1 - i)))"/><circle cx="\##(n(lx + 12))" cy="\##(n(ly))" r="3.5" fill="\##(color)"/>"##)
            out.append(##"<text x="\##(n(lx + 32))" y="\##(n(ly + 4))">\##(escape(s))</text>"##)
            ly += 20
        }
        out.append(##"<circle cx="\##(n(lx + 12))" cy="\##(n(ly))" r="7" fill="none" stroke="#000" stroke-width="1.2"/><text x="\##(n(lx + 32))" y="\##(n(ly + 4))">Pareto frontier</text>"##)
        ly += 20
        out.append(##"<line x1="\##(n(lx))" y1="\##(n(ly))" x2="\##(n(lx + 24))" y2="\##(n(ly))" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"/><text x="\##(n(lx + 32))" y="\##(n(ly + 4))">\##(escape("target \(PlanFormat.score(report.targetAccuracy))"))</text>"##)
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Words into lines of at most `columns` characters (a longer word stands alone).
    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > columns {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// Text for XML content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Control characters other than tab and newline are not allowed in XML 1.0.
            case _ where c.value < 0x20 && c != "\t" && c != "\n": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
