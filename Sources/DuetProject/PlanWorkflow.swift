import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation
import TermUI

public struct PlanRequest: Sendable {
    public var task: String?
    public var budgets: [Double]
    /// Whose votes (default: [router] annotators, else every annotator with votes).
    public var annotators: [String]?
    /// Folds for cross-fitting the built-in annotator's votes.
    public var folds: Int

    public init(task: String? = nil, budgets: [Double] = PlanWorkflow.defaultBudgets, annotators: [String]? = nil, folds: Int = 5) {
        self.task = task
        self.budgets = budgets
        self.annotators = annotators
        self.folds = folds
    }
}

/// `duet plan`: what each strategy and budget would give and cost, gold or
/// people's labels standing in for people.
public enum PlanWorkflow {
    public static let defaultBudgets = [0, 0.1, 0.2, 0.3, 0.4, 0.5]

    /// `progress`: the stage, with the folds of the built-in annotator's cross-fitting counted (the long part).
    public static func run(_ request: PlanRequest, project: Project,
                           progress: @escaping @Sendable (WorkProgress) -> Void = { _ in }) async throws -> PlanReport {
        let started = Date()
        let tell = { @Sendable (step: String, done: Int, total: Int?, unit: String) in
            progress(WorkProgress(label: "plan", step: step, done: done, total: total, unit: unit, elapsed: Date().timeIntervalSince(started)))
        }
        tell("reading the votes", 0, nil, "items")
        let task = try project.task(request.task)
        let store = project.store
        var (members, votes) = try await RouteWorkflow.routerVotes(request.annotators, project: project, task: task)
        // Truth: people's labels where they exist, else gold.
        let decisions = try await store.currentDecisions(task: task, kind: .human)
        let human = Router.humanLabels(decisions, kind: task.kind)
        var truth = human
        let items = try await store.allItems(for: task)
        for item in items where truth[item.rowID] == nil {
            if let g = Decisions.labelText(item.item.gold) { truth[item.rowID] = g }
        }
        let order = items.map(\.rowID).filter(votes.contains)
        let measured = Set(order.filter { truth[$0] != nil })
        tell("reading the votes", order.count, nil, "items with votes")
        // Compare tasks: each member's own position bias, which needs no truth.
        let biases = task.kind == .compare ? MachinePositionBias.make(try await store.voteCounts(task: task).filter { members.contains($0.annotator) }) : []
        let bias = biases.first
        guard !measured.isEmpty else {
            let source = task.kind == .compare ? try await store.sourceValues(task: task) : [:]
            throw DuetError(PlanNeeds(task: task, annotator: members.joined(separator: ", "), votedItems: order.count, peopleLabeled: human.count,
                                      goldLabeled: truth.count - human.count, sourcePreferences: order.filter { source[$0] != nil }.count,
                                      positionBias: bias).text)
        }
        let byPeople = measured.filter { human[$0] != nil }.count
        var evaluation = PlanEvaluation(items: measured.count, humanLabels: byPeople, goldLabels: measured.count - byPeople)
        // The built-in member's votes on the labels it learned from were made by a model that saw them: re-ask out of fold.
        if let local = members.first(where: { annotatorSpec(voteName: $0, config: project.config)?.kind == .local }),
           let spec = annotatorSpec(voteName: local, config: project.config) {
            let useGold = project.config.router.trainOnGold
            let fit = try await crossFit(spec, task: task, items: items, measured: measured, useGold: useGold, folds: request.folds, store: store) {
                tell("cross-fitting \(local)", $0, $1, "folds")
            }
            var replaced: [Int64: [MachineVote]] = [:]
            for (id, vs) in fit.votes { replaced[id] = (votes[id] ?? []).filter { $0.annotator != local } + vs }
            votes = votes.replacing(replaced).members(members)
            evaluation.crossFitFolds = fit.folds
            evaluation.crossFitItems = fit.votes.count
            evaluation.note = fit.note
        }
        tell("scoring strategies × budgets", measured.count, nil, "items with truth")
        votes = task.routingVotes(votes)  // a review's verdict votes are not scale points
        // Multilabel tasks and rankings are planned by their own scores (`KindScorer`).
        let scorer = KindScorer.forTask(task, votes: votes)
        if let scorer { evaluation.note = [evaluation.note, scorer.planNote].compactMap { $0 }.joined(separator: ". ") }
        let rows = scorer.map { Router.plan(scorer: $0, votes: votes, order: order, truth: truth, labels: task.answerLabels, budgets: request.budgets) }
            ?? Router.plan(votes: votes, order: order, truth: truth, labels: task.answerLabels, budgets: request.budgets)
        // People's time, as everywhere: over the decisions that measured it (TaskProgress.timed).
        let pace = try await store.taskProgress(task)
        // Each member's stored tokens at its prices (the built-in and replayed annotators have none).
        var tokens = VoteTokens(), costs: [String: Double] = [:]
        for who in members {
            let t = try await store.voteTokens(task: task, annotator: who)
            tokens.votes += t.votes
            tokens.promptTokens += t.promptTokens
            tokens.completionTokens += t.completionTokens
            if let spec = annotatorSpec(voteName: who, config: project.config), spec.kind == .llm {
                costs[who] = t.cost(promptPrice: spec.promptPrice, completionPrice: spec.completionPrice)
            }
        }
        var basis = CostBasis(items: order.count, measuredSeconds: pace.humanSeconds, measuredDecisions: pace.timed,
                              settings: project.config.cost, tokens: tokens)
        basis.machineCost = costs.values.reduce(0, +)
        let baseline = scorer.map { PlanBaseline.make(scorer: $0, votes: votes, order: order, truth: truth, labels: task.answerLabels) }
            ?? PlanBaseline.make(votes: votes, order: order, truth: truth, labels: task.answerLabels)
        var report = PlanReport(task: task.name, annotator: members.joined(separator: ", "), rows: rows, cost: basis,
                                targetAccuracy: project.config.router.targetAccuracy, evaluation: evaluation, baseline: baseline)
        if let stages = project.config.router.cascade?.map({ project.config.voteName(of: $0) }),
           request.annotators == nil, project.config.router.annotators == nil, stages == members {
            report.cascade = CascadeStage.measure(votes: votes, stages: stages, costs: costs)
        }
        // Who to trust: members' answers against the truth (label votes; multilabel and ranking votes are not one answer each).
        if members.count > 1, scorer == nil {
            report.panel = PanelMember.measure(votes: votes, members: members, truth: truth.filter { measured.contains($0.key) },
                                               labels: task.answerLabels, costs: costs)
        }
        report.positionBias = members.count == 1 ? bias : nil
        report.panelPositionBias = members.count > 1 ? biases : []
        return report
    }

