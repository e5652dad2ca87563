import DuetCore
import Foundation
import TermUI

/// The app's only state transition: pure, synchronous, no I/O. Slow work
/// (store reads and writes, the editor) is returned as effects; the runtime
/// performs them and feeds their results back as messages.
public enum App {
    public static func update(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .key, .resized, .storeFailed, .retryDue: break
        default:
            // An effect's result: the store answered, and the retry's message goes with it.
            if state.retry != nil {
                state.retry = nil
                state.status = nil
            }
        }
        switch message {
        case .resized(let w, let h):
            state.width = w
            state.height = h
            return []
        case .key(let key, let at):
            // A write waiting to be retried keeps saying so.
            state.status = state.retry.map(retryStatus)
            let effects = keyEffects(&state, key, at: at)
            // A new action supersedes the retry: the person re-decided or moved on.
            if !effects.isEmpty { state.retry = nil }
            return effects
        case .qualityLoaded(let report):
            guard case .quality(var q) = state.screen else { return [] }
            q.report = report
            state.screen = .quality(q)
            return []
        case .disagreementsLoaded, .adjudicationItemLoaded, .settled, .unsettled:
            return adjudicationMessage(&state, message)
        default:
            return result(&state, message)
        }
    }

    /// What a key does.
    static func keyEffects(_ state: inout AppState, _ key: Key, at: Date) -> [Effect] {
        let action = state.keymap.action(for: key, in: state.isTooSmall ? [.dashboard, .label] : state.keyContexts)
        if action == .interrupt || (state.isTooSmall && action == .quit) {
            state.quitting = true
            return [.quit]
        }
        // Only quitting makes sense on a screen too small to draw.
        if state.isTooSmall { return [] }
        if state.overlay != nil { return overlayKey(&state, key, at: at) }
        return Screen.key(&state, key, at: at)
    }

    /// The results of effects.
    static func result(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .storeFailed(let effect, let failure):
            return storeFailed(&state, effect, failure)
        case .retryDue:
            return state.retry.map { [$0.effect] } ?? []
        case .recorded(let entry):
            return recorded(&state, entry)
        case .recordedMany(let count):
            guard case .triage(var t) = state.screen else { return [] }
            t.marked = []
            state.screen = .triage(t)
            state.status = Status("Accepted the machine's label on \(count) item\(count == 1 ? "" : "s")")
            return [.loadTriage(t.task, t.filter)]
        case .dashboardLoaded(let rows):
            guard case .dashboard(var d) = state.screen else { return [] }
            d.rows = rows
            d.loaded = true
            d.selected = min(d.selected, max(0, rows.count - 1))
            state.screen = .dashboard(d)
            return []
        case .itemLoaded(let item, let progress, let previous, let at, let source, let suggestion):
            guard case .label(var l) = state.screen else { return [] }
            l.startItem(item, at: at)
            l.suggestion = suggestion
            if let item, l.task.kind == .compare {
                l.pair = pairState(item, task: l.task, annotator: state.annotator)
                l.pair?.diff = l.diffOn
                // The responses answer the last turn: show the end of a long prompt.
                let bottom = PairLayout(state, l).maxScroll(state, l, pane: 0)
                l.pair?.scrolls[0] = bottom
            }
            if l.task.showSource { l.sourceValue = source }
            if let progress { l.progress = progress }
            l.previousValue = previous
            l.loaded = true
            if item == nil { l.browsing = nil }
            state.screen = .label(l)
            return []
        case .undone(let rowID, let at):
            guard case .label(var l) = state.screen else { return [] }
            guard let rowID else {
                state.status = Status("Nothing to undo in this task", .warning)
                return []
            }
            if let i = l.history.lastIndex(of: rowID) { l.history.remove(at: i) }
            l.browsing = nil
            state.screen = .label(l)
            state.status = Status("Undone: the item is back")
            _ = at
            return [.loadItem(l.task, rowID: rowID)]
        case .triageLoaded(let rows):
            guard case .triage(var t) = state.screen else { return [] }
            t.rows = rows
            t.idPrefix = IDText.sharedPrefix(rows.lazy.map(\.item.item.uid))
            t.loaded = true
            t.selected = min(t.selected, max(0, rows.count - 1))
            state.screen = .triage(t)
            return []
        case .searchFinished(let items):
            guard case .search(var s) = state.overlay else { return [] }
            s.results = items
            s.selected = 0
            state.overlay = .search(s)
            return []
        case .edited(let text):
            guard case .label(var l) = state.screen else { return [] }
            if let text {
                l.edited = text
                state.status = Status("Edited. a accepts the edited response, x rejects")
            } else {
                state.status = Status("Edit cancelled (no change)")
            }
            state.screen = .label(l)
            return []
        case .failed(let text):
            state.status = Status(text, .error)
            return []
        default:
            return []
        }
    }

    /// q on a task screen: back to the dashboard when it was opened from there, else quit.
    static func leave(_ state: inout AppState) -> [Effect] {
        if state.startedOnDashboard {
            state.screen = .dashboard(DashboardState())
            return [.loadDashboard]
        }
        state.quitting = true
        return [.quit]
    }
}
