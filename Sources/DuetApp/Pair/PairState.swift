import DuetCore
import Foundation
import TermUI

/// The pair (or ranking) being judged.
public struct PairState: Sendable, Hashable {
    /// Display position → stored response index (A/left/top first).
    public var shown: [Int]
    /// 0 = the prompt pane, 1… = the responses in display order.
    public var focus = 1
    /// Scroll offset per pane (prompt first).
    public var scrolls: [Int]
    public var diff = false
    public var rationale: String?
    /// Rankings: the rank given to each display position (nil = not yet).
    public var ranks: [Int?]

    public init(shown: [Int]) {
        self.shown = shown
        scrolls = Array(repeating: 0, count: shown.count + 1)
        ranks = Array(repeating: nil, count: shown.count)
    }

    /// "AB" or "BA" for a pair.
    public var order: DisplayOrder? {
        guard shown.count == 2 else { return nil }
        return shown == [0, 1] ? .ab : .ba
    }
}
