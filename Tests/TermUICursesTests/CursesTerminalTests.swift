import CNcursesw
import Testing
import TermUI
@testable import TermUICurses

/// Headless ncurses: one global state, so every test here runs alone.
@Suite(.serialized) struct CursesTerminalTests {
    let accent = Style(fg: .red, bg: .index(236), attributes: [.bold, .underline])

    func sample(width: Int = 80, height: Int = 24) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        canvas.put("你好 😀 e\u{301} x", x: 0, y: 0, style: .plain)
        canvas.put("bold", x: 12, y: 0, style: accent)
        canvas.put("Z", x: width - 1, y: height - 1, style: .plain)
        return canvas
    }

    @Test func wideAndCombiningCharactersLandInTheirColumns() throws {
        let term = try Headless.terminal()
        defer { term.close() }
        #expect(term.size == (80, 24))
        #expect(term.colorCount == 256)
        try term.draw(sample())

        #expect(Headless.cell(0, 0).text == "你")
        #expect(Headless.cell(2, 0).text == "好")
        #expect(Headless.cell(4, 0).text == " ")
        #expect(Headless.cell(5, 0).text == "😀")
        #expect(Array(Headless.cell(8, 0).text.unicodeScalars) == ["e", "\u{301}"])
        #expect(Headless.cell(9, 0).text == " ")
        #expect(Headless.cell(10, 0).text == "x")
        // The bottom-right cell is written without scrolling the screen.
        #expect(Headless.cell(79, 23).text == "Z")
        #expect(Headless.cell(0, 1).text == " ")
    }

    @Test func stylesBecomeAttributesAndColorPairs() throws {
        let term = try Headless.terminal()
        defer { term.close() }
        var canvas = sample()
        canvas.put("dim", x: 20, y: 2, style: Style(attributes: [.dim, .italic, .reverse]))
        canvas.put("teal", x: 20, y: 3, style: Style(fg: .index(30)))
        try term.draw(canvas)

        let styled = Headless.cell(12, 0)
        #expect(styled.text == "b")
        #expect(styled.attributes == CNcursesw_A_BOLD() | CNcursesw_A_UNDERLINE())
        #expect(styled.pair > 0)
        #expect(Headless.pairColors(styled.pair) == (1, 236))
        // The same style shares its pair.
        #expect(Headless.cell(15, 0).pair == styled.pair)

        let plain = Headless.cell(10, 0)
        #expect(plain.attributes == 0)
        #expect(plain.pair == 0)

        let dim = Headless.cell(20, 2)
        #expect(dim.attributes == CNcursesw_A_DIM() | CNcursesw_A_ITALIC() | CNcursesw_A_REVERSE())
        #expect(dim.pair == 0)

        let teal = Headless.cell(20, 3)
        #expect(teal.pair != 0 && teal.pair != styled.pair)
        #expect(Headless.pairColors(teal.pair) == (30, -1))
    }

    @Test func redrawSendsOnlyChangedCellsUntilTheSizeChanges() throws {
        let term = try Headless.terminal()
        defer { term.close() }
        var canvas = sample()
        try term.draw(canvas)

        // A mark curses holds but the canvas does not know about: rewriting
        // unchanged cells would erase it.
        Headless.poke("Q", 30, 5)
        canvas.put("y", x: 3, y: 3, style: .plain)
        try term.draw(canvas)
        #expect(Headless.cell(3, 3).text == "y")
        #expect(Headless.cell(30, 5).text == "Q")
        #expect(Headless.cell(0, 0).text == "你")

        // A wide character replaces two narrow ones and back.
        canvas.put("好", x: 3, y: 3, style: .plain)
        try term.draw(canvas)
        #expect(Headless.cell(3, 3).text == "好")
        canvas.put("ab", x: 3, y: 3, style: .plain)
        try term.draw(canvas)
        #expect(Headless.cell(3, 3).text == "a")
        #expect(Headless.cell(4, 3).text == "b")
        #expect(Headless.cell(30, 5).text == "Q")

        // After a resize everything is rewritten.
        _ = resizeterm(12, 40)
        #expect(term.size == (40, 12))
        var small = sample(width: 40, height: 12)
        small.put("y", x: 3, y: 3, style: .plain)
        try term.draw(small)
        #expect(Headless.cell(30, 5).text == " ")
        #expect(Headless.cell(3, 3).text == "y")
        #expect(Headless.cell(39, 11).text == "Z")
    }

    @Test func resizeIsReportedAsAnEvent() throws {
        let term = try Headless.terminal()
        defer { term.close() }
        while try term.nextEvent(timeoutMilliseconds: 0) != nil {}
        _ = resizeterm(12, 40)
        #expect(try term.nextEvent(timeoutMilliseconds: 0) == .resize(width: 40, height: 12))
        #expect(try term.nextEvent(timeoutMilliseconds: 0) == nil)
    }

    @Test func suspendLeavesCursesAndForcesAFullRedraw() throws {
        let term = try Headless.terminal()
        defer { term.close() }
        let canvas = sample()
        try term.draw(canvas)
        Headless.poke("Q", 30, 5)
        try term.draw(canvas)
        #expect(Headless.cell(30, 5).text == "Q")

        var ranInShellMode = false
        term.suspend { ranInShellMode = isendwin() }
        #expect(ranInShellMode)
        #expect(!isendwin())
        try term.draw(canvas)
        #expect(Headless.cell(30, 5).text == " ")
        #expect(Headless.cell(0, 0).text == "你")
    }

    @Test func canvasLargerThanTheScreenIsClipped() throws {
        let term = try Headless.terminal(width: 40, height: 12)
        defer { term.close() }
        var canvas = Canvas(width: 80, height: 24)
        canvas.put(String(repeating: "-", count: 39) + "你", x: 0, y: 0, style: .plain)
        canvas.put("next", x: 0, y: 1, style: .plain)
        try term.draw(canvas)
        // 你 would straddle the right edge: a blank instead, nothing wraps.
        #expect(Headless.cell(38, 0).text == "-")
        #expect(Headless.cell(39, 0).text == " ")
        #expect(Headless.cell(0, 1).text == "n")
    }

    @Test func closeTwiceIsHarmless() throws {
        let term = try Headless.terminal()
        try term.draw(sample())
        term.close()
        term.close()
        #expect(term.size == (80, 24))
        #expect(throws: TerminalError.closed) { try term.draw(sample()) }
        #expect(throws: TerminalError.closed) { try term.nextEvent(timeoutMilliseconds: 0) }
        // A new screen works after the old one is gone.
        let again = try Headless.terminal()
        try again.draw(sample())
        #expect(Headless.cell(0, 0).text == "你")
        again.close()
    }
}
