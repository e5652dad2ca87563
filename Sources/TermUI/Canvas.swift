/// One screen cell. A wide character occupies its cell (width 2) and the
/// next one, which is a continuation cell (width 0, empty text).
public struct Cell: Hashable, Sendable {
    /// What is drawn: one normalised grapheme (see `DisplayWidth.drawable`).
    public var text: String
    /// 1, 2, or 0 for the right half of a wide character.
    public var width: UInt8
    public var style: Style

    public init(text: String = " ", width: UInt8 = 1, style: Style = .plain) {
        self.text = text
        self.width = width
        self.style = style
    }

    public static let blank = Cell()
    public var isContinuation: Bool { width == 0 }
}

/// A grid of cells that screens draw into; backends put it on a terminal,
/// tests read it back as text.
public struct Canvas: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, style: Style = .plain) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(style: style), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
    }

    /// Writes one line of text at (x, y), clipped to `maxWidth` columns and the
    /// canvas. Control characters are shown as visible symbols, tabs as
    /// spaces. A wide character that does not fit whole becomes a space.
    /// Returns the number of columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, maxWidth.map { x + max(0, $0) } ?? width)
        var col = x
        let safe = TerminalText.sanitize(Wrap.expandTabs(Substring(text)))
        for c in safe {
            if col >= limit { break }
            let w = DisplayWidth.of(c)
            if col < 0 {
                col += w
                continue
            }
            if col + w > limit {
                // No room for the whole wide character.
                set(col, y, Cell(text: " ", width: 1, style: style))
                col += 1
                break
            }
            set(col, y, Cell(text: DisplayWidth.drawable(c), width: UInt8(w), style: style))
            if w == 2 { set(col + 1, y, Cell(text: "", width: 0, style: style)) }
            col += w
        }
        return max(0, col - x)
    }

    /// Sets one cell, repairing wide characters it overlaps.
    mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        let i = y * width + x
        // Overwriting half of a wide character blanks the other half.
        if cells[i].isContinuation, x > 0 { cells[i - 1] = Cell(text: " ", width: 1, style: cells[i - 1].style) }
        if cells[i].width == 2, cell.width != 2, x + 1 < width { cells[i + 1] = Cell(text: " ", width: 1, style: cells[i + 1].style) }
        cells[i] = cell
    }

    /// Fills a rectangle with blanks of `style`.
    public mutating func fill(_ rect: Rect, style: Style) {
        let r = clip(rect)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { set(x, y, Cell(text: " ", width: 1, style: style)) }
        }
    }

    /// Applies `style` to existing cells (e.g. highlighting a selected row).
    public mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
        let r = clip(rect)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { change(&cells[y * width + x].style) }
        }
    }

    public func clip(_ r: Rect) -> Rect {
        let x0 = max(0, r.x), y0 = max(0, r.y)
        return Rect(x: x0, y: y0, width: min(width, r.maxX) - x0, height: min(height, r.maxY) - y0)
    }

    /// Row `y` as text (continuation cells skipped), trailing spaces kept.
    public func row(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where !self[x, y].isContinuation { s += self[x, y].text }
        return s
    }

    /// All rows as text, trailing spaces trimmed: what tests compare.
    public var lines: [String] {
        (0..<height).map { y in
            var r = row(y)
            while r.last == " " { r.removeLast() }
            return r
        }
    }
}
