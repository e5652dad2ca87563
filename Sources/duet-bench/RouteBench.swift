import DuetAnnotators
import DuetCore
import DuetProject
import Foundation

/// Re-routing from stored votes: what `duet route` costs once the votes are
/// in the store (no annotator calls).
func runRouteBench(n: Int) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-route-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dir) }
    let project = try Project.create(at: dir, template: .classify)
    let task = try project.task(nil)
    let data = dir.appendingPathComponent("items.jsonl")
    var text = ""
    for i in 0..<n { text += "{\"id\":\"i\(i)\",\"text\":\"item \(i)\"}\n" }
    try text.write(to: data, atomically: true, encoding: .utf8)
    _ = try ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "items"), into: project.store)
    // 11 votes per item from a seeded generator: mostly agreeing, some split, a few unparseable.
    var state: UInt64 = 42
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
    let labels = task.labels
    var votes: [(item: Int64, vote: MachineVote)] = []
    votes.reserveCapacity(n * 11)
    for item in 1...Int64(n) {
        let main = labels[Int(next() % UInt64(labels.count))]
        let noise = Int(next() % 6)
        for v in 0..<11 {
            let r = next() % 100
            let label: String? = r < 2 ? nil : v < noise && r < 60 ? labels[Int(next() % UInt64(labels.count))] : main
            votes.append((item, MachineVote(annotator: "llm:bench", variant: "p\(v)", label: label, confidence: Double(next() % 100) / 100)))
        }
    }
    let t0 = Date()
    try project.store.saveVotes(votes, task: task.name, at: Date())
    let saveSeconds = Date().timeIntervalSince(t0)
    var times: [Double] = []
    for _ in 0..<2 {
        let t = Date()
        _ = try RouteWorkflow.run(RouteRequest(annotators: ["llm:bench"], budget: 0.3, strategy: .entropy, audit: 0.05), project: project)
        times.append(Date().timeIntervalSince(t))
    }
    print("route benchmark: \(n) items, \(votes.count) stored votes (saved in \(String(format: "%.2f", saveSeconds)) s)")
    print(String(format: "first route  %.2f s  (%.0f items/s)", times[0], Double(n) / times[0]))
    print(String(format: "re-route     %.2f s  (%.0f items/s; goal ≥ 50,000)", times[1], Double(n) / times[1]))
    figure("route first items/s", Double(n) / times[0])
    figure("route cached re-route items/s", Double(n) / times[1], goal: "≥ 50000")
    // A re-route as a person runs it, in a process of its own: its time and peak RSS.
    if let run = try runDuet(["route", "--project", dir.path, "--annotator", "llm:bench", "--budget", "0.3", "--strategy", "entropy",
                              "--audit", "0.05", "--no-run"]) {
        print(String(format: "duet route (own process, re-route) %.2f s (%.0f items/s), peak RSS %.1f MB", run.seconds, Double(n) / run.seconds, run.rssMB))
        figure("route `duet route` re-route process peak RSS MB", run.rssMB, goal: "≤ 100")
    }
}

func runLocalBench(n: Int) throws {
    let report = try LocalBench.run(n: n)
    print(report)
    figure("local train s (\(report.trained) items)", report.trainSeconds)
    figure("local predict items/s", Double(report.items) / report.predictSeconds)
    print(String(format: "in process (the corpus and every vote held): peak RSS %.1f MB", peakRSSMB()))
    // As a person runs it: the same corpus as a project (the training tenth as gold), `duet route --annotator local`.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-local-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dir) }
    let project = try Project.create(at: dir, template: .classify)
    let toml = dir.appendingPathComponent("duet.toml")
    let settings = try String(contentsOf: toml, encoding: .utf8)
    try settings.replacingOccurrences(of: "train_on_gold = false", with: "train_on_gold = true").write(to: toml, atomically: true, encoding: .utf8)
    var text = ""
    for (i, row) in LocalBench.corpus(n: n).enumerated() {
        var o: [String: JSONValue] = ["id": .string("t\(i)"), "text": .string(row.text)]
        if i < max(2, n / 10) { o["gold"] = .string(row.label) }
        text += JSONValue.object(o).canonicalJSON + "\n"
    }
    let data = dir.appendingPathComponent("items.jsonl")
    try text.write(to: data, atomically: true, encoding: .utf8)
    _ = try ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "items"), into: project.store)
    if let run = try runDuet(["route", "--project", dir.path, "--annotator", "local"]) {
        print(String(format: "duet route --annotator local (own process: learn from %d gold labels, vote on %d items, route) %.2f s, peak RSS %.1f MB",
                     max(2, n / 10), n, run.seconds, run.rssMB))
        figure("local `duet route --annotator local` s", run.seconds)
        figure("local `duet route --annotator local` process peak RSS MB", run.rssMB, goal: "≤ 100")
    }
}
