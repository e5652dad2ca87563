import DuetCore
import Foundation
import TermUI

/// What `update` receives.
public enum AppMessage: Sendable {
    case key(Key, at: Date)
    case resized(width: Int, height: Int)
    case dashboardLoaded([TaskSummary])
    /// The next (or a chosen) item of a task. `progress` is nil after a
    /// decision: the reducer already counted it (re-counting costs a query
    /// over all decisions, too slow per keystroke at 10^6 items).
    case itemLoaded(StoredItem?, progress: TaskProgress?, previous: JSONValue?, at: Date, source: JSONValue? = nil,
                    suggestion: Suggestion? = nil)
    case undone(Int64?)
    /// The person gets no new items in the task (`[quality] stop_below`), and why, in words.
    case labelStopped(TaskSpec, reason: String, progress: TaskProgress)
    case searchFinished([StoredItem])
    case triageLoaded([TriageRow])
    case disagreementsLoaded([Adjudication.Disagreement])
    case qualityLoaded(QualityReport)
    case adjudicationItemLoaded(StoredItem?)
    /// An adjudication was recorded (the item's row id and the answer taken).
    case settled(Int64, Adjudication.Answer)
    /// The adjudicator's last decision was revoked (nil: nothing to undo).
    case unsettled(Int64?)
    case edited(String?)
    case failed(String)
    /// The store committed this decision (`Effect.record`): only now does the screen count it and move on.
    case recorded(NewAnnotation)
    /// The store committed a bulk accept (`Effect.recordMany`): the log ids of its decisions, what undoing it takes.
    case recordedMany([Int64])
    /// The store undid a bulk action (`Effect.revokeMany`): the log ids it was given.
    case revokedMany([Int64])
    /// A store effect failed: nothing it would have written was written. The one
    /// way every store failure reaches the screen (see `App.storeFailed`).
    case storeFailed(Effect, StoreFailure)
    /// The wake-up asked for by `Effect.wake`: time to try `AppState.retry` again.
    case retryDue
    /// The store has not answered for this many seconds (a shared store's server restarting, a slow
    /// network): said on the bottom line, keys kept. Nil: it answered, the notice goes.
    case storeWaiting(seconds: Int?)
    /// A click or the wheel (only when `AppState.mouse` is on).
    case mouse(Mouse, at: Date)
    /// The answer to `Effect.findItem`: the item's row id, nil when the task has no item with that id.
    case itemFound(TaskSpec, rowID: Int64?, uid: String)
    /// `Effect.routeNow` finished: what the router did, in one line.
    case routedNow(TaskSpec, String)
}

/// Work `update` asks for; the runtime does it and answers with messages.
public enum Effect: Sendable, Equatable {
    case loadDashboard
    case loadNext(TaskSpec)
    case loadItem(TaskSpec, rowID: Int64)
    /// Record the decision (durably), answering `.recorded`; the reducer then loads the next item.
    case record(NewAnnotation, then: TaskSpec)
    case undo(TaskSpec, at: Date)
    case search(TaskSpec, query: String)
    case editText(String)
    case loadTriage(TaskSpec, TriageFilter)
    /// People accepting machine labels from triage: record them all in one transaction, answering `.recordedMany`.
    case recordMany([NewAnnotation], then: TaskSpec, TriageFilter)
    /// Undo a bulk action: revoke these decisions (log ids) in one transaction, each item back to its
    /// decision before, answering `.revokedMany`.
    case revokeMany([Int64], at: Date)
    case loadDisagreements(TaskSpec, peopleOnly: Bool)
    case loadQuality(TaskSpec)
    case loadAdjudicationItem(rowID: Int64)
    /// Record an adjudication (durably), answering `.settled`.
    case settle(NewAnnotation)
    /// Revoke `annotator`'s last decision in the task, answering `.unsettled`.
    case unsettle(TaskSpec, annotator: String, at: Date)
    /// Send `.retryDue` after this many seconds (the screen stays live meanwhile).
    case wake(afterSeconds: Double)
    /// Look up the task's item with this id (the palette's "go ID"), answering `.itemFound`.
    case findItem(TaskSpec, uid: String)
    /// Run the router over the task's votes (the palette's "route now"), answering `.routedNow`.
    case routeNow(TaskSpec)
    case quit
}

extension Effect {
    /// Effects that change the store: when one fails, nothing is shown as done.
    public var writes: Bool {
        switch self {
        case .record, .recordMany, .revokeMany, .undo, .settle, .unsettle, .routeNow: return true
        default: return false
        }
    }
}
