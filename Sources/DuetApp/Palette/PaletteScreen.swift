import DuetCore
import TermUI

/// The palette's geometry, from the body and the number of commands shown.
struct PaletteLayout {
    var box: Rect
    /// The query line.
    var query: Rect
    /// Where the commands are listed.
    var list: Rect

    init(body: Rect, count: Int) {
        let height = min(body.height, max(1, count) + 3)
        let width = min(body.width, 72)
        box = Rect(x: body.x + (body.width - width) / 2, y: body.y, width: width, height: height)
        let inner = box.inset(1)
        query = Rect(x: inner.x, y: inner.y, width: inner.width, height: 1)
        list = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: max(0, inner.height - 1))
    }
}

/// The palette over the screen: the query, then the commands it matches, the highlighted one marked.
enum PaletteScreen {
    static func draw(_ c: inout Canvas, _ body: Rect, _ state: AppState, _ p: PaletteState) {
        let t = state.theme
        let matches = p.matches(state)
        let layout = PaletteLayout(body: body, count: matches.count)
        c.fill(layout.box, style: t[.overlay])
        c.box(layout.box, title: "Command" + (p.task.map { " · \($0.name)" } ?? ""), style: t[.accent], titleStyle: t[.title])
        c.put(": ", x: layout.query.x, y: layout.query.y, style: t[.accent])
        Overlays.inputLine(&c, Rect(x: layout.query.x + 2, y: layout.query.y, width: layout.query.width - 2, height: 1), p.query.text, t)
        guard !matches.isEmpty else {
            c.put("No command matches", x: layout.list.x, y: layout.list.y, style: t[.warning], maxWidth: layout.list.width)
            return
        }
        let rows = layout.list.height
        let start = max(0, p.selected - rows + 1)
        for (i, entry) in matches.enumerated().dropFirst(start).prefix(rows) {
            let y = layout.list.y + i - start
            let selected = i == p.selected
            if selected { c.fill(Rect(x: layout.list.x, y: y, width: layout.list.width, height: 1), style: t[.selected]) }
            c.put(Wrap.truncate((selected ? "▸ " : "  ") + entry.title, width: layout.list.width), x: layout.list.x, y: y,
                  style: selected ? t[.selected] : t[.text])
        }
    }
}
