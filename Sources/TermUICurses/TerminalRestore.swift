import CNcursesw
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Giving the terminal back on every exit path.
///
/// While curses is active the terminal is in "program mode": no echo, no
/// line buffering, keypad transmit mode, usually the alternate screen and a
/// hidden cursor. A process that dies in that state leaves the user's shell
/// unusable (typed text invisible, Enter not working) until they type
/// `reset` blindly. `endwin()` puts the terminal back, so it must run when the
/// program is interrupted (SIGINT, SIGTERM, SIGHUP) and when it calls `exit()`
/// with the screen still up, not only on the happy path through `close()`.
enum TerminalRestore {
    /// The screen currently in program mode, if any. Read from the signal
    /// handler and the atexit hook, which cannot capture context; written
    /// only from the thread that drives the terminal.
    nonisolated(unsafe) static var activeScreen: OpaquePointer?

    /// Registers the atexit hook once, the first time a terminal is created.
    static let atExitHookRegistered: Bool = {
        atexit { TerminalRestore.restoreIfActive() }
        return true
    }()

    /// Puts the terminal back in shell mode if a screen is in program mode.
    static func restoreIfActive() {
        guard activeScreen != nil else { return }
        activeScreen = nil
        _ = endwin()
    }
}

/// The handler for SIGINT/SIGTERM/SIGHUP. `endwin()` is not formally
/// async-signal-safe, but it is what ncurses' own SIGINT handler does and
/// it is the only way to leave the terminal usable; `_exit` then skips the
/// atexit hooks, which must not run inside a signal handler.
private func restoreAndExit(_ signal: Int32) {
    if TerminalRestore.activeScreen != nil {
        TerminalRestore.activeScreen = nil
        _ = endwin()
    }
    _exit(128 + signal)
}

/// The handler for crashes (a Swift trap is SIGILL or SIGTRAP, abort() is
/// SIGABRT, bad memory SIGSEGV/SIGBUS): the terminal first, then the signal's
/// default action again, so the process still dies of it (and dumps core
/// where that is on).
private func restoreAndCrash(_ sig: Int32) {
    if TerminalRestore.activeScreen != nil {
        TerminalRestore.activeScreen = nil
        _ = endwin()
    }
    _ = signal(sig, SIG_DFL)
    _ = raise(sig)
}

extension CursesTerminal {
    /// The crash signals whose handler gives the terminal back first.
    public static let crashSignals = [SIGTRAP, SIGILL, SIGABRT, SIGSEGV, SIGBUS, SIGFPE]

    /// Makes SIGINT, SIGTERM and SIGHUP restore the terminal (when a screen is
    /// active) and exit with status 128 + signal, like a shell reports them;
    /// the crash signals restore it and then crash as they would have.
    ///
    /// Call it before `open()`: ncurses installs its own SIGINT/SIGTERM
    /// handlers in `newterm` only where the disposition is still the default,
    /// and it does not handle SIGHUP (closing the terminal window) at all.
    public static func installSignalHandlers() {
        _ = TerminalRestore.atExitHookRegistered
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            _ = signal(sig, restoreAndExit)
        }
        for sig in crashSignals {
            _ = signal(sig, restoreAndCrash)
        }
    }
}
