import Foundation

/// Breadcrumbs of the tests that once hung a loaded run (fuzzImport, aMigratorWaitsForTheLock, the outage tests): each step
/// appended, with the time, to the file DUET_TEST_TRACE names (scripts/test-watchdog.sh sets it and prints the file
/// when a run's output stalls; unset, nothing is written). A file, not stdout: the test process's stdout is
/// buffered and lost when the run is stopped.
public enum TestTrace {
    static let path = ProcessInfo.processInfo.environment["DUET_TEST_TRACE"]

    public static func note(_ what: @autoclosure () -> String, file: String = #fileID, line: Int = #line) {
        guard let path else { return }
        let text = "\(Date().timeIntervalSince1970) \(file):\(line) \(what())\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}
