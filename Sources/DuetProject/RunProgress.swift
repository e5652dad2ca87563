import DuetAnnotators
import DuetCore
import Foundation

/// Where a machine run is, for a progress line: items done of the task's, and for an LLM what its
/// requests have cost so far.
public struct RunProgress: ProgressReport {
    public var annotator: String
    public var itemsDone: Int
    public var itemsTotal: Int
    public var usage: OpenAICompatibleAnnotator.Usage?
    public var elapsed: Double

    public init(annotator: String, itemsDone: Int, itemsTotal: Int, usage: OpenAICompatibleAnnotator.Usage? = nil, elapsed: Double) {
        self.annotator = annotator
        self.itemsDone = itemsDone
        self.itemsTotal = itemsTotal
        self.usage = usage
        self.elapsed = elapsed
    }

    /// Items per second so far (nil before the first item).
    public var rate: Double? { itemsDone > 0 && elapsed > 0 ? Double(itemsDone) / elapsed : nil }

    /// Seconds left at the rate so far: for an LLM, by the requests still to send; else by items.
    public var secondsLeft: Double? {
        if let u = usage, u.planned > 0 {
            guard u.ended > 0, elapsed > 0 else { return nil }
            return Double(max(0, u.planned - u.ended)) / (Double(u.ended) / elapsed)
        }
        return rate.map { Double(max(0, itemsTotal - itemsDone)) / $0 }
    }

    /// `llm:m: 120/352 items · 1m50s left · requests 980/1200, 40 from the cache · 12345 tokens $0.0123 · 3 failed (timeout 3) ·
    /// 985 answered by the server, 1010 attempts (25 failed: http-500 22, timeout 3) · 2.1 items/s`: what matters most first, since
    /// a narrow terminal cuts the end.
    public var line: String {
        var parts = ["\(annotator): \(itemsDone)/\(itemsTotal) items"]
        if let left = secondsLeft, itemsDone < itemsTotal { parts.append(DurationText.of(left) + " left") }
        if let u = usage {
            parts.append((u.planned > 0 ? "requests \(u.ended)/\(u.planned)" : "\(u.responses) answered")
                + (u.cacheHits > 0 ? ", \(u.cacheHits) from the cache" : ""))
            parts.append("\(u.promptTokens + u.completionTokens) tokens " + String(format: "$%.4f", u.costUSD))
            if u.failureCount > 0 { parts.append("\(u.failureCount) failed (\(OpenAICompatibleAnnotator.Usage.kinds(u.failures)))") }
            if u.attempts > u.received || u.failedAttemptCount > 0 { parts.append(u.attemptsSentence) }
        }
        if let r = rate { parts.append(String(format: r >= 10 ? "%.0f items/s" : "%.1f items/s", r)) }
        return parts.joined(separator: " · ")
    }

    /// "120/352 items: 1020 answers are cached", for the note on Ctrl-C.
    public var position: String {
        "\(itemsDone)/\(itemsTotal) items" + (usage.map { ": \($0.responses + $0.cacheHits) answers are cached" } ?? "")
    }

    public func summary(after seconds: Double) -> String { line }
}
