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
