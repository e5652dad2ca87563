/// Wrapping text made of styled pieces (e.g. words highlighted by a diff).
public enum StyledWrap {
    /// Lines of at most `width` columns: exactly the lines `Wrap.lines` gives
    /// for the pieces' text joined, each piece keeping its style.
    public static func lines(_ pieces: [(String, Style)], width: Int) -> [StyledLine] {
        guard width > 0 else { return [] }
        // The raw text and where each piece ends in it (UTF-8 offsets).
        var raw = ""
        var rawRuns: [(end: Int, style: Style)] = []
        for (text, style) in pieces where !text.isEmpty {
            raw += text
            rawRuns.append((raw.utf8.count, style))
        }
        var out: [StyledLine] = []
        for hard in Wrap.hardLines(raw) {
            // The hard line, tabs expanded and sanitized piece by piece, with its runs.
            var line = ""
            var runs: [(end: Int, style: Style)] = []
            var column = 0
            var from = raw.utf8.distance(from: raw.startIndex, to: hard.startIndex)
            let hi = raw.utf8.distance(from: raw.startIndex, to: hard.endIndex)
            var j = firstRun(endingAfter: from, rawRuns)
            while from < hi && j < rawRuns.count {
                let to = min(hi, rawRuns[j].end)
                let slice = raw[raw.utf8.index(raw.startIndex, offsetBy: from)..<raw.utf8.index(raw.startIndex, offsetBy: to)]
                let (expanded, next) = Wrap.expandTabs(slice, from: column)
                column = next
                line += TerminalText.sanitize(expanded)
                runs.append((line.utf8.count, rawRuns[j].style))
                from = to
                j += 1
            }
            let fallback = runs.last?.style ?? pieces.last?.1 ?? .plain
            for r in Wrap.breaks(line, width: width) {
                out.append(StyledLine(spans: spans(of: line, r, runs, fallback)))
            }
        }
        return out
    }

    /// The part `r` of `line` cut at the runs' ends, each part with its run's style.
    static func spans(of line: String, _ r: Range<String.Index>, _ runs: [(end: Int, style: Style)], _ fallback: Style) -> [(String, Style)] {
        let lo = line.utf8.distance(from: line.startIndex, to: r.lowerBound)
        let hi = line.utf8.distance(from: line.startIndex, to: r.upperBound)
        guard hi > lo else { return [("", fallback)] }
        var spans: [(String, Style)] = []
        var from = lo
        var i = firstRun(endingAfter: lo, runs)
        while from < hi && i < runs.count {
            let to = min(hi, runs[i].end)
            let text = String(line[line.utf8.index(line.startIndex, offsetBy: from)..<line.utf8.index(line.startIndex, offsetBy: to)])
            if let last = spans.last, last.1 == runs[i].style { spans[spans.count - 1].0 += text } else { spans.append((text, runs[i].style)) }
            from = to
            i += 1
        }
        return spans
    }

    /// The index of the first run that ends after `offset` (runs are sorted by end).
    static func firstRun(endingAfter offset: Int, _ runs: [(end: Int, style: Style)]) -> Int {
        var a = 0, b = runs.count
        while a < b {
            let m = (a + b) / 2
            if runs[m].end <= offset { a = m + 1 } else { b = m }
        }
        return a
    }
}
