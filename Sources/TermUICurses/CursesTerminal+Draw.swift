import CNcursesw
import TermUI

extension CursesTerminal {
    /// Puts the canvas on the screen. Only cells that differ from the last
    /// drawn canvas are handed to curses, except the first time, after a
    /// size change and after `suspend`, when every cell is rewritten.
    /// Cells outside the screen are clipped.
    public func draw(_ canvas: Canvas) throws {
        guard activate() != nil, let win = CNcursesw_stdscr() else { throw TerminalError.closed }
        let screen = Self.screenSize()
        let full = needsFullRedraw || drawn == nil || drawn?.width != canvas.width
            || drawn?.height != canvas.height || drawnSize != screen
        if full { _ = werase(win) }
        let width = min(canvas.width, screen.width), height = min(canvas.height, screen.height)
        let before = full ? nil : drawn
        for y in 0..<max(0, height) {
            for x in 0..<max(0, width) {
                let cell = canvas[x, y]
                if let before, before[x, y] == cell { continue }
                if cell.isContinuation {
                    // Drawn by the wide character on its left, unless that is missing.
                    if x > 0, canvas[x - 1, y].width == 2 { continue }
                    put(Cell(text: " ", width: 1, style: cell.style), x: x, y: y, in: win, screenWidth: screen.width)
                } else {
                    put(cell, x: x, y: y, in: win, screenWidth: screen.width)
                }
            }
        }
        _ = wnoutrefresh(win)
        _ = doupdate()
        drawn = canvas
        drawnSize = screen
        needsFullRedraw = false
    }

    /// Writes one cell. The bottom-right cell is written too: curses stores
    /// it and then reports ERR because the cursor cannot advance (scrolling
    /// is off), which is ignored.
    private func put(_ cell: Cell, x: Int, y: Int, in win: UnsafeMutablePointer<WINDOW>, screenWidth: Int) {
        var scalars = Self.drawableScalars(cell.text)
        var padding = false
        // curses lays the character out by wcwidth: if that disagrees with the
        // canvas, the columns after it would drift, so substitute.
        let libcWidth = Int(CNcursesw.wcwidth(wchar_t(bitPattern: scalars[0].value)))
        switch (Int(cell.width), libcWidth) {
        case (2, 2) where x + 1 >= screenWidth:  // would wrap to the next line
            scalars = [" "]
        case (2, 2), (1, 1):
            break
        case (2, 1):
            padding = true
        default:
            scalars = [Self.replacement]
            padding = cell.width == 2
        }
        var c = Self.cchar(scalars, style: cell.style, colors: &colors)
        _ = mvwadd_wch(win, Int32(y), Int32(x), &c)
        if padding, x + 1 < screenWidth {
            var space = Self.cchar([" "], style: cell.style, colors: &colors)
            _ = mvwadd_wch(win, Int32(y), Int32(x + 1), &space)
        }
    }

    /// U+FFFD, or "?" where the C library does not know it as one column.
    static var replacement: Unicode.Scalar {
        CNcursesw.wcwidth(0xFFFD) == 1 ? "\u{FFFD}" : "?"
    }

    /// The scalars to hand to curses for a cell's text: at most CCHARW_MAX,
    /// a spacing character first, and no control characters whatever the
    /// canvas holds (C0 and DEL as Control Pictures, C1 and bidi controls
    /// as U+FFFD), so nothing in a cell can become an escape sequence.
    static func drawableScalars(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        for s in text.unicodeScalars.prefix(Int(CNcursesw_CCHARW_MAX())) {
            let v = s.value
            if v < 0x20 {
                out.append(Unicode.Scalar(0x2400 + v)!)
            } else if v == 0x7F {
                out.append("\u{2421}")
            } else if (0x80...0x9F).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            {
                out.append("\u{FFFD}")
            } else {
                out.append(s)
            }
        }
        if out.isEmpty { return [" "] }
        // A cluster must start with a spacing character; put a leading mark on a space.
        if CNcursesw.wcwidth(wchar_t(bitPattern: out[0].value)) == 0 {
            out.insert(" ", at: 0)
            if out.count > Int(CNcursesw_CCHARW_MAX()) { out.removeLast() }
        }
        return out
    }

    /// A curses wide character cell: scalars, attributes and color pair.
    static func cchar(_ scalars: [Unicode.Scalar], style: Style, colors: inout CursesColors) -> cchar_t {
        var c = cchar_t()
        let attrs = CursesColors.attributes(style.attributes)
        // setcchar's extended form: the pair travels as an int through `opts`.
        var pair = colors.pair(for: style)
        let wide = scalars.map { wchar_t(bitPattern: $0.value) } + [0]
        let ok = wide.withUnsafeBufferPointer { setcchar(&c, $0.baseAddress, attrs, 0, &pair) }
        if ok != CNcursesw_OK() {
            // Not a valid cluster for curses: draw its first character alone.
            let first: [wchar_t] = [wide[0], 0]
            _ = first.withUnsafeBufferPointer { setcchar(&c, $0.baseAddress, attrs, 0, &pair) }
        }
        return c
    }
}
