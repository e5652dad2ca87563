import DuetCore
import TermUI

/// Boxes drawn over the screen: help, guidelines, note, search.
enum Overlays {
    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ overlay: Overlay) {
        let t = state.theme
        switch overlay {
        case .help(let scroll):
            let box = helpBox(r)
            c.fill(box, style: t[.overlay])
            let inner = c.box(box, title: "Keys", style: t[.border], titleStyle: t[.title])
            c.paragraph(helpLines(state, width: inner.width), in: inner, offset: scroll)
        case .guidelines(let scroll):
            let box = guidelinesBox(r)
            c.fill(box, style: t[.overlay])
            let task = currentTask(state)
            let inner = c.box(box, title: "Guidelines · \(task?.name ?? "")", style: t[.border], titleStyle: t[.title])
            c.paragraph(guidelinesLines(state, width: inner.width - 2), in: inner.inset(dx: 1, dy: 0), offset: scroll)
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
        }
    }

    static func helpBox(_ body: Rect) -> Rect { body.centered(width: min(body.width, 76), height: body.height) }
    static func guidelinesBox(_ body: Rect) -> Rect { body.centered(width: min(body.width, 80), height: body.height) }

    static func guidelinesLines(_ state: AppState, width: Int) -> [StyledLine] {
        let t = state.theme
        let task = currentTask(state)
        var lines = StyledLine.wrapped(guidelinesText(task), width: width, style: t[.text])
        if let labels = task?.labels, !labels.isEmpty {
            lines.append(StyledLine("", t[.text]))
            lines.append(StyledLine("Labels: " + labels.enumerated().map { "\($0.offset + 1) \($0.element)" }.joined(separator: "  "), t[.muted]))
        }
        return lines
    }

    /// How far a text overlay can scroll (the same geometry as `draw`).
    static func maxScroll(_ state: AppState, _ overlay: Overlay) -> Int {
        let body = Rect(x: 0, y: 1, width: state.width, height: state.height - 2)
        switch overlay {
        case .help:
            let inner = helpBox(body).inset(1)
            return max(0, helpLines(state, width: inner.width).count - inner.height)
        case .guidelines:
            let inner = guidelinesBox(body).inset(1)
            return max(0, guidelinesLines(state, width: inner.width - 2).count - inner.height)
        default:
            return 0
        }
    }

    static func currentTask(_ state: AppState) -> TaskSpec? {
        if case .label(let l) = state.screen { return l.task }
        return nil
    }

    static func guidelinesText(_ task: TaskSpec?) -> String {
        let g = task?.guidelines?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return g.isEmpty ? "This task has no guidelines. Add them to its [[tasks]] block in duet.toml (guidelines = '''…''')." : g
    }

    /// A text field: the text's tail if it is longer than the box, and a cursor.
    static func inputLine(_ c: inout Canvas, _ r: Rect, _ text: String, _ t: Theme) {
        var shown = text
        while DisplayWidth.of(shown) > r.width - 2, !shown.isEmpty { shown.removeFirst() }
        let x = r.x + c.put(shown, x: r.x, y: r.y, style: t[.text], maxWidth: r.width - 1)
        c.put("█", x: x, y: r.y, style: t[.accent])
    }

    /// The help text, generated from the keymap: one section per screen.
    static func helpLines(_ state: AppState, width: Int) -> [StyledLine] {
        let t = state.theme
        let sections: [(String, Set<KeyContext>)] = [
            ("Labeling", [.label, .classify, .multilabel, .rate]), ("Review (demonstrations)", [.review]),
            ("Pairs and rankings", [.compare, .rank]),
            ("Dashboard", [.dashboard]), ("Triage", [.triage]), ("Adjudication", [.adjudicate]), ("Quality", [.quality]), ("Help, guidelines, search, notes", [.overlay, .textInput, .searchQuery, .searchResults]),
        ]
        var lines: [StyledLine] = []
        var shown = Set<Action>()
        for (title, contexts) in sections {
            // Later sections list only what earlier ones did not.
            let bindings = state.keymap.bindings.filter { !$0.contexts.isDisjoint(with: contexts) && !shown.contains($0.action) }
            guard !bindings.isEmpty else { continue }
            if !lines.isEmpty { lines.append(StyledLine("", t[.text])) }
            lines.append(StyledLine(title, t[.title]))
            for b in bindings {
                // The ten pick keys fold into one line.
                if b.action.pickIndex != nil {
                    guard !shown.contains(.pick1) else { continue }
                    shown.insert(.pick1)
                    lines.append(StyledLine(spans: [("  " + "1-9, 0".padded(to: 16), t[.key]), ("Pick a label / toggle / score", t[.text])]))
                    continue
                }
                shown.insert(b.action)
                let keys = b.keys.map(\.name).joined(separator: ", ")
                lines.append(StyledLine(spans: [("  " + keys.padded(to: 16), t[.key]), (Wrap.truncate(b.help, width: max(4, width - 18)), t[.text])]))
            }
        }
        return lines
    }

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
