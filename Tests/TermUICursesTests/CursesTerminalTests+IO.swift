import CNcursesw
import Foundation
import Testing
import TermUI
@testable import TermUICurses

extension CursesTerminalTests {
    @Test func hostileTextNeverReachesTheTerminal() throws {
        let path = Headless.temporaryPath("out")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let term = try Headless.terminal(output: path)
        let hostile = "\u{1B}]52;c;SGVsbG8=\u{07} \u{1B}[2J \u{1B}]0;title\u{07} \u{9B}6n \u{202E}evil"
        var canvas = Canvas(width: 80, height: 24)
        canvas.put(TerminalText.sanitize(hostile), x: 0, y: 2, style: .plain)
        try term.draw(canvas)
        term.close()

        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func has(_ s: String) -> Bool { contains(bytes, Array(s.utf8)) }
        #expect(!has("\u{1B}]52"))
        #expect(!has("\u{1B}]0;"))
        #expect(!contains(bytes, [0xC2, 0x9B]))
        #expect(!has("\u{202E}"))
        #expect(!bytes.contains(0x07))
        // The stand-ins did reach the file.
        #expect(has("␛]52;c;SGVsbG8=␇"))
        #expect(has("␛[2J"))
        #expect(has("␛]0;title␇"))
        #expect(has("<U+009B>6n"))
        #expect(has("<U+202E>evil"))
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { i in haystack[i..<(i + needle.count)].elementsEqual(needle) }
    }

    @Test func cellTextIsMadeSafeByTheBackendToo() {
        #expect(CursesTerminal.drawableScalars("\u{1B}") == ["\u{241B}"])
        #expect(CursesTerminal.drawableScalars("\u{7F}") == ["\u{2421}"])
        #expect(CursesTerminal.drawableScalars("\u{9B}") == ["\u{FFFD}"])
        #expect(CursesTerminal.drawableScalars("\u{202E}") == ["\u{FFFD}"])
        #expect(CursesTerminal.drawableScalars("") == [" "])
        Headless.useUTF8Locale()
        #expect(CursesTerminal.drawableScalars("\u{301}") == [" ", "\u{301}"])
        #expect(CursesTerminal.drawableScalars("e\u{301}") == ["e", "\u{301}"])
    }

    @Test func keysTypedOnTheTerminalArriveAsKeys() throws {
        let path = Headless.temporaryPath("keys")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Bytes as xterm sends them (keypad mode): arrows \EOA, pgdn \E[6~ ...
        let typed = "a你\r\u{1B}OA\u{1B}[6~\u{7F}\u{03}\u{1B}[Z\t\u{1B}[15~\u{1B}[3~\u{1B}OH\u{1B}x"
        try Data(typed.utf8).write(to: URL(fileURLWithPath: path))
        let term = try Headless.terminal(input: path)
        defer { term.close() }
        var keys: [Key] = []
        while let event = try term.nextEvent(timeoutMilliseconds: 0) {
            if case .key(let key) = event { keys.append(key) }
        }
        #expect(keys == [
            .char("a"), .char("你"), .enter, .up, .pageDown, .backspace, .ctrl("c"), .backTab, .tab,
            .function(5), .delete, .home, .escape, .char("x"),
        ])
    }

    @Test func openNeedsAKnownTerminal() throws {
        #expect(throws: TerminalError.termUnset) { try CursesTerminal.open(environment: [:]) }
        #expect(throws: TerminalError.termUnset) { try CursesTerminal.open(environment: ["TERM": ""]) }
        #expect(throws: TerminalError.unknownTerminal("no-such-terminal")) {
            try CursesTerminal.open(environment: ["TERM": "no-such-terminal"], ttyPath: "/dev/null")
        }
        #expect(throws: TerminalError.noTTY("/nonexistent/tty")) {
            try CursesTerminal.open(environment: ["TERM": "xterm-256color"], ttyPath: "/nonexistent/tty")
        }
        // A known type on a device works.
        let term = try CursesTerminal.open(environment: ["TERM": "xterm-256color"], ttyPath: "/dev/null")
        #expect(term.size.width > 0)
        term.close()
        #expect(TerminalError.termUnset.description.contains("TERM=xterm-256color"))
        #expect(TerminalError.unknownTerminal("vt999").description.contains("vt999"))
    }
}

@Suite struct CursesKeyDecodingTests {
    let ok: Int32 = 0, keyCode: Int32 = 0o400, err: Int32 = -1

    @Test func characters() {
        #expect(CursesTerminal.decode(status: ok, value: 13) == .key(.enter))
        #expect(CursesTerminal.decode(status: ok, value: 10) == .key(.enter))
        #expect(CursesTerminal.decode(status: ok, value: 9) == .key(.tab))
        #expect(CursesTerminal.decode(status: ok, value: 27) == .key(.escape))
        #expect(CursesTerminal.decode(status: ok, value: 127) == .key(.backspace))
        #expect(CursesTerminal.decode(status: ok, value: 8) == .key(.backspace))
        #expect(CursesTerminal.decode(status: ok, value: 1) == .key(.ctrl("a")))
        #expect(CursesTerminal.decode(status: ok, value: 3) == .key(.ctrl("c")))
        #expect(CursesTerminal.decode(status: ok, value: 26) == .key(.ctrl("z")))
        #expect(CursesTerminal.decode(status: ok, value: 32) == .key(.char(" ")))
        #expect(CursesTerminal.decode(status: ok, value: 65) == .key(.char("A")))
        #expect(CursesTerminal.decode(status: ok, value: 0x4F60) == .key(.char("你")))
        #expect(CursesTerminal.decode(status: ok, value: 0x1F600) == .key(.char("😀")))
        #expect(CursesTerminal.decode(status: ok, value: 0) == .unknown)
        #expect(CursesTerminal.decode(status: ok, value: 0x9B) == .unknown)
        #expect(CursesTerminal.decode(status: ok, value: 0xD800) == .unknown)
    }

