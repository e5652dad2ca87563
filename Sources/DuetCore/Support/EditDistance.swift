/// Levenshtein distance and "did you mean" suggestions for names people type.
public enum EditDistance {
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased().unicodeScalars), b = Array(b.lowercased().unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The known name nearest to `name`, when it is near enough to be a
    /// slip: at most a third of its letters (and at least 2) apart.
    public static func nearest(_ name: String, in known: [String]) -> String? {
        let scored = known.map { ($0, distance(name, $0)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        guard let (best, d) = scored.first else { return nil }
        return d <= max(2, name.count / 3) ? best : nil
    }
}
