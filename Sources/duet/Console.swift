import ArgumentParser
import DuetProject
import Foundation
import TermUI
import TermUICurses

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

    /// A progress line redrawn in place on a terminal (standard error): `\r`, the text cut to the terminal's
    /// width (a wrapped line would not be redrawn in place), clear to the end.
    static func progress(_ text: String) {
        let width = TerminalSize.of(fd: 2)?.width ?? 80
        emit("\r" + Wrap.truncate(safe(text), width: max(1, width - 1)) + "\u{1B}[K", to: 2)
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

/// A long command's progress on standard error, by `ProgressPrinter`'s one rule (redrawn in place on a
/// terminal after the first second, a summary line elsewhere). With a `resumeHint`, Ctrl-C says where the
/// run was and how to resume, then exits 130; without one, Ctrl-C keeps its default (an export's temp file
/// is removed by its own handler).
final class ProgressMeter: @unchecked Sendable {
    private let printer: ProgressPrinter
    private var interrupt: DispatchSourceSignal?

    init(tty: Bool = Console.stderrIsTerminal, resumeHint: String? = nil) {
        printer = ProgressPrinter(tty: tty) { out in
            switch out {
            case .redraw(let text): Console.progress(text)
            case .line(let text): Console.note(text)
            case .end: Console.endProgress()
            }
        }
        guard let resumeHint else { return }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { Foundation.exit(130) }
            let p = self.printer.interrupt()
            Console.note("interrupted at \(p?.position ?? "the start"); \(resumeHint)")
            Foundation.exit(130)
        }
        source.resume()
        interrupt = source
    }

    func show(_ p: any ProgressReport) { printer.show(p) }

    /// Ends the line (and gives Ctrl-C back its default). `summary`: false when the command prints its own.
    func finish(summary: Bool = true) {
        if let interrupt {
            interrupt.cancel()
            self.interrupt = nil
            signal(SIGINT, SIG_DFL)
        }
        printer.finish(summary: summary)
    }
}