    @Test func functionKeys() {
        let expected: [(UInt32, Key)] = [
            (0o403, .up), (0o402, .down), (0o404, .left), (0o405, .right), (0o406, .home), (0o550, .end),
            (0o522, .pageDown), (0o523, .pageUp), (0o512, .delete), (0o513, .insert), (0o407, .backspace),
            (0o527, .enter), (0o541, .backTab), (0o410 + 1, .function(1)), (0o410 + 12, .function(12)),
        ]
        for (code, key) in expected {
            #expect(CursesTerminal.decode(status: keyCode, value: code) == .key(key), "code \(code)")
        }
        #expect(CursesTerminal.decode(status: keyCode, value: 0o632) == .resize)
        #expect(CursesTerminal.decode(status: keyCode, value: 0o631) == .mouse)  // KEY_MOUSE: getmouse says what
        #expect(CursesTerminal.decode(status: err, value: 0) == .timeout)
    }

    @Test func colorsReduceToWhatTheTerminalHas() {
        #expect(CursesColors.reduce(100, toColors: 256) == 100)
        #expect(CursesColors.reduce(12, toColors: 16) == 12)
        #expect(CursesColors.reduce(196, toColors: 8) == 1)  // ff0000 → red
        #expect(CursesColors.reduce(21, toColors: 8) == 4)  // 0000ff → blue
        #expect(CursesColors.reduce(8, toColors: 8) == 7)  // grey reads as white, not black
        #expect(CursesColors.reduce(232, toColors: 8) == 0)
        #expect(CursesColors.reduce(250, toColors: 8) == 7)
        #expect(CursesColors.reduce(231, toColors: 16) == 15)
        var none = CursesColors(colorCount: 0, defaultColors: false, pairLimit: 0)
        #expect(none.pair(for: Style(fg: .red, bg: .blue)) == 0)
        #expect(CursesColors.attributes([.bold, .reverse]) == CNcursesw_A_BOLD() | CNcursesw_A_REVERSE())
    }
}

extension CursesTerminalTests {
    /// `runInForeground`: the program's exit status comes back and curses is restored.
    @Test func foregroundProgramsExitStatusAndSignalsComeBackAndCursesResumes() throws {
        let term = try Headless.terminal()
        defer { term.close() }
        #expect(try term.runInForeground(["/bin/sh", "-c", "exit 3"]) == 3)
        #expect(try term.runInForeground(["/bin/sh", "-c", "kill -TERM $$"]) == 128 + SIGTERM)
        #expect(!isendwin())
        #expect(throws: (any Error).self) { try term.runInForeground(["/nonexistent/editor"]) }
    }
}

extension CursesTerminalTests {
    /// SGR mouse reports (as xterm and tmux send them once asked) arrive as clicks and wheel turns at 0-based cells;
    /// closing the terminal turns the reporting off again.
    @Test func mouseReportsArriveAsMouseEventsAndCloseTurnsThemOff() throws {
        func events(_ typed: String) throws -> (events: [Event], output: [UInt8]) {
            let input = Headless.temporaryPath("mouse-in"), output = Headless.temporaryPath("mouse-out")
            defer { for p in [input, output] { try? FileManager.default.removeItem(atPath: p) } }
            try Data(typed.utf8).write(to: URL(fileURLWithPath: input))
            let term = try Headless.terminal(output: output, input: input)
            #expect(term.enableMouse())
            var events: [Event] = []
            while let event = try term.nextEvent(timeoutMilliseconds: 0) {
                if case .resize = event { continue }  // Headless's resizeterm
                events.append(event)
            }
            term.close()
            return (events, [UInt8](try Data(contentsOf: URL(fileURLWithPath: output))))
        }
        // A press and its release: one click.
        let click = try events("\u{1B}[<0;11;6M\u{1B}[<0;11;6mx")
        #expect(click.events == [.mouse(Mouse(.click, x: 10, y: 5)), .key(.char("x"))])
        #expect(contains(click.output, Array("\u{1B}[?1006;1000h".utf8)))
        #expect(contains(click.output, Array("\u{1B}[?1006;1000l".utf8)))
        let wheel = try events("\u{1B}[<65;3;4M\u{1B}[<64;3;4Mx")
        #expect(wheel.events == [.mouse(Mouse(.wheelDown, x: 2, y: 3)), .mouse(Mouse(.wheelUp, x: 2, y: 3)), .key(.char("x"))])
    }

    @Test func mouseButtonsDecode() {
        #expect(CursesTerminal.decodeMouse(buttons: CNcursesw_BUTTON1_RELEASED(), x: 1, y: 2) == Mouse(.click, x: 1, y: 2))
        #expect(CursesTerminal.decodeMouse(buttons: CNcursesw_BUTTON4_PRESSED(), x: 1, y: 2) == Mouse(.wheelUp, x: 1, y: 2))
        #expect(CursesTerminal.decodeMouse(buttons: 0, x: 1, y: 2) == nil)
    }
}
