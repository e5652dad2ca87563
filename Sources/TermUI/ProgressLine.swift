/// A one-line progress bar for commands (import, route), drawn on stderr
/// with a carriage return. Pure: returns the text to write.
public enum ProgressLine {
    public static func render(label: String, done: Int, total: Int?, width: Int = 30) -> String {
        let count = done.formatted(.number.grouping(.automatic))
        guard let total, total > 0 else { return "\(label)  \(count) rows" }
        let fraction = min(1, max(0, Double(done) / Double(total)))
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let pct = Int((fraction * 100).rounded(.down))
        return "\(label) \(bar) \(pct)%  \(count) rows"
    }
}

import Foundation
