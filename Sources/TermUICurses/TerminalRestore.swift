import CNcursesw
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Giving the terminal back on every exit path.
///
/// While curses is active the terminal is in "program mode": no echo, no
/// line buffering, keypad transmit mode, usually the alternate screen, a
/// hidden cursor and, with [ui] mouse, mouse reporting (`endwin` turns that
/// off too: `CursesTerminalTests.mouseReportsArriveAsMouseEventsAndCloseTurnsThemOff`,
/// and the tmux signal and crash tests check the pane's mouse flags). A process that dies in that state leaves the user's shell
/// unusable (typed text invisible, Enter not working) until they type
/// `reset` blindly. `endwin()` puts the terminal back, so it must run when the
/// program is interrupted (SIGINT, SIGTERM, SIGHUP) and when it calls `exit()`
/// with the screen still up, not only on the happy path through `close()`.
enum TerminalRestore {
    /// The screen currently in program mode, if any. Read from the signal
    /// handler and the atexit hook, which cannot capture context; written
    /// only from the thread that drives the terminal.
    nonisolated(unsafe) static var activeScreen: OpaquePointer?

    nonisolated(unsafe) static var crashHandlersInstalled = false

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

/// What handled each crash signal before (Swift's backtracer, or the default),
/// indexed by signal number: plain memory the handler can read.
nonisolated(unsafe) private let previousCrashActions: UnsafeMutablePointer<sigaction> = {
    let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    p.initialize(repeating: sigaction(), count: 65)
    return p
}()

/// The handler for crashes (a Swift trap is SIGILL or SIGTRAP, abort() is
/// SIGABRT, bad memory SIGSEGV/SIGBUS): the terminal first; then whatever
/// handled the signal before (Swift's backtracer prints the backtrace, now on
/// a usable terminal); then the default action, so the process dies of the
/// signal (a core dump where that is on) even when the signal came from
/// `kill` and nothing would fault again.
private func restoreAndCrash(_ sig: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    if TerminalRestore.activeScreen != nil {
        TerminalRestore.activeScreen = nil
        _ = endwin()
    }
    let previous = previousCrashActions[Int(sig)]
    #if os(Linux)
    if previous.sa_flags & Int32(SA_SIGINFO) != 0 {
        previous.__sigaction_handler.sa_sigaction?(sig, info, context)
    } else if let handler = previous.__sigaction_handler.sa_handler,
              unsafeBitCast(handler, to: Int.self) > 1 {  // not SIG_DFL (0) or SIG_IGN (1)
        handler(sig)
    }
    #endif
    // Blocked while this handler runs: the default action happens when it returns.
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
        // Once: a second call must not record our own handler as the previous one.
        guard !TerminalRestore.crashHandlersInstalled else { return }
        TerminalRestore.crashHandlersInstalled = true
        for sig in crashSignals {
            var old = sigaction(), new = sigaction()
            guard sigaction(sig, nil, &old) == 0 else { continue }
            previousCrashActions[Int(sig)] = old
            #if os(Linux)
            new.__sigaction_handler.sa_sigaction = restoreAndCrash
            #else
            new.__sigaction_u.__sa_sigaction = restoreAndCrash
            #endif
            new.sa_flags = Int32(SA_SIGINFO | SA_ONSTACK)
            sigemptyset(&new.sa_mask)
            _ = sigaction(sig, &new, nil)
        }
    }
}
