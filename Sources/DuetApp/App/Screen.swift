import DuetCore
import Foundation
import TermUI

/// The screens, and the one place a screen is registered: its case here and its line in each
/// switch below (where it reads keys, what a key does, how it is drawn). Everything else about
/// a screen lives in its own folder (state, Update+X, view, layout); see ARCHITECTURE.md,
/// "How to add a screen".
public enum Screen: Sendable {
    case dashboard(DashboardState)
    case label(LabelState)
    case triage(TriageState)
    case adjudicate(AdjudicateState)
    case quality(QualityState)

    /// Where the screen reads keys (the keymap's contexts).
    public var contexts: Set<KeyContext> {
        switch self {
        case .dashboard: return [.dashboard]
        case .label(let l): return l.contexts
        case .triage(let t): return t.confirm == nil ? [.triage] : [.confirm]
        case .adjudicate: return [.adjudicate]
        case .quality: return [.quality]
        }
    }

    /// The task the screen shows (the dashboard: its highlighted row's); the palette's commands act on it.
    public var task: TaskSpec? {
        switch self {
        case .dashboard(let d): return d.rows.indices.contains(d.selected) ? d.rows[d.selected].task : nil
        case .label(let l): return l.task
        case .triage(let t): return t.task
        case .adjudicate(let a): return a.task
        case .quality(let q): return q.task
        }
    }

    /// A key on the screen (no overlay open): its feature's update, on a copy of its state put back
    /// unless the key left the screen.
    static func key(_ state: inout AppState, _ key: Key, at: Date) -> [Effect] {
        switch state.screen {
        case .dashboard(var d):
            let effects = App.dashboardKey(&state, &d, key)
            if case .dashboard = state.screen { state.screen = .dashboard(d) }
            return effects
        case .label(var l):
            let effects = App.labelKey(&state, &l, key, at: at)
            if case .label = state.screen { state.screen = .label(l) }
            return effects
        case .triage(var t):
            let effects = App.triageKey(&state, &t, key, at: at)
            if case .triage = state.screen { state.screen = .triage(t) }
            return effects
        case .adjudicate(var a):
            let effects = App.adjudicateKey(&state, &a, key, at: at)
            if case .adjudicate = state.screen { state.screen = .adjudicate(a) }
            return effects
        case .quality(var q):
            let effects = App.qualityKey(&state, &q, key)
            if case .quality = state.screen { state.screen = .quality(q) }
            return effects
        }
    }

    /// The screen's header line and body.
    static func draw(_ c: inout Canvas, top: Rect, body: Rect, _ state: AppState) {
        switch state.screen {
        case .dashboard(let d):
            Render.header(&c, top, state, left: "Duet", right: state.annotator)
            Dashboard.draw(&c, body, state, d)
        case .label(let l):
            LabelScreen.drawHeader(&c, top, state, l)
            LabelScreen.draw(&c, body, state, l)
        case .triage(let t):
            TriageScreen.drawHeader(&c, top, state, t)
            TriageScreen.draw(&c, body, state, t)
        case .adjudicate(let a):
            AdjudicateScreen.drawHeader(&c, top, state, a)
            AdjudicateScreen.draw(&c, body, state, a)
        case .quality(let q):
            Render.header(&c, top, state, left: "quality · \(q.task.name) · \(q.task.kind.rawValue)", right: state.annotator)
            QualityScreen.draw(&c, body, state, q)
        }
    }
}
