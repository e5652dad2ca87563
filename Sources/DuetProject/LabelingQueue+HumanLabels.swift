import DuetCore
import DuetStoreAPI

extension LabelingQueue {
    /// People's current labels per item (the latest submitted human decision), as the router compares them
    /// (`Router.humanLabels`): what routing, cascades and the built-in annotator's training read.
    public func humanLabels(_ task: TaskSpec) async throws -> [Int64: String] {
        Router.humanLabels(try await currentDecisions(task: task, kind: .human), kind: task.kind)
    }
}
