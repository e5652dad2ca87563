import DuetCore
import DuetProject
import Foundation
import TermUI

/// `duet plan`'s text and chart (TermUI's wrapping by display width and its `LineChart`), for the command and the Quality screen.
extension PlanWorkflow {
    // MARK: - Text

    /// The header, the tables and the recommendation (the chart is separate),
    /// prose wrapped to `width`. The tables have a row per budget and a column
    /// per strategy: accuracy, then macro-F1.
    public static func text(_ report: PlanReport, width: Int = 100, routeHint: Bool = true) -> (head: [String], table: [String], advice: [String]) {
        let c = report.cost, e = report.evaluation
        // "label:   text", continuation lines indented under the text.
        func para(_ label: String, _ text: String) -> [String] {
            Wrap.lines(text, width: max(20, width - 9)).enumerated().map { ($0.offset == 0 ? label.padding(toLength: 9, withPad: " ", startingAt: 0) : "         ") + $0.element }
        }
        var truth: [String] = []
        if e.humanLabels > 0 { truth.append("\(e.humanLabels) labeled by people") }
        if e.goldLabels > 0 { truth.append("\(e.goldLabels) with gold labels") }
        var quality = "measured on \(e.items) items (\(truth.joined(separator: ", "))), people assumed right on the items they get."
        if e.crossFitFolds > 0 {
            quality += " \(e.crossFitFolds)-fold cross-fitted: the annotator learns from these labels, so each fold is voted on by a model trained without it."
        }
        if let note = e.note { quality += " " + note + "." }
        var cost = "people \(PlanFormat.seconds(c.secondsPerItem)) per item" + (c.hasRate ? " at \(c.money(c.hourlyRate)) per person-hour" : "")
        cost += "; machine " + (c.tokens.promptTokens + c.tokens.completionTokens > 0
            ? "\(c.tokens.promptTokens + c.tokens.completionTokens) tokens, \(c.money(c.machineCost)) (in every row)" : "no token cost") + "."
        cost += c.isMeasured ? " Seconds \(c.secondsSource)." : " Seconds assumed ([cost] seconds_per_item): no labeling time measured yet."
        if !c.hasRate { cost += " No [cost] hourly_rate: person-hours only." }
        let who = report.panel.count > 1 ? "a panel of \(report.panel.count) (\(report.annotator))" : report.annotator
        let head = Wrap.lines("plan for task \(report.task): votes by \(who) on \(c.items) items", width: width)
            + para("quality:", quality) + para("cost:", cost)
        let strategies = report.strategies, budgets = report.budgets
        // One money column with an hourly rate, else person-hours: the table fits 80 columns.
        let costHeader = c.hasRate ? "cost" : "person-h"
        func costCell(_ b: Double) -> String { c.hasRate ? c.money(c.cost(budget: b)) : PlanFormat.hours(c.personHours(budget: b)) }
        let columns = strategies.map { max(8, $0.count + 1) }
        var table = ["to people" + lpad("items", 7) + lpad(costHeader, 10) + zip(strategies, columns).map { lpad($0, $1) + " " }.joined()]
        table[0].removeLast()
        for (title, value) in [("accuracy (* = on the Pareto frontier: nothing cheaper is as accurate)", \PlanRow.accuracy),
                               ("macro-F1", \PlanRow.macroF1)] {
            table.append(title)
            for b in budgets {
                var line = lpad(PlanFormat.percent(b), 9) + lpad("\(c.peopleItems(budget: b))", 7) + lpad(costCell(b), 10)
                for (s, column) in zip(strategies, columns) {
                    let r = report.rows.first { $0.strategy == s && $0.budget == b }
                    let star = r.map { $0.pareto && value == \PlanRow.accuracy } ?? false ? "*" : " "
                    line += lpad(r.map { String(format: "%.3f", $0[keyPath: value]) } ?? "", column) + star
                }
                while line.last == " " { line.removeLast() }
                table.append(line)
            }
        }
        var advice: [String] = []
        if !report.panel.isEmpty {
            advice += panelLines(report.panel, cost: c) + [""]
        }
        if let last = report.cascade.last, last.items > 0 {
            let stages = report.cascade.map { "\($0.annotator) on \($0.items) items (\(c.money($0.cost)))" }.joined(separator: ", then ")
            let everything = last.cost / Double(last.items) * Double(c.items)
            advice += Wrap.lines("cascade: \(stages): \(c.money(report.cascade.reduce(0) { $0 + $1.cost })) in all; "
                + "\(last.annotator) on all \(c.items) items would cost about \(c.money(everything)).", width: width) + [""]
        }
        if let b = report.baseline {
            advice += Wrap.lines("baseline: every item " + (b.label.isEmpty ? "without a label" : "\"\(b.label)\"") + " (the most common label) scores accuracy \(PlanFormat.score(b.accuracy)), "
                + "macro-F1 \(PlanFormat.score(b.macroF1)); the machine alone \(PlanFormat.score(b.machineAccuracy)).", width: width)
            if let w = b.warning { advice += Wrap.lines(w, width: width) }
        }
        for m in report.positionBias.map({ [$0] }) ?? report.panelPositionBias {
            advice += Wrap.lines((m.biased ? "warning: " : "") + "position bias: " + m.text + ".", width: width)
        }
        advice += Wrap.lines((report.recommendation.reachesTarget ? "recommendation: " : "") + report.recommendation.text, width: width)
        if routeHint, report.recommendation.reachesTarget, let r = report.recommendation.row {
            advice.append("to route like this: duet route --task \(report.task) --strategy \(r.strategy) --budget \(trimmed(r.budget))")
        }
        return (head, table, advice)
    }

