import Foundation

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
