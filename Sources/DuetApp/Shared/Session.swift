import DuetCore
import Foundation

/// What this person decided in this run of the app, each decision counted once the store confirmed
/// it (`App.recorded`) and taken back when an undo is confirmed (`.undone`): the side panel's
/// figures and the summary printed after the terminal is restored.
public struct Session: Sendable {
    /// One confirmed decision.
    public struct Decision: Sendable, Hashable {
        public var task: String
        public var rowID: Int64
        public var uid: String
        /// The decision in a few words ("positive", "A better"); nil for a skip.
        public var text: String?
        /// Seconds the item was on screen before the decision.
        public var seconds: Double?
        public var skipped: Bool { text == nil }
    }

    /// Decisions in the order made; deciding an item again replaces its earlier entry.
    public private(set) var decisions: [Decision] = []
    /// The task last labeled and how many of its items were left then.
    public private(set) var lastTask: String?
    public private(set) var left: Int?

    public init() {}

    /// A decision the store confirmed; `left`: what is left in its task after it.
    mutating func add(_ d: Decision, left: Int) {
        decisions.removeAll { $0.task == d.task && $0.rowID == d.rowID }
        decisions.append(d)
        lastTask = d.task
        self.left = left
    }

    /// The store revoked the last decision on `rowID` in `task`.
    mutating func undo(task: String, rowID: Int64) {
        if let i = decisions.lastIndex(where: { $0.task == task && $0.rowID == rowID }) { decisions.remove(at: i) }
    }

    /// What the label screen counts as left in `task` now (kept for the task last decided in).
    mutating func setLeft(_ left: Int, task: String) {
        if task == lastTask { self.left = left }
    }

    /// Items decided (not skipped) in `task`.
    public func saved(task: String) -> Int { decisions.count { $0.task == task && !$0.skipped } }

    /// The last `count` decisions in `task`, newest first.
    public func recent(task: String, count: Int) -> [Decision] { Array(decisions.lazy.filter { $0.task == task }.suffix(count).reversed()) }

    /// Median seconds per decision over the last `window` timed decisions in `task` (nil before the first).
    public func pace(task: String, window: Int = 20) -> Double? {
        let s = decisions.filter { $0.task == task && !$0.skipped }.compactMap(\.seconds).suffix(window).sorted()
        guard !s.isEmpty else { return nil }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// What is said on leaving the app (nil when nothing was decided).
    public var summary: SessionSummary? {
        guard let task = lastTask, !decisions.isEmpty else { return nil }
        return SessionSummary(saved: decisions.count { !$0.skipped }, skipped: decisions.count(where: \.skipped), left: left, task: task)
    }
}

/// The line printed when the app closes: "saved 23 · 37 left · next: duet export …".
public struct SessionSummary: Sendable, Hashable {
    public var saved: Int
    public var skipped: Int
    /// Left in `task`, the task last labeled.
    public var left: Int?
    public var task: String

    /// The line, with `next` (a command the caller spells for its shell) at its end.
    public func text(next: String?) -> String {
        var parts = ["saved \(saved)"]
        if skipped > 0 { parts.append("skipped \(skipped)") }
        if let left { parts.append(left == 0 ? "\(task) done" : "\(left) left in \(task)") }
        if let next { parts.append("next: " + next) }
        return parts.joined(separator: " · ")
    }
}