    /// Who to trust: each panel member's accuracy against the truth with its 95% interval, the constant
    /// guess it must beat, the accuracy the panel model learned, and its cost per item; most accurate first.
    public static func panelLines(_ members: [PanelMember], cost: CostBasis) -> [String] {
        let width = min(28, max(6, members.map { DisplayWidth.of($0.annotator) }.max() ?? 6))
        func cell(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - DisplayWidth.of(s))) }
        var out = ["who to trust (against the labels above; 95% interval; chance = always the most common label):",
                   cell("member", width + 1) + cell("items", 6) + cell("accuracy  95% CI", 23) + cell("chance", 7) + cell("learned", 8) + "per item"]
        for m in PanelMember.ranked(members) {
            var line = cell(Wrap.truncate(m.annotator, width: width), width + 1) + cell(String(m.items), 6)
            line += cell(String(format: "%.3f  %.3f–%.3f", m.accuracy, m.low, m.high), 23) + cell(String(format: "%.3f", m.chance), 7)
            line += cell(m.learnedAccuracy.map { String(format: "%.3f", $0) } ?? "–", 8) + (m.costPerItem.map { cost.money($0) } ?? "–")
            if m.noBetterThanChance { line += "  " + PanelMember.chanceWarning }
            out.append(line)
        }
        return out
    }

    /// Right-aligned in `n` columns (always at least one space before it).
    static func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
    static func trimmed(_ v: Double) -> String {
        var s = String(format: "%.4f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    // MARK: - Chart

    /// Accuracy against the share sent to people, one line per strategy, the target dotted.
    public static func chart(_ report: PlanReport, colors: Bool) -> LineChart {
        let palette: [String: Color] = ["default": .green, "entropy": .cyan, "confidence": .yellow, "calibrated": .magenta, "random": .brightBlack]
        let strategies = report.strategies
        let markers = LineChart.markers(for: strategies)
        let series = strategies.enumerated().map { i, s in
            ChartSeries(name: s, marker: markers[i], style: colors ? Style(fg: palette[s] ?? .blue) : .plain,
                        points: report.rows.filter { $0.strategy == s }.sorted { $0.budget < $1.budget }.map { ChartPoint($0.budget, $0.accuracy) })
        }
        let c = report.cost
        let budgets = report.budgets
        let xTicks = budgets.map { ChartTick($0, PlanFormat.percent($0) + (c.hasRate ? " " + c.money(c.cost(budget: $0)) : "")) }
        let accuracy = report.accuracyTicks
        let yTicks = accuracy.map { ChartTick($0.value, $0.label) }
        var xRange: ClosedRange<Double>? = nil
        if let lo = budgets.first, let hi = budgets.last, hi > lo { xRange = lo...hi }
        return LineChart(series: series, xRange: xRange, yRange: (accuracy.first?.value ?? 0)...(accuracy.last?.value ?? 1), xTicks: xTicks, yTicks: yTicks,
                         reference: ChartReference(value: report.targetAccuracy, label: "target \(PlanFormat.score(report.targetAccuracy))",
                                                   style: colors ? Style(fg: .red) : .plain),
                         xTitle: "share of items sent to people" + (c.hasRate ? " (cost of that share)" : ""), yTitle: "accuracy",
                         axisStyle: colors ? Style(attributes: .dim) : .plain)
    }

    /// The chart drawn on a canvas of `width` × `height`.
    public static func chartCanvas(_ report: PlanReport, width: Int, height: Int, colors: Bool) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        canvas.lineChart(chart(report, colors: colors), in: canvas.bounds)
        return canvas
    }
}
