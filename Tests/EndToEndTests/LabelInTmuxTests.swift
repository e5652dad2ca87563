import DuetCore
import DuetStore
import Foundation
import Testing

/// A temporary project with the sample sentiment texts, made with the binary itself.
func sampleProject() throws -> (duet: String, dir: URL) {
    let duet = try #require(Tmux.duetBinary)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-e2e-\(UUID().uuidString)")
    try Tmux.run(duet, ["init", dir.path, "--example"])
    try Tmux.run(duet, ["import", Tmux.repoRoot.appendingPathComponent("sample-data/sentiment.jsonl").path, "--project", dir.path])
    return (duet, dir)
}

/// The real binary in tmux, driven with keystrokes; the store checked after.
@Suite(.serialized, .enabled(if: Tmux.available && Tmux.duetBinary != nil, "needs tmux and a built duet binary"))
struct LabelInTmuxTests {
    @Test func labelFiveUndoOneQuit() throws {
        let (duet, dir) = try sampleProject()
        defer { try? FileManager.default.removeItem(at: dir) }

        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("'\(duet)' label --task sentiment --as e2e --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30")
        try tmux.waitFor("sentiment · classify · 0/200")
        // Five decisions: negative, neutral, positive, negative, neutral.
        for (i, key) in ["1", "2", "3", "1", "2"].enumerated() {
            try tmux.send(key)
            try tmux.waitFor("sentiment · classify · \(i + 1)/200")
        }
        try tmux.send("u")
        try tmux.waitFor("Undone: the item is back")
        let screen = try tmux.waitFor("sentiment · classify · 4/200")
        #expect(screen.contains("item s005"))
        try tmux.send("q")
        // After the terminal is restored: what the session saved and what to run next.
        let after = try tmux.waitFor("DUET-EXIT=0")
        #expect(after.contains("saved 4 · 196 left in sentiment · next: "), "\(after)")
        #expect(after.replacingOccurrences(of: "\n", with: "").contains("export --project"))

        let store = try SQLiteStore.open(path: dir.appendingPathComponent("duet.sqlite").path)
        let task = TaskSpec(name: "sentiment", kind: .classify, labels: ["negative", "neutral", "positive"])
        let items = try store.items(for: task, afterRowID: 0, limit: 10)
        let logs = try store.annotations(itemRowIDs: items.map(\.rowID), task: "sentiment")
        var decided: [String: JSONValue] = [:]
        for item in items {
            for a in Decisions.current(logs[item.rowID] ?? []) where a.entry.annotator == "e2e" && a.entry.status == .submitted {
                decided[item.item.uid] = a.entry.value
            }
        }
        #expect(decided == ["s001": "negative", "s002": "neutral", "s003": "positive", "s004": "negative"])
        let progress = try store.taskProgress(TaskSpec(name: "sentiment", kind: .classify, labels: ["negative", "neutral", "positive"], dataset: "sentiment"))
        #expect(progress.human == 4)
        #expect(progress.humanSeconds > 0)
    }

    @Test func resizeAndTooSmall() throws {
        let (duet, dir) = try sampleProject()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("'\(duet)' label --as e2e --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30")
        try tmux.waitFor("sentiment · classify · 0/200")
        try tmux.tmux(["resize-window", "-t", tmux.session, "-x", "30", "-y", "10"])
        try tmux.waitFor("Terminal too small")
        try tmux.tmux(["resize-window", "-t", tmux.session, "-x", "80", "-y", "24"])
        let screen = try tmux.waitFor("sentiment · classify · 0/200")
        // The layout follows the new width: the header's right edge is at column 80.
        let header = screen.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasSuffix("e2e"))
        try tmux.send("q")
        try tmux.waitFor("DUET-EXIT=0")
    }
}

