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

    /// One person's accuracy on gold alone (what `stop_below` judges), from their own decisions on gold items
    /// (`LabelingQueue.goldAnswers`), not the task's: the same `goldItems`, `goldRight` and `below` as `compute`
    /// gives them; nil before any submitted answer.
    public static func gold(store: any LabelingQueue, task: TaskSpec, annotator: String, quality: QualitySettings) async throws -> PersonQuality? {
        let answers = try await store.goldAnswers(task: task, annotator: annotator)
        return make(decisions: answers.decisions, gold: answers.gold, kind: task.kind, honeypots: task.honeypotRate > 0, settings: quality)
            .first { $0.name == annotator }
    }
}
