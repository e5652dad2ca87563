import Foundation
import TestTrace
import Testing
@testable import DuetPostgres

/// A PostgreSQL cluster of a test's own (scripts/pg-throwaway.sh start), for tests that kill and restart the
/// server: the shared test server must stay up for the other suites. Needs PostgreSQL's server binaries
/// (Debian: the postgresql package); without them the tests are skipped, unless CI=true (CI installs them).
final class PrivateCluster: @unchecked Sendable {
    static let script = ChildProcess.repoRoot.appendingPathComponent("scripts/pg-throwaway.sh").path
    /// The environment variable the cluster's password is given to the store in (the store's environment
    /// only: the test process's own may name the shared server's).
    static let passwordEnv = "DUET_PRIVATE_PG_PASSWORD"

    /// The server binaries the script looks for are there (or CI=true, where they must be).
    static let possible: Bool = {
        if ProcessInfo.processInfo.environment["CI"] == "true" { return true }
        let fm = FileManager.default
        let debian = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).contains { version in
            fm.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/initdb")
                && fm.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/pg_ctl")
        }
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains { dir in
            fm.isExecutableFile(atPath: "\(dir)/initdb") && fm.isExecutableFile(atPath: "\(dir)/pg_ctl")
        }
        return debian || onPath
    }()
    static let skipped: Comment = "PostgreSQL's server binaries (initdb, pg_ctl) are not installed: the server restart test is skipped"

    let dir: String
    let config: PostgresConfig
    let environment: [String: String]

    private init(dir: String, config: PostgresConfig, environment: [String: String]) {
        self.dir = dir
        self.config = config
        self.environment = environment
    }

    /// Makes and starts a cluster; `stop()` removes it.
    static func start() async throws -> PrivateCluster {
        let exports = try await ChildProcess.run("/bin/bash", [script, "start"], deadline: 300)
        var values: [String: String] = [:]
        for line in exports.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { values[pair[0]] = pair[1] }
        }
        guard let dir = values["PG_THROWAWAY_DIR"], let url = values["DUET_TEST_POSTGRES_URL"],
              let password = values["DUET_TEST_POSTGRES_PASSWORD"]
        else { throw ChildError("pg-throwaway.sh start printed no cluster: \(exports)") }
        return PrivateCluster(dir: dir, config: try PostgresConfig(url: url, passwordEnv: passwordEnv),
                              environment: [passwordEnv: password])
    }

    /// Stops the server at once, as a crash would (`pg_ctl -m immediate`, as the cluster's owner).
    func kill() async throws { try await ChildProcess.run("/bin/bash", [Self.script, "kill", dir], deadline: 300) }

    /// Starts the server again on the same port.
    func restart() async throws { try await ChildProcess.run("/bin/bash", [Self.script, "restart", dir], deadline: 300) }

    /// Runs `body` with a cluster of its own, stopped and removed afterwards whatever `body` does (awaited, not
    /// from a `defer`, which would block a thread of the test's executor for the seconds pg_ctl takes).
    static func with<R: Sendable>(_ body: (PrivateCluster) async throws -> R) async throws -> R {
        let cluster = try await start()
        let result: Result<R, any Error>
        do { result = .success(try await body(cluster)) } catch { result = .failure(error) }
        TestTrace.note("cluster: stopping \(cluster.dir)")
        do {
            try await ChildProcess.run("/bin/bash", [script, "stop", cluster.dir], deadline: 300)
        } catch {
            Issue.record("could not remove the cluster in \(cluster.dir): \(error)")
        }
        TestTrace.note("cluster: stopped \(cluster.dir)")
        return try result.get()
    }

    /// `kill`, blocking: for a thread that is not the cooperative pool's (a terminal backend's script).
    func killNow() throws { try waitFor("kill") }

    /// `restart`, blocking.
    func restartNow() throws { try waitFor("restart") }

    /// Runs the script's `command` on this cluster and waits for it (up to five minutes), blocking the thread.
    private func waitFor(_ command: String) throws {
        let child = try ChildProcess("/bin/bash", [Self.script, command, dir])
        for _ in 0..<6_000 where child.ended() == nil { usleep(50_000) }
        guard let status = child.ended() else {
            child.kill()
            throw ChildError("pg-throwaway.sh \(command) did not end within five minutes")
        }
        guard status == 0 else { throw ChildError("pg-throwaway.sh \(command) exited with status \(status)") }
    }
}
