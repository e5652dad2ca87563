import ArgumentParser
import DuetProject
import Foundation
import TermUI

/// Everything a command prints goes through here: one rule for every line.
///
/// Text from datasets, file names, duet.toml, arguments and servers is untrusted. Every human-readable
/// line is passed through `TerminalText.sanitize` (the TUI's own sanitizer), so no ESC, C0/C1 or bidi
/// control reaches the terminal raw; newlines and tabs are kept. JSON output escapes the same
/// characters as `\uXXXX` (the data is unchanged, only spelled differently). The only escapes Duet
/// writes itself are the progress line's and the chart's colours (SGR), composed here around text
/// that was made safe first. Data files written to standard output by `duet export` are not text for
/// people and stay byte-exact (they go through the export writer, not through here).
///
/// `ConsoleRuleTests` (EndToEndTests) fails when any source file outside this one writes to
/// standard output or standard error directly.
enum Console {
    /// A human-readable line (or lines) to standard output.
    static func out(_ text: String = "") {
        emit(safe(text) + "\n", to: 1)
    }

    /// A human-readable line to standard error: notes, summaries beside data, errors.
    static func note(_ text: String) {
        emit(safe(text) + "\n", to: 2)
    }

    /// A progress line redrawn in place on a terminal (standard error): `\r`, the text, clear to the end.
    static func progress(_ text: String) {
        emit("\r" + safe(text) + "\u{1B}[K", to: 2)
    }

    /// Ends a progress line drawn with `progress`.
    static func endProgress() {
        emit("\n", to: 2)
    }

    /// JSON to standard output, with every control, C1 and bidi character escaped as `\uXXXX`.
    static func json(_ data: Data) {
        emit(escapeJSON(String(decoding: data, as: UTF8.self)) + "\n", to: 1)
    }

    /// Encodes `value` as pretty, key-sorted JSON and prints it with `json(_:)`.
    static func json<T: Encodable>(encoding value: T) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        json(try enc.encode(value))
    }

    /// A canvas (a chart) as lines: its cells were sanitized when they were put; `colors` adds SGR.
    static func canvas(_ canvas: Canvas, colors: Bool) {
        for line in colors ? canvas.ansiLines : canvas.lines { emit(line + "\n", to: 1) }
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }

    /// The one place a failed command is reported: ArgumentParser's message (help, usage, the error's
    /// description) made safe, to stdout for help and version, stderr otherwise, then the exit code.
    static func exit(with error: Error) -> Never {
        let message = Duet.fullMessage(for: error)
        let code = Duet.exitCode(for: error)
        if !message.isEmpty { emit(safe(message) + "\n", to: code == .success ? 1 : 2) }
        Foundation.exit(code.rawValue)
    }

    /// The sanitizer for text a person reads: the TUI's, keeping newlines and tabs.
    static func safe(_ text: String) -> String {
        TerminalText.sanitize(text, keepNewlines: true, keepTabs: true)
    }

    /// JSON text with unsafe characters (only possible inside strings: JSON's own syntax is ASCII)
    /// written as `\uXXXX` escapes. Characters above U+FFFF are never unsafe, so no surrogate pairs.
    static func escapeJSON(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { TerminalText.isUnsafe($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if TerminalText.isUnsafe(scalar) {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func emit(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }  // a closed pipe or a full disk: nothing more to say, never a crash
            offset += n
        }
    }
}

/// A progress line for a long command: redrawn in place at most 5 times a second on a terminal, one
/// line a minute otherwise; on Ctrl-C it says where the run was and how to resume, then exits 130.
final class ProgressMeter: @unchecked Sendable {
    private let lock = NSLock()
    private let tty: Bool
    private var shownAt: Date?
    private var last: RunProgress?
    private var drew = false
    private var interrupt: DispatchSourceSignal?

    init(tty: Bool = Console.stderrIsTerminal, resumeHint: String) {
        self.tty = tty
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { Foundation.exit(130) }
            let p = self.lock.withLock { self.last }
            if self.tty { Console.endProgress() }
            let answered = p?.usage.map { "\($0.responses + $0.cacheHits) answers are cached" } ?? "nothing is lost"
            Console.note("interrupted at \(p.map { "\($0.itemsDone)/\($0.itemsTotal) items" } ?? "the start"): \(answered); \(resumeHint)")
            Foundation.exit(130)
        }
        source.resume()
        interrupt = source
    }

    func show(_ p: RunProgress) {
        let now = Date()
        let due: Bool = lock.withLock {
            last = p
            guard let at = shownAt else { shownAt = now; return true }
            if now.timeIntervalSince(at) >= (tty ? 0.2 : 60) { shownAt = now; return true }
            return false
        }
        guard due else { return }
        if tty { Console.progress(p.line); lock.withLock { drew = true } } else { Console.note(p.line) }
    }

    /// Ends the line (and gives Ctrl-C back its default).
    func finish() {
        interrupt?.cancel()
        interrupt = nil
        signal(SIGINT, SIG_DFL)
        let ended: Bool = lock.withLock { defer { drew = false }; return drew }
        if ended { Console.endProgress() }
    }
}
