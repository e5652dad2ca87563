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

extension PairState {
    /// A, B for pairs; 1, 2, 3… for rankings.
    static func sideName(_ position: Int, count: Int) -> String {
        count == 2 ? (position == 0 ? "A" : "B") : "\(position + 1)"
    }

    /// A machine label in stored terms ("0", "1", "tie", "2>0=1") said in the sides shown now.
    func labelText(_ label: String) -> String {
        if let index = Int(label), let side = shown.firstIndex(of: index) { return PairState.sideName(side, count: shown.count) + " better" }
        return orderText(label) ?? (label == "both-bad" ? "both bad" : label)
    }

    /// A ranking's order (stored terms, "2>0=1") in the positions shown now: "3 > 1 = 2".
    func orderText(_ label: String) -> String? {
        guard let order = RankingOrder(text: label), order.count == shown.count else { return nil }
        return order.groups.map { g in g.map { PairState.sideName(shown.firstIndex(of: $0) ?? $0, count: shown.count) }.joined(separator: " = ") }
            .joined(separator: " > ")
    }

    /// A stored judgment in terms of the sides shown now.
    func decisionText(_ value: JSONValue) -> String {
        if Ranking(value) != nil, let label = Decisions.labelText(value), let text = orderText(label) { return text }
        if let j = PairJudgment(value) {
            switch j.choice {
            case .response(let i): return "\(PairState.sideName(shown.firstIndex(of: i) ?? 0, count: shown.count))\(j.strength == 2 ? " much" : "") better"
            case .tie: return "tie"
            case .bothBad: return "both bad"
            }
        }
        return value.decisionText
    }
}
