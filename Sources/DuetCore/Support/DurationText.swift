/// Durations as every screen and progress line says them, one rule: 4.8 → "4.8s", 45 → "45s",
/// 95 → "1m35s", 3725 → "1h02m". Under ten seconds a tenth counts (a labeler's pace per item).
public enum DurationText {
    public static func of(_ seconds: Double) -> String {
        if seconds < 9.95 { return String(format: "%.1fs", max(0, seconds)) }
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
