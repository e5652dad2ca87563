import Testing
import TermUI

/// One wrap for plain and styled text (issue 12: the diff view lost indentation
/// because styled text had a wrap of its own), the wrap cache, and invisible
/// characters made visible.
@Suite struct WrapAgreementTests {
    static let texts = [
        "def f(x):\n    if x:\n        return x + 1\n\treturn 0",
        "  indented text here and a bit more",
        "        deeply indented line that is long enough to wrap twice over",
        "trailing spaces   \n   \n\nend",
        "abcdefghijklmnopqrstuvwxyz0123456789 short",
        "mixed 你好 text 😀😀😀 and more 世界 e\u{301}",
        "tab\there\tand\tthere \u{1B}[31mred\u{1B}[0m",
        "windows\r\nline\r\nends\r",
        "",
        "   ",
    ]

    /// Styled text wraps exactly like plain text, whatever the pieces.
    @Test(arguments: [4, 7, 10, 16, 30, 80])
    func styledWrapAgreesWithPlainWrap(width: Int) {
        let bold = Style(attributes: [.bold])
        for text in Self.texts {
            let plain = Wrap.lines(text, width: width)
            #expect(StyledWrap.lines([(text, .plain)], width: width).map(\.text) == plain, "\(text.debugDescription) at \(width)")
            // The same text cut into pieces of alternating styles (as the diff does).
            var pieces: [(String, Style)] = []
            var piece = ""
            for (i, c) in text.enumerated() {
                piece.append(c)
                if i % 3 == 2 {
                    pieces.append((piece, pieces.count % 2 == 0 ? .plain : bold))
                    piece = ""
                }
            }
            if !piece.isEmpty { pieces.append((piece, .plain)) }
            #expect(StyledWrap.lines(pieces, width: width).map(\.text) == plain, "pieces of \(text.debugDescription) at \(width)")
        }
    }

    @Test func indentationSurvivesStyledWrap() {
        let lines = StyledWrap.lines([("if x:\n", .plain), ("    ", .plain), ("return", Style(attributes: [.reverse])), (" 1", .plain)], width: 40)
        #expect(lines.map(\.text) == ["if x:", "    return 1"])
        #expect(lines[1].spans.map(\.text) == ["    ", "return", " 1"])
        #expect(Wrap.lines("a\r\nb", width: 10) == ["a", "b"])
    }

    @Test func zeroWidthAndFormatCharactersBecomeVisible() {
        let text = "\u{FEFF}a\u{200B}b\u{200C}c\u{200D}d\u{2060}e\u{00AD}f\u{2063}g\u{E0041}h"
        #expect(TerminalText.sanitize(text) == "<U+FEFF>a<U+200B>b<U+200C>c<U+200D>d<U+2060>e<U+00AD>f<U+2063>g<U+E0041>h")
        // An emoji ZWJ sequence keeps its joiner (the terminal draws one emoji).
        #expect(TerminalText.sanitize("👩‍💻 ok") == "👩‍💻 ok")
        #expect(TerminalText.sanitize("🏳️‍🌈") == "🏳️‍🌈")
        // A joiner after an emoji with nothing to join is shown.
        #expect(TerminalText.sanitize("😀\u{200D}x") == "😀<U+200D>x")
        // The wrap shows them too.
        #expect(Wrap.lines("pass\u{200B}word", width: 40) == ["pass<U+200B>word"])
    }
}
