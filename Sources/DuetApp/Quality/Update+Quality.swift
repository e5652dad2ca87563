import DuetCore
import Foundation
import TermUI

extension App {
    static func qualityKey(_ state: inout AppState, _ q: inout QualityState, _ key: Key) -> [Effect] {
        switch state.keymap.action(for: key, in: [.quality]) {
        case .scrollDown?: q.scroll = min(q.scroll + 1, QualityLayout(state, q).maxScroll)
        case .scrollUp?: q.scroll = max(0, q.scroll - 1)
        case .help?: state.overlay = .help(scroll: 0)
        case .quit?: return leave(&state)
        default: break
        }
        return []
    }

    /// The Quality report arrived (computed off the loop: it is dropped when the screen has moved on to
    /// another screen or task meanwhile).
    static func qualityMessage(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .qualityLoaded(let report):
            guard case .quality(var q) = state.screen, report.agreement.task == q.task.name else { return [] }
            q.report = report
            state.screen = .quality(q)
            return []
        default:
            return []
        }
    }
}
