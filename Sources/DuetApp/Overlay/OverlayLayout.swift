import DuetCore
import Foundation
import TermUI

/// A text overlay's geometry (help, guidelines), computed once from the state by one rule: the
/// view draws into it and the reducer bounds the scroll by it (the reducer calls no drawing code).
struct OverlayLayout {
    var box: Rect
    /// Where the text goes in the box.
    var text: Rect
    var lines: [StyledLine]
    var maxScroll: Int { max(0, lines.count - text.height) }

    /// nil for overlays that do not scroll (note, rationale, search).
    init?(_ state: AppState, _ overlay: Overlay) { self.init(body: state.body, state, overlay) }

    init?(body: Rect, _ state: AppState, _ overlay: Overlay) {
        switch overlay {
        case .help:
            box = OverlayLayout.helpBox(body)
            text = box.inset(1)
            lines = OverlayLayout.helpLines(state, width: text.width)
        case .guidelines:
            // Beside the item, in the side panel's place, when there is one.
            box = (OverlayLayout.currentTask(state) != nil ? LabelLayout.split(body).side : nil) ?? OverlayLayout.guidelinesBox(body)
            text = box.inset(1).inset(dx: 1, dy: 0)
            lines = OverlayLayout.guidelinesLines(state, width: box.inset(1).width - 2)
        default:
            return nil
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

    static func currentTask(_ state: AppState) -> TaskSpec? {
        if case .label(let l) = state.screen { return l.task }
        return nil
    }

    static func guidelinesText(_ task: TaskSpec?) -> String {
        let g = task?.guidelines?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return g.isEmpty ? "This task has no guidelines. Add them to its [[tasks]] block in duet.toml (guidelines = '''…''')." : g
    }

    static func helpLines(_ state: AppState, width: Int) -> [StyledLine] {
        let t = state.theme
        let all: [(String, Set<KeyContext>)] = [
            ("Labeling", [.label, .classify, .multilabel, .rate]), ("Review (demonstrations)", [.review]),
            ("Pairs and rankings", [.compare, .rank]),
            ("Dashboard", [.dashboard]), ("Triage", [.triage, .confirm]), ("Adjudication", [.adjudicate]), ("Quality", [.quality]), ("Help, guidelines, search, notes", [.overlay, .textInput, .searchQuery, .searchResults]),
            ("Command palette (:)", [.palette]),
        ]
        // The screen under the help first (as lazygit's ?): its own keys, the most specific section first, then the rest.
        let here = state.screen.contexts
        func specific(_ s: Set<KeyContext>) -> Int { s.intersection(here).subtracting([.label]).count }
        let sections = all.filter { !$0.1.isDisjoint(with: here) }.sorted { specific($0.1) > specific($1.1) }
            + all.filter { $0.1.isDisjoint(with: here) }
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
                // A palette command with no key of its own is run from the palette.
                let keys = b.keys.isEmpty ? ": palette" : b.keys.map(\.name).joined(separator: ", ")
                // Wrapped, never cut: a long description goes on under itself.
                let words = Wrap.lines(b.help, width: max(4, width - 18))
                for (i, line) in words.enumerated() {
                    lines.append(StyledLine(spans: [("  " + (i == 0 ? keys : "").padded(to: 16), t[.key]), (line, t[.text])]))
                }
            }
        }
        return lines
    }
}
