/// Item ids in narrow columns and titles. Ids share long prefixes ("sentiment-test-00123",
/// "sentiment-test-00124"); cut from the end they all read "sentiment-tes…". `fit` keeps the part
/// that tells an id apart — what follows the prefix the ids on screen share, else the id's last run of
/// digits or letters — and gives the columns left to the id's start: "sentimen…00123". When even that
/// part is too wide, the id's end stays: "…00123". Widths are display columns (`DisplayWidth`: a wide
/// character takes two); a grapheme is never split.
public enum IDText {
    /// The prefix all `ids` share, cut back to the start of the run of digits (or of letters) it ends
    /// in: "…-00123" and "…-00124" share "…-", not "…-0012", so the number stays whole. For one id:
    /// the id without its last run ("sentiment-test-" of "sentiment-test-00123").
    public static func sharedPrefix<S: Sequence<String>>(_ ids: S) -> String {
        var prefix: [Character]?
        for id in ids {
            guard var p = prefix else {
                prefix = Array(id)
                continue
            }
            var n = 0
            for c in id {
                guard n < p.count, p[n] == c else { break }
                n += 1
            }
            if n < p.count { p.removeSubrange(n...) }
            prefix = p
            if p.isEmpty { break }
        }
        guard var p = prefix, let last = p.last else { return "" }
        if let run = runClass(last) {
            while let c = p.last, runClass(c) == run { p.removeLast() }
        }
        return String(p)
    }

    /// `id` in at most `width` columns. `sharedPrefix` is what the ids shown beside it share
    /// (`sharedPrefix(_:)`); empty when it stands alone (a title), and then its last run of digits or
    /// letters is the part kept.
    public static func fit(_ id: String, width: Int, sharedPrefix shared: String = "") -> String {
        guard width > 0 else { return "" }
        let total = DisplayWidth.of(id)
        if total <= width { return id }
        if width == 1 { return "…" }
        let prefix = !shared.isEmpty && id.hasPrefix(shared) ? shared : sharedPrefix(CollectionOfOne(id))
        let rest = id.hasPrefix(prefix) ? String(id.dropFirst(prefix.count)) : ""
        let restWidth = DisplayWidth.of(rest)
        guard !rest.isEmpty, restWidth + 1 <= width else { return "…" + tail(id, width: width - 1) }
        return head(id, width: width - 1 - restWidth) + "…" + rest
    }

    /// The leading characters of `s` in at most `width` columns.
    static func head(_ s: String, width: Int) -> String {
        var out = "", used = 0
        for c in s {
            let w = DisplayWidth.of(c)
            if used + w > width { break }
            out.append(c)
            used += w
        }
        return out
    }

    /// The trailing characters of `s` in at most `width` columns.
    static func tail(_ s: String, width: Int) -> String {
        var out: [Character] = [], used = 0
        for c in s.reversed() {
            let w = DisplayWidth.of(c)
            if used + w > width { break }
            out.append(c)
            used += w
        }
        return String(out.reversed())
    }

    /// Digits and letters form runs ("00123", "test"); anything else ends one.
    static func runClass(_ c: Character) -> Int? {
        c.isNumber ? 0 : c.isLetter ? 1 : nil
    }
}
