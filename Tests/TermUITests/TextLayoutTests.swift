import Testing
@testable import TermUI

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("abc", 3), ("你好", 4), ("😀", 2), ("e\u{301}", 1), ("café", 4), ("한국어", 6), ("ｱ", 1), ("Ａ", 2),
        ("❤️", 1), ("👍🏽", 2), ("👨‍👩‍👧", 2), ("\u{301}x", 2), ("", 0),
    ])
    func widths(_ text: String, _ width: Int) {
        #expect(DisplayWidth.of(text) == width, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func drawableDropsWhatTerminalsDisagreeOn() {
        #expect(DisplayWidth.drawable("❤️") == "❤")
        #expect(DisplayWidth.drawable("👍🏽") == "👍")
        #expect(DisplayWidth.drawable("👨‍👩‍👧") == "👨")
        #expect(DisplayWidth.drawable("e\u{301}") == "e\u{301}")
        #expect(DisplayWidth.drawable(Character("\u{301}")) == " \u{301}")
    }
}

@Suite struct WrapTests {
    @Test func wordsThenCharacters() {
        #expect(Wrap.lines("the quick brown fox jumps", width: 10) == ["the quick", "brown fox", "jumps"])
        #expect(Wrap.lines("abcdefghijkl", width: 5) == ["abcde", "fghij", "kl"])
        #expect(Wrap.lines("a\n\nb", width: 5) == ["a", "", "b"])
        #expect(Wrap.lines("  indented text here", width: 10) == ["  indented", "text here"])
    }

    @Test func wideCharactersNeverSplit() {
        // 5 CJK characters = 10 columns; at width 5 each line holds two.
        #expect(Wrap.lines("你好世界啊", width: 5) == ["你好", "世界", "啊"])
        for line in Wrap.lines("mixed 你好 text 😀😀😀 and more 世界", width: 7) {
            #expect(DisplayWidth.of(line) <= 7, "\(line)")
        }
    }

    @Test func tabsAndControls() {
        #expect(Wrap.expandTabs("a\tb") == "a   b")
        #expect(Wrap.expandTabs("abcd\te") == "abcd    e")
        #expect(Wrap.lines("x\u{1B}[2Jy\r", width: 20) == ["x␛[2Jy"])
    }

    @Test func truncate() {
        #expect(Wrap.truncate("hello world", width: 8) == "hello w…")
        #expect(Wrap.truncate("你好世界", width: 5) == "你好…")
        #expect(Wrap.truncate("short", width: 8) == "short")
    }
}

@Suite struct CanvasTests {
    @Test func wideCharacterAtTheEdgeBecomesASpace() {
        var c = Canvas(width: 5, height: 1)
        let used = c.put("ab你好", x: 0, y: 0, style: .plain)
        #expect(c.lines == ["ab你"])
        #expect(used == 5)
        #expect(c[4, 0].text == " " && c[4, 0].width == 1)
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var c = Canvas(width: 6, height: 1)
        c.put("你好", x: 0, y: 0, style: .plain)
        c.put("x", x: 1, y: 0, style: .plain)
        #expect(c.lines == [" x好"])
        c.put("y", x: 2, y: 0, style: .plain)
        #expect(c.lines == [" xy"])
        for y in 0..<c.height { #expect(DisplayWidth.of(c.row(y)) == c.width) }
    }

    @Test func clippingAndSanitising() {
        var c = Canvas(width: 10, height: 2)
        c.put("\u{1B}]52;c;x\u{7}", x: 0, y: 0, style: .plain)
        #expect(c.lines[0] == "␛]52;c;x␇")
        c.put("abcdef", x: 7, y: 1, style: .plain)
        #expect(c.lines[1] == "       abc")
        c.put("zz", x: -1, y: 1, style: .plain)
        #expect(c.lines[1] == "z      abc")
        #expect(c.put("q", x: 0, y: 5, style: .plain) == 0)
    }

    @Test func boxAndBar() {
        var c = Canvas(width: 12, height: 3)
        let inner = c.box(c.bounds, title: "Title", style: .plain)
        #expect(inner == Rect(x: 1, y: 1, width: 10, height: 1))
        c.segmentedBar(x: 1, y: 1, width: 10, segments: [(3, .plain, "█"), (1, .plain, "▒"), (6, .plain, "░")])
        #expect(c.lines == ["┌ Title ───┐", "│███▒░░░░░░│", "└──────────┘"])
    }
}

@Suite struct LayoutTests {
    @Test func sizes() {
        #expect(Layout.sizes([.fixed(1), .fill(1), .fixed(1)], in: 10) == [1, 8, 1])
        #expect(Layout.sizes([.fill(1), .fill(2)], in: 10) == [3, 7])
        #expect(Layout.sizes([.fixed(6), .fixed(6)], in: 10) == [6, 4])
        #expect(Layout.sizes([.min(3), .fill(1)], in: 9) == [6, 3])
    }

    @Test func rects() {
        let r = Rect(x: 0, y: 0, width: 10, height: 6)
        let (top, rest) = r.splitTop(1)
        #expect(top == Rect(x: 0, y: 0, width: 10, height: 1))
        #expect(rest == Rect(x: 0, y: 1, width: 10, height: 5))
        #expect(r.centered(width: 4, height: 2) == Rect(x: 3, y: 2, width: 4, height: 2))
        #expect(Layout.columns(r, [.fixed(3), .fill(1)]).map(\.width) == [3, 7])
    }
}
