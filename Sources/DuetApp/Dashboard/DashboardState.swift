import DuetCore
import Foundation
import TermUI

/// One row of the dashboard.
public struct TaskSummary: Sendable, Hashable {
    public var task: TaskSpec
    public var progress: TaskProgress
    /// Compare tasks: position bias, tie and both-bad rates, source agreement.
    public var pairs: PairStats?
    /// Routed tasks: the machine's accuracy from blind audits.
    public var audit: [AuditEstimate]
    public init(task: TaskSpec, progress: TaskProgress, pairs: PairStats? = nil, audit: [AuditEstimate] = []) {
        self.task = task
        self.progress = progress
        self.pairs = pairs
        self.audit = audit
    }

    /// Human decisions per hour of measured labeling time (`TaskProgress.itemsPerHour`).
    public var itemsPerHour: Double? { progress.itemsPerHour }
}

public struct DashboardState: Sendable {
    public var rows: [TaskSummary] = []
    public var selected = 0
    public var loaded = false
    public init(rows: [TaskSummary] = [], loaded: Bool = false) {
        self.rows = rows
        self.loaded = loaded
    }
}
