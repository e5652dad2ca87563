import Foundation

/// A one-line progress bar for commands (import, route), drawn on stderr
/// with a carriage return. Pure: returns the text to write.
public enum ProgressLine {
    /// `label ███████░░░ 70%  detail`, or `label  detail` when the fraction is unknown.
    public static func render(label: String, fraction: Double?, detail: String, width: Int = 30) -> String {
        guard let fraction else { return "\(label)  \(detail)" }
        let f = min(1, max(0, fraction))
        let filled = Int((f * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        return "\(label) \(bar) \(Int((f * 100).rounded(.down)))%  \(detail)"
    }

    /// 1234567 → "1,234,567".
    public static func count(_ n: Int) -> String {
        n.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
    }
}
