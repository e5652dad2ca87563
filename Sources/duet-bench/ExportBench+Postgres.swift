import DuetCore
import DuetPostgres
import DuetProject
import Foundation
import PostgresNIO

/// `duet-bench pgexport N` (default 10^6): `duet export` of N decisions from a project on PostgreSQL: a
/// project made with `duet init --store` in a database of its own (dropped after), N items imported, and one
/// machine decision per item written straight into the log with SQL and analyzed (the export reads the log;
/// routing N items is `duet-bench route`'s business). Then the export as JSONL in this process (seconds, items/s) and,
/// when the `duet` binary is next to this one, `duet export` as a process of its own: seconds and peak RSS
/// (goal ≤ 100 MB).
func runPostgresExportBench(n: Int) async throws {
    guard let server = try benchServer("pgexport") else { return }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-pgexport-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try await withBenchDatabases(server, ["duet_bench_export_\(getpid())"]) { configs in
        try await exportFromPostgres(n: n, dir: dir, store: StoreSettings(url: configs[0].url, passwordEnv: server.passwordEnv))
    }
}

private func exportFromPostgres(n: Int, dir: URL, store settings: StoreSettings) async throws {
    let (project, _) = try await Project.create(at: dir, template: .classify, example: true, store: settings)
    let task = try project.task(nil)
    let data = dir.appendingPathComponent("items.jsonl")
    _ = try writeLines(to: data, count: n) { i in "{\"id\":\"i\(i)\",\"text\":\"item \(i): the service was \(["great", "slow", "fine"][i % 3]) 😀\"}" }
    let (_, importSeconds) = try await timeAsync {
        try await ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "items"), into: project.store)
    }
    try? FileManager.default.removeItem(at: data)
    guard let pg = project.store as? PostgresStore else { throw DuetError("pgexport: the project is not on PostgreSQL") }
    let labels = JSONValue.array(task.labels.map { .string($0) }).canonicalJSON
    try await pg.pool.withConnection { db in
        for try await _ in try await db.query("""
            INSERT INTO annotations (item_id, task_id, annotator_kind, annotator, value, confidence, status, created_at)
            SELECT i.id, t.id, 'machine', 'llm:bench', to_json(\(labels)::json ->> (i.id % json_array_length(\(labels)::json))::int)::text,
                   0.9, 'submitted', 1700000000
            FROM items i, tasks t WHERE t.name = \(task.name)
            """, logger: Logger(label: "duet-bench")) {}
        // As autovacuum would in time: without statistics the log's reads plan as for an empty table.
        for try await _ in try await db.query("ANALYZE annotations", logger: Logger(label: "duet-bench")) {}
    }
    let figures = try await timeExports(project: project, task: task, n: n, dir: dir)
    await pg.close()
    print(String(format: "pgexport: %d items imported in %.2f s, one machine decision each", n, importSeconds))
    for (name, s) in figures {
        print(String(format: "pgexport %-6@ %.2f s  (%.0f items/s)", name, s, Double(n) / s))
        figure("pgexport \(name) items/s", Double(n) / s)
    }
    if let run = try runDuet(["export", "--project", dir.path, "--task", task.name, "-o", dir.appendingPathComponent("cli.jsonl").path]) {
        print(String(format: "pgexport: duet export (own process, jsonl) %.2f s (%.0f items/s), peak RSS %.1f MB", run.seconds, Double(n) / run.seconds, run.rssMB))
        figure("pgexport `duet export` process peak RSS MB", run.rssMB, goal: "≤ 100")
    }
    print(String(format: "pgexport: peak RSS of this process %.1f MB", peakRSSMB()))
}
