import DuetCore
import Foundation
import TermUI

/// Items where annotators disagree, one at a time, with who said what.
public struct AdjudicateState: Sendable {
    public var task: TaskSpec
    /// Only people's answers count as disagreeing (machines' are still shown).
    public var peopleOnly: Bool
    /// The doubt queue only: items where a person's label is in doubt (`Disagreement.doubt`).
    public var doubtsOnly = false
    public var items: [Adjudication.Disagreement] = []
    /// The disagreement shown.
    public var index = 0
    /// Its content (nil while loading).
    public var item: StoredItem?
    /// The highlighted answer.
    public var selected = 0
    public var scroll = 0
    public var loaded = false

    public init(task: TaskSpec, peopleOnly: Bool = false) {
        self.task = task
        self.peopleOnly = peopleOnly
    }

    public var current: Adjudication.Disagreement? { items.indices.contains(index) ? items[index] : nil }
    public var settledCount: Int { items.filter { $0.settled != nil }.count }
}
