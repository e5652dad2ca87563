import DuetApp
import DuetCore
import DuetProject

/// The Quality screen's figures for a project: the store's (agreement,
/// audits, pair statistics) and the planner's curves.
public enum QualityLoader {
    public static func make(project: Project, colors: Bool) -> @Sendable (TaskSpec) async throws -> QualityReport {
        nonisolated(unsafe) let project = project  // read only (its config and store), on the runtime's compute worker
        return { task in
            var report = try await Runtime.storeQuality(project.store, task, quality: project.config.quality, people: false)
            let estimates = try await EstimatesWorkflow.estimates(task: task, store: project.store, quality: project.config.quality)
            report.estimates = estimates
            report.people = estimates.people
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
