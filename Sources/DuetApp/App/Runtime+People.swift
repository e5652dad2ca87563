import DuetCore
import DuetStoreAPI
import Foundation

/// The checks on people the label screen and the dashboard read off the store (`PeopleQuality.compute`).
extension Runtime {
    /// The dashboard's: gold and pace only (no routes read; suggestions are the Quality screen's).
    func people(_ task: TaskSpec, decisions: [CurrentDecision], quality: QualitySettings) async throws -> [PersonQuality] {
        try await PeopleQuality.compute(store: store, task: task, quality: quality, decisions: decisions, routes: [:])
    }

    /// Why this person gets no new items in `task` (nil when they may go on): only with `[quality] stop_below`.
    func stopReason(_ task: TaskSpec, _ context: EffectContext) async throws -> String? {
        guard context.quality.stopBelow, context.quality.minPersonAccuracy != nil else { return nil }
        // Asked before every item: only this person's answers on gold items are read.
        let me = try await PeopleQuality.gold(store: store, task: task, annotator: context.annotator, quality: context.quality)
        return PeopleQuality.stopReason(me, settings: context.quality)
    }
}
