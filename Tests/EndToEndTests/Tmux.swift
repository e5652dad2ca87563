import Foundation
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// A tmux server of the test's own (its own socket), running one command in
/// a detached session of a fixed size.
final class Tmux {
    let socket = "duet-e2e-\(UUID().uuidString.prefix(8))"
    let session = "duet"

    static var available: Bool { Tmux.which("tmux") != nil }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// The duet binary: $DUET_BIN, else the release build, else the debug build.
    static var duetBinary: String? {
        if let env = ProcessInfo.processInfo.environment["DUET_BIN"], FileManager.default.isExecutableFile(atPath: env) { return env }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for config in ["release", "debug"] {
            let p = root.appendingPathComponent(".build/\(config)/duet").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        try Tmux.run(Tmux.which("tmux")!, ["-L", socket] + args)
    }

    /// Runs a program and returns its output (standard output and error together).
    @discardableResult
    static func run(_ exe: String, _ args: [String]) throws -> String {
        let ran = try capture(exe, args)
        let text = ran.out + ran.err
        guard ran.status == 0 else {
            throw E2EError("\(exe) \(args.joined(separator: " ")) exited \(ran.status): \(text)")
        }
        return text
    }

    /// What a finished process printed, and how it ended.
    struct Ran {
        var status: Int32
        var stdout: Data
        var stderr: Data
        var out: String { String(decoding: stdout, as: UTF8.self) }
        var err: String { String(decoding: stderr, as: UTF8.self) }
        var text: String { String(decoding: stdout + stderr, as: UTF8.self) }
    }

    /// Runs a program (stdin from /dev/null) and returns its exit status and both outputs, read while it
    /// runs (a full pipe would block it). `environment` replaces the test's own when given.
    static func capture(_ exe: String, _ args: [String], cwd: URL? = nil, environment: [String: String]? = nil) throws -> Ran {
        let out = try ProcessSpawn.pipe(), err = try ProcessSpawn.pipe()
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn([exe] + args, stdout: .descriptor(out.write), stderr: .descriptor(err.write),
                                         environment: environment, directory: cwd?.path)
        } catch {
            for fd in [out.read, out.write, err.read, err.write] { close(fd) }
            throw error
        }
        close(out.write)
        close(err.write)
        let outHandle = FileHandle(fileDescriptor: out.read, closeOnDealloc: true)
        let errHandle = FileHandle(fileDescriptor: err.read, closeOnDealloc: true)
        nonisolated(unsafe) var errData = Data()
        let reader = Thread { errData = errHandle.readDataToEndOfFile() }
        reader.start()
        let outData = outHandle.readDataToEndOfFile()
        let status = try ProcessSpawn.wait(pid)
        while !reader.isFinished { usleep(1000) }
        return Ran(status: status, stdout: outData, stderr: errData)
    }

    /// Starts `command` (a shell line) in a 120×40 session with TERM set.
    func start(_ command: String, width: Int = 120, height: Int = 40) throws {
        let status = Tmux.spawnAndWait([Tmux.which("tmux")!, "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "\(width)",
                                        "-y", "\(height)", "-s", session, "env", "TERM=xterm-256color", "LANG=C.UTF-8", "sh", "-c", command])
        guard status == 0 else { throw E2EError("tmux new-session failed (status \(status))") }
    }

    /// Starts `command` like `start`, with everything the pane is sent appended to `record` from its first
    /// byte: the command waits on a tmux channel until the pane's output is piped to the file.
    func startRecorded(_ command: String, to record: URL, width: Int = 120, height: Int = 40) throws {
        let tmuxPath = Tmux.which("tmux")!
        try start("'\(tmuxPath)' -L \(socket) wait-for go-\(socket); \(command)", width: width, height: height)
        try tmux(["pipe-pane", "-t", session, "cat >> '\(record.path)'"])
        try tmux(["wait-for", "-S", "go-\(socket)"])  // remembered if the pane is not waiting yet
    }

    /// The lines a recorded terminal showed one after another: escape sequences removed, split at line feeds
    /// and carriage returns (a progress line redrawn in place is one line per redraw), blanks and repeats dropped.
    static func redrawnLines(_ record: Data) -> [String] {
        let text = String(decoding: record, as: UTF8.self)
            .replacingOccurrences(of: #"\x1B\[[0-9;?]*[ -/]*[@-~]"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"\x1B[^\[]"#, with: "", options: .regularExpression)
        var lines: [String] = []
        for piece in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            let line = String(piece).trimmingCharacters(in: .whitespaces)
            if !line.isEmpty && lines.last != line { lines.append(line) }
        }
        return lines
    }

    func send(_ keys: String...) throws {
        for k in keys { try tmux(["send-keys", "-t", session, k]) }
    }

    func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-t", session])
    }

    /// Waits until the screen shows `text`; throws with the screen after `seconds`.
    @discardableResult
    func waitFor(_ text: String, seconds: Double = 20) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = (try? screen()) ?? ""
            if last.contains(text) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw E2EError("timed out waiting for \"\(text)\"; the screen was:\n\(last)")
    }

    /// Waits for `text`, then until two captures 50 ms apart are the same: curses draws a frame row by
    /// row, and a capture can fall between the header's new row and the panes' old ones.
    @discardableResult
    func waitForSettled(_ text: String, seconds: Double = 20) throws -> String {
        var last = try waitFor(text, seconds: seconds)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            let now = try screen()
            if now == last && now.contains(text) { return now }
            last = now
        }
        return last
    }

    /// Whether the program in the pane asked for mouse reports, as tmux knows it: "11" (clicks, SGR encoding) or "00".
    func mouseReporting() throws -> String {
        try tmux(["display-message", "-p", "-t", session, "#{mouse_standard_flag}#{mouse_sgr_flag}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func kill() {
        _ = try? tmux(["kill-server"])
    }
}

extension Tmux {
    /// `duet export` of a task into `dir`/`name`, read back as JSON objects (one per line).
    static func exportRows(_ duet: String, project dir: URL, task: String, _ options: [String], name: String) throws -> [[String: Any]] {
        let out = dir.appendingPathComponent(name).path
        try run(duet, ["export", "--project", dir.path, "--task", task] + options + ["-o", out])
        return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map {
            guard let row = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else { throw E2EError("not an object: \($0)") }
            return row
        }
    }
}

struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension Tmux {
    /// `spawn`, waited for. Foundation's Process keeps a descriptor the forked
    /// tmux server would inherit, and `waitUntilExit` then waits for the server to end.
    static func spawnAndWait(_ args: [String]) -> Int32 {
        guard let pid = spawn(args) else { return -1 }
        return (try? ProcessSpawn.wait(pid)) ?? -1
    }

    /// Starts `args` as a shell would (ProcessSpawn: only stdio, on /dev/null, open; no signal blocked and every
    /// signal at its default: the test process's threads block signals, and a tmux server with SIGCHLD/SIGHUP
    /// blocked never exits). Nil if it did not start.
    static func spawn(_ args: [String]) -> pid_t? {
        guard let pid = try? ProcessSpawn.spawn(args, searchPath: true) else { return nil }
        return pid
    }
}