    /// The annotator of duet.toml whose votes are stored under `voteName` (the built-in one needs no declaration).
    static func annotatorSpec(voteName: String, config: ProjectConfig) -> AnnotatorSpec? {
        if let s = config.annotators.first(where: { $0.voteName == voteName }) { return s }
        let builtIn = AnnotatorSpec(name: "local", kind: .local)
        return builtIn.voteName == voteName ? builtIn : nil
    }

    /// Out-of-fold votes of the built-in annotator on the measured items it
    /// learns from: for each of `folds` folds, an ensemble trained without
    /// that fold's labels votes on it. Nothing is written to the store.
    static func crossFit(_ spec: AnnotatorSpec, task: TaskSpec, items: [StoredItem], measured: Set<Int64>, useGold: Bool, folds: Int,
                         store: any ItemCatalog & LabelingQueue, progress: (_ done: Int, _ folds: Int) -> Void = { _, _ in })
        async throws -> (votes: [Int64: [MachineVote]], folds: Int, note: String?) {
        let training = try await MachineRunWorkflow.localTraining(task: task, items: items, useGold: useGold, store: store)
        // Folds drawn by a fixed pseudo-random order, so a re-run gives the same plan.
        let learned = training.itemIDs.intersection(measured).sorted { Allocation.tieKey($0, 17) < Allocation.tieKey($1, 17) }
        guard !learned.isEmpty else { return ([:], 0, nil) }
        let optimistic = "the rows use the stored votes, made by a model that learned from these very labels, so they are optimistic"
        let k = min(max(2, folds), learned.count)
        guard learned.count >= 2 else { return ([:], 0, "Only one measured item to learn from: \(optimistic)") }
        let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.rowID, $0) })
        var out: [Int64: [MachineVote]] = [:]
        for f in 0..<k {
            progress(f, k)
            let held = Set(learned.enumerated().filter { $0.offset % k == f }.map(\.element))
            let ensemble: any MachineAnnotator
            do {
                ensemble = try MachineRunWorkflow.local(spec, task: task, items: items, training: training.removing(held), useGold: useGold).0
            } catch let e as DuetError {
                return ([:], 0, "Could not cross-fit (\(e.description)): \(optimistic)")
            }
            let heldItems = learned.filter(held.contains).compactMap { byID[$0] }
            for (id, v) in try await ensemble.annotate(heldItems, task: task, progress: { _ in }) { out[id] = v }
        }
        progress(k, k)
        return (out, k, nil)
    }

    /// Refuses an SVG path that would be a project file (see `OutputFile.check`).
    public static func checkSVGPath(_ path: String, project: Project) throws {
        try OutputFile.check(path, project: ProjectFiles(root: project.root))
    }

    /// Writes the SVG chart to `path` (a temporary file renamed into place).
    public static func writeSVG(_ report: PlanReport, to path: String, project: Project) throws {
        let svg = Data(PlanSVG.render(report).utf8)
        try OutputFile.write(svg, to: path, project: ProjectFiles(root: project.root))
    }

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
