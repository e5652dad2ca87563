/// Column widths, the way the terminal (through ncurses and the C library's
/// `wcwidth`) counts them.
///
/// One rule for the whole UI: a grapheme cluster is drawn as its first
/// scalar plus the zero-width marks that follow it, and takes that first
/// scalar's width. Variation selectors, ZWJ tails and skin-tone modifiers are
/// dropped when drawing ("❤️" is drawn as "❤", one column) because terminals
/// disagree with `wcwidth` about them and the columns would drift.
public enum DisplayWidth {
    /// 0, 1 or 2 columns for one scalar (control characters count 1: they are
    /// drawn as visible symbols by `TerminalText.sanitize`).
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return 1 }  // ASCII and Latin-1: fast path
        if contains(WidthTable.wide, v) { return 2 }
        if contains(WidthTable.zero, v) { return 0 }
        return 1
    }

    /// The width of a grapheme cluster as drawn.
    public static func of(_ c: Character) -> Int {
        guard let first = c.unicodeScalars.first else { return 0 }
        let w = of(first)
        // A cluster that starts with a mark is drawn on a space: one column.
        return w == 0 ? 1 : w
    }

    /// The width of a line of text (no newlines expected; tabs count 1 here,
    /// expand them first with `Wrap.expandTabs`).
    public static func of(_ s: String) -> Int {
        var n = 0
        for c in s { n += of(c) }
        return n
    }

    static func contains(_ table: [ClosedRange<UInt32>], _ v: UInt32) -> Bool {
        var lo = 0, hi = table.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = table[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// The cluster as it is drawn: first scalar plus following zero-width
    /// marks (at most 4, the room curses has), without variation selectors,
    /// ZWJ tails or emoji modifiers. A leading mark is put on a space.
    public static func drawable(_ c: Character) -> String {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return " " }
        if scalars.count == 1 { return of(first) == 0 ? " " + String(first) : String(first) }
        var out = String.UnicodeScalarView()
        if of(first) == 0 { out.append(" ") }
        out.append(first)
        var marks = 0
        for s in scalars.dropFirst() {
            let v = s.value
            if v == 0x200D { break }  // ZWJ: the rest is another emoji
            if v == 0xFE0E || v == 0xFE0F || (0x1F3FB...0x1F3FF).contains(v) { continue }
            if of(s) == 0 && marks < 4 && !isBidiOrFormat(v) {
                out.append(s)
                marks += 1
            }
        }
        return String(out)
    }

    static func isBidiOrFormat(_ v: UInt32) -> Bool {
        v == 0x200B || v == 0x200C || v == 0x200E || v == 0x200F || v == 0x2060 || v == 0xFEFF
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}
