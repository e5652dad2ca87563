import CNcursesw
import Foundation
import TermUI

/// The real terminal, through ncursesw's wide-character API.
///
/// ncurses keeps one global "current screen"; this class owns one SCREEN
/// (from `newterm`, which unlike `initscr` reports an unknown terminal
/// instead of exiting) and makes it current before every call. Use it from
/// one thread.
public final class CursesTerminal: TerminalBackend {
    /// The ncurses SCREEN; nil once closed.
    var screen: OpaquePointer?
    let input: UnsafeMutablePointer<FILE>
    let output: UnsafeMutablePointer<FILE>
    let closesFiles: Bool
    var colors: CursesColors
    /// What is on the screen now, as far as curses knows: the last canvas drawn.
    var drawn: Canvas?
    /// The screen size when `drawn` was drawn.
    var drawnSize: (width: Int, height: Int) = (0, 0)
    /// Set after `suspend` and resizes: the next draw rewrites every cell.
    var needsFullRedraw = true
    private var lastSize: (width: Int, height: Int) = (0, 0)

    /// Opens the controlling terminal (/dev/tty, so redirecting stdout or
    /// stdin does not matter) as the terminal named by TERM.
    public static func open(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CursesTerminal {
        try open(environment: environment, ttyPath: "/dev/tty")
    }

    /// `open`, with the terminal device as a parameter (tests use /dev/null).
    static func open(environment: [String: String], ttyPath: String) throws -> CursesTerminal {
        guard let term = environment["TERM"], !term.isEmpty else { throw TerminalError.termUnset }
        guard let input = fopen(ttyPath, "r") else { throw TerminalError.noTTY(ttyPath) }
        guard let output = fopen(ttyPath, "w") else {
            fclose(input)
            throw TerminalError.noTTY(ttyPath)
        }
        // The locale decides whether ncurses handles UTF-8: set it before newterm.
        CursesLocale.adoptEnvironment()
        return try CursesTerminal(termName: term, input: input, output: output, closesFiles: true)
    }

    /// Starts curses on the given streams as terminal type `termName`.
    /// With `closesFiles` the terminal owns the streams and closes them in
    /// `close()`, or right away if this initializer throws.
    /// The caller is expected to have set a locale (`setlocale(LC_ALL, "")`);
    /// if the character type is not UTF-8 it is switched to C.UTF-8.
    public init(
        termName: String, input: UnsafeMutablePointer<FILE>, output: UnsafeMutablePointer<FILE>,
        closesFiles: Bool = true
    ) throws {
        CursesLocale.ensureUTF8()
        guard let screen = newterm(termName, output, input) else {
            if closesFiles { Self.closeFiles(input, output) }
            throw TerminalError.unknownTerminal(termName)
        }
        _ = set_term(screen)
        self.screen = screen
        self.input = input
        self.output = output
        self.closesFiles = closesFiles
        colors = Self.configure()
        lastSize = Self.screenSize()
        _ = TerminalRestore.atExitHookRegistered
        TerminalRestore.activeScreen = screen
    }

    deinit { close() }

    /// Input and output modes for a full-screen UI; returns the color setup.
    private static func configure() -> CursesColors {
        let win = CNcursesw_stdscr()
        _ = cbreak()  // keys arrive one by one; ctrl-c still interrupts
        _ = noecho()
        _ = nonl()
        _ = keypad(win, true)  // arrows, F-keys... as KEY_* codes
        _ = meta(win, true)  // 8-bit input, for UTF-8
        _ = curs_set(0)
        _ = set_escdelay(25)  // the default makes ESC wait a whole second
        _ = leaveok(win, true)  // the cursor is hidden: do not move it back after updates
        _ = scrollok(win, false)
        guard has_colors() else { return CursesColors(colorCount: 0, defaultColors: false, pairLimit: 0) }
        _ = start_color()
        let defaults = use_default_colors() == CNcursesw_OK()
        return CursesColors(
            colorCount: Int(CNcursesw_COLORS()), defaultColors: defaults, pairLimit: Int(CNcursesw_COLOR_PAIRS()))
    }

    /// Makes this terminal's screen the current one; nil when closed.
    @discardableResult
    func activate() -> OpaquePointer? {
        guard let screen else { return nil }
        _ = set_term(screen)
        return screen
    }

    static func screenSize() -> (width: Int, height: Int) {
        (Int(CNcursesw_COLS()), Int(CNcursesw_LINES()))
    }

    /// Current size in cells (COLS × LINES); the last known size once closed.
    public var size: (width: Int, height: Int) {
        if activate() != nil { lastSize = Self.screenSize() }
        return lastSize
    }

    /// Reports clicks and the wheel as `Event.mouse` (off until asked: [ui] mouse). `endwin` (every way
    /// out: `close`, the signal and crash handlers, `suspend`) turns the terminal's reporting off again,
    /// `suspend` back on. Returns whether the terminal reports the mouse.
    @discardableResult
    public func enableMouse() -> Bool {
        guard activate() != nil else { return false }
        return CNcursesw_mouse_on() != 0
    }

    /// Colors the terminal can show (COLORS), 0 when it has none.
    public var colorCount: Int { colors.colorCount }

    /// Leaves curses (shell mode, normal screen) to run `body` (`runInForeground` runs $EDITOR in it),
    /// then restores program mode and repaints; the next draw rewrites every cell.
    public func suspend(_ body: () throws -> Void) rethrows {
        guard let screen = activate() else { return try body() }
        _ = def_prog_mode()
        _ = endwin()
        TerminalRestore.activeScreen = nil
        defer {
            _ = set_term(screen)
            _ = reset_prog_mode()
            _ = refresh()
            TerminalRestore.activeScreen = screen
            needsFullRedraw = true
        }
        try body()
    }

    /// Gives the terminal back (endwin), frees the screen and closes the
    /// streams it owns. Calling it again does nothing.
    public func close() {
        guard let screen = activate() else { return }
        lastSize = Self.screenSize()
        _ = endwin()
        delscreen(screen)
        self.screen = nil
        drawn = nil
        if TerminalRestore.activeScreen == screen { TerminalRestore.activeScreen = nil }
        if closesFiles { Self.closeFiles(input, output) }
    }

    private static func closeFiles(_ input: UnsafeMutablePointer<FILE>, _ output: UnsafeMutablePointer<FILE>) {
        fclose(output)
        if input != output { fclose(input) }
    }
}
