import DuetCore

extension PeopleQuality {
    /// Every person's figures in `task` from the store (`make`): people's current decisions (read here when not
    /// given), the task's gold labels and its routes (`routes: [:]` leaves the suggestions out, for a cheap read).
    /// What the Quality screen, the dashboard and `duet quality --json`'s `people` show.
    public static func compute(store: any ItemCatalog & LabelingQueue & RouteStore, task: TaskSpec, quality: QualitySettings,
                               decisions: [CurrentDecision]? = nil, routes: [Int64: RouteRecord]? = nil) async throws -> [PersonQuality] {
        let decisions = if let decisions { decisions } else { try await store.currentDecisions(task: task, kind: .human) }
        let routes = if let routes { routes } else { try await store.routes(task: task, route: nil) }
        return make(decisions: decisions, gold: try await store.goldLabels(task: task), routes: routes, kind: task.kind,
                    honeypots: task.honeypotRate > 0, settings: quality)
    }
}
