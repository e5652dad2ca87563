/// Making untrusted text safe for a terminal.
///
/// Dataset text can carry escape sequences (OSC 52 clipboard writes, title
/// changes, cursor moves), C0/C1 controls, bidi overrides and invisible
/// format characters (zero-width space and joiners, word joiner, BOM, soft
/// hyphen, tag characters). None of them may reach the terminal: each is
/// replaced by a visible stand-in so a person can still see that it was there.
public enum TerminalText {
    /// Replaces control and invisible characters with visible symbols:
    /// C0 → the Control Pictures block (U+2400…, ESC → ␛), DEL → ␡,
    /// C1, bidi controls and the other format characters (Unicode category Cf:
    /// U+200B–U+200D, U+2060, U+FEFF, U+00AD, tags…) → `<U+XXXX>`. A zero-width
    /// joiner inside an emoji sequence (👩‍💻) is kept: it joins what is drawn.
    /// Tabs and newlines are kept when asked.
    public static func sanitize(_ text: String, keepNewlines: Bool = false, keepTabs: Bool = false) -> String {
        var needs = false
        for scalar in text.unicodeScalars where isUnsafe(scalar, keepNewlines: keepNewlines, keepTabs: keepTabs) {
            needs = true
            break
        }
        if !needs { return text }
        var out = String.UnicodeScalarView()
        let scalars = text.unicodeScalars
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let scalar = scalars[i]
            let next = scalars.index(after: i)
            if isUnsafe(scalar, keepNewlines: keepNewlines, keepTabs: keepTabs)
                && !(scalar.value == 0x200D && joinsEmoji(after: out.last, before: next < scalars.endIndex ? scalars[next] : nil)) {
                out.append(contentsOf: visible(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
            i = next
        }
        return String(out)
    }

    /// True for what `sanitize` replaces when newlines and tabs are kept: C0 controls but for `\n` and
    /// `\t`, DEL, C1 and bidi controls. JSON output escapes exactly these as `\uXXXX`.
    public static func isUnsafe(_ s: Unicode.Scalar) -> Bool {
        isUnsafe(s, keepNewlines: true, keepTabs: true)
    }

    static func isUnsafe(_ s: Unicode.Scalar, keepNewlines: Bool, keepTabs: Bool) -> Bool {
        let v = s.value
        if v == 0x0A { return !keepNewlines }
        if v == 0x09 { return !keepTabs }
        if v < 0x20 || v == 0x7F { return true }
        if v >= 0x80 && v <= 0x9F { return true }
        if v < 0xAD { return false }  // the rest of Latin-1: fast path
        return isBidiControl(v) || s.properties.generalCategory == .format
    }

    /// A ZWJ between two emoji (after a variation selector or skin tone of the first).
    static func joinsEmoji(after previous: Unicode.Scalar?, before next: Unicode.Scalar?) -> Bool {
        guard let previous, let next else { return false }
        func isEmoji(_ s: Unicode.Scalar) -> Bool { s.value > 0xFF && s.properties.isEmoji }
        return (isEmoji(previous) || previous.value == 0xFE0F) && isEmoji(next)
    }

    static func isBidiControl(_ v: UInt32) -> Bool {
        // LRM/RLM/ALM, embeddings/overrides, isolates.
        return v == 0x200E || v == 0x200F || v == 0x061C
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    static func visible(_ s: Unicode.Scalar) -> String {
        let v = s.value
        if v < 0x20 { return String(Unicode.Scalar(0x2400 + v)!) }
        if v == 0x7F { return "\u{2421}" }
        let hex = String(v, radix: 16, uppercase: true)
        return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
    }
}
