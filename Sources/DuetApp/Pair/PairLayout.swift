import DuetCore
import Foundation
import TermUI

/// The compare screen's geometry, computed once from the state by one rule: the prompt on top,
/// the responses side by side (when the part beside the side panel is ≥ 90 columns) or stacked, the judge row at the bottom. The view
/// draws into it and the reducer bounds each pane's scroll by it (the reducer calls no drawing code).
struct PairLayout {
    /// Responses side by side from this width beside the side panel (each pane then ≥ 45 columns).
    static let sideBySideWidth = 90

    var prompt: Rect
    /// One per response, in display order.
    var panes: [Rect]
    var choices: Rect

    init(_ state: AppState, _ l: LabelState) { self.init(body: state.body, l) }

    init(body all: Rect, _ l: LabelState) {
        // Beside the side panel when there is one (`LabelLayout.split`).
        let body = LabelLayout.split(all).main
        let width = body.width
        let (main, choices) = body.splitBottom(3)
        let count = l.pair?.shown.count ?? 2
        let promptLines = l.item.map { PairLayout.promptLines($0, width: width - 4, theme: .mono).count } ?? 1
        let promptHeight = min(max(3, promptLines + 2), max(3, main.height / 3))
        let (prompt, rest) = main.splitTop(promptHeight)
        if count == 2 && width >= PairLayout.sideBySideWidth {
            let half = rest.width / 2
            panes = [Rect(x: rest.x, y: rest.y, width: half, height: rest.height),
                     Rect(x: rest.x + half, y: rest.y, width: rest.width - half, height: rest.height)]
        } else {
            panes = Layout.rows(rest, Array(repeating: .fill(1), count: max(1, count)))
        }
        self.prompt = prompt
        self.choices = choices
    }

    /// Whether every response pane shows at least one line of its text. When not, nothing may be judged:
    /// a judgment of text that was not shown is no judgment.
    var showsEveryResponse: Bool { !panes.isEmpty && panes.allSatisfy { $0.inset(1).height >= 1 && $0.inset(1).width >= 3 } }

    static let tooSmall = "The window is too small to show the responses: make it taller or wider (nothing can be judged until they show)"

    /// Pane `pane`'s box (0 = the prompt, 1… = the responses in display order).
    func rect(pane: Int) -> Rect? { pane == 0 ? prompt : panes.indices.contains(pane - 1) ? panes[pane - 1] : nil }

    /// Pane `pane`'s lines at its text width (inside the box, a column of padding each side).
    func lines(_ state: AppState, _ l: LabelState, pane: Int) -> [StyledLine] {
        guard let item = l.item, let r = rect(pane: pane) else { return [] }
        let width = r.inset(1).width - 2
        if pane == 0 { return PairLayout.promptLines(item, width: width, theme: state.theme) }
        return PairLayout.responseLines(state, l, position: pane - 1, width: width)
    }

    /// How far pane `pane` (0 = prompt) can scroll.
    func maxScroll(_ state: AppState, _ l: LabelState, pane: Int) -> Int {
        guard let r = rect(pane: pane) else { return 0 }
        return max(0, lines(state, l, pane: pane).count - r.inset(1).height)
    }

    static func promptLines(_ item: StoredItem, width: Int, theme: Theme) -> [StyledLine] {
        var out: [StyledLine] = []
        for m in item.item.fields.prompt ?? [] {
            if !out.isEmpty { out.append(StyledLine("", theme[.text])) }
            out.append(StyledLine(m.role, theme[.role]))
            out += StyledLine.wrapped(m.content, width: width, style: theme[m.role == "system" ? .muted : .text])
        }
        return out.isEmpty ? [StyledLine("(no prompt)", theme[.muted])] : out
    }

    static func responseText(_ item: StoredItem, stored index: Int) -> String {
        (item.item.fields.responses?[index] ?? []).map(\.content).joined(separator: "\n\n")
    }

    /// A response's lines, with the words that differ from the other response highlighted when asked.
    static func responseLines(_ state: AppState, _ l: LabelState, position: Int, width: Int) -> [StyledLine] {
        guard let item = l.item, let p = l.pair else { return [] }
        let t = state.theme
        let text = responseText(item, stored: p.shown[position])
        if text.isEmpty { return [StyledLine("(empty response)", t[.muted])] }
        guard p.diff, p.shown.count == 2 else { return StyledLine.wrapped(text, width: width, style: t[.text]) }
        let otherText = responseText(item, stored: p.shown[1 - position])
        let changed = position == 0 ? t[.diffDel] : t[.diffAdd]
        // Diffed and wrapped once per pair, side and width (WrapCache), not on every frame.
        let tag = DiffTag(position: position, text: t[.text], changed: changed, warning: t[.warning])
        return WrapCache.shared.lines(for: [text, otherText], width: width, tag: tag) {
            let mine = WordDiff.tokens(text)
            let other = WordDiff.tokens(otherText)
            guard let changes = position == 0 ? WordDiff.changes(mine, other).map({ $0.a }) : WordDiff.changes(other, mine).map({ $0.b }) else {
                return [StyledLine("(too long to diff)", t[.warning])] + StyledLine.wrapped(text, width: width, style: t[.text])
            }
            let pieces = zip(mine, changes).map { (String($0.0), $0.1 ? changed : t[.text]) }
            return StyledWrap.lines(pieces, width: width)
        }
    }

    /// What a diffed response's lines depend on besides the two texts and the width.
    struct DiffTag: Hashable {
        var position: Int
        var text: Style
        var changed: Style
        var warning: Style
    }

}
