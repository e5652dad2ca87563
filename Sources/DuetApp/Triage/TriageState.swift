import DuetCore
import Foundation
import TermUI

/// The routed queue as a table.
public struct TriageState: Sendable {
    public var task: TaskSpec
    public var filter: TriageFilter
    public var rows: [TriageRow] = []
    public var selected = 0
    /// Rows marked with space (item row ids).
    public var marked: Set<Int64> = []
    public var loaded = false
    /// What the rows' ids share (`IDText.sharedPrefix`, found when they load): the id column shows the rest.
    public var idPrefix = ""

    public init(task: TaskSpec, filter: TriageFilter = TriageFilter()) {
        self.task = task
        self.filter = filter
    }

    /// The labels the machine's labels can take (for the label filter).
    public var labels: [String] { task.answerLabels }

    /// The route filter in words.
    public var routeName: String {
        switch (filter.route, filter.pendingOnly) {
        case (nil, true): return "to label"
        case (nil, false): return "all routed"
        case (let r?, true): return "\(r.rawValue), to label"
        case (let r?, false): return r.rawValue
        }
    }
}
