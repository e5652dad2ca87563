/// Text wrapping by display width.
public enum Wrap {
    public static let tabWidth = 4

    /// Replaces tabs by spaces up to the next tab stop (columns from the line start).
    public static func expandTabs(_ line: Substring, tabWidth: Int = Wrap.tabWidth) -> String {
        guard line.contains("\t") else { return String(line) }
        var out = ""
        var col = 0
        for c in line {
            if c == "\t" {
                let n = tabWidth - col % tabWidth
                out += String(repeating: " ", count: n)
                col += n
            } else {
                out.append(c)
                col += DisplayWidth.of(c)
            }
        }
        return out
    }

    /// Splits `text` into lines of at most `width` columns: at newlines, then
    /// at spaces, breaking words longer than a line. Tabs are expanded and
    /// control characters made visible. Never splits a wide character.
    public static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var out: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let expanded = expandTabs(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            let line = TerminalText.sanitize(expanded)
            out.append(contentsOf: wrapLine(line, width: width))
        }
        return out
    }

    /// Greedy wrapping. A "word" is a run of non-spaces with the spaces after
    /// it; spaces at the end of a line are dropped, leading indentation kept.
    static func wrapLine(_ line: String, width: Int) -> [String] {
        if DisplayWidth.of(line) <= width { return [line] }
        var out: [String] = []
        var current = ""
        var used = 0
        for word in words(line) {
            let text = trimTrailing(word)
            let textWidth = DisplayWidth.of(text)
            if used + textWidth <= width {
                current += word
                used = min(width, used + DisplayWidth.of(word))
                continue
            }
            if !current.isEmpty {
                out.append(trimTrailing(current))
                current = ""
                used = 0
            }
            if textWidth <= width {
                current = word
                used = min(width, DisplayWidth.of(word))
                continue
            }
            // Longer than a line: break between characters.
            for c in text {
                let w = DisplayWidth.of(c)
                if used + w > width {
                    out.append(current)
                    current = ""
                    used = 0
                }
                current.append(c)
                used += w
            }
            current += word.dropFirst(text.count)
            used = min(width, used + word.count - text.count)
        }
        if !current.isEmpty || out.isEmpty { out.append(trimTrailing(current)) }
        return out
    }

    /// Runs of non-spaces, each with the spaces that follow it (leading spaces form their own word).
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var w = ""
        var inSpaces = false
        for c in line {
            if c == " " {
                inSpaces = true
            } else if inSpaces {
                words.append(w)
                w = ""
                inSpaces = false
            }
            w.append(c)
        }
        if !w.isEmpty { words.append(w) }
        return words
    }

    static func trimTrailing(_ s: String) -> String {
        var s = s
        while s.last == " " { s.removeLast() }
        return s
    }

    /// `text` cut to `width` columns, with "…" when cut.
    public static func truncate(_ text: String, width: Int) -> String {
        guard width > 0 else { return "" }
        if DisplayWidth.of(text) <= width { return text }
        var out = ""
        var used = 0
        for c in text {
            let w = DisplayWidth.of(c)
            if used + w > width - 1 { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }
}
