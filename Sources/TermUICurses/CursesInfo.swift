import CNcursesw

/// Facts about the linked curses library.
public enum CursesInfo {
    /// The ncurses version string, e.g. "ncurses 6.4.20221231".
    public static var version: String {
        guard let p = curses_version() else { return "unknown" }
        return String(cString: p)
    }
}

/// The size of a terminal without starting curses (for commands that print).
public enum TerminalSize {
    /// Columns and rows of the terminal on `fd`, or nil when it is not one.
    public static func of(fd: Int32) -> (width: Int, height: Int)? {
        var rows: Int32 = 0, cols: Int32 = 0
        guard CNcursesw_terminal_size(fd, &rows, &cols) == 0 else { return nil }
        return (Int(cols), Int(rows))
    }
}
