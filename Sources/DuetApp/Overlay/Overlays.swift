import DuetCore
import TermUI

/// Boxes drawn over the screen: help, guidelines, note, search.
enum Overlays {
    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ overlay: Overlay) {
        let t = state.theme
        switch overlay {
        case .help(let scroll):
            guard let layout = OverlayLayout(body: r, state, overlay) else { return }
            c.fill(layout.box, style: t[.overlay])
            c.box(layout.box, title: "Keys", style: t[.border], titleStyle: t[.title])
            c.paragraph(layout.lines, in: layout.text, offset: scroll)
        case .guidelines(let scroll):
            guard let layout = OverlayLayout(body: r, state, overlay) else { return }
            c.fill(layout.box, style: t[.overlay])
            c.box(layout.box, title: "Guidelines · \(OverlayLayout.currentTask(state)?.name ?? "")", style: t[.border], titleStyle: t[.title])
            c.paragraph(layout.lines, in: layout.text, offset: scroll)
        case .note(let input):
            let box = Rect(x: r.x, y: r.maxY - 3, width: r.width, height: 3)
            c.fill(box, style: t[.overlay])
            let inner = c.box(box, title: "Note for this item", style: t[.accent], titleStyle: t[.title])
            inputLine(&c, inner, input.text, t)
        case .rationale(let input):
            let box = Rect(x: r.x, y: r.maxY - 3, width: r.width, height: 3)
            c.fill(box, style: t[.overlay])
            let inner = c.box(box, title: "Why? (saved with your judgment)", style: t[.accent], titleStyle: t[.title])
            inputLine(&c, inner, input.text, t)
        case .search(let s):
            drawSearch(&c, r, state, s)
        case .palette(let p):
            PaletteScreen.draw(&c, r, state, p)
        }
    }

    /// A text field: the text's tail if it is longer than the box, and a cursor.
    static func inputLine(_ c: inout Canvas, _ r: Rect, _ text: String, _ t: Theme) {
        var shown = text
        while DisplayWidth.of(shown) > r.width - 2, !shown.isEmpty { shown.removeFirst() }
        let x = r.x + c.put(shown, x: r.x, y: r.y, style: t[.text], maxWidth: r.width - 1)
        c.put("█", x: x, y: r.y, style: t[.accent])
    }

    /// The help text, generated from the keymap: one section per screen.

    static func drawSearch(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ s: SearchState) {
        let t = state.theme
        let box = r.centered(width: min(r.width, 90), height: min(r.height, 20))
        c.fill(box, style: t[.overlay])
        let inner = c.box(box, title: "Search this task's items", style: t[.border], titleStyle: t[.title])
        c.put("/ ", x: inner.x, y: inner.y, style: t[.accent])
        inputLine(&c, Rect(x: inner.x + 2, y: inner.y, width: inner.width - 2, height: 1), s.query.text, t)
        guard let results = s.results else {
            c.put("Type words to find, then ⏎ (matches item text and ids)", x: inner.x, y: inner.y + 2, style: t[.muted], maxWidth: inner.width)
            return
        }
        if results.isEmpty {
            c.put("No matches", x: inner.x, y: inner.y + 2, style: t[.warning])
            return
        }
        let rows = inner.height - 2
        let start = max(0, s.selected - rows + 1)
        let idPrefix = IDText.sharedPrefix(results.lazy.map(\.item.uid))
        for (i, item) in results.enumerated().dropFirst(start).prefix(rows) {
            let y = inner.y + 2 + i - start
            let style = i == s.selected ? t[.selected] : t[.text]
            let snippet = snippetText(item).replacingOccurrences(of: "\n", with: " ")
            let idWidth = min(16, inner.width / 4)
            c.put(IDText.fit(item.item.uid, width: idWidth, sharedPrefix: idPrefix).padded(to: idWidth + 1), x: inner.x, y: y, style: i == s.selected ? style : t[.muted])
            c.put(Wrap.truncate(snippet, width: inner.width - idWidth - 1), x: inner.x + idWidth + 1, y: y, style: style)
        }
    }

    static func snippetText(_ item: StoredItem) -> String {
        let f = item.item.fields
        return f.text ?? f.messages?.first(where: { $0.role == "user" })?.content ?? f.prompt?.last?.content ?? ""
    }
}

extension String {
    /// Padded with spaces to `width` display columns.
    func padded(to width: Int) -> String {
        let w = DisplayWidth.of(self)
        return w >= width ? self : self + String(repeating: " ", count: width - w)
    }
}
