import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation

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
        // The threshold, chosen on half of the measured items and checked on the other (label votes only).
        if scorer == nil {
            report.checkThreshold(measured.sorted().compactMap { id in
                guard let vs = votes[id], let want = truth[id], let best = MachineVote.supported(in: vs) else { return nil }
                return Calibration.Outcome(item: id, confidence: best.support, correct: best.label == want)
            })
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
}
