import DuetCore
import Foundation
import TermUI

extension App {
    /// Opens the disagreements of `task` (`doubtsOnly`: the doubt queue).
    public static func openAdjudication(_ state: inout AppState, _ task: TaskSpec, peopleOnly: Bool = false, doubtsOnly: Bool = false) -> [Effect] {
        var a = AdjudicateState(task: task, peopleOnly: peopleOnly)
        a.doubtsOnly = doubtsOnly
        state.screen = .adjudicate(a)
        state.overlay = nil
        return [.loadDisagreements(task, peopleOnly: peopleOnly)]
    }

    static func adjudicateKey(_ state: inout AppState, _ a: inout AdjudicateState, _ key: Key, at: Date) -> [Effect] {
        guard let action = state.keymap.action(for: key, in: [.adjudicate]) else { return [] }
        switch action {
        case .moveDown:
            a.selected = min(a.selected + 1, max(0, (a.current?.answers.count ?? 1) - 1))
        case .moveUp:
            a.selected = max(0, a.selected - 1)
        case .pageDown:
            a.scroll += max(1, state.height / 2)
        case .pageUp:
            a.scroll = max(0, a.scroll - max(1, state.height / 2))
        case .nextDisputed, .previousDisputed:
            guard !a.items.isEmpty else { return [] }
            let step = action == .nextDisputed ? 1 : a.items.count - 1
            return show(&a, (a.index + step) % a.items.count)
        case .takeAnswer:
            guard let d = a.current, d.answers.indices.contains(a.selected) else { return [] }
            let answer = d.answers[a.selected]
            guard let value = finalValue(answer, task: a.task) else {
                state.status = Status("That answer has no value to take", .warning)
                return []
            }
            return [.settle(adjudication(state, a, d, value: value, note: "took \(answer.annotator)'s answer", at: at))]
        case let pick where pick.pickIndex != nil:
            guard let d = a.current else { return [] }
            guard let value = pickedValue(pick.pickIndex!, task: a.task) else {
                state.status = Status(a.task.kind == .multilabel || a.task.kind == .review
                    ? "Take one of the answers with ⏎ (j/k to choose)" : "No such choice", .warning)
                return []
            }
            return [.settle(adjudication(state, a, d, value: value, note: nil, at: at))]
        case .undo:
            return [.unsettle(a.task, annotator: Adjudication.annotator(for: state.annotator), at: at)]
        case .doubtsOnly:
            a.doubtsOnly.toggle()
            a.loaded = false
            state.status = Status(a.doubtsOnly ? "Doubts only: people's labels a kept machine label or two other people contradict"
                                               : "Every disputed item")
            return [.loadDisagreements(a.task, peopleOnly: a.peopleOnly)]
        case .peopleOnly:
            a.peopleOnly.toggle()
            a.loaded = false
            state.status = Status(a.peopleOnly ? "Disputes among people only" : "Disputes among people and machines")
            return [.loadDisagreements(a.task, peopleOnly: a.peopleOnly)]
        case .help:
            state.overlay = .help(scroll: 0)
        case .quit:
            return leave(&state)
        default:
            break
        }
        return []
    }

    /// Shows the disagreement at `index` (its content is loaded).
    static func show(_ a: inout AdjudicateState, _ index: Int) -> [Effect] {
        a.index = index
        a.item = nil
        a.scroll = 0
        // Start on the most common answer: often the one to take.
        let top = a.current?.tally.first?.key
        a.selected = a.current?.answers.firstIndex { $0.key == top } ?? 0
        guard let d = a.current else { return [] }
        return [.loadAdjudicationItem(rowID: d.itemRowID)]
    }

    static func adjudication(_ state: AppState, _ a: AdjudicateState, _ d: Adjudication.Disagreement, value: JSONValue,
                             note: String?, at: Date) -> NewAnnotation {
        let who = d.answers.map { "\($0.annotator)=\(Decisions.labelText($0.value) ?? "?")" }.joined(separator: ", ")
        return NewAnnotation(itemRowID: d.itemRowID, task: a.task.name, annotatorKind: .human,
                             annotator: Adjudication.annotator(for: state.annotator), value: value,
                             note: [note, "answers: " + who].compactMap { $0 }.joined(separator: "; "), createdAt: at)
    }

    /// An answer as the value a final decision stores (people's and machines' have one shape).
    static func finalValue(_ answer: Adjudication.Answer, task: TaskSpec) -> JSONValue? {
        answer.value
    }

    /// Number key `i` as a final decision: a label, a scale point, or for
    /// pairs 1 = first response, 2 = second, 3 = tie, 4 = both bad.
    static func pickedValue(_ i: Int, task: TaskSpec) -> JSONValue? {
        let labels = adjudicationLabels(task)
        return labels.indices.contains(i) ? task.decisionValue(forLabel: labels[i]) : nil
    }

    /// What number keys give when adjudicating: one answer each (not multi-label sets or reviews).
    static func adjudicationLabels(_ task: TaskSpec) -> [String] {
        task.kind == .multilabel || task.kind == .review ? [] : task.answerLabels
    }

    static func adjudicationMessage(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        guard case .adjudicate(var a) = state.screen else { return [] }
        defer { state.screen = .adjudicate(a) }
        switch message {
        case .disagreementsLoaded(let all):
            let items = a.doubtsOnly ? all.filter { $0.doubt != nil } : all
            let keep = a.current?.itemRowID
            a.items = items
            a.loaded = true
            // Stay on the same item after a reload; else the first one not settled yet.
            let start = items.firstIndex { $0.itemRowID == keep } ?? items.firstIndex { $0.settled == nil } ?? 0
            return show(&a, start)
        case .adjudicationItemLoaded(let item):
            if item?.rowID == a.current?.itemRowID { a.item = item }
        case .settled(let id, let answer):
            guard let i = a.items.firstIndex(where: { $0.itemRowID == id }) else { return [] }
            a.items[i].settled = answer
            state.status = Status("Settled: \(Decisions.labelText(answer.value) ?? "decision") is final (u undoes)")
            // On to the next one still open, after this one.
            let n = a.items.count
            if let next = (1...n).map({ (i + $0) % n }).first(where: { a.items[$0].settled == nil }) { return show(&a, next) }
            state.status = Status((n == 1 ? "The disputed item is settled" : "All \(n) disputed items are settled") + ". q goes back; u undoes the last one")
        case .unsettled(let id):
            guard let id else {
                state.status = Status("Nothing to undo: you have not settled anything in this task", .warning)
                return []
            }
            state.status = Status("Undone: the item is open again")
            guard let i = a.items.firstIndex(where: { $0.itemRowID == id }) else {
                return [.loadDisagreements(a.task, peopleOnly: a.peopleOnly)]
            }
            a.items[i].settled = nil
            return show(&a, i)
        default:
            break
        }
        return []
    }
}
