/// Wrapping text made of styled pieces (e.g. words highlighted by a diff).
public enum StyledWrap {
    /// Lines of at most `width` columns. Breaks at spaces and newlines inside
    /// the pieces; a word longer than a line is broken between characters.
    public static func lines(_ pieces: [(String, Style)], width: Int) -> [StyledLine] {
        guard width > 0 else { return [] }
        var out: [StyledLine] = []
        var spans: [(String, Style)] = []
        var used = 0
        func flush() {
            // Trailing spaces are dropped.
            while let last = spans.last, last.0.allSatisfy({ $0 == " " }) { spans.removeLast() }
            out.append(StyledLine(spans: spans))
            spans = []
            used = 0
        }
        func append(_ text: String, _ style: Style) {
            if let last = spans.last, last.1 == style { spans[spans.count - 1].0 += text } else { spans.append((text, style)) }
        }
        for (text, style) in pieces {
            for (k, segment) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if k > 0 { flush() }
                // Words and space runs of this segment.
                for word in WordRuns(Wrap.expandTabs(segment)) {
                    let safe = TerminalText.sanitize(word)
                    let w = DisplayWidth.of(safe)
                    if safe.first == " " {
                        if used > 0 && used + w <= width { append(safe, style); used += w }
                        continue
                    }
                    if used + w > width && used > 0 { flush() }
                    if w <= width {
                        append(safe, style)
                        used += w
                        continue
                    }
                    for c in safe {
                        let cw = DisplayWidth.of(c)
                        if used + cw > width { flush() }
                        append(String(c), style)
                        used += cw
                    }
                }
            }
        }
        if !spans.isEmpty || out.isEmpty { flush() }
        return out
    }
}

/// Splits a line into runs of spaces and runs of non-spaces.
struct WordRuns: Sequence, IteratorProtocol {
    var rest: Substring
    init(_ s: String) { rest = Substring(s) }
    mutating func next() -> String? {
        guard let first = rest.first else { return nil }
        let isSpace = first == " "
        let run = rest.prefix { ($0 == " ") == isSpace }
        rest = rest.dropFirst(run.count)
        return String(run)
    }
}