/// Signals while the screen is up: the terminal must come back (alternate
/// screen off) and the process exit with 128 + signal.
@Suite(.serialized, .enabled(if: Tmux.available && Tmux.duetBinary != nil, "needs tmux and a built duet binary"))
struct SignalTests {
    func startLabeling(_ tmux: Tmux, environment: String = "") throws -> URL {
        let (duet, dir) = try sampleProject()
        // An interactive shell survives ctrl-c; the `sh -c` wrapper needs a trap
        // (a handler, not "ignore", which duet would inherit).
        try tmux.start("trap 'true' INT; ulimit -c 0; \(environment)'\(duet)' label --as e2e --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30")
        try tmux.waitFor("sentiment · classify · 0/200")
        #expect(try tmux.tmux(["display-message", "-p", "-t", tmux.session, "#{alternate_on}"]).hasPrefix("1"))
        return dir
    }

    @Test func sigtermRestoresTheTerminal() throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let dir = try startLabeling(tmux)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The pane runs sh; duet is its child.
        let shell = try tmux.tmux(["display-message", "-p", "-t", tmux.session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let duetPID = try Tmux.run("/usr/bin/pgrep", ["-P", shell]).split(separator: "\n").first.map(String.init) ?? ""
        #expect(try tmux.mouseReporting() == "11")
        try Tmux.run("/bin/kill", ["-TERM", duetPID])
        try tmux.waitFor("DUET-EXIT=143")
        #expect(try tmux.tmux(["display-message", "-p", "-t", tmux.session, "#{alternate_on}"]).hasPrefix("0"))
        // Mouse reporting is off again: clicks in the shell do not type escape sequences.
        #expect(try tmux.mouseReporting() == "00")
    }

    /// A crash (a Swift trap is SIGILL here, abort() SIGABRT, a bad pointer SIGSEGV): the terminal comes
    /// back first, then the process dies of the signal (128 + signal), not of an exit.
    @Test(arguments: [("ILL", 4), ("ABRT", 6), ("SEGV", 11)])
    func crashSignalsRestoreTheTerminal(signal: String, number: Int) throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        // Swift's backtracer (which the handler hands the crash on to) would wait for a key on a terminal.
        let dir = try startLabeling(tmux, environment: "SWIFT_BACKTRACE=interactive=no ")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shell = try tmux.tmux(["display-message", "-p", "-t", tmux.session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let duetPID = try Tmux.run("/usr/bin/pgrep", ["-P", shell]).split(separator: "\n").first.map(String.init) ?? ""
        #expect(try tmux.mouseReporting() == "11")
        try Tmux.run("/bin/kill", ["-\(signal)", duetPID])
        let screen = try tmux.waitFor("DUET-EXIT=\(128 + number)")
        #expect(try tmux.mouseReporting() == "00")
        // The backtrace, when there is one, is on the restored screen.
        if screen.contains("Program crashed") { #expect(screen.contains("Thread 0")) }
        #expect(try tmux.tmux(["display-message", "-p", "-t", tmux.session, "#{alternate_on}"]).hasPrefix("0"))
    }

    @Test func ctrlCQuitsCleanly() throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let dir = try startLabeling(tmux)
        defer { try? FileManager.default.removeItem(at: dir) }
        try tmux.send("1")
        try tmux.waitFor("sentiment · classify · 1/200")
        try tmux.send("C-c")
        let screen = try tmux.waitFor("DUET-EXIT=")
        // SIGINT (130) from cbreak mode, or a clean quit (0) when ctrl-c arrives as a key.
        #expect(screen.contains("DUET-EXIT=130") || screen.contains("DUET-EXIT=0"))
        #expect(try tmux.tmux(["display-message", "-p", "-t", tmux.session, "#{alternate_on}"]).hasPrefix("0"))
        // The decision made before ctrl-c is in the store.
        let out = try Tmux.run("/usr/bin/sqlite3", [dir.appendingPathComponent("duet.sqlite").path,
                                                    "select count(*) from decisions where status = 'submitted'"])
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }
}
