import DuetCore
import Foundation
import TermUI

/// The label screen's geometry, computed once from the state by one rule: the view draws into
/// it, the reducer bounds the item's scroll by it (the reducer calls no drawing code).
struct LabelLayout {
    /// From this width (and without the side panel) the choices row keeps its right third for the suggestion pane.
    static let suggestionWidth = 70

    /// From this width the side panel (`SidePanel`) stands beside the item.
    static let sidePanelWidth = 100

    /// The item pane (its box) and the choices row below it.
    var item: Rect
    var choices: Rect
    /// Whether the choices row keeps its right third for the suggestion pane.
    var showsSuggestionPane: Bool
    /// The item's text area in its box: one column of padding on the left, one kept for the scroll indicator.
    var text: Rect
    /// The item's lines at `text.width` (none while loading).
    var lines: [StyledLine]
    /// How far the item pane can scroll.
    var maxScroll: Int { max(0, lines.count - text.height) }

    init(_ state: AppState, _ l: LabelState) { self.init(body: state.body, l, theme: state.theme) }

    /// The body split into the item pane and the choices row. The item keeps at least half the
    /// body however many choices there are: the choices scroll with the highlight.
    init(body all: Rect, _ l: LabelState, theme: Theme) {
        // Beside the side panel when there is one (`LabelLayout.split`).
        let (body, side) = LabelLayout.split(all)
        // The suggestion pane beside the choices only without the side panel (which says it all).
        showsSuggestionPane = side == nil && body.width >= LabelLayout.suggestionWidth
        let choicesWidth = showsSuggestionPane ? body.width * 2 / 3 : body.width
        (item, choices) = body.splitBottom(min(LabelLayout.choicesHeight(l, width: choicesWidth, suggestionPane: showsSuggestionPane), body.height / 2))
        let inner = item.inset(1)
        let text = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        self.text = text
        lines = l.item.map { ItemView.lines($0, task: l.task, edited: l.edited, width: text.width, theme: theme) } ?? []
    }

    /// The body of the label and pair screens: the screen's own part and, from `sidePanelWidth`
    /// columns, the side panel on its right (a third of the width, 32 to 48 columns).
    static func split(_ body: Rect) -> (main: Rect, side: Rect?) {
        guard body.width >= sidePanelWidth else { return (body, nil) }
        let (main, side) = body.splitLeft(body.width - min(48, max(32, body.width / 3)))
        return (main, side)
    }

    /// Rows the choices pane needs at `width` (and the suggestion pane beside it, when shown).
    static func choicesHeight(_ l: LabelState, width: Int, suggestionPane: Bool) -> Int {
        let suggestion = suggestionPane ? l.suggestion.map { 2 + ($0.spread?.lines.count ?? 0) } ?? 1 : 1
        return max(suggestion, choiceLines(l, width: width - 3).count) + 2
    }

    struct ChoiceSpan {
        var text: String
        var index: Int?
        var isKey: Bool
    }

    /// The choices laid out in lines of at most `width` columns.
    static func choiceLines(_ l: LabelState, width: Int) -> [[ChoiceSpan]] {
        var lines: [[ChoiceSpan]] = [[]]
        var used = 0
        for (i, choice) in l.choices.enumerated() {
            let key = i < 9 ? "\(i + 1)" : i == 9 ? "0" : "·"
            let mark = l.task.kind == .multilabel ? (l.toggled.contains(i) ? "[x] " : "[ ] ") : ""
            // A scale point whose key is its value needs no text beside the key.
            let text = choice == key ? "" : " " + mark + choice + " "
            let w = DisplayWidth.of(key) + DisplayWidth.of(text) + 2
            if used > 0 && used + w > width {
                lines.append([])
                used = 0
            }
            lines[lines.count - 1].append(ChoiceSpan(text: key, index: i, isKey: true))
            lines[lines.count - 1].append(ChoiceSpan(text: text, index: i, isKey: false))
            lines[lines.count - 1].append(ChoiceSpan(text: "  ", index: nil, isKey: false))
            used += w
        }
        if l.task.kind == .review, let e = l.edited {
            lines.append([ChoiceSpan(text: "edited (\(DisplayWidth.of(e)) chars)", index: nil, isKey: false)])
        }
        return lines
    }
}
