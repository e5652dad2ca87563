import DuetCore
import Foundation
import TermUI

extension App {
    /// Opens the label screen of `task` (used at start-up and from the dashboard).
    public static func openTask(_ state: inout AppState, _ task: TaskSpec) -> [Effect] {
        state.screen = .label(LabelState(task: task))
        state.overlay = nil
        return [.loadNext(task)]
    }

    static func dashboardKey(_ state: inout AppState, _ d: inout DashboardState, _ key: Key) -> [Effect] {
        switch state.keymap.action(for: key, in: [.dashboard]) {
        case .moveDown?:
            d.selected = min(d.selected + 1, max(0, d.rows.count - 1))
        case .moveUp?:
            d.selected = max(d.selected - 1, 0)
        case .open?:
            guard d.rows.indices.contains(d.selected) else { return [] }
            return openTask(&state, d.rows[d.selected].task)
        case .quality?:
            guard d.rows.indices.contains(d.selected) else { return [] }
            let task = d.rows[d.selected].task
            state.screen = .quality(QualityState(task: task))
            return [.loadQuality(task)]
        case .help?:
            state.overlay = .help(scroll: 0)
        case .quit?:
            state.quitting = true
            return [.quit]
        default:
            break
        }
        return []
    }

    /// The dashboard's rows arrived.
    static func dashboardMessage(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .dashboardLoaded(let rows):
            guard case .dashboard(var d) = state.screen else { return [] }
            d.rows = rows
            d.loaded = true
            d.selected = min(d.selected, max(0, rows.count - 1))
            state.screen = .dashboard(d)
            return []
        default:
            return []
        }
    }
}
