import Foundation

/// Breadcrumbs of the tests that once hung a loaded run (fuzzImport, aMigratorWaitsForTheLock, the outage tests):
/// each step appended, with the time, to the file DUET_TEST_TRACE names (scripts/test-watchdog.sh sets it and
/// prints the file when a run's output stalls; unset, nothing is written). A file, not stdout: the test process's
/// stdout is buffered and lost when the run is stopped.
///
/// The first note also starts a heartbeat: every 15 s a thread of its own notes `heartbeat thread` and asks the
/// three places work runs to note themselves: Dispatch's global queue (`heartbeat dispatch`), the concurrency
/// runtime's pool (`heartbeat task`, a new task) and its timers (`heartbeat sleep`, one task sleeping in a loop).
/// In a stalled run, the last time of each tells which of them stopped.
public enum TestTrace {
    static let path = ProcessInfo.processInfo.environment["DUET_TEST_TRACE"]

    public static func note(_ what: @autoclosure () -> String, file: String = #fileID, line: Int = #line) {
        guard path != nil else { return }
        _ = heartbeat
        write("\(file):\(line) \(what())")
    }

    private static func write(_ text: String) {
        guard let path else { return }
        let line = "\(Date().timeIntervalSince1970) \(text)\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = line.withCString { Foundation.write(fd, $0, strlen($0)) }
        close(fd)
    }

    private static let heartbeat: Void = {
        let thread = Thread {
            while true {
                write("heartbeat thread")
                DispatchQueue.global().async { write("heartbeat dispatch") }
                Task.detached { write("heartbeat task") }
                Thread.sleep(forTimeInterval: 15)
            }
        }
        thread.name = "duet-test-heartbeat"
        thread.start()
        Task.detached {
            while true {
                write("heartbeat sleep")
                try? await Task.sleep(for: .seconds(15))
            }
        }
    }()
}
