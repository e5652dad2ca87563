import DuetCore
import Foundation
import DuetApp
import TermUI

/// `duet adjudicate --list`: the disputed items as text, one per line.
public enum AdjudicationList {
    public static func make(task name: String?, peopleOnly: Bool, project: Project) async throws -> String {
        let task = try project.task(name)
        let items = Adjudication.disagreements(try await project.store.currentDecisions(task: task), peopleOnly: peopleOnly, includeSettled: true)
        guard !items.isEmpty else { return "no disagreements in task '\(task.name)'" }
        var lines: [String] = []
        for d in items {
            let uid = try await project.store.item(rowID: d.itemRowID)?.item.uid ?? "#\(d.itemRowID)"
            var line = uid + ": " + d.answers.map { "\($0.annotator)=\(Adjudication.words($0.key, task: task))" }.joined(separator: ", ")
            if let s = d.settled { line += "  → final \(Adjudication.words(s.key, task: task)) (\(s.annotator))" }
            lines.append(TerminalText.sanitize(line))  // ids and labels come from data
        }
        let open = items.filter { $0.settled == nil }.count
        let count = "\(items.count) disputed item\(items.count == 1 ? "" : "s")"
        lines.append(open == 0 ? count + ", all settled" : count + ", \(open) not settled; `duet adjudicate --task \(task.name)` settles them")
        return lines.joined(separator: "\n")
    }
}

extension AgreementReport {
    /// `duet agreement`: the report for a task of the project.
    public static func make(task name: String?, project: Project) async throws -> AgreementReport {
        let task = try project.task(name)
        let decisions = try await project.store.currentDecisions(task: task)
        var report = make(task: task, decisions: decisions)
        // The machines against people: every annotator with votes, each on its own (label votes only).
        let present = try await project.store.voteAnnotators(task: task)
        if !present.isEmpty, task.kind != .multilabel {
            let people = Router.humanLabels(decisions.filter { $0.annotatorKind == .human }, kind: task.kind)
            let votes = task.routingVotes(try await project.store.votes(task: task, annotator: nil))
            if KindScorer.forTask(task, votes: votes) == nil, !people.isEmpty {
                report.machines = PanelMember.measure(votes: votes, members: present.sorted(), truth: people, labels: task.answerLabels)
            }
        }
        return report
    }
}

/// The Quality screen's figures for a project: the store's (agreement,
/// audits, pair statistics) and the planner's curves.
public enum QualityLoader {
    public static func make(project: Project, colors: Bool) -> @Sendable (TaskSpec) async throws -> QualityReport {
        nonisolated(unsafe) let project = project  // read only (its config and store), on the runtime's compute worker
        return { task in
            var report = try await Runtime.storeQuality(project.store, task)
            do {
                let plan = try await PlanWorkflow.run(PlanRequest(task: task.name), project: project)
                report.plan = view(plan, colors: colors)
            } catch let e as DuetError {
                report.planNote = "No plan: " + e.description
            }
            return report
        }
    }

    static func view(_ plan: PlanReport, colors: Bool) -> PlanView {
        let curves = plan.strategies.map { s in
            PlanView.Curve(strategy: s, points: plan.rows.filter { $0.strategy == s }.sorted { $0.budget < $1.budget }
                .map { PlanView.Point(budget: $0.budget, accuracy: $0.accuracy, cost: $0.cost, pareto: $0.pareto) })
        }
        return PlanView(curves: curves, chart: PlanWorkflow.chart(plan, colors: colors), recommendation: plan.recommendation.text,
                        reachesTarget: plan.recommendation.reachesTarget, basis: [plan.evaluation.summary, plan.cost.summary],
                        panel: plan.panel)
    }
}
