import DuetPostgres
import Foundation

/// The PostgreSQL half of `duet-bench store`: a database of its own on the server `DUET_BENCH_POSTGRES_URL`
/// or `DUET_TEST_POSTGRES_URL` names (password in `DUET_TEST_POSTGRES_PASSWORD`), dropped after. The
/// import against `psql \copy` is `duet-bench pgimport`.
func benchPostgres(n: Int, dir: URL) async throws {
    guard let server = try benchServer("store benchmark") else { return }
    try await withBenchDatabases(server, ["duet_bench_store_\(getpid())"]) { configs in
        // One connection per labeler and one to spare.
        let store = try await PostgresStore.open(configs[0], intent: .createOrAttach, maximumConnections: 9)
        do {
            try await benchStore(store, name: "postgres", n: n)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}

/// The server of the PostgreSQL benchmarks (`DUET_BENCH_POSTGRES_URL`, else `DUET_TEST_POSTGRES_URL`, the
/// password in `DUET_TEST_POSTGRES_PASSWORD`, as `scripts/pg-throwaway.sh run --` sets them) and the name of
/// the password's variable; nil, with a line saying so, when none is set.
func benchServer(_ bench: String) throws -> (config: PostgresConfig, passwordEnv: String?)? {
    let env = ProcessInfo.processInfo.environment
    guard let url = env["DUET_BENCH_POSTGRES_URL"] ?? env["DUET_TEST_POSTGRES_URL"], !url.isEmpty else {
        print("\(bench): DUET_TEST_POSTGRES_URL not set, PostgreSQL skipped (scripts/pg-throwaway.sh run -- … sets it)")
        return nil
    }
    let passwordEnv = env["DUET_TEST_POSTGRES_PASSWORD"] != nil ? "DUET_TEST_POSTGRES_PASSWORD" : nil
    return (try PostgresConfig(url: url, passwordEnv: passwordEnv), passwordEnv)
}

/// Runs `body` with databases of their own on `server` (made empty, their configurations in `names`' order),
/// dropped afterwards whatever `body` does. The role must be allowed to create databases.
func withBenchDatabases(_ server: (config: PostgresConfig, passwordEnv: String?), _ names: [String],
                        _ body: ([PostgresConfig]) async throws -> Void) async throws {
    let admin = try await PostgresPool.open(server.config, maximumConnections: 1)
    var result: Result<Void, any Error> = .success(())
    do {
        for name in names { try await admin.execute("CREATE DATABASE \(name)") }
        result = .success(try await body(names.map { var c = server.config; c.database = $0; return c }))
    } catch {
        result = .failure(error)
    }
    // WITH (FORCE) ends sessions left behind, but a role that is not a superuser may not end an autovacuum
    // worker (PostgreSQL 15: 42501); a plain DROP ends those itself.
    for name in names {
        do { try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") } catch {
            try? await admin.execute("DROP DATABASE IF EXISTS \(name)")
        }
    }
    await admin.close()
    try result.get()
}
