import DuetCore
import Foundation
import TermUI

extension App {
    /// Opens the palette over the screen, the query already typed (a command's own key opens it narrowed).
    static func openPalette(_ state: inout AppState, query: String = "") {
        state.overlay = .palette(PaletteState(task: commandTask(state), query: query))
    }

    /// The task the palette's commands act on: the screen's, else the project's only one.
    static func commandTask(_ state: AppState) -> TaskSpec? {
        state.screen.task ?? (state.tasks.count == 1 ? state.tasks.first : nil)
    }

    /// A palette action pressed on a screen (`:`, or a key bound to one of its commands in [keys]);
    /// nil for every other action.
    static func commandKey(_ state: inout AppState, _ action: Action) -> [Effect]? {
        switch action {
        case .palette: openPalette(&state)
        case .goToItem: openPalette(&state, query: PaletteState.goWord)
        case .switchTask: openPalette(&state, query: "task: ")
        case .filterQueue: openPalette(&state, query: "filter: ")
        case .changeTheme: openPalette(&state, query: "theme: ")
        case .routeNow:
            guard let task = commandTask(state) else { return [] }
            return run(&state, .routeNow, task: task)
        default: return nil
        }
        return []
    }

    /// A key while the palette is open: typing narrows, next/previous highlight, run runs, back closes.
    static func paletteKey(_ state: inout AppState, _ p: inout PaletteState, _ key: Key) -> [Effect] {
        let matches = p.matches(state)
        switch state.keymap.action(for: key, in: [.palette]) {
        case .back?:
            state.overlay = nil
            return []
        case .runCommand?:
            guard matches.indices.contains(p.selected) else { return [] }
            state.overlay = nil
            return run(&state, matches[p.selected].command, task: p.task, palette: p)
        case .nextCommand?:
            p.selected = matches.isEmpty ? 0 : (p.selected + 1) % matches.count
        case .previousCommand?:
            p.selected = matches.isEmpty ? 0 : (p.selected + matches.count - 1) % matches.count
        case .clearText?:
            p.query.text = ""
            p.selected = 0
        default:
            if p.query.apply(key) { p.selected = 0 }
        }
        state.overlay = .palette(p)
        return []
    }

    /// Runs a command (the palette is closed; "go to item…" without an id opens it again asking for one).
    static func run(_ state: inout AppState, _ command: PaletteCommand, task: TaskSpec?, palette: PaletteState? = nil) -> [Effect] {
        switch command {
        case .goTo(nil):
            var p = palette ?? PaletteState(task: task)
            p.query = TextInput(PaletteState.goWord)
            p.selected = 0
            state.overlay = .palette(p)
            return []
        case .goTo(let id?):
            guard let task else { return noTask(&state) }
            return [.findItem(task, uid: id)]
        case .task(let name):
            guard let next = state.tasks.first(where: { $0.name == name }) else { return [] }
            return openTask(&state, next)
        case .filter(let filter):
            guard let task else { return noTask(&state) }
            return openTriage(&state, task, filter: filter)
        case .theme(let name):
            if let theme = state.themes.first(where: { $0.name == name }) { state.theme = theme }
            state.status = Status("Theme: \(state.theme.name)")
            return []
        case .routeNow:
            guard let task else { return noTask(&state) }
            state.status = Status("Routing \(task.name)…")
            return [.routeNow(task)]
        }
    }

    static func noTask(_ state: inout AppState) -> [Effect] {
        state.status = Status("Open a task first (or choose one on the dashboard)", .warning)
        return []
    }

    /// The answers to the palette's effects.
    static func paletteMessage(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .itemFound(let task, nil, let uid):
            state.status = Status("No item \"\(uid)\" in task \(task.name)", .warning)
            return []
        case .itemFound(let task, let rowID?, _):
            if case .label(let l) = state.screen, l.task.name == task.name { return [.loadItem(task, rowID: rowID)] }
            // From the queue, q goes back to it.
            if case .triage(let t) = state.screen { state.triageReturn = t }
            state.screen = .label(LabelState(task: task))
            state.overlay = nil
            return [.loadItem(task, rowID: rowID)]
        case .routedNow(let task, let summary):
            state.status = Status(summary)
            // The queue on screen shows the new routes.
            if case .triage(let t) = state.screen, t.task.name == task.name { return [.loadTriage(task, t.filter)] }
            return []
        default:
            return []
        }
    }
}
