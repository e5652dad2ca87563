import DuetCore
import Foundation
import TermUI

extension App {
    /// Sides for a pair (A/B) or the display order of a ranking, random per
    /// item and annotator but reproducible (PairOrder).
    static func pairState(_ item: StoredItem, task: TaskSpec, annotator: String) -> PairState {
        let n = item.item.fields.responses?.count ?? 0
        let i = item.item
        if n == 2 {
            let order = PairOrder.order(dataset: i.dataset, uid: i.uid, annotator: annotator, seed: task.seed)
            return PairState(shown: order == .ab ? [0, 1] : [1, 0])
        }
        return PairState(shown: PairOrder.permutation(count: n, dataset: i.dataset, uid: i.uid, annotator: annotator, seed: task.seed))
    }

    /// Keys of the pair and ranking screens; nil when the key is not theirs.
    static func pairKey(_ state: inout AppState, _ l: inout LabelState, _ action: Action, at: Date) -> [Effect]? {
        guard var p = l.pair, let item = l.item else { return nil }
        defer { if l.pair != nil { l.pair = p } }
        let panes = p.shown.count + 1
        // Judging needs every response on screen.
        if [.preferA, .preferB, .muchA, .muchB, .tie, .bothBad, .acceptSuggestion, .submit].contains(action),
           !PairLayout(state, l).showsEveryResponse {
            state.status = Status(PairLayout.tooSmall, .warning)
            return []
        }
        switch action {
        case .preferA, .preferB, .muchA, .muchB:
            guard p.shown.count == 2 else { return [] }
            let side = action == .preferA || action == .muchA ? 0 : 1
            let strength = action == .muchA || action == .muchB ? 2 : 1
            return judge(&state, &l, item, PairJudgment(choice: .response(p.shown[side]), strength: strength, rationale: p.rationale), p, at: at)
        case .tie, .bothBad:
            guard p.shown.count == 2 else { return [] }
            return judge(&state, &l, item, PairJudgment(choice: action == .tie ? .tie : .bothBad, rationale: p.rationale), p, at: at)
        case .rationale:
            state.overlay = .rationale(TextInput(p.rationale ?? ""))
            return []
        case .diff:
            p.diff.toggle()
            l.diffOn = p.diff
            state.status = Status(p.diff ? "Words that differ are highlighted" : "Diff off")
            return []
        case .focusNext:
            p.focus = (p.focus + 1) % panes
            return []
        case .focusPrevious:
            p.focus = (p.focus + panes - 1) % panes
            return []
        case .scrollDown, .pageDown, .scrollUp, .pageUp, .top, .bottom:
            let page = max(1, state.height / 3)
            let limit = PairLayout(state, l).maxScroll(state, l, pane: p.focus)
            let now = p.scrolls[p.focus]
            switch action {
            case .scrollDown: p.scrolls[p.focus] = min(now + 1, limit)
            case .pageDown: p.scrolls[p.focus] = min(now + page, limit)
            case .scrollUp: p.scrolls[p.focus] = max(0, now - 1)
            case .pageUp: p.scrolls[p.focus] = max(0, now - page)
            case .top: p.scrolls[p.focus] = 0
            default: p.scrolls[p.focus] = limit
            }
            return []
        case .acceptSuggestion where p.shown.count == 2:
            // Enter accepts the machine's judgment (not on blind audits).
            guard let s = l.suggestion, !s.isBlind, let label = s.label else {
                state.status = Status("No machine suggestion to accept: judge with a/b/t/x", .warning)
                return []
            }
            let choice: PairChoice = label == "tie" ? .tie : label == "both-bad" ? .bothBad : Int(label).map(PairChoice.response) ?? .tie
            return judge(&state, &l, item, PairJudgment(choice: choice, rationale: p.rationale), p, at: at)
        case .submit where p.shown.count > 2:
            guard p.ranks.allSatisfy({ $0 != nil }) else {
                state.status = Status("Give every candidate a rank first (tab moves, 1–\(min(9, p.shown.count)) ranks; ties allowed)", .warning)
                return []
            }
            var stored = [Int](repeating: 0, count: p.shown.count)
            for (position, index) in p.shown.enumerated() { stored[index] = p.ranks[position]! }
            var value = Ranking(ranks: stored).json
            if case .object(var o) = value {
                o["shown"] = .array(p.shown.map { .number(Double($0)) })
                if let r = p.rationale, !r.isEmpty { o["rationale"] = .string(r) }
                value = .object(o)
            }
            return decide(&state, &l, value, at: at)
        default:
            if let rank = action.pickIndex, p.shown.count > 2, p.focus >= 1 {
                guard rank < p.shown.count else { return [] }
                p.ranks[p.focus - 1] = rank + 1
                // On to the next candidate without a rank.
                if let next = p.ranks.indices.first(where: { p.ranks[$0] == nil }) { p.focus = next + 1 }
                return []
            }
            return nil
        }
    }

    static func judge(_ state: inout AppState, _ l: inout LabelState, _ item: StoredItem, _ j: PairJudgment, _ p: PairState,
                      at: Date) -> [Effect] {
        var effects = decide(&state, &l, j.json, at: at)
        // The sides it was shown on go with the decision, so every export maps back.
        if case .record(var entry, let task)? = effects.first {
            entry.display = p.order
            effects[0] = .record(entry, then: task)
        }
        return effects
    }
}
