import CNcursesw
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's locale, which decides how ncurses and `wcwidth` treat
/// non-ASCII text: in the "C" locale (the default of every C program, and
/// what `swift test` runs with) every non-ASCII `wcwidth` is -1 and ncurses
/// cannot draw 你 or 😀 at all.
enum CursesLocale {
    /// Adopts the user's locale (`setlocale(LC_ALL, "")`), then makes sure the
    /// character type is UTF-8.
    static func adoptEnvironment() {
        _ = setlocale(LC_ALL, "")
        ensureUTF8()
    }

    /// If the current character type is not UTF-8, switches LC_CTYPE (only) to
    /// a UTF-8 locale, leaving the other categories as they are.
    /// Returns whether the character type is UTF-8 afterwards.
    @discardableResult
    static func ensureUTF8() -> Bool {
        if isUTF8 { return true }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil {
            if isUTF8 { return true }
        }
        return false
    }

    static var isUTF8: Bool {
        guard let p = nl_langinfo(nl_item(CODESET)) else { return false }
        let codeset = String(cString: p).uppercased().filter { $0 != "-" }
        return codeset == "UTF8"
    }
}
