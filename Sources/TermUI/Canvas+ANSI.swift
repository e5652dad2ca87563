extension Style {
    /// The SGR escape that selects this style from a reset state ("" for plain).
    public var sgr: String {
        var codes: [String] = []
        if attributes.contains(.bold) { codes.append("1") }
        if attributes.contains(.dim) { codes.append("2") }
        if attributes.contains(.italic) { codes.append("3") }
        if attributes.contains(.underline) { codes.append("4") }
        if attributes.contains(.reverse) { codes.append("7") }
        func color(_ c: Color, base: Int, bright: Int, extended: Int) {
            guard case .index(let n) = c else { return }
            codes.append(n < 8 ? "\(base + Int(n))" : n < 16 ? "\(bright + Int(n) - 8)" : "\(extended);5;\(n)")
        }
        color(fg, base: 30, bright: 90, extended: 38)
        color(bg, base: 40, bright: 100, extended: 48)
        return codes.isEmpty ? "" : "\u{1B}[" + codes.joined(separator: ";") + "m"
    }
}

extension Canvas {
    /// The rows as text for a terminal that is not under curses (a command's
    /// output): styles as SGR escapes, reset at the end of each styled run,
    /// trailing blanks trimmed. Cell text is already sanitized by `put`.
    public var ansiLines: [String] {
        (0..<height).map { y in
            var last = -1
            for x in stride(from: width - 1, through: 0, by: -1) where self[x, y].text != " " || self[x, y].style != .plain {
                last = x
                break
            }
            var out = "", current = Style.plain
            for x in 0...max(0, last) where last >= 0 && !self[x, y].isContinuation {
                let cell = self[x, y]
                if cell.style != current {
                    if current != .plain { out += "\u{1B}[0m" }
                    out += cell.style.sgr
                    current = cell.style
                }
                out += cell.text
            }
            if current != .plain { out += "\u{1B}[0m" }
            return out
        }
    }
}
