import DuetCore
import TermUI

extension LabelLayout {
    /// The box the choices are listed in (the choices row less the suggestion pane), and its inside.
    var choicesBox: Rect { choices.width >= LabelLayout.suggestionWidth ? choices.splitLeft(choices.width * 2 / 3).0 : choices }

    /// The first line of choices shown in `height` lines: the top, or as far
    /// down as the highlighted choice needs to be seen.
    static func firstChoiceLine(_ lines: [[ChoiceSpan]], _ l: LabelState, height: Int) -> Int {
        guard height > 0, lines.count > height, let h = l.highlighted,
              let row = lines.firstIndex(where: { $0.contains { $0.index == h } }) else { return 0 }
        return min(max(0, row - height + 1), lines.count - height)
    }

    /// The choice drawn at the cell (x, y), by the rule the view draws them with: its key or its text.
    func choice(atX x: Int, y: Int, _ l: LabelState) -> Int? {
        let inner = choicesBox.inset(1)
        guard inner.contains(x: x, y: y) else { return nil }
        let lines = LabelLayout.choiceLines(l, width: inner.width - 1)
        let row = LabelLayout.firstChoiceLine(lines, l, height: inner.height) + y - inner.y
        guard lines.indices.contains(row) else { return nil }
        var left = inner.x + 1
        for span in lines[row] {
            let right = left + DisplayWidth.of(span.text)
            if x >= left && x < right { return span.index }
            left = right
        }
        return nil
    }
}
