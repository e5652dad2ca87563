import DuetCore
import DuetPostgres
import DuetStoreAPI
import Foundation
import ProcessSpawn
import PostgresNIO

/// `duet-bench pgimport N` (default 10^5): N generated text rows imported into PostgreSQL through Duet's
/// import session (COPY of the new rows, batches of 5,000, one transaction), against `psql \copy` of the
/// same rows as CSV into the same `items` table (same indexes) in a database of its own: seconds, rows/s
/// and the ratio (the issue's target: ≤ 2 at 10^6).
///
/// The server: DUET_BENCH_POSTGRES_URL, else DUET_TEST_POSTGRES_URL (with DUET_TEST_POSTGRES_PASSWORD), as
/// `scripts/pg-throwaway.sh run -- swift run -c release duet-bench pgimport` sets them. The role must be
/// allowed to create databases; both are dropped at the end. Building the batches and writing the CSV file
/// are not timed (both sides start from rows in memory or on disk).
func runPostgresImportBench(n: Int) async throws {
    guard let server = try benchServer("pgimport") else { return }
    let env = ProcessInfo.processInfo.environment
    let base = server.config
    let passwordEnv = server.passwordEnv
    let names = ["duet_bench_import_\(getpid())", "duet_bench_copy_\(getpid())"]
    try await withBenchDatabases(server, names) { configs in
        // The rows, as the import's reader would hand them over.
        var batches: [ImportBatch] = []
        var batch = ImportBatch(capacity: 5000)
        for i in 1...n {
            batch.append(ImportedRecord(item: Item(uid: "i\(i)", dataset: "bench", kind: .text,
                                                   fields: .text("item \(i): the service was \(["great", "slow", "fine"][i % 3]), said one \"customer\""),
                                                   sourceLine: i)))
            if batch.count == 5000 { batches.append(batch); batch = ImportBatch(capacity: 5000) }
        }
        if !batch.isEmpty { batches.append(batch) }

        let store = try await PostgresStore.open(configs[0], intent: .createOrAttach)
        let start = DispatchTime.now().uptimeNanoseconds
        let counts = try await store.importing(dryRun: false) { session in
            try await session.beginFile(path: "bench.jsonl", format: "jsonl", dataset: "bench")
            for b in batches { try await session.add(b) }
        }
        let duetSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        await store.close()
        guard counts.added == n else { throw PostgresStoreError("the import added \(counts.added) of \(n) rows") }

        // The same rows as CSV, into the same table (same schema and indexes) of a fresh project.
        await (try await PostgresStore.open(configs[1], intent: .createOrAttach)).close()
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-pgimport-\(getpid()).csv")
        defer { try? FileManager.default.removeItem(at: csv) }
        var text = ""
        text.reserveCapacity(n * 120)
        func quoted(_ s: String?) -> String { s.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" } ?? "" }
        for b in batches {
            for row in b.rows {
                text += [quoted(b.string(row.uid)), quoted(b.string(row.dataset)), row.kind.rawValue, quoted(b.string(row.fields)),
                         quoted(b.string(row.gold)), quoted(b.string(row.meta)), row.sourceLine.map { String($0) } ?? "",
                         String(row.contentHash)].joined(separator: ",") + "\n"
            }
        }
        try text.write(to: csv, atomically: false, encoding: .utf8)
        let psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", base.host, "-p", String(base.port), "-U", base.user, "-d", names[1], "-c",
                          "\\copy items (uid, dataset, kind, fields, gold, meta, source_line, content_hash) FROM '\(csv.path)' WITH (FORMAT csv)"]
        var psqlEnv = env
        if let passwordEnv, let password = env[passwordEnv] { psqlEnv["PGPASSWORD"] = password }
        let copyStart = DispatchTime.now().uptimeNanoseconds
        let status = try ProcessSpawn.wait(try ProcessSpawn.spawn(psql, stderr: .descriptor(2), environment: psqlEnv, searchPath: true))
        let copySeconds = Double(DispatchTime.now().uptimeNanoseconds - copyStart) / 1e9
        guard status == 0 else { throw PostgresStoreError("psql \\copy failed (status \(status))") }

        print(String(format: "pgimport %d rows: duet import %.2f s (%.0f rows/s), psql \\copy %.2f s (%.0f rows/s), ratio %.2f",
                     n, duetSeconds, Double(n) / duetSeconds, copySeconds, Double(n) / copySeconds, duetSeconds / copySeconds))
        figure("pgimport duet import / psql copy", duetSeconds / copySeconds, goal: "≤ 2")
    }
}

extension PostgresPool {
    /// Runs one statement the benchmark wrote (database names, no values).
    func execute(_ sql: String) async throws {
        try await withConnection { db -> Void in for try await _ in try await db.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "duet-bench")) {} }
    }
}
