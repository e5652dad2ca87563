import DuetCore
import Foundation
import TermUI

/// Everything the screen shows, as plain data. `update` changes it,
/// `render` draws it; neither does I/O.
public struct AppState: Sendable {
    public var width: Int
    public var height: Int
    public var screen: Screen
    public var overlay: Overlay?
    /// A one-line message at the bottom ("saved", "nothing to undo", errors).
    public var status: Status?
    /// `status` is the "waiting for the store" notice (`AppMessage.storeWaiting`).
    public var storeWaitNoticed = false
    /// What `status` said before the notice, given back when the store answers.
    public var statusBeforeWait: Status?
    public var theme: Theme
    public var keymap: Keymap
    public var annotator: String
    public var tasks: [TaskSpec]
    /// [router] target_accuracy: audits whose interval reaches under it are shown as a warning.
    public var targetAccuracy = 0.9
    /// [quality]: the checks on people (the dashboard's warning, stopping a person below the minimum).
    public var quality = QualitySettings()
    /// Quitting from a task goes back to the dashboard when it was opened from there.
    public var startedOnDashboard: Bool
    /// An item opened from triage: quitting the label screen goes back to this table.
    public var triageReturn: TriageState?
    public var quitting = false
    /// What was decided in this run (counted on the store's confirmation): the side panel's figures
    /// and, through `sessionSummary`, the line printed after the terminal is restored.
    public var session = Session()
    public var sessionSummary: SessionSummary? { session.summary }
    /// A store effect that failed for a moment (the store was busy) and is tried again
    /// when the runtime's wake-up comes; any newer action or effect result ends it.
    public var retry: Retry?
    /// The themes the palette offers (the launcher loads them; the current one when empty).
    public var themes: [Theme] = []
    /// Clicks and the wheel act ([ui] mouse, on by default).
    public var mouse = true

    public init(width: Int, height: Int, tasks: [TaskSpec], annotator: String, theme: Theme = .mono,
                keymap: Keymap = .defaults, screen: Screen = .dashboard(DashboardState())) {
        self.width = width
        self.height = height
        self.tasks = tasks
        self.annotator = annotator
        self.theme = theme
        self.keymap = keymap
        self.screen = screen
        if case .dashboard = screen { startedOnDashboard = true } else { startedOnDashboard = false }
    }

    /// The screen between the header and the footer line: what every screen's layout divides.
    public var body: Rect { Rect(x: 0, y: 1, width: width, height: max(0, height - 2)) }

    /// Where keys are read now: the overlay's contexts when one is open, else the screen's.
    public var keyContexts: Set<KeyContext> { overlay?.contexts ?? screen.contexts }

    public static let minimumSize = (width: 40, height: 12)
    public var isTooSmall: Bool { width < AppState.minimumSize.width || height < AppState.minimumSize.height }
}

public struct Status: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case info, warning, error }
    public var text: String
    public var kind: Kind
    public init(_ text: String, _ kind: Kind = .info) {
        self.text = text
        self.kind = kind
    }
}

/// A store effect waiting to be tried again, and how it failed last.
public struct Retry: Sendable, Equatable {
    public var effect: Effect
    /// Attempts made so far.
    public var attempt: Int
    public var failure: StoreFailure
    public init(effect: Effect, attempt: Int, failure: StoreFailure) {
        self.effect = effect
        self.attempt = attempt
        self.failure = failure
    }
}

