import Foundation

/// `duet quality --svg`: the reliability diagram (each confidence bin's share of people agreeing, against
/// the diagonal of perfect calibration) and the risk–coverage curve (error of the kept labels as the kept
/// share grows), side by side in one self-contained SVG. Text is escaped as `PlanSVG` escapes it.
public enum CalibrationSVG {
    public static func render(_ e: QualityEstimates, width: Double = 820, height: Double = 420) -> String {
        func n(_ v: Double) -> String { String(format: "%.1f", v) }
        let c = e.calibration
        let top = 70.0, bottom = 56.0, gap = 70.0, side = 60.0
        let panelW = (width - 2 * side - gap) / 2, panelH = max(10, height - top - bottom)
        var out: [String] = []
        out.append(##"<?xml version="1.0" encoding="UTF-8"?>"##)
        out.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(n(width))" height="\##(n(height))" viewBox="0 0 \##(n(width)) \##(n(height))" font-family="sans-serif" font-size="12">"##)
        out.append(##"<rect x="0" y="0" width="\##(n(width))" height="\##(n(height))" fill="white"/>"##)
        out.append(##"<text x="\##(n(side))" y="24" font-size="16" font-weight="bold">\##(PlanSVG.escape("duet quality: task \(e.task)"))</text>"##)
        let summary = c.ece.map { ece in
            "\(c.items) items with the machine's confidence and people's label: ECE \(PlanFormat.score(ece)), Brier \(PlanFormat.score(c.brier ?? 0))"
        } ?? "no item has both the machine's confidence and people's label yet"
        out.append(##"<text x="\##(n(side))" y="44" fill="#444">\##(PlanSVG.escape(summary))</text>"##)
        // One panel's frame: axes from 0 to 1 on both sides, ticks every 0.2.
        func frame(x: Double, title: String, xTitle: String, yTitle: String) {
            out.append(##"<g class="panel" data-panel="\##(PlanSVG.escape(title))">"##)
            out.append(##"<text x="\##(n(x))" y="\##(n(top - 10))" font-weight="bold">\##(PlanSVG.escape(title))</text>"##)
            out.append(##"<g stroke="#e0e0e0" stroke-width="1">"##)
            for k in 0...5 {
                let t = Double(k) / 5
                out.append(##"<line x1="\##(n(x))" y1="\##(n(top + (1 - t) * panelH))" x2="\##(n(x + panelW))" y2="\##(n(top + (1 - t) * panelH))"/>"##)
            }
            out.append("</g>")
            out.append(##"<g stroke="#333" stroke-width="1"><line x1="\##(n(x))" y1="\##(n(top + panelH))" x2="\##(n(x + panelW))" y2="\##(n(top + panelH))"/><line x1="\##(n(x))" y1="\##(n(top))" x2="\##(n(x))" y2="\##(n(top + panelH))"/></g>"##)
            for k in 0...5 {
                let t = Double(k) / 5
                out.append(##"<text x="\##(n(x - 6))" y="\##(n(top + (1 - t) * panelH + 4))" text-anchor="end">\##(String(format: "%.1f", t))</text>"##)
                out.append(##"<text x="\##(n(x + t * panelW))" y="\##(n(top + panelH + 16))" text-anchor="middle">\##(String(format: "%.1f", t))</text>"##)
            }
            out.append(##"<text x="\##(n(x + panelW / 2))" y="\##(n(top + panelH + 36))" text-anchor="middle">\##(PlanSVG.escape(xTitle))</text>"##)
            out.append(##"<text transform="translate(\##(n(x - 40)) \##(n(top + panelH / 2))) rotate(-90)" text-anchor="middle">\##(PlanSVG.escape(yTitle))</text>"##)
        }
        // The reliability diagram: a bar per non-empty bin at its accuracy, the diagonal dashed.
        let lx = side
        frame(x: lx, title: "Reliability", xTitle: "machine's confidence", yTitle: "share people agreed")
        out.append(##"<line x1="\##(n(lx))" y1="\##(n(top + panelH))" x2="\##(n(lx + panelW))" y2="\##(n(top))" stroke="#999" stroke-dasharray="5 4"/>"##)
        for b in c.bins where b.count > 0 {
            let acc = b.accuracy ?? 0
            let x = lx + b.low * panelW + 1, w = max(1, (b.high - b.low) * panelW - 2)
            out.append(##"<rect x="\##(n(x))" y="\##(n(top + (1 - acc) * panelH))" width="\##(n(w))" height="\##(n(acc * panelH))" fill="#1f77b4" fill-opacity="0.75"><title>\##(PlanSVG.escape(String(format: "%.1f–%.1f: %d items, mean confidence %.2f, agreed %.2f", b.low, b.high, b.count, b.meanConfidence ?? 0, acc)))</title></rect>"##)
        }
        out.append("</g>")
        // The risk–coverage curve.
        let rx = side + panelW + gap
        frame(x: rx, title: "Risk–coverage", xTitle: "share of labels kept (most confident first)", yTitle: "error of the kept")
        if !c.curve.isEmpty {
            let points = c.curve.map { "\(n(rx + $0.coverage * panelW)),\(n(top + (1 - $0.risk) * panelH))" }.joined(separator: " ")
            out.append(##"<polyline fill="none" stroke="#d62728" stroke-width="2" points="\##(points)"/>"##)
        }
        out.append("</g>")
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
