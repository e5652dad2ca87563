import DuetCore
import DuetStoreAPI
import Foundation

/// The checks on people the screens read off the store: accuracy on gold (honeypots), too-fast answers,
/// and whether a person is stopped (`[quality] stop_below`).
extension Runtime {
    /// Every person's figures in `task` (`PeopleQuality.make`), from its people's decisions, gold labels and routes.
    static func people(_ store: any ItemCatalog & LabelingQueue & RouteStore, _ task: TaskSpec, decisions: [CurrentDecision],
                       quality: QualitySettings, routes: [Int64: RouteRecord]? = nil) async throws -> [PersonQuality] {
        let gold = try await store.goldLabels(task: task)
        let routes = if let routes { routes } else { try await store.routes(task: task, route: nil) }
        return PeopleQuality.make(decisions: decisions, gold: gold, routes: routes,
                                  kind: task.kind, honeypots: task.honeypotRate > 0, settings: quality)
    }

    /// The dashboard's: gold and pace only (no routes read; suggestions are the Quality screen's).
    func people(_ task: TaskSpec, decisions: [CurrentDecision], quality: QualitySettings) async throws -> [PersonQuality] {
        try await Runtime.people(store, task, decisions: decisions, quality: quality, routes: [:])
    }

    /// Why this person gets no new items in `task` (nil when they may go on): only with `[quality] stop_below`.
    func stopReason(_ task: TaskSpec, _ context: EffectContext) async throws -> String? {
        guard context.quality.stopBelow, context.quality.minPersonAccuracy != nil else { return nil }
        let mine = try await store.currentDecisions(task: task, kind: .human).filter { $0.annotator == context.annotator }
        let gold = try await store.goldLabels(task: task)
        let me = PeopleQuality.make(decisions: mine, gold: gold, kind: task.kind, settings: context.quality).first
        return PeopleQuality.stopReason(me, settings: context.quality)
    }
}
