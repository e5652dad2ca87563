import DuetCore
import Foundation
import TermUI

extension App {
    /// Opens the triage table of `task`.
    public static func openTriage(_ state: inout AppState, _ task: TaskSpec, filter: TriageFilter = TriageFilter()) -> [Effect] {
        state.screen = .triage(TriageState(task: task, filter: filter))
        state.overlay = nil
        return [.loadTriage(task, filter)]
    }

    static func triageKey(_ state: inout AppState, _ t: inout TriageState, _ key: Key, at: Date) -> [Effect] {
        guard let action = state.keymap.action(for: key, in: [.triage]) else { return [] }
        switch action {
        case .moveDown: t.selected = min(t.selected + 1, max(0, t.rows.count - 1))
        case .moveUp: t.selected = max(0, t.selected - 1)
        case .mark:
            guard t.rows.indices.contains(t.selected) else { return [] }
            let id = t.rows[t.selected].item.rowID
            if t.marked.contains(id) { t.marked.remove(id) } else { t.marked.insert(id) }
            t.selected = min(t.selected + 1, max(0, t.rows.count - 1))
        case .sortOrder:
            t.filter.ascending.toggle()
            return reload(&t)
        case .labelFilter:
            let options: [String?] = [nil] + t.labels
            let i = options.firstIndex(of: t.filter.label) ?? 0
            t.filter.label = options[(i + 1) % options.count]
            return reload(&t)
        case .routeFilter:
            // to label → audits to label → machine-kept → all routed → to label
            switch (t.filter.route, t.filter.pendingOnly) {
            case (nil, true): (t.filter.route, t.filter.pendingOnly) = (.audit, true)
            case (.audit?, true): (t.filter.route, t.filter.pendingOnly) = (.machine, false)
            case (.machine?, _): (t.filter.route, t.filter.pendingOnly) = (nil, false)
            default: (t.filter.route, t.filter.pendingOnly) = (nil, true)
            }
            return reload(&t)
        case .uncertaintyFilter:
            let steps: [Double?] = [nil, 0.5, 1.0]
            let i = steps.firstIndex(of: t.filter.minScore) ?? 0
            t.filter.minScore = steps[(i + 1) % steps.count]
            return reload(&t)
        case .flaggedFilter:
            t.filter.flaggedOnly.toggle()
            if t.filter.flaggedOnly { t.filter.pendingOnly = false }  // flags sit on decided items
            return reload(&t)
        case .open:
            guard t.rows.indices.contains(t.selected) else { return [] }
            state.triageReturn = t
            state.screen = .label(LabelState(task: t.task))
            return [.loadItem(t.task, rowID: t.rows[t.selected].item.rowID)]
        case .acceptMachine:
            let chosen = t.marked.isEmpty ? (t.rows.indices.contains(t.selected) ? [t.rows[t.selected]] : []) : t.rows.filter { t.marked.contains($0.item.rowID) }
            // Blind audits keep their label hidden; rows without a label have nothing to accept.
            let entries = chosen.compactMap { row -> NewAnnotation? in
                guard row.route.route != .audit, let label = row.machine?.label, let value = t.task.kind.decisionValue(forLabel: label, votes: row.votes) else { return nil }
                return NewAnnotation(itemRowID: row.item.rowID, task: t.task.name, annotatorKind: .human, annotator: state.annotator, value: value,
                                     note: "accepted the machine's label (\(row.route.annotator))", createdAt: at)
            }
            guard !entries.isEmpty else {
                state.status = Status("Nothing to accept (blind audits and unlabeled rows are left out)", .warning)
                return []
            }
            // Marks clear and the count shows once the store confirms (`.recordedMany`).
            return [.recordMany(entries, then: t.task, t.filter)]
        case .help:
            state.overlay = .help(scroll: 0)
        case .quit:
            return leave(&state)
        default:
            break
        }
        return []
    }

    static func reload(_ t: inout TriageState) -> [Effect] {
        t.selected = 0
        t.marked = []
        return [.loadTriage(t.task, t.filter)]
    }

    /// Triage's effects answered: the rows loaded, a bulk accept committed.
    static func triageMessage(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .triageLoaded(let rows):
            guard case .triage(var t) = state.screen else { return [] }
            t.rows = rows
            t.idPrefix = IDText.sharedPrefix(rows.lazy.map(\.item.item.uid))
            t.loaded = true
            t.selected = min(t.selected, max(0, rows.count - 1))
            state.screen = .triage(t)
            return []
        case .recordedMany(let count):
            guard case .triage(var t) = state.screen else { return [] }
            t.marked = []
            state.screen = .triage(t)
            state.status = Status("Accepted the machine's label on \(count) item\(count == 1 ? "" : "s")")
            return [.loadTriage(t.task, t.filter)]
        default:
            return []
        }
    }
}
