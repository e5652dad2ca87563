import DuetCore
import Foundation

/// Where a long command is, for its progress line: import, route, export, plan, votes import all report
/// through this and are shown by one `ProgressPrinter`.
public protocol ProgressReport: Sendable {
    /// The line redrawn in place on a terminal (and printed now and then elsewhere).
    var line: String { get }
    /// Where the work stood, for the note printed when it is interrupted ("120/352 items").
    var position: String { get }
    /// The one line printed at the end when standard error is not a terminal ("export: 10,000 items in 3s"),
    /// the work having taken `seconds`.
    func summary(after seconds: Double) -> String
    /// Seconds since the work began.
    var elapsed: Double { get }
}

/// Counts of a long command's work: what is done of how much, with its rate and the time left.
public struct WorkProgress: ProgressReport, Equatable {
    /// The command or file ("export", "plan", "tweets.jsonl").
    public var label: String
    /// The stage when the command has several ("cross-fitting the built-in annotator").
    public var step: String?
    public var done: Int
    /// nil when the total is not known (then `fraction`, when given, says how far it is).
    public var total: Int?
    /// What is counted ("items", "rows", "votes", "folds").
    public var unit: String
    /// Share done when it is measured apart from the counts (bytes of a file read); else done / total.
    public var measuredFraction: Double?
    public var elapsed: Double

    public init(label: String, step: String? = nil, done: Int, total: Int?, unit: String, fraction: Double? = nil, elapsed: Double) {
        self.label = label
        self.step = step
        self.done = done
        self.total = total
        self.unit = unit
        self.measuredFraction = fraction
        self.elapsed = elapsed
    }

    public var fraction: Double? {
        if let measuredFraction { return min(1, max(0, measuredFraction)) }
        guard let total, total > 0 else { return nil }
        return min(1, Double(done) / Double(total))
    }

    /// Seconds left at the pace so far (nil before anything is done).
    public var secondsLeft: Double? {
        guard let f = fraction, f > 0, f < 1, elapsed > 0 else { return nil }
        return elapsed * (1 - f) / f
    }

    /// "2,000/10,000 items" or "2,000 items".
    public var position: String {
        ProgressLine.count(done) + (total.map { "/" + ProgressLine.count($0) } ?? "") + " " + unit
    }

    /// `plan ████░░░░ 20%  1/5 folds · 8s left · cross-fitting local:ensemble · 0.5 folds/s`
    public var line: String {
        // What matters most first (a narrow terminal cuts the end): counts, time left, the stage, the rate.
        var parts = [position]
        if let left = secondsLeft { parts.append(DurationText.of(left) + " left") }
        if let step { parts.append(step) }
        if elapsed > 0, done > 0 {
            let r = Double(done) / elapsed
            parts.append((r >= 10 ? ProgressLine.count(Int(r.rounded())) : String(format: "%.1f", r)) + " \(unit)/s")
        }
        return ProgressLine.render(label: label, fraction: fraction, detail: parts.joined(separator: " · "), width: 20)
    }

    public func summary(after seconds: Double) -> String { "\(label): \(position) in \(DurationText.of(seconds))" }
}

/// How a progress line reaches the terminal: redrawn in place, a line of its own, or the end of a redrawn line.
public enum ProgressOutput: Equatable, Sendable {
    case redraw(String)
    case line(String)
    case end
}

/// The one rule for showing progress. On a terminal: nothing for the first second (quick commands stay
/// quiet), then the line redrawn at most 5 times a second, ended when the work is. Elsewhere (a pipe, a
/// log): a line a minute while it runs, and one summary line at the end when it took a second or more.
/// Pure of I/O: the output goes to `write`, the time comes from `clock`, so tests see exactly what is written.
public final class ProgressPrinter: @unchecked Sendable {
    public static let quietSeconds = 1.0
    public static let redrawSeconds = 0.2
    public static let logSeconds = 60.0

    private let lock = NSLock()
    private let tty: Bool
    private let clock: @Sendable () -> Date
    private let write: @Sendable (ProgressOutput) -> Void
    private let started: Date
    private var shownAt: Date?
    private var drew = false
    /// The line on the terminal now (a throttled report may be newer).
    private var drawn: String?
    private var finished = false
    private var last: (any ProgressReport)?

    public init(tty: Bool, clock: @escaping @Sendable () -> Date = Date.init, write: @escaping @Sendable (ProgressOutput) -> Void) {
        self.tty = tty
        self.clock = clock
        self.write = write
        self.started = clock()
    }

    public var lastReport: (any ProgressReport)? { lock.withLock { last } }

    public func show(_ p: any ProgressReport) {
        let now = clock()
        let out: ProgressOutput? = lock.withLock {
            guard !finished else { return nil }
            last = p
            let since = now.timeIntervalSince(started)
            if tty {
                guard since >= Self.quietSeconds else { return nil }
                if let at = shownAt, now.timeIntervalSince(at) < Self.redrawSeconds { return nil }
                shownAt = now
                drew = true
                drawn = p.line
                return .redraw(p.line)
            }
            guard now.timeIntervalSince(shownAt ?? started) >= Self.logSeconds else { return nil }
            shownAt = now
            return .line(p.line)
        }
        if let out { write(out) }
    }

    /// Ends the line on a terminal, redrawn with the last report when a newer one was held back; elsewhere prints the summary when the work took a second or more.
    /// `summary`: false when the command prints its own summary line after this.
    public func finish(summary: Bool = true) {
        let now = clock()
        let out: [ProgressOutput] = lock.withLock {
            guard !finished else { return [] }
            finished = true
            // The final counts stay on the terminal, not the last ones drawn before them.
            if tty { return !drew ? [] : last.map { $0.line == drawn ? [.end] : [.redraw($0.line), .end] } ?? [.end] }
            let took = now.timeIntervalSince(started)
            guard summary, let last, took >= Self.quietSeconds else { return [] }
            return [.line(last.summary(after: took))]
        }
        out.forEach(write)
    }

    /// Ends a redrawn line before another message (an interruption note) is printed.
    public func interrupt() -> (any ProgressReport)? {
        let (p, end): ((any ProgressReport)?, Bool) = lock.withLock {
            finished = true
            return (last, tty && drew)
        }
        if end { write(.end) }
        return p
    }
}
