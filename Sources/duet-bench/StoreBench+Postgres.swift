import DuetPostgres
import Foundation

/// The PostgreSQL half of `duet-bench store`: a database of its own on the server `DUET_BENCH_POSTGRES_URL`
/// or `DUET_TEST_POSTGRES_URL` names (password in `DUET_TEST_POSTGRES_PASSWORD`), dropped after. The
/// import against `psql \copy` is `duet-bench pgimport`.
func benchPostgres(n: Int, dir: URL) async throws {
    let env = ProcessInfo.processInfo.environment
    guard let url = env["DUET_BENCH_POSTGRES_URL"] ?? env["DUET_TEST_POSTGRES_URL"], !url.isEmpty else {
        print("store benchmark: DUET_TEST_POSTGRES_URL not set, PostgreSQL skipped (scripts/pg-throwaway.sh run -- … sets it)")
        return
    }
    let passwordEnv = env["DUET_TEST_POSTGRES_PASSWORD"] != nil ? "DUET_TEST_POSTGRES_PASSWORD" : nil
    var config = try PostgresConfig(url: url, passwordEnv: passwordEnv)
    let admin = try await PostgresPool.open(config, maximumConnections: 1)
    let name = "duet_bench_store_\(getpid())"
    try await admin.execute("CREATE DATABASE \(name)")
    config.database = name
    do {
        // One connection per labeler and one to spare.
        let store = try await PostgresStore.open(config, intent: .createOrAttach, maximumConnections: 9)
        do {
            try await benchStore(store, name: "postgres", n: n)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    } catch {
        try? await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.close()
        throw error
    }
    try? await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    await admin.close()
}
