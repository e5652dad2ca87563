import CNcursesw
import Foundation
import TermUI
@testable import TermUICurses

/// ncurses without a terminal: output to /dev/null (or a file), input from
/// /dev/null (or a file of key bytes), screen size set with resizeterm.
enum Headless {
    /// Under `swift test` the C locale is "C", where ncurses treats every
    /// non-ASCII character as unprintable.
    static func useUTF8Locale() {
        _ = setlocale(LC_ALL, "C.UTF-8")
    }

    static func terminal(
        output: String = "/dev/null", input: String = "/dev/null", width: Int = 80, height: Int = 24
    ) throws -> CursesTerminal {
        useUTF8Locale()
        guard let out = fopen(output, "w"), let inp = fopen(input, "r") else {
            throw TerminalError.noTTY(output)
        }
        let term = try CursesTerminal(termName: "xterm-256color", input: inp, output: out)
        _ = resizeterm(Int32(height), Int32(width))
        return term
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("duet-curses-\(UUID().uuidString)-\(name)").path
    }

    /// What curses holds for one cell of stdscr.
    struct ScreenCell {
        var text: String
        var attributes: attr_t
        var pair: Int32
    }

    static func cell(_ x: Int, _ y: Int) -> ScreenCell {
        var c = cchar_t()
        _ = mvwin_wch(CNcursesw_stdscr(), Int32(y), Int32(x), &c)
        var chars = [wchar_t](repeating: 0, count: 8)
        var attrs: attr_t = 0
        var shortPair: Int16 = 0
        var pair: Int32 = 0
        _ = getcchar(&c, &chars, &attrs, &shortPair, &pair)
        let scalars = chars.prefix { $0 != 0 }.compactMap { Unicode.Scalar(UInt32(bitPattern: $0)) }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars)
        return ScreenCell(text: String(text), attributes: attrs & ~CNcursesw_A_COLOR(), pair: pair)
    }

    /// Writes a character straight into stdscr, behind the backend's back.
    static func poke(_ text: Unicode.Scalar, _ x: Int, _ y: Int) {
        var c = cchar_t()
        var pair: Int32 = 0
        let wide: [wchar_t] = [wchar_t(bitPattern: text.value), 0]
        _ = wide.withUnsafeBufferPointer { setcchar(&c, $0.baseAddress, 0, 0, &pair) }
        _ = mvwadd_wch(CNcursesw_stdscr(), Int32(y), Int32(x), &c)
    }

    /// The foreground and background of a color pair.
    static func pairColors(_ pair: Int32) -> (fg: Int32, bg: Int32) {
        var fg: Int32 = 0, bg: Int32 = 0
        _ = extended_pair_content(pair, &fg, &bg)
        return (fg, bg)
    }
}
