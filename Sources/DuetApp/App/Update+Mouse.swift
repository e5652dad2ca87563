import DuetCore
import Foundation
import TermUI

/// What a click or a wheel turn means on the screen under it, found with the layouts the views draw
/// by. An action is done through its key (the same path, so a label clicked is saved as its key saves it).
enum MouseTarget: Sendable, Equatable {
    /// The action, this many times.
    case action(Action, times: Int)
    /// Select this row of the screen's list (triage's table, the dashboard's tasks); a click on the
    /// row already selected opens it, as Enter does.
    case row(Int)
    /// Focus this pane of a pair (0 = the prompt), then the action this many times (scrolling it).
    case pane(Int, then: Action?, times: Int)
}

extension App {
    /// Lines (or rows) one wheel turn moves.
    static let wheelStep = 3

    static func mouseEffects(_ state: inout AppState, _ mouse: Mouse, at: Date) -> [Effect] {
        guard state.mouse, !state.isTooSmall, let target = mouseTarget(state, mouse) else { return [] }
        switch target {
        case .action(let action, let times):
            return press(&state, action, times: times, at: at)
        case .row(let i):
            switch state.screen {
            case .triage(var t):
                guard t.selected != i else { return press(&state, .open, times: 1, at: at) }
                t.selected = i
                state.screen = .triage(t)
            case .dashboard(var d):
                guard d.selected != i else { return press(&state, .open, times: 1, at: at) }
                d.selected = i
                state.screen = .dashboard(d)
            default: break
            }
            return []
        case .pane(let pane, let action, let times):
            guard case .label(var l) = state.screen, l.pair != nil else { return [] }
            l.pair?.focus = pane
            state.screen = .label(l)
            return action.map { press(&state, $0, times: times, at: at) } ?? []
        }
    }

    /// Presses the key bound to `action` where keys are read now, `times` times.
    static func press(_ state: inout AppState, _ action: Action, times: Int, at: Date) -> [Effect] {
        let contexts = state.keyContexts
        guard let key = state.keymap.bindings.lazy.filter({ $0.action == action && !$0.contexts.isDisjoint(with: contexts) })
            .flatMap(\.keys).first(where: { state.keymap.action(for: $0, in: contexts) == action }) else { return [] }
        var effects: [Effect] = []
        for _ in 0..<times { effects += update(&state, .key(key, at: at)) }
        return effects
    }

    /// What the mouse event points at; nil: nothing there.
    static func mouseTarget(_ state: AppState, _ m: Mouse) -> MouseTarget? {
        let wheel: Action? = m.kind == .wheelDown ? .scrollDown : m.kind == .wheelUp ? .scrollUp : nil
        if let overlay = state.overlay {
            switch overlay {
            case .help, .guidelines: return wheel.map { .action($0, times: wheelStep) }
            default: return nil
            }
        }
        switch state.screen {
        case .label(let l) where l.task.kind == .compare && l.pair != nil:
            let layout = PairLayout(state, l)
            guard let pane = (0...layout.panes.count).first(where: { layout.rect(pane: $0)?.contains(x: m.x, y: m.y) ?? false }) else { return nil }
            return .pane(pane, then: wheel, times: wheel == nil ? 0 : wheelStep)
        case .label(let l):
            let layout = LabelLayout(state, l)
            if let wheel { return layout.item.contains(x: m.x, y: m.y) ? .action(wheel, times: wheelStep) : nil }
            guard l.item != nil, let i = layout.choice(atX: m.x, y: m.y, l), let pick = Action.allCases.first(where: { $0.pickIndex == i })
            else { return nil }
            return .action(pick, times: 1)
        case .triage(let t):
            guard state.body.contains(x: m.x, y: m.y) else { return nil }
            if m.kind == .wheelDown { return .action(.moveDown, times: wheelStep) }
            if m.kind == .wheelUp { return .action(.moveUp, times: wheelStep) }
            return TriageLayout.row(atX: m.x, y: m.y, body: state.body, t).map { .row($0) }
        case .dashboard(let d):
            guard state.body.contains(x: m.x, y: m.y) else { return nil }
            if m.kind == .wheelDown { return .action(.moveDown, times: 1) }
            if m.kind == .wheelUp { return .action(.moveUp, times: 1) }
            return DashboardLayout.row(atX: m.x, y: m.y, body: state.body, d).map { .row($0) }
        default:
            return nil
        }
    }
}
