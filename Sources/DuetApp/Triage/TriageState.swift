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
    /// A filter asked for whose rows have not come yet: the table shows `filter` until they do.
    public var requested: TriageFilter?
    /// A bulk accept waiting for its yes/no (the screen asks "Accept N machine labels? y/n").
    public var confirm: [NewAnnotation]?
    /// Bulk accepts the store committed, latest last: the log ids of each one's decisions (`u` undoes the last, whole).
    public var undo: [[Int64]] = []
    /// What the rows' ids share (`IDText.sharedPrefix`, found when they load): the id column shows the rest.
    public var idPrefix = ""

    public init(task: TaskSpec, filter: TriageFilter = TriageFilter()) {
        self.task = task
        self.filter = filter
    }

    /// The item under the cursor.
    public var selectedRowID: Int64? { rows.indices.contains(selected) ? rows[selected].item.rowID : nil }

    /// Puts the cursor back on the item it was on after `rows` replaced `old`: the same item when it is
    /// still listed, else the nearest one after it in the old order that is, else before it, else the top.
    mutating func keepCursor(from old: [TriageRow], at oldIndex: Int) {
        let index = Dictionary(rows.enumerated().map { ($0.element.item.rowID, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let order = old.indices.contains(oldIndex) ? Array(old[oldIndex...]) + old[..<oldIndex].reversed() : []
        selected = order.lazy.compactMap { index[$0.item.rowID] }.first ?? 0
    }

    /// The question asked before a bulk accept ("Accept 12 machine labels?"), while it waits for y/n.
    public var question: String? {
        confirm.map { "Accept \($0.count) machine label\($0.count == 1 ? "" : "s")?" }
    }

    /// The sort in words, for the header and the table's title.
    public var sortName: String { filter.ascending ? "least uncertain first" : "most uncertain first" }

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
