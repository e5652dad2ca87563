/// Why the curses terminal could not be used.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
    /// TERM is unset or empty.
    case termUnset
    /// terminfo has no entry for this TERM.
    case unknownTerminal(String)
    /// The controlling terminal could not be opened (running without a terminal).
    case noTTY(String)
    /// The terminal was used after `close()`.
    case closed

    public var description: String {
        switch self {
        case .termUnset:
            return "TERM is not set; Duet needs a terminal (try TERM=xterm-256color)"
        case .unknownTerminal(let name):
            return "unknown terminal type \"\(name)\" (no terminfo entry); try TERM=xterm-256color"
        case .noTTY(let path):
            return "cannot open \(path): Duet needs an interactive terminal"
        case .closed:
            return "the terminal has been closed"
        }
    }
}
