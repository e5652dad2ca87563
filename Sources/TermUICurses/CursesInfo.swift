import CNcursesw

/// Facts about the linked curses library.
public enum CursesInfo {
    /// The ncurses version string, e.g. "ncurses 6.4.20221231".
    public static var version: String {
        guard let p = curses_version() else { return "unknown" }
        return String(cString: p)
    }
}
