/// Text wrapping by display width.
///
/// One wrap for plain and styled text (`StyledWrap` is the same breaks with
/// styles carried along): text is cut into hard lines at newlines (LF or
/// CRLF), tabs are expanded, control and invisible characters made visible
/// (`TerminalText.sanitize`), and each hard line is broken greedily at spaces.
/// Indentation at the start of a hard line is kept; spaces at a soft break
/// are dropped; a word longer than a line is broken between characters; a
/// wide character is never split.
public enum Wrap {
    public static let tabWidth = 4

    /// Replaces tabs by spaces up to the next tab stop (columns from the line start).
    public static func expandTabs(_ line: Substring, tabWidth: Int = Wrap.tabWidth) -> String {
        guard line.utf8.contains(9) else { return String(line) }
        return expandTabs(line, from: 0, tabWidth: tabWidth).text
    }

    /// `expandTabs` for text that starts at `column` of its line; also returns the column after it.
    static func expandTabs(_ line: Substring, from column: Int, tabWidth: Int = Wrap.tabWidth) -> (text: String, column: Int) {
        guard line.utf8.contains(9) else { return (String(line), column + DisplayWidth.of(String(line))) }
        var out = ""
        var col = column
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
        return (out, col)
    }

    /// Splits `text` into lines of at most `width` columns.
    public static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var out: [String] = []
        for raw in hardLines(text) {
            let line = TerminalText.sanitize(expandTabs(raw))
            for r in breaks(line, width: width) { out.append(String(line[r])) }
        }
        return out
    }

    /// The text's lines: split at LF and CRLF, a CR before the end dropped.
    /// (An LF is always a character of its own, or the end of a CRLF, so the
    /// bytes can be searched.)
    static func hardLines(_ text: String) -> [Substring] {
        text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { bytes in
            let end = bytes.last == 0x0D ? bytes.index(before: bytes.endIndex) : bytes.endIndex
            return text[bytes.startIndex..<end]
        }
    }

    /// Whether `line` takes at most `width` columns (stops counting past `width`).
    static func fits(_ line: String, width: Int) -> Bool {
        var n = 0
        for c in line {
            n += DisplayWidth.of(c)
            if n > width { return false }
        }
        return true
    }

    /// Where one hard line (tabs expanded, sanitized) breaks into lines of at
    /// most `width` columns: the ranges of the lines, trailing spaces left out.
    /// Greedy: a "word" is a run of non-spaces with the spaces after it
    /// (leading spaces form a word of their own, so indentation stays).
    static func breaks(_ line: String, width: Int) -> [Range<String.Index>] {
        if fits(line, width: width) { return [line.startIndex..<line.endIndex] }
        var out: [Range<String.Index>] = []
        // The line being filled: from `start`, its text (without trailing spaces) up to `end`.
        var start = line.startIndex, end = line.startIndex
        var used = 0
        var filling = false
        func place(_ wordStart: String.Index, _ textEnd: String.Index, _ textWidth: Int, _ spaces: Int) {
            if used + textWidth <= width {
                if !filling { start = wordStart; end = wordStart; filling = true }
                if textWidth > 0 { end = textEnd }
                used = min(width, used + textWidth + spaces)
                return
            }
            if filling { out.append(start..<end) }
            start = wordStart
            end = wordStart
            filling = true
            if textWidth <= width {
                end = textEnd
                used = min(width, textWidth + spaces)
                return
            }
            // Longer than a line: break between characters.
            used = 0
            var i = wordStart
            while i < textEnd {
                let c = line[i]
                let w = DisplayWidth.of(c)
                if used + w > width {
                    out.append(start..<i)
                    start = i
                    used = 0
                }
                used += w
                i = line.index(after: i)
            }
            end = textEnd
            used = min(width, used + spaces)
        }
        // Words: [wordStart, textEnd) non-spaces, then `spaces` spaces.
        var wordStart = line.startIndex, textEnd = line.startIndex
        var textWidth = 0, spaces = 0
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            let next = line.index(after: i)
            if c == " " {
                spaces += 1
            } else {
                if spaces > 0 {
                    place(wordStart, textEnd, textWidth, spaces)
                    wordStart = i
                    textWidth = 0
                    spaces = 0
                }
                textWidth += DisplayWidth.of(c)
                textEnd = next
            }
            i = next
        }
        if textEnd < wordStart { textEnd = wordStart }
        place(wordStart, textEnd, textWidth, spaces)
        if filling { out.append(start..<end) }
        return out
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
