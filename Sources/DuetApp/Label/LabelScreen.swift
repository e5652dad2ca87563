import DuetCore
import Foundation
import TermUI

/// The annotation screen: item, choices, suggestion, for classify,
/// multi-label, rate and review tasks.
public enum LabelScreen {
    static func drawHeader(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ l: LabelState) {
        let p = l.progress
        let done = p.total - p.remaining
        var left = "\(l.task.name) · \(l.task.kind.rawValue) · \(done)/\(p.total)"
        if p.total > 0 { left += " (\(done * 100 / p.total)%)" }
        if l.task.overlap > 1 { left += " · \(p.complete) with \(l.task.overlap) people" }
        if let b = l.browsing { left += " · looking back \(b + 1)/\(l.history.count)" }
        if l.flagged { left += " ⚑" }
        // Without the side panel, its pace in one line: "5.0 s/item · 20.0 s left · ana".
        var right = state.annotator
        if LabelLayout.split(state.body).side == nil, let pace = state.session.pace(task: l.task.name) {
            right = "\(DurationText.of(pace))/item" + (p.remaining > 0 ? " · \(DurationText.of(pace * Double(p.remaining))) left" : "") + " · " + right
        }
        Render.header(&c, r, state, left: left, right: right)
    }

    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ l: LabelState) {
        let t = state.theme
        if let side = LabelLayout.split(r).side { SidePanel.draw(&c, side, state, l) }
        if l.task.kind == .compare, l.item != nil {
            PairScreen.draw(&c, r, state, l)
            return
        }
        let layout = LabelLayout(body: r, l, theme: t)
        let (itemRect, choicesRect) = (layout.item, layout.choices)
        guard let item = l.item else {
            let inner = c.box(itemRect, title: l.task.name, style: t[.border], titleStyle: t[.title])
            if let stopped = l.stopped {
                let lines = Wrap.lines(stopped, width: max(1, inner.width - 2)) + ["q goes back."]
                for (i, m) in lines.prefix(max(0, inner.height - 1)).enumerated() {
                    c.put(m, x: inner.x + 1, y: inner.y + 1 + i, style: i == lines.count - 1 ? t[.muted] : t[.warning], maxWidth: inner.width - 1)
                }
                return
            }
            let message = l.loaded
                ? ["All done: nothing left in this task for you.", "Skipped items come back here; u undoes your last decision.", "q goes back."]
                : ["Loading…"]
            for (i, m) in message.enumerated() { c.put(m, x: inner.x + 1, y: inner.y + 1 + i, style: i == 0 ? t[.success] : t[.muted], maxWidth: inner.width - 1) }
            return
        }
        var rest = " · \(item.item.dataset)"
        if let prev = l.previousValue { rest += " · your decision: \(Render.valueText(prev))" }
        if let note = l.note { rest += " · note: \(note)" }
        let inner = c.box(itemRect, title: Render.itemTitle("item ", item.item.uid, rest, boxWidth: itemRect.width), style: t[.border], titleStyle: t[.title])
        let lines = layout.lines
        let offset = c.paragraph(lines, in: layout.text, offset: l.scroll)
        // A scroll indicator when the item is longer than the pane.
        if lines.count > inner.height {
            let pos = inner.height > 1 ? offset * (inner.height - 1) / max(1, lines.count - inner.height) : 0
            c.put("┃", x: inner.maxX - 1, y: inner.y + pos, style: t[.accent])
        }
        drawChoices(&c, choicesRect, state, l, suggestionPane: layout.showsSuggestionPane)
    }

    static func drawChoices(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ l: LabelState, suggestionPane showSuggestion: Bool) {
        let t = state.theme
        // The suggestion pane takes the right third when there is room (and no side panel).
        let (left, right) = showSuggestion ? r.splitLeft(r.width * 2 / 3) : (r, Rect(x: r.maxX, y: r.y, width: 0, height: 0))
        let title: String
        switch l.task.kind {
        case .multilabel: title = "labels (toggle, ⏎ submit)"
        case .rate: title = "rating \(l.task.scale.lowerBound)–\(l.task.scale.upperBound)"
        case .review: title = "review: rate, a accept, x reject, e edit"
        default: title = "label"
        }
        let inner = c.box(left, title: title, style: t[.border], titleStyle: t[.title])
        let lines = LabelLayout.choiceLines(l, width: inner.width - 1)
        let first = LabelLayout.firstChoiceLine(lines, l, height: inner.height)
        for (i, line) in lines.dropFirst(first).prefix(inner.height).enumerated() {
            var x = inner.x + 1
            for span in line { x += c.put(span.text, x: x, y: inner.y + i, style: styleFor(span, l, t), maxWidth: inner.maxX - x) }
        }
        // Marks on the right border where more choices are above or below.
        if first > 0 { c.put("▲", x: inner.maxX, y: inner.y, style: t[.accent]) }
        if first + inner.height < lines.count { c.put("▼", x: inner.maxX, y: inner.maxY - 1, style: t[.accent]) }
        if showSuggestion {
            let s = c.box(right, title: "suggestion", style: t[.border], titleStyle: t[.title])
            drawSuggestion(&c, Rect(x: s.x + 1, y: s.y, width: s.width - 1, height: s.height), l.suggestion, t)
        }
    }

    /// The machine's label, how its votes split, and how unsure it is.
    static func drawSuggestion(_ c: inout Canvas, _ r: Rect, _ s: Suggestion?, _ t: Theme) {
        guard let s else {
            c.put("no machine label yet", x: r.x, y: r.y, style: t[.muted], maxWidth: r.width)
            return
        }
        if s.isBlind {
            c.put("blind audit: judge it yourself", x: r.x, y: r.y, style: t[.muted], maxWidth: r.width)
            return
        }
        var x = r.x
        x += c.put(Render.labelText(s.label) ?? "no label", x: x, y: r.y, style: t[.suggestion].with(.bold), maxWidth: r.width)
        x += c.put("  \(s.agreeing)/\(s.votes)", x: x, y: r.y, style: t[.text], maxWidth: r.maxX - x)
        // Review: Enter submits the person's own review; multilabel: the toggled labels. Neither takes the machine's.
        if s.enterAccepts { c.put("  ⏎ accept", x: x, y: r.y, style: t[.key], maxWidth: r.maxX - x) }
        var y = r.y + 1
        // The judges' scores: mean and spread (and a review's verdicts) before the split.
        for line in s.spread?.lines ?? [] where y < r.maxY {
            c.put(line, x: r.x, y: y, style: t[.text], maxWidth: r.width)
            y += 1
        }
        guard y < r.maxY else { return }
        // Multilabel: each label's yes votes of its votes, ✓ a supported yes, ✗ a supported no, ? unsure.
        let split = s.perLabel.isEmpty ? s.distribution.map { "\($0.label) \($0.count)" }.joined(separator: " · ")
            : s.perLabel.map { "\($0.label) \($0.applies.map { $0 ? "✓" : "✗" } ?? "?")\($0.yes)/\($0.votes)" }.joined(separator: " · ")
        // Uncertainty first: it is what the person should weigh the label by. Wrapped over the lines
        // left; the last one says with "…" that more is cut (the side panel, from 100 columns, has it all).
        var lines = Wrap.lines(String(format: "H %.2f · ", s.entropy) + split, width: r.width)
        let room = r.maxY - y
        if lines.count > room { lines = lines.prefix(room - 1) + [Wrap.truncate(lines.dropFirst(room - 1).joined(separator: " "), width: r.width)] }
        for (i, line) in lines.enumerated() { c.put(line, x: r.x, y: y + i, style: t[.muted], maxWidth: r.width) }
    }

    /// One choice as drawn: its key, its text, and which choice it is.
    typealias ChoiceSpan = LabelLayout.ChoiceSpan


    static func styleFor(_ span: ChoiceSpan, _ l: LabelState, _ t: Theme) -> Style {
        guard let i = span.index else { return t[.text] }
        let chosen = l.toggled.contains(i) || (l.task.kind == .review && l.rating == l.task.scale.lowerBound + i)
        if l.highlighted == i || chosen { return span.isKey ? t[.selected].with(.bold) : t[.selected] }
        return span.isKey ? t[.key] : t[.text]
    }


}

extension Render {
    /// A machine label as shown: a label set's labels joined by ", ", "(none)" for the empty set.
    static func labelText(_ label: String?) -> String? {
        guard let label else { return nil }
        if label.isEmpty { return "(none)" }
        return label.contains("|") ? label.split(separator: "|").joined(separator: ", ") : label
    }

    /// A decision value in a few words (`JSONValue.decisionText`).
    static func valueText(_ v: JSONValue) -> String { v.decisionText }
}
