import Testing
import TermUI
import TermUICurses

@Suite struct TerminalTextTests {
    @Test func escapeSequencesBecomeVisible() {
        // OSC 52 clipboard write, colour, title change, C1 CSI, bidi override.
        let hostile = "a\u{1B}]52;c;ZXZpbA==\u{07}b\u{1B}[31mred\u{1B}]0;title\u{07}\u{9B}2J\u{202E}txt"
        let safe = TerminalText.sanitize(hostile)
        #expect(safe == "a␛]52;c;ZXZpbA==␇b␛[31mred␛]0;title␇<U+009B>2J<U+202E>txt")
        #expect(!safe.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    @Test func ordinaryTextIsUntouched() {
        let text = "你好 😀 café e\u{301} naïve"
        #expect(TerminalText.sanitize(text) == text)
    }

    @Test func newlinesAndTabsOnRequest() {
        #expect(TerminalText.sanitize("a\tb\nc") == "a␉b␊c")
        #expect(TerminalText.sanitize("a\tb\nc", keepNewlines: true, keepTabs: true) == "a\tb\nc")
        #expect(TerminalText.sanitize("x\u{7F}y\u{0}") == "x␡y␀")
    }

    @Test func cursesIsLinked() {
        // The C surface is wired: the linked library answers with its version.
        #expect(CursesInfo.version.hasPrefix("ncurses 6"))
    }
}
