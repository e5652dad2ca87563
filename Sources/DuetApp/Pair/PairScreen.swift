import DuetCore
import Foundation
import TermUI

/// The compare screen: the prompt on top, responses A and B side by side
/// (≥ 120 columns) or stacked, each scrolling on its own; N candidates of a
/// ranking are stacked.
public enum PairScreen {
    static let sideBySideWidth = 120

    struct Geometry {
        var prompt: Rect
        var panes: [Rect]
        var choices: Rect
    }

    static func geometry(_ body: Rect, _ l: LabelState, width: Int) -> Geometry {
        let (main, choices) = body.splitBottom(3)
        let count = l.pair?.shown.count ?? 2
        let promptLines = l.item.map { promptLinesFor($0, width: width - 4, theme: .mono).count } ?? 1
        let promptHeight = min(max(3, promptLines + 2), max(3, main.height / 3))
        let (prompt, rest) = main.splitTop(promptHeight)
        var panes: [Rect]
        if count == 2 && width >= sideBySideWidth {
            let half = rest.width / 2
            panes = [Rect(x: rest.x, y: rest.y, width: half, height: rest.height),
                     Rect(x: rest.x + half, y: rest.y, width: rest.width - half, height: rest.height)]
        } else {
            panes = Layout.rows(rest, Array(repeating: .fill(1), count: max(1, count)))
        }
        return Geometry(prompt: prompt, panes: panes, choices: choices)
    }

    static func promptLinesFor(_ item: StoredItem, width: Int, theme: Theme) -> [StyledLine] {
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

    /// How far pane `pane` (0 = prompt) can scroll.
    public static func maxScroll(_ state: AppState, _ l: LabelState, pane: Int) -> Int {
        guard let item = l.item else { return 0 }
        let body = Rect(x: 0, y: 1, width: state.width, height: state.height - 2)
        let g = geometry(body, l, width: state.width)
        if pane == 0 {
            let inner = g.prompt.inset(1)
            return max(0, promptLinesFor(item, width: inner.width - 2, theme: state.theme).count - inner.height)
        }
        guard g.panes.indices.contains(pane - 1) else { return 0 }
        let inner = g.panes[pane - 1].inset(1)
        return max(0, responseLines(state, l, position: pane - 1, width: inner.width - 2).count - inner.height)
    }

    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ l: LabelState) {
        let t = state.theme
        guard let item = l.item, let p = l.pair else { return }
        let g = geometry(r, l, width: r.width)
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
        let promptInner = g.prompt.inset(1)
        var rest = ""
        if let prev = l.previousValue { rest += " · your decision: \(decisionText(prev, p))" }
        if let note = l.note { rest += " · note: \(note)" }
        let promptTitle = Render.itemTitle("prompt · item ", item.item.uid, rest, boxWidth: g.prompt.width - (p.focus == 0 ? 2 : 0))  // "▸ " when focused
        pane(g.prompt, promptTitle, 0, promptLinesFor(item, width: promptInner.width - 2, theme: t))
        for (position, rect) in g.panes.enumerated() where position < p.shown.count {
            let text = responseText(item, stored: p.shown[position])
            let words = WordDiff.wordCount(text)
            var title = "\(sideName(position, count: p.shown.count)) · \(words) word\(words == 1 ? "" : "s")"
            if p.shown.count > 2 { title += " · rank " + (p.ranks[position].map(String.init) ?? "–") }
            pane(rect, title, position + 1, responseLines(state, l, position: position, width: rect.width - 4))
        }
        drawChoices(&c, g.choices, state, l, p)
    }

    /// A, B for pairs; 1, 2, 3… for rankings.
    static func sideName(_ position: Int, count: Int) -> String {
        count == 2 ? (position == 0 ? "A" : "B") : "\(position + 1)"
    }

    static func drawChoices(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ l: LabelState, _ p: PairState) {
        let t = state.theme
        let showSide = r.width >= 100  // the judge keys need the room first
        let (left, right) = showSide ? r.splitLeft(r.width * 2 / 3) : (r, Rect(x: r.maxX, y: r.y, width: 0, height: 0))
        var title = p.shown.count == 2 ? "judge" : "rank (tab: next, 1–\(min(9, p.shown.count)): rank, ⏎ submit)"
        if let why = p.rationale { title += " · why: " + why }
        let inner = c.box(left, title: title, style: t[.border], titleStyle: t[.title])
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
            x += c.put("\(ranked) of \(p.shown.count) ranked", x: x, y: inner.y, style: t[.text], maxWidth: inner.maxX - x)
        }
        guard showSide else { return }
        let s = c.box(right, title: l.task.showSource ? "source" : "suggestion", style: t[.border], titleStyle: t[.title])
        if l.task.showSource, let choice = PairChoice(l.sourceValue), case .response(let index) = choice, let side = p.shown.firstIndex(of: index) {
            c.put("the dataset prefers \(sideName(side, count: p.shown.count))", x: s.x + 1, y: s.y, style: t[.suggestion], maxWidth: s.width - 1)
        } else if let sug = l.suggestion, !sug.isBlind, let label = sug.label {
            // The machine's label is in stored terms ("0"/"1"): say it in the sides shown.
            let text: String
            if let index = Int(label), let side = p.shown.firstIndex(of: index) { text = "machine: \(sideName(side, count: p.shown.count)) better" } else {
                text = "machine: " + (orderText(label, p) ?? label)
            }
            // Rankings: the orders' spread, 1 − mean Kendall τ (0 = all votes give the consensus).
            let spread = RankingOrder(text: label) == nil ? String(format: " · H %.2f", sug.entropy) : String(format: " · 1−τ %.2f", sug.entropy)
            c.put(text + "  \(sug.agreeing)/\(sug.votes)" + spread, x: s.x + 1, y: s.y, style: t[.suggestion], maxWidth: s.width - 1)
        } else {
            c.put(l.suggestion?.isBlind == true ? "blind audit: judge it yourself" : "judging blind", x: s.x + 1, y: s.y, style: t[.muted],
                  maxWidth: s.width - 1)
        }
    }

    /// A ranking's order (stored terms, "2>0=1") in the positions shown now: "3 > 1 = 2".
    static func orderText(_ label: String, _ p: PairState) -> String? {
        guard let order = RankingOrder(text: label), order.count == p.shown.count else { return nil }
        return order.groups.map { g in g.map { sideName(p.shown.firstIndex(of: $0) ?? $0, count: p.shown.count) }.joined(separator: " = ") }
            .joined(separator: " > ")
    }

    /// A stored judgment in terms of the sides shown now.
    static func decisionText(_ value: JSONValue, _ p: PairState) -> String {
        if Ranking(value) != nil, let label = Decisions.labelText(value), let text = orderText(label, p) { return text }
        if let j = PairJudgment(value) {
            switch j.choice {
            case .response(let i): return "\(sideName(p.shown.firstIndex(of: i) ?? 0, count: p.shown.count))\(j.strength == 2 ? " much" : "") better"
            case .tie: return "tie"
            case .bothBad: return "both bad"
            }
        }
        return Render.valueText(value)
    }
}
