import Foundation
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// A program the PostgreSQL tests run as a process of its own (`duet`, `duet-labeler`, scripts), its standard
/// output and error in files (so a chatty child never blocks on a full pipe), waited for without a timed
/// assertion: `wait` gives up only after a generous deadline and then kills it. `kill()` is safe to call
/// twice (the tests call it in `defer`). Started by ProcessSpawn and reaped with waitpid on its own pid:
/// Foundation's Process in a test runner left its children zombies and waited forever.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?
    private let outURL: URL
    private let errURL: URL

    init(_ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        name = ([URL(fileURLWithPath: executable).lastPathComponent] + arguments).joined(separator: " ")
        let dir = FileManager.default.temporaryDirectory
        let id = UUID().uuidString
        outURL = dir.appendingPathComponent("duet-child-\(id).out")
        errURL = dir.appendingPathComponent("duet-child-\(id).err")
        // Started as a shell starts a program (ProcessSpawn): a server it starts (pg_ctl's) must not hold another
        // test's pipes open for as long as it lives.
        let child: pid_t
        do {
            child = try ProcessSpawn.spawn([executable] + arguments, stdout: .file(outURL.path), stderr: .file(errURL.path),
                                           environment: environment)
        } catch {
            throw ChildError("could not start \(name): \(error)")
        }
        pid = child
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }

    /// The exit status once the process has ended (reaped here); nil while it runs.
    func ended() -> Int32? {
        lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            let r = waitpid(pid, &raw, WNOHANG)
            if r == pid {
                // Exited: its status; killed by a signal: 128 + the signal, as a shell says.
                status = ProcessSpawn.exitStatus(raw)
            } else if r < 0 {
                status = -1  // not our child any more (reaped elsewhere)
            }
            return status
        }
    }

    /// Ends the process (SIGKILL) if it still runs, and reaps it.
    func kill() {
        guard ended() == nil else { return }
        Glibc.kill(pid, SIGKILL)
        lock.withLock {
            var raw: Int32 = 0
            _ = waitpid(pid, &raw, 0)
            status = 128 + SIGKILL
        }
    }

    struct Ended: Sendable {
        var status: Int32
        var out: String
        var err: String
    }

    /// Waits for the process to end (polling, so the test's other tasks go on); killed after `deadline` seconds.
    func wait(deadline seconds: Double = 900) async throws -> Ended {
        let start = Date()
        while ended() == nil {
            if Date().timeIntervalSince(start) > seconds {
                kill()
                throw ChildError("\(name) did not end within \(Int(seconds)) s: killed")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return Ended(status: ended() ?? -1, out: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                     err: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// Runs a program to its end; its output, or an error with both outputs when it exits non-zero.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                    deadline: Double = 900) async throws -> String {
        let child = try ChildProcess(executable, arguments, environment: environment)
        let ended = try await child.wait(deadline: deadline)
        guard ended.status == 0 else { throw ChildError("\(child.name) exited \(ended.status): \(ended.out)\(ended.err)") }
        return ended.out
    }

    /// A program built with the tests (`duet`, `duet-labeler`): beside the test bundle, else in .build/debug.
    static func built(_ product: String) -> String? {
        var dirs: [URL] = []
        if let runner = ProcessInfo.processInfo.arguments.first {
            dirs.append(URL(fileURLWithPath: runner).deletingLastPathComponent())
        }
        dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        dirs.append(root.appendingPathComponent(".build/debug"))
        return dirs.map { $0.appendingPathComponent(product).path }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The repository's root (for scripts/).
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

struct ChildError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
