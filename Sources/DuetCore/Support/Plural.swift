/// "1 task", "2 tasks": a count and its noun (English, regular plurals).
public enum Plural {
    public static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }
}
