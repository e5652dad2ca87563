import DuetCore
import DuetProject
import Foundation
import ProcessSpawn

/// `duet-bench export N`: N items with a machine decision each (one vote per
/// item, routed with a zero budget), then `duet export` of the final
/// decisions as JSONL and CSV: items/s and peak RSS.
///
/// `DUET_BENCH_KEEP=DIR`: the project is made in DIR and kept; a later run
/// with the same DIR exports that project again without making it and without
/// the separate process (e.g. under `valgrind --tool=callgrind`, which then
/// counts the exports alone).
func runExportBench(n requested: Int) async throws {
    var n = requested
    let keep = ProcessInfo.processInfo.environment["DUET_BENCH_KEEP"]
    let dir = keep.map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-export-\(getpid())")
    defer { if keep == nil { try? FileManager.default.removeItem(at: dir) } }
    let reuse = keep != nil && FileManager.default.fileExists(atPath: dir.appendingPathComponent("duet.toml").path)
    let project = reuse ? try await Project.open(at: dir) : try Project.create(at: dir, template: .classify, example: true)
    let task = try project.task(nil)
    var routeSeconds = 0.0
    if reuse {
        n = try await project.store.itemCount()
    } else {
        let data = dir.appendingPathComponent("items.jsonl")
        _ = try writeLines(to: data, count: n) { i in "{\"id\":\"i\(i)\",\"text\":\"item \(i): the service was \(["great", "slow", "fine"][i % 3]) 😀\"}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "items"), into: project.store)
        try? FileManager.default.removeItem(at: data)
        let labels = task.labels
        let votes = (1...Int64(n)).map { ($0, MachineVote(annotator: "llm:bench", variant: "p0", label: labels[Int($0) % labels.count], confidence: 0.9)) }
        try await project.store.saveVotes(votes, task: task.name, at: Date())
        (_, routeSeconds) = try await timeAsync {
            try await RouteWorkflow.run(RouteRequest(annotators: ["llm:bench"], budget: 0, strategy: .entropy, audit: 0), project: project)
        }
    }
    let figures = try await timeExports(project: project, task: task, n: n, dir: dir)
    print("export benchmark: \(n) items, one machine decision each (routed in \(String(format: "%.1f", routeSeconds)) s)")
    for (name, s) in figures {
        print(String(format: "export %-6@ %.2f s  (%.0f items/s; goal ≥ 200,000)", name, s, Double(n) / s))
        figure("export \(name) items/s", Double(n) / s, goal: "≥ 200000")
    }
    // The same export as a person runs it, in a process of its own: its time and peak RSS.
    if !reuse, let run = try runDuet(["export", "--project", dir.path, "--task", task.name, "-o", dir.appendingPathComponent("cli.jsonl").path]) {
        print(String(format: "duet export (own process, jsonl) %.2f s (%.0f items/s), peak RSS %.1f MB", run.seconds, Double(n) / run.seconds, run.rssMB))
        figure("export `duet export` process items/s", Double(n) / run.seconds, goal: "≥ 200000")
        figure("export `duet export` process peak RSS MB", run.rssMB, goal: "≤ 100")
    }
}

/// `duet export` of the task's final decisions as JSONL and CSV, in process: each format's seconds.
func timeExports(project: Project, task: TaskSpec, n: Int, dir: URL) async throws -> [(String, Double)] {
    var figures: [(String, Double)] = []
    for format in [ExportFormat.jsonl, .csv] {
        let path = dir.appendingPathComponent("out.\(format.rawValue)").path
        let (report, seconds) = try await timeAsync {
            try await ExportWorkflow.run(ExportRequest(task: task.name, format: format, scope: .final, output: path), project: project)
        }
        guard report.written == n else { throw DuetError("export wrote \(report.written) rows, expected \(n)") }
        figures.append((format.rawValue, seconds))
    }
    return figures
}

/// Writes `count` lines made by `line` to `url` in 1 MiB chunks.
func writeLines(to url: URL, count: Int, _ line: (Int) -> String) throws -> URL {
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    let out = try FileHandle(forWritingTo: url)
    var chunk = ""
    for i in 0..<count {
        chunk += line(i) + "\n"
        if chunk.utf8.count > 1 << 20 { try out.write(contentsOf: Data(chunk.utf8)); chunk = "" }
    }
    try out.write(contentsOf: Data(chunk.utf8))
    try out.close()
    return url
}

/// A machine-readable figure for benchmarks/run.sh: `FIGURE<TAB>name<TAB>value<TAB>goal`.
func figure(_ name: String, _ value: Double, goal: String = "") {
    print("FIGURE\t\(name)\t\(String(format: "%.3f", value))\t\(goal)")
}

/// Runs the `duet` binary next to this one with `arguments` under GNU time;
/// its wall time and peak RSS, or nil when `duet` or /usr/bin/time is missing.
/// (A posix_spawn'ed child's own rusage is no good here: it starts out sharing
/// this process's memory, which then counts as its peak.)
func runDuet(_ arguments: [String]) throws -> (seconds: Double, rssMB: Double)? {
    let duet = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("duet").path
    guard FileManager.default.isExecutableFile(atPath: duet), FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { return nil }
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-time-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: report) }
    let status = try ProcessSpawn.wait(try ProcessSpawn.spawn(["/usr/bin/time", "-f", "%e %M", "-o", report, duet] + arguments))
    guard status == 0 else { throw DuetError("duet \(arguments.joined(separator: " ")) exited with status \(status)") }
    let fields = try String(contentsOfFile: report, encoding: .utf8).split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
    guard fields.count >= 2 else { return nil }
    return (fields[0], fields[1] / 1024)
}
