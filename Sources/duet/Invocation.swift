import Foundation

/// How to type this program again in the user's shell: "duet" when that name on PATH is this very
/// binary, else its full path (after `swift run`, `duet` is usually not on PATH).
enum Invocation {
    static let command: String = {
        // The running binary itself, whatever name or relative path started it.
        let me = (Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe")).resolvingSymlinksInPath()
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("duet")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                // The first duet on PATH is what the shell runs: the name only works if that is this binary.
                return candidate.resolvingSymlinksInPath().path == me.path ? "duet" : me.path
            }
        }
        return me.path
    }()

    /// A command line to print for the user to type: this program, then `words`, each quoted for the
    /// shell where it needs it (project paths with spaces, say). Every "try:" and "next:" line uses it.
    static func line(_ words: String...) -> String { line(words) }

    static func line(_ words: [String]) -> String {
        ([command] + words).map(shellWord).joined(separator: " ")
    }

    /// `word` as one word for a POSIX shell: as it is when it needs no quoting, else in single quotes.
    static func shellWord(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { CharacterSet(charactersIn: "+-./:=@_,%").contains($0) || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
