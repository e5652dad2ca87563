import DuetCore
import TermUI

/// Draws the state. Pure: the same state gives the same canvas.
public enum Render {
    public static func screen(_ state: AppState) -> Canvas {
        var c = Canvas(width: state.width, height: state.height, style: state.theme[.base])
        if state.isTooSmall {
            tooSmall(&c, state)
            return c
        }
        let (top, rest) = c.bounds.splitTop(1)
        let (body, bottom) = rest.splitBottom(1)
        assert(body == state.body, "the layouts divide state.body")
        Screen.draw(&c, top: top, body: body, state)
        if let overlay = state.overlay { Overlays.draw(&c, body, state, overlay) }
        footer(&c, bottom, state)
        return c
    }

    /// A pane title that names an item: `lead` + its id + `rest`, for a box `boxWidth` wide. When it
    /// does not fit, the id is fitted to the room the box leaves after `lead` (`IDText.fit`: its
    /// distinguishing end stays), less the one column where the box marks `rest` as cut.
    static func itemTitle(_ lead: String, _ uid: String, _ rest: String = "", boxWidth: Int) -> String {
        let room = boxWidth - 4 - DisplayWidth.of(lead)
        let whole = DisplayWidth.of(uid) + DisplayWidth.of(rest) <= room
        return lead + IDText.fit(uid, width: whole || rest.isEmpty ? room : room - 1) + rest
    }

    static func tooSmall(_ c: inout Canvas, _ state: AppState) {
        let need = AppState.minimumSize
        let lines = ["Terminal too small", "\(state.width)×\(state.height), need \(need.width)×\(need.height)", "q quits"]
        for (i, line) in lines.enumerated() {
            let y = state.height / 2 - 1 + i
            c.put(line, x: max(0, (state.width - DisplayWidth.of(line)) / 2), y: y, style: i == 0 ? state.theme[.warning] : state.theme[.muted])
        }
    }

    static func header(_ c: inout Canvas, _ r: Rect, _ state: AppState, left: String, right: String) {
        c.fill(r, style: state.theme[.header])
        c.put(" " + left, x: r.x, y: r.y, style: state.theme[.headerAccent], maxWidth: r.width)
        let rightText = right + " "
        let w = DisplayWidth.of(rightText)
        if w + DisplayWidth.of(left) + 3 < r.width {
            c.put(rightText, x: r.maxX - w, y: r.y, style: state.theme[.header])
        }
    }

    /// The bottom line: key hints from the keymap for the current screen, and the status message
    /// when there is one on the left of them. The hints then shorten to make room for it, but `? help`
    /// and `q quit` stay (the status is cut before they are).
    static func footer(_ c: inout Canvas, _ r: Rect, _ state: AppState) {
        let entries = state.keymap.hintEntries(in: state.keyContexts)
        guard let status = state.status else {
            drawHints(&c, fitHints(entries, width: r.width - 1), x: r.x + 1, y: r.y, state)
            return
        }
        let role: Role = status.kind == .error ? .error : status.kind == .warning ? .warning : .success
        let text = " " + status.text
        let hints = fitHints(entries, width: max(0, r.width - DisplayWidth.of(text) - 4))
        let hintsWidth = hints.reduce(0) { $0 + DisplayWidth.of($1) + 2 } - (hints.isEmpty ? 0 : 2)
        let x = max(r.x, r.maxX - hintsWidth - 1)
        let room = max(0, x - r.x - 2)
        c.put(Wrap.truncate(text, width: room), x: r.x, y: r.y, style: state.theme[role], maxWidth: room)
        drawHints(&c, hints, x: x, y: r.y, state)
    }

    /// Hints from `x` on, two spaces apart, the key part (before the first space) standing out.
    private static func drawHints(_ c: inout Canvas, _ hints: [String], x start: Int, y: Int, _ state: AppState) {
        var x = start
        for hint in hints {
            let parts = hint.split(separator: " ", maxSplits: 1).map(String.init)
            x += c.put(parts[0], x: x, y: y, style: state.theme[.key])
            if parts.count > 1 { x += c.put(" " + parts[1], x: x, y: y, style: state.theme[.hint]) }
            x += 2
        }
    }

    /// The hint line: the keymap's hints where keys are read now (nothing written by hand).
    static func hints(_ state: AppState) -> [String] { state.keymap.hints(in: state.keyContexts) }

    /// The hints that fit `width` columns (two spaces between them): all of them if they fit; else the
    /// others shortened to their keys ("⏎ submit" → "⏎"), from the last one back, until they fit; else
    /// the others dropped from the end. `? help` and `q quit` are always kept whole, at the end.
    static func fitHints(_ entries: [(action: Action, text: String)], width: Int) -> [String] {
        let kept = entries.filter { $0.action == .help || $0.action == .quit }.map(\.text)
        var others = entries.filter { $0.action != .help && $0.action != .quit }.map(\.text)
        func total(_ hints: [String]) -> Int { hints.reduce(0) { $0 + DisplayWidth.of($1) + 2 } - (hints.isEmpty ? 0 : 2) }
        if total(others + kept) <= width { return others + kept }
        for i in others.indices.reversed() {
            others[i] = keyPart(others[i])
            if total(others + kept) <= width { return others + kept }
        }
        while !others.isEmpty, total(others + kept) > width { others.removeLast() }
        return others + kept
    }

    /// A hint's keys without its words (`Keymap.keyPart`).
    static func keyPart(_ hint: String) -> String { Keymap.keyPart(hint) }
}
