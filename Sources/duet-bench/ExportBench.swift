import DuetCore
import DuetProject
import Foundation

/// `duet-bench export N`: N items with a machine decision each (one vote per
/// item, routed with a zero budget), then `duet export` of the final
/// decisions as JSONL and CSV: items/s and peak RSS.
func runExportBench(n: Int) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-export-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dir) }
    let project = try Project.create(at: dir, template: .classify)
    let task = try project.task(nil)
    let data = dir.appendingPathComponent("items.jsonl")
    _ = try writeLines(to: data, count: n) { i in "{\"id\":\"i\(i)\",\"text\":\"item \(i): the service was \(["great", "slow", "fine"][i % 3]) 😀\"}" }
    _ = try ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "items"), into: project.store)
    try? FileManager.default.removeItem(at: data)
    let labels = task.labels
    let votes = (1...Int64(n)).map { ($0, MachineVote(annotator: "llm:bench", variant: "p0", label: labels[Int($0) % labels.count], confidence: 0.9)) }
    try project.store.saveVotes(votes, task: task.name, at: Date())
    let (_, routeSeconds) = try time {
        try RouteWorkflow.run(RouteRequest(annotator: "llm:bench", budget: 0, strategy: .entropy, audit: 0), project: project)
    }
    var figures: [(String, Double)] = []
    for format in [ExportFormat.jsonl, .csv] {
        let path = dir.appendingPathComponent("out.\(format.rawValue)").path
        let (report, seconds) = try time {
            try ExportWorkflow.run(ExportRequest(task: task.name, format: format, scope: .final, output: path), project: project)
        }
        guard report.written == n else { throw DuetError("export wrote \(report.written) rows, expected \(n)") }
        figures.append((format.rawValue, seconds))
    }
    print("export benchmark: \(n) items, one machine decision each (routed in \(String(format: "%.1f", routeSeconds)) s)")
    for (name, s) in figures {
        print(String(format: "export %-6@ %.2f s  (%.0f items/s; goal ≥ 200,000)", name, s, Double(n) / s))
        figure("export \(name) items/s", Double(n) / s, goal: "≥ 200000")
    }
    figure("export peak RSS MB", peakRSSMB(), goal: "≤ 100")
}

/// Writes `count` lines made by `line` to `url` in 1 MiB chunks.
func writeLines(to url: URL, count: Int, _ line: (Int) -> String) throws -> URL {
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    let out = try FileHandle(forWritingTo: url)
    var chunk = ""
    for i in 0..<count {
        chunk += line(i) + "\n"
        if chunk.utf8.count > 1 << 20 { out.write(Data(chunk.utf8)); chunk = "" }
    }
    out.write(Data(chunk.utf8))
    try out.close()
    return url
}

/// A machine-readable figure for benchmarks/run.sh: `FIGURE<TAB>name<TAB>value<TAB>goal`.
func figure(_ name: String, _ value: Double, goal: String = "") {
    print("FIGURE\t\(name)\t\(String(format: "%.3f", value))\t\(goal)")
}
