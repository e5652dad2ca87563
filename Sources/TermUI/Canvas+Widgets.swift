/// Small drawing helpers that screens compose.
extension Canvas {
    /// A box with a title on its top border; returns the inner rectangle.
    @discardableResult
    public mutating func box(_ r: Rect, title: String? = nil, style: Style, titleStyle: Style? = nil) -> Rect {
        let r = clip(r)
        guard r.width >= 2, r.height >= 2 else { return Rect(x: r.x, y: r.y, width: 0, height: 0) }
        let horizontal = String(repeating: "─", count: r.width - 2)
        put("┌" + horizontal + "┐", x: r.x, y: r.y, style: style)
        for y in (r.y + 1)..<(r.maxY - 1) {
            put("│", x: r.x, y: y, style: style)
            put("│", x: r.maxX - 1, y: y, style: style)
        }
        put("└" + horizontal + "┘", x: r.x, y: r.maxY - 1, style: style)
        if let title, r.width > 4 {
            put(" " + Wrap.truncate(title, width: r.width - 4) + " ", x: r.x + 1, y: r.y, style: titleStyle ?? style)
        }
        return r.inset(1)
    }

    /// A horizontal bar of coloured segments (e.g. human / machine / skipped / remaining).
    /// Each segment gets a share of `width` in proportion to its count; every
    /// non-zero segment gets at least one cell when there is room.
    /// Each segment has its own symbol so that the bar reads without colour too.
    public mutating func segmentedBar(x: Int, y: Int, width: Int, segments: [(count: Int, style: Style, symbol: String)]) {
        guard width > 0 else { return }
        let total = segments.reduce(0) { $0 + max(0, $1.count) }
        guard total > 0 else {
            put(String(repeating: segments.last?.symbol ?? "░", count: width), x: x, y: y, style: segments.last?.style ?? .plain)
            return
        }
        var cells = segments.map { max(0, $0.count) * width / total }
        for i in cells.indices where cells[i] == 0 && segments[i].count > 0 && cells.reduce(0, +) < width { cells[i] = 1 }
        // Rounding leftovers go to the largest segment.
        let diff = width - cells.reduce(0, +)
        if diff != 0, let big = cells.indices.max(by: { cells[$0] < cells[$1] }) { cells[big] = max(0, cells[big] + diff) }
        var col = x
        for (i, n) in cells.enumerated() where n > 0 {
            put(String(repeating: segments[i].symbol, count: n), x: col, y: y, style: segments[i].style)
            col += n
        }
    }

    /// Draws `lines` into `r` starting at line `offset`; returns the offset
    /// actually used (clamped so the last page is full).
    @discardableResult
    public mutating func paragraph(_ lines: [StyledLine], in r: Rect, offset: Int) -> Int {
        let maxOffset = max(0, lines.count - r.height)
        let start = min(max(0, offset), maxOffset)
        for (i, line) in lines.dropFirst(start).prefix(r.height).enumerated() {
            var x = r.x
            for span in line.spans {
                x += put(span.text, x: x, y: r.y + i, style: span.style, maxWidth: r.maxX - x)
            }
        }
        return start
    }
}

/// A line of text made of styled spans.
public struct StyledLine: Hashable, Sendable {
    public var spans: [(text: String, style: Style)] {
        get { zip(texts, styles).map { ($0, $1) } }
    }
    var texts: [String]
    var styles: [Style]

    public init(_ text: String, _ style: Style) {
        texts = [text]
        styles = [style]
    }

    public init(spans: [(String, Style)]) {
        texts = spans.map(\.0)
        styles = spans.map(\.1)
    }

    public var text: String { texts.joined() }

    /// Wraps styled text: each wrapped line keeps the style of `style`.
    /// Remembered in `WrapCache.shared`: a long text is wrapped once per width.
    public static func wrapped(_ text: String, width: Int, style: Style, indent: String = "") -> [StyledLine] {
        WrapCache.shared.wrapped(text, width: width, style: style, indent: indent)
    }
}
