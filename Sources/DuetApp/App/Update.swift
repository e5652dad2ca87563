import DuetCore
import Foundation
import TermUI

/// The app's only state transition: pure, synchronous, no I/O. Slow work
/// (store reads and writes, the editor) is returned as effects; the runtime
/// performs them and feeds their results back as messages.
public enum App {
    public static func update(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .key, .resized, .storeFailed, .retryDue, .mouse: break
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
        // Each feature takes its effects' results.
        case .dashboardLoaded: return dashboardMessage(&state, message)
        case .itemLoaded, .undone, .edited, .labelStopped: return labelMessage(&state, message)
        case .triageLoaded, .recordedMany, .revokedMany: return triageMessage(&state, message)
        case .searchFinished: return searchMessage(&state, message)
        case .qualityLoaded: return qualityMessage(&state, message)
        case .itemFound, .routedNow: return paletteMessage(&state, message)
        case .mouse(let mouse, let at): return mouseEffects(&state, mouse, at: at)
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
        // The palette, and its commands bound to keys of their own.
        if let action, let effects = commandKey(&state, action) { return effects }
        return Screen.key(&state, key, at: at)
    }

    /// The results of effects.
    static func result(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .storeFailed(let effect, let failure):
            return storeFailed(&state, effect, failure)
        case .retryDue:
            return state.retry.map { [$0.effect] } ?? []
        case .storeWaiting(let seconds):
            if let seconds {
                // What the line said before ("saved s004 → positive") comes back when the store answers.
                if !state.storeWaitNoticed { state.statusBeforeWait = state.status }
                state.status = Status("waiting for the store (\(seconds) s): nothing is lost; your keys act when it answers", .warning)
                state.storeWaitNoticed = true
            } else if state.storeWaitNoticed {
                state.status = state.statusBeforeWait
                state.statusBeforeWait = nil
                state.storeWaitNoticed = false
            }
            return []
        case .recorded(let entry):
            return recorded(&state, entry)
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
