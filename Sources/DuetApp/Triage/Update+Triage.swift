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
        if let entries = t.confirm { return confirmKey(&state, &t, entries, key) }
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
            // The table stays as it is until the rows come; none flagged: it stays, and says so (`triageMessage`).
            var next = t.filter
            next.flaggedOnly.toggle()
            if next.flaggedOnly { next.pendingOnly = false }  // flags sit on decided items
            t.requested = next
            return [.loadTriage(t.task, next)]
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
            // Asked once, with the count (`confirmKey`); nothing is written before the yes.
            t.confirm = entries
        case .undo:
            guard let last = t.undo.last else {
                state.status = Status("Nothing to undo here (u undoes this table's last accept)", .warning)
                return []
            }
            // The stack pops and the rows come back once the store confirms (`.revokedMany`).
            return [.revokeMany(last, at: at)]
        case .help:
            state.overlay = .help(scroll: 0)
        case .quit:
            return leave(&state)
        default:
            break
        }
        return []
    }

    /// The rows again for the filter just changed; the cursor stays on its item when it is still listed.
    static func reload(_ t: inout TriageState) -> [Effect] {
        t.marked = []
        t.requested = nil
        return [.loadTriage(t.task, t.filter)]
    }

    /// "Accept N machine labels? y/n": y sends the bulk accept (one transaction), n or esc leaves everything.
    static func confirmKey(_ state: inout AppState, _ t: inout TriageState, _ entries: [NewAnnotation], _ key: Key) -> [Effect] {
        switch state.keymap.action(for: key, in: [.confirm]) {
        case .confirmYes:
            t.confirm = nil
            // Marks clear and the count shows once the store confirms (`.recordedMany`).
            return [.recordMany(entries, then: t.task, t.filter)]
        case .confirmNo:
            t.confirm = nil
            state.status = Status("Nothing accepted")
        default:
            break  // the question stays until it is answered
        }
        return []
    }

    /// Triage's effects answered: the rows loaded (the cursor stays on its item), a bulk accept committed or undone.
    static func triageMessage(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .triageLoaded(let rows):
            guard case .triage(var t) = state.screen else { return [] }
            if let requested = t.requested {
                t.requested = nil
                // The flagged filter with nothing flagged: the table stays as it was.
                if requested.flaggedOnly, !t.filter.flaggedOnly, rows.isEmpty {
                    state.status = Status("No flagged items", .warning)
                    state.screen = .triage(t)
                    return []
                }
                t.filter = requested
                t.marked = []
            }
            let old = t.rows
            t.rows = rows
            t.keepCursor(from: old, at: t.selected)
            t.idPrefix = IDText.sharedPrefix(rows.lazy.map(\.item.item.uid))
            t.loaded = true
            state.screen = .triage(t)
            return []
        case .recordedMany(let ids):
            guard case .triage(var t) = state.screen else { return [] }
            t.marked = []
            t.undo.append(ids)
            state.screen = .triage(t)
            state.status = Status("Accepted the machine's label on \(ids.count) item\(ids.count == 1 ? "" : "s") · u undoes")
            return [.loadTriage(t.task, t.filter)]
        case .revokedMany(let ids):
            guard case .triage(var t) = state.screen else { return [] }
            if t.undo.last == ids { t.undo.removeLast() }
            state.screen = .triage(t)
            state.status = Status("Undone: \(ids.count) item\(ids.count == 1 ? "" : "s") back as they were")
            return [.loadTriage(t.task, t.filter)]
        default:
            return []
        }
    }
}
