import DuetCore
import DuetPostgres
import DuetProject
import Foundation

/// `duet-bench pgroute N` (default 10^5): the routing writes of a project on PostgreSQL (`applyRouting`),
/// the router's work left out. N items imported, then a first routing (7 in 10 kept by the machine, a decision
/// each) and a re-route (every score changed, the machine keeping 4 in 10: most of its decisions revoked, a
/// few labels changed), each entry with its votes; wall time of each. Then `duet export` of the final
/// decisions in this process, which reads the log the routings wrote (planner statistics matter there).
func runPostgresRouteBench(n: Int) async throws {
    guard let server = try benchServer("pgroute") else { return }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-pgroute-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try await withBenchDatabases(server, ["duet_bench_route_\(getpid())"]) { configs in
        let (project, _) = try await Project.create(at: dir, template: .classify, example: true,
                                                    store: StoreSettings(url: configs[0].url, passwordEnv: server.passwordEnv))
        let task = try project.task(nil)
        let data = dir.appendingPathComponent("items.jsonl")
        _ = try writeLines(to: data, count: n) { i in "{\"id\":\"i\(i)\",\"text\":\"item \(i): the service was \(["great", "slow", "fine"][i % 3])\"}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "items"), into: project.store)
        try? FileManager.default.removeItem(at: data)
        guard let pg = project.store as? PostgresStore else { throw DuetError("pgroute: the project is not on PostgreSQL") }
        let ids = try await pg.itemRowIDs(for: task)
        let labels = task.labels
        func entries(_ pass: Int) -> [RouteEntry] {
            ids.enumerated().map { i, id in
                let keep = pass == 0 ? i % 10 < 7 : i % 10 < 4
                let label = labels[(i + (pass == 1 && i % 5 == 0 ? 1 : 0)) % labels.count]
                let votes = [MachineVote(annotator: "bench", variant: "v0", label: label, confidence: 0.9),
                             MachineVote(annotator: "bench", variant: "v1", label: labels[i % labels.count], confidence: 0.7)]
                return RouteEntry(itemRowID: id, route: keep ? .machine : (i % 10 == 9 ? .audit : .human),
                                  score: Double((i * 7 + pass) % 1000) / 1000, machineLabel: label, annotator: "bench",
                                  votes: votes, entropy: 0.5, confidence: 0.8)
            }
        }
        for (pass, name) in ["first routing", "re-route"].enumerated() {
            let batch = entries(pass)
            let (_, seconds) = try await timeAsync { try await pg.applyRouting(batch, task: task.name, at: Date()) }
            print(String(format: "pgroute: %@ of %d items %.2f s (%.0f items/s)", name, n, seconds, Double(n) / seconds))
            figure("pgroute \(name) s", seconds)
        }
        let path = dir.appendingPathComponent("out.jsonl").path
        let (report, seconds) = try await timeAsync {
            try await ExportWorkflow.run(ExportRequest(task: task.name, format: .jsonl, scope: .final, output: path), project: project)
        }
        print(String(format: "pgroute: export of the %d final decisions after the routings %.2f s (%.0f items/s)",
                     report.written, seconds, Double(report.written) / seconds))
        figure("pgroute export after routing items/s", Double(report.written) / seconds)
        await pg.close()
    }
}
