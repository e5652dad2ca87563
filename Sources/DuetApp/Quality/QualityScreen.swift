import DuetCore
import Foundation
import TermUI

/// How good a task's labels are and what more human time would buy: the
/// planner's chart, agreement, the machine's audited accuracy, position bias.
enum QualityScreen {
    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ q: QualityState) {
        let t = state.theme
        guard let report = q.report else {
            // Computed off the loop (`Runtime.computeWorker`): the keys below keep working meanwhile.
            c.put(" computing… (the plan re-trains the built-in annotator; keys still work)", x: r.x, y: r.y + 1,
                  style: t[.muted])
            return
        }
        let layout = QualityLayout(body: r, q, state: state)
        let chartRect = layout.chart
        c.box(layout.box, title: "figures", style: t[.border], titleStyle: t[.title])
        c.paragraph(layout.lines, in: layout.text, offset: q.scroll)
        if let chartRect, let plan = report.plan {
            let box = c.box(chartRect, title: "plan: accuracy by share sent to people", style: t[.border], titleStyle: t[.title])
            PlanChart.draw(&c, box, plan, theme: t)
        }
    }
}

/// The planner's curves in braille, one marker letter per strategy.
enum PlanChart {
    static func draw(_ c: inout Canvas, _ r: Rect, _ plan: PlanView, theme t: Theme) {
        var chart = plan.chart
        chart.axisStyle = t[.muted]
        c.lineChart(chart, in: r)
    }
}
