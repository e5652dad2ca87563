import DuetCore
import DuetStoreAPI
import Foundation

/// `duet quality` and the Quality screen's estimates: reads a task's routes, people's decisions and the
/// machine's votes through the store's roles and hands them to `QualityEstimates` (DuetCore), which does
/// every computation (docs/estimates.md).
public enum EstimatesWorkflow {
    /// The estimates for `task` (the project's only task when nil).
    public static func run(task name: String?, project: Project) async throws -> QualityEstimates {
        try await estimates(task: project.task(name), store: project.store, quality: project.config.quality)
    }

    /// The estimates for `task` from any store (the app's loader passes the project's) under the project's
    /// `[quality]` (the alt-test's margin ε, `alt_test_epsilon`). `tTestItems`: the items from which a person
    /// gets the t-test rather than the signed-rank test (30, the authors' figure). The people's figures
    /// (`PeopleQuality`: gold, speed, suggestions taken) come from the same reads: this is their one home, for
    /// `duet quality` and the Quality screen alike.
    public static func estimates(task: TaskSpec, store: some ItemCatalog & LabelingQueue & VoteStore & RouteStore,
                                 quality: QualitySettings, tTestItems: Int = 30) async throws -> QualityEstimates {
        let ids = try await store.itemRowIDs(for: task)
        let routes = try await store.routes(task: task, route: nil)
        let decisions = try await store.currentDecisions(task: task, kind: .human)
        let answers = Audit.peopleAnswers(decisions, kind: task.kind)
        var people: [Int64: [String: String]] = [:]
        for d in decisions where d.status == .submitted && !Adjudication.isAdjudicator(d.annotator) {
            if let l = task.kind.answerLabel(d.value) { people[d.itemRowID, default: [:]][d.annotator] = l }
        }
        let votes = routes.isEmpty ? VoteTable() : task.routingVotes(try await store.votes(task: task, annotator: nil))
        let items = ids.map { id in
            let r = routes[id]
            return QualityEstimates.Item(id: id, route: r?.route, machineLabel: r?.machineLabel,
                                         confidence: r.flatMap { confidence($0, votes: votes[id] ?? []) }, uncertainty: r?.score ?? 0,
                                         auditProbability: r?.auditProbability, answer: answers[id], people: people[id] ?? [:])
        }
        var e = QualityEstimates(task: task.name, items: items, epsilon: quality.altTestEpsilon, tTestItems: tTestItems)
        e.people = try await PeopleQuality.compute(store: store, task: task, quality: quality, decisions: decisions, routes: routes)
        return e
    }

    /// The machine's confidence in a route's label: the support of the votes by the route's annotator (all
    /// of the item's votes when it is a panel); nil for votes that are not one label each (multilabel
    /// sets, rankings).
    static func confidence(_ route: RouteRecord, votes: [MachineVote]) -> Double? {
        guard let label = route.machineLabel, KindScorer.forVotes(votes) == nil else { return nil }
        let own = votes.filter { $0.annotator == route.annotator }
        return MachineVote.support(for: label, in: own.isEmpty ? votes : own)
    }
}

extension EstimatesWorkflow {
    /// Writes the reliability diagram and risk–coverage curve (`CalibrationSVG`) to `path`, as `duet plan
    /// --svg` writes its chart (checked against the project's own files, a temporary file renamed into place).
    public static func writeSVG(_ estimates: QualityEstimates, to path: String, project: Project) throws {
        let svg = Data(CalibrationSVG.render(estimates).utf8)
        try OutputFile.write(svg, to: path, project: ProjectFiles(root: project.root))
    }
}
