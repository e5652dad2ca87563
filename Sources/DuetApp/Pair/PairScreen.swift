import DuetCore
import Foundation
import TermUI

/// The compare screen: the prompt on top, responses A and B side by side
/// (≥ 120 columns) or stacked, each scrolling on its own; N candidates of a
/// ranking are stacked.
public enum PairScreen {
    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ l: LabelState) {
        let t = state.theme
        guard let item = l.item, let p = l.pair else { return }
        let g = PairLayout(body: r, l)
        func pane(_ rect: Rect, _ title: String, _ index: Int, _ lines: [StyledLine]) {
            let focused = p.focus == index
            let inner = c.box(rect, title: (focused ? "▸ " : "") + title, style: focused ? t[.accent] : t[.border], titleStyle: t[.title])
            let text = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
            let offset = c.paragraph(lines, in: text, offset: p.scrolls[index])
            if lines.count > inner.height, inner.height > 0 {
                let pos = inner.height > 1 ? offset * (inner.height - 1) / max(1, lines.count - inner.height) : 0
                c.put("┃", x: inner.maxX - 1, y: inner.y + pos, style: t[.accent])
            }
        }
        var rest = ""
        if let prev = l.previousValue { rest += " · your decision: \(p.decisionText(prev))" }
        if let note = l.note { rest += " · note: \(note)" }
        let promptTitle = Render.itemTitle("prompt · item ", item.item.uid, rest, boxWidth: g.prompt.width - (p.focus == 0 ? 2 : 0))  // "▸ " when focused
        pane(g.prompt, promptTitle, 0, g.lines(state, l, pane: 0))
        guard g.showsEveryResponse else {
            // No room for the responses: say so where they would be, and judging stays off (Update+Pair).
            let x0 = g.panes.map(\.x).min() ?? r.x, y0 = g.panes.map(\.y).min() ?? g.prompt.maxY
            let area = Rect(x: x0, y: y0, width: (g.panes.map(\.maxX).max() ?? r.maxX) - x0, height: (g.panes.map(\.maxY).max() ?? y0) - y0)
            for (i, line) in Wrap.lines(PairLayout.tooSmall, width: max(1, area.width - 2)).enumerated() where i < max(1, area.height) {
                c.put(line, x: area.x + 1, y: area.y + i, style: t[.warning], maxWidth: area.width - 1)
            }
            drawChoices(&c, g.choices, state, l, p)
            return
        }
        for (position, rect) in g.panes.enumerated() where position < p.shown.count {
            let text = PairLayout.responseText(item, stored: p.shown[position])
            let words = WordDiff.wordCount(text)
            var title = "\(PairState.sideName(position, count: p.shown.count)) · \(words) word\(words == 1 ? "" : "s")"
            if p.shown.count > 2 { title += " · rank " + (p.ranks[position].map(String.init) ?? "–") }
            if p.diff, p.shown.count == 2 { title += " · diff on" }
            pane(rect, title, position + 1, g.lines(state, l, pane: position + 1))
        }
        drawChoices(&c, g.choices, state, l, p)
    }

    static func drawChoices(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ l: LabelState, _ p: PairState) {
        let t = state.theme
        // The machine's judgment and the dataset's preference are in the side panel (≥ 100 columns).
        var title = p.shown.count == 2 ? "judge" : "rank (tab: next, 1–\(min(9, p.shown.count)): rank, ⏎ submit)"
        if let why = p.rationale { title += " · why: " + why }
        let inner = c.box(r, title: title, style: t[.border], titleStyle: t[.title])
        var x = inner.x + 1
        let entries: [(Action, String)] = p.shown.count == 2
            ? [(.preferA, "A better"), (.preferB, "B better"), (.muchA, ""), (.muchB, "much better"), (.tie, "tie"), (.bothBad, "both bad")]
            : []
        for (action, text) in entries {
            let key = state.keymap.binding(action)?.keys.first?.name ?? "?"
            x += c.put(key, x: x, y: inner.y, style: t[.key], maxWidth: inner.maxX - x)
            x += c.put(text.isEmpty ? "/" : " " + text + "  ", x: x, y: inner.y, style: t[.text], maxWidth: inner.maxX - x)
        }
        if p.shown.count > 2 {
            let ranked = p.ranks.compactMap { $0 }.count
            c.put("\(ranked) of \(p.shown.count) ranked", x: x, y: inner.y, style: t[.text], maxWidth: inner.maxX - x)
        }
    }
}
