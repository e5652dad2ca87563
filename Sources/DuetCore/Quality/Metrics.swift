import Foundation

/// Accuracy and macro-F1 of predicted labels against the truth (the plan's and the audits' yardstick).
public enum Metrics {
    /// Accuracy and macro-F1 (over `labels`; a missing prediction counts as wrong).
    public static func accuracyAndMacroF1(predicted: [Int64: String?], truth: [Int64: String], labels: [String]) -> (accuracy: Double, macroF1: Double) {
        guard !truth.isEmpty else { return (0, 0) }
        var correct = 0
        var tp: [String: Int] = [:], fp: [String: Int] = [:], fn: [String: Int] = [:]
        for (id, t) in truth {
            let p = predicted[id] ?? nil
            if p == t { correct += 1; tp[t, default: 0] += 1 } else {
                fn[t, default: 0] += 1
                if let p { fp[p, default: 0] += 1 }
            }
        }
        let classes = labels.isEmpty ? Array(Set(truth.values)).sorted() : labels
        var f1s: [Double] = []
        for c in classes {
            let t = Double(tp[c, default: 0]), p = t + Double(fp[c, default: 0]), r = t + Double(fn[c, default: 0])
            guard p + r > 0 else { continue }  // a class absent from truth and predictions does not count
            f1s.append(2 * t / (p + r))
        }
        return (Double(correct) / Double(truth.count), f1s.isEmpty ? 0 : f1s.reduce(0, +) / Double(f1s.count))
    }
}
