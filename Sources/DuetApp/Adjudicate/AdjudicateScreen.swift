import DuetCore
import Foundation
import TermUI

/// A disputed item above, who said what below; ⏎ takes an answer as final.
enum AdjudicateScreen {
    static func drawHeader(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ a: AdjudicateState) {
        var left = "adjudicate · \(a.task.name)"
        if !a.items.isEmpty {
            left += " · item \(a.index + 1) of \(a.items.count) disputed · \(a.settledCount) settled"
        }
        left += a.peopleOnly ? " · people only" : " · people and machines"
        if a.doubtsOnly { left += " · doubts" }
        Render.header(&c, r, state, left: left, right: state.annotator)
    }

    /// Rows the answers pane needs: a tally line, the answers, the final line, the choices.
    static func answersHeight(_ a: AdjudicateState) -> Int {
        let answers = a.current?.answers.count ?? 0
        return answers + 2 + (App.adjudicationLabels(a.task).isEmpty ? 0 : 1) + 2
    }

    static func draw(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ a: AdjudicateState) {
        let t = state.theme
        guard a.loaded else {
            c.put(" Loading…", x: r.x, y: r.y + 1, style: t[.muted])
            return
        }
        guard let d = a.current else {
            let inner = c.box(r, title: a.task.name, style: t[.border], titleStyle: t[.title])
            let lines = ["No disagreements in this task: every labeled item has one answer.",
                         a.peopleOnly ? "m also counts machines' answers." : "Items need two or more annotators (people or machines) to disagree.",
                         "q goes back."]
            for (i, line) in lines.enumerated() {
                c.put(line, x: inner.x + 1, y: inner.y + i, style: i == 0 ? t[.success] : t[.muted], maxWidth: inner.width - 1)
            }
            return
        }
        let (top, bottom) = r.splitBottom(min(answersHeight(a), max(5, r.height / 2)))
        // The item.
        let inner = c.box(top, title: a.item.map { Render.itemTitle("item ", $0.item.uid, " · \($0.item.dataset)", boxWidth: top.width) } ?? "item", style: t[.border], titleStyle: t[.title])
        if let item = a.item {
            let text = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
            let lines = ItemView.lines(item, task: a.task, edited: nil, width: text.width, theme: t)
            let offset = c.paragraph(lines, in: text, offset: min(a.scroll, max(0, lines.count - text.height)))
            if lines.count > inner.height {
                let pos = inner.height > 1 ? offset * (inner.height - 1) / max(1, lines.count - inner.height) : 0
                c.put("┃", x: inner.maxX - 1, y: inner.y + pos, style: t[.accent])
            }
        } else {
            c.put("Loading…", x: inner.x + 1, y: inner.y, style: t[.muted])
        }
        drawAnswers(&c, bottom, state, a, d)
    }

    static func drawAnswers(_ c: inout Canvas, _ r: Rect, _ state: AppState, _ a: AdjudicateState, _ d: Adjudication.Disagreement) {
        let t = state.theme
        let inner = c.box(r, title: "who said what", style: t[.border], titleStyle: t[.title])
        var y = inner.y
        let tally = d.tally.map { "\($0.count) × \(answerText($0.key, d, a.task))" }.joined(separator: " · ")
        let shown = c.put(tally, x: inner.x + 1, y: y, style: t[.muted], maxWidth: inner.width - 1)
        if a.doubtsOnly, let doubt = d.doubt {
            c.put("  ⚠ " + doubt, x: inner.x + 1 + shown, y: y, style: t[.warning], maxWidth: inner.width - 1 - shown)
        }
        y += 1
        let nameWidth = min(24, max(8, d.answers.map { DisplayWidth.of($0.annotator) }.max() ?? 8))
        let settledKey = d.settled?.key
        for (i, answer) in d.answers.enumerated() where y < inner.maxY {
            let selected = i == a.selected
            let style = selected ? t[.selected] : t[.text]
            var x = inner.x
            x += c.put(selected ? "▸ " : "  ", x: x, y: y, style: t[.accent])
            c.put(Wrap.truncate(answer.annotator, width: nameWidth), x: x, y: y, style: style, maxWidth: nameWidth)
            x += nameWidth + 1
            x += c.put((answer.kind == .human ? "person " : "machine").padded(to: 8), x: x, y: y, style: t[answer.kind == .human ? .human : .machine])
            x += c.put(answerText(answer.key, d, a.task), x: x, y: y, style: style, maxWidth: inner.maxX - x)
            if let why = rationale(answer.value) { x += c.put(" — " + why, x: x, y: y, style: t[.muted], maxWidth: inner.maxX - x) }
            if let s = answer.seconds {
                x += c.put(String(format: s < 10 ? "  %.1f s" : "  %.0f s", s), x: x, y: y, style: t[.muted], maxWidth: inner.maxX - x)
            }
            if answer.key == settledKey { c.put("  ✓ final", x: x, y: y, style: t[.success], maxWidth: inner.maxX - x) }
            y += 1
        }
        if y < inner.maxY {
            if let s = d.settled {
                c.put("final: \(answerText(s.key, d, a.task)) (\(s.annotator))", x: inner.x + 1, y: y, style: t[.success], maxWidth: inner.width - 1)
            } else {
                c.put("not settled: ⏎ takes the highlighted answer", x: inner.x + 1, y: y, style: t[.muted], maxWidth: inner.width - 1)
            }
            y += 1
        }
        let choices = App.adjudicationLabels(a.task).map { Adjudication.words($0, task: a.task) }
        guard !choices.isEmpty, y < inner.maxY else { return }
        var x = inner.x + 1
        x += c.put("or give: ", x: x, y: y, style: t[.muted])
        for (i, choice) in choices.prefix(10).enumerated() {
            let key = i < 9 ? "\(i + 1)" : "0"
            guard x + DisplayWidth.of(key) + DisplayWidth.of(choice) + 3 <= inner.maxX else { break }
            x += c.put(key, x: x, y: y, style: t[.key])
            x += c.put(choice == key ? "  " : " \(choice)  ", x: x, y: y, style: t[.text])
        }
    }

    /// An answer's key in words: pairs name the response (stored order), other values as given.
    static func answerText(_ key: String, _ d: Adjudication.Disagreement, _ task: TaskSpec) -> String {
        if let v = d.answers.first(where: { $0.key == key })?.value, task.kind == .review { return Render.valueText(v) }
        return Adjudication.words(key, task: task)
    }

    /// A pair judgment's rationale, if one was written.
    static func rationale(_ value: JSONValue?) -> String? {
        guard let v = value, let j = PairJudgment(v) else { return nil }
        return j.rationale
    }
}
