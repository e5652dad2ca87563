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
    /// The checks on people (accuracy on gold): the warning for those below `[quality] min_person_accuracy`.
    public var people: [PersonQuality]
    public init(task: TaskSpec, progress: TaskProgress, pairs: PairStats? = nil, audit: [AuditEstimate] = [], people: [PersonQuality] = []) {
        self.people = people
        self.task = task
        self.progress = progress
        self.pairs = pairs
        self.audit = audit
    }

    /// Human decisions per hour of measured labeling time (`TaskProgress.itemsPerHour`).
    public var itemsPerHour: Double? { progress.itemsPerHour }

    /// People whose accuracy on gold is shown to be below the minimum.
    public var peopleBelow: [PersonQuality] { people.filter(\.below) }
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
