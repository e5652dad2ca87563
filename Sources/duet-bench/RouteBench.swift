import DuetAnnotators
import DuetCore
import DuetProject
import Foundation

/// A new project of `n` items ("i0"…), in a temporary directory of its own.
func benchProject(_ name: String, n: Int) async throws -> (project: Project, dir: URL, task: TaskSpec) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-\(name)-\(getpid())")
    let project = try Project.create(at: dir, template: .classify, example: true)
    let data = dir.appendingPathComponent("items.jsonl")
    var text = ""
    for i in 0..<n { text += "{\"id\":\"i\(i)\",\"text\":\"item \(i)\"}\n" }
    try text.write(to: data, atomically: true, encoding: .utf8)
    _ = try await ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "items"), into: project.store)
    return (project, dir, try project.task(nil))
}

/// A seeded generator (the same sequence every run).
struct BenchRandom {
    var state: UInt64 = 42
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
}

/// Re-routing from stored votes: what `duet route` costs once the votes are
/// in the store (no annotator calls).
func runRouteBench(n: Int) async throws {
    let (project, dir, task) = try await benchProject("route", n: n)
    defer { try? FileManager.default.removeItem(at: dir) }
    // 11 votes per item from a seeded generator: mostly agreeing, some split, a few unparseable.
    var random = BenchRandom()
    let labels = task.labels
    var votes: [(item: Int64, vote: MachineVote)] = []
    votes.reserveCapacity(n * 11)
    for item in 1...Int64(n) {
        let main = labels[Int(random.next() % UInt64(labels.count))]
        let noise = Int(random.next() % 6)
        for v in 0..<11 {
            let r = random.next() % 100
            let label: String? = r < 2 ? nil : v < noise && r < 60 ? labels[Int(random.next() % UInt64(labels.count))] : main
            votes.append((item, MachineVote(annotator: "llm:bench", variant: "p\(v)", label: label, confidence: Double(random.next() % 100) / 100)))
        }
    }
    let t0 = Date()
    try await project.store.saveVotes(votes, task: task.name, at: Date())
    let saveSeconds = Date().timeIntervalSince(t0)
    let voteCount = votes.count
    votes = []
    var times: [Double] = []
    for _ in 0..<2 {
        let t = Date()
        _ = try await RouteWorkflow.run(RouteRequest(annotators: ["llm:bench"], budget: 0.3, strategy: .entropy, audit: 0.05), project: project)
        times.append(Date().timeIntervalSince(t))
    }
    print("route benchmark: \(n) items, \(voteCount) stored votes (saved in \(String(format: "%.2f", saveSeconds)) s)")
    print(String(format: "first route  %.2f s  (%.0f items/s)", times[0], Double(n) / times[0]))
    print(String(format: "re-route     %.2f s  (%.0f items/s; goal ≥ 50,000)", times[1], Double(n) / times[1]))
    figure("route first items/s", Double(n) / times[0])
    figure("route cached re-route items/s", Double(n) / times[1], goal: "≥ 50000")
    // A re-route as a person runs it, in a process of its own: its time and peak RSS.
    if let run = try runDuet(["route", "--project", dir.path, "--annotator", "llm:bench", "--budget", "0.3", "--strategy", "entropy",
                              "--audit", "0.05", "--no-run"]) {
        print(String(format: "duet route --no-run (own process, re-route of %d items × 11 votes) %.2f s: %.0f items/s (goal ≥ 50,000), peak RSS %.1f MB (goal ≤ 100)",
                     n, run.seconds, Double(n) / run.seconds, run.rssMB))
        figure("route `duet route` re-route process items/s", Double(n) / run.seconds, goal: "≥ 50000")
        figure("route `duet route` re-route process peak RSS MB", run.rssMB, goal: "≤ 100")
    }
}

/// A panel of 13 replayed annotators (one vote each, of mixed quality: one good, most noisy, one that
/// often fails to parse, two copies of one model) over `n` items, with people's labels on 1% of them so
/// the default fits its Dawid–Skene model: `duet route --no-run` (no annotator named: the whole panel)
/// as its own process, first route and re-route.
func runPanelBench(n: Int) async throws {
    let (project, dir, task) = try await benchProject("panel", n: n)
    defer { try? FileManager.default.removeItem(at: dir) }
    var random = BenchRandom()
    let labels = task.labels
    let accuracy = [0.9, 0.75, 0.7, 0.65, 0.6, 0.6, 0.55, 0.55, 0.5, 0.5, 0.45, 0.45]
    var votes: [(item: Int64, vote: MachineVote)] = []
    votes.reserveCapacity(n * 13)
    let people = max(10, n / 100)
    for item in 1...Int64(n) {
        let truth = labels[Int(random.next() % UInt64(labels.count))]
        var answers: [String?] = accuracy.map { a in
            Double(random.next() % 1000) < a * 1000 ? truth : labels[Int(random.next() % UInt64(labels.count))]
        }
        if random.next() % 5 == 0 { answers[11] = nil }
        answers.append(answers[1])  // a copy of member 1
        for (m, label) in answers.enumerated() {
            votes.append((item, MachineVote(annotator: "model-\(m)", variant: "instruction", label: label)))
        }
        if item % Int64(n / people) == 0 {
            try await project.store.record(NewAnnotation(itemRowID: item, task: task.name, annotatorKind: .human, annotator: "ana", value: .string(truth)))
        }
    }
    try await project.store.saveVotes(votes, task: task.name, at: Date())
    print("panel benchmark: \(n) items, 13 annotators, \(votes.count) stored votes, people's labels on \(people)")
    votes = []
    for pass in ["first route", "re-route"] {
        guard let run = try runDuet(["route", "--project", dir.path, "--budget", "0.3", "--no-run"]) else { return }
        print(String(format: "duet route --no-run, 13-member panel (own process, %@) %.2f s: %.0f items/s, peak RSS %.1f MB (goal ≤ 100)",
                     pass, run.seconds, Double(n) / run.seconds, run.rssMB))
        figure("panel `duet route` \(pass) process items/s", Double(n) / run.seconds)
        figure("panel `duet route` \(pass) process peak RSS MB", run.rssMB, goal: "≤ 100")
    }
}

func runLocalBench(n: Int) async throws {
    let report = try LocalBench.run(n: n)
    print(report)
    figure("local train s (\(report.trained) items)", report.trainSeconds)
    figure("local predict items/s", Double(report.items) / report.predictSeconds)
    print(String(format: "in process (the corpus and every vote held): peak RSS %.1f MB", peakRSSMB()))
    // As a person runs it: the same corpus as a project (the training tenth as gold), `duet route --annotator local`.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-local-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dir) }
    let project = try Project.create(at: dir, template: .classify, example: true)
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
    _ = try await ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "items"), into: project.store)
    if let run = try runDuet(["route", "--project", dir.path, "--annotator", "local"]) {
        print(String(format: "duet route --annotator local (own process: learn from %d gold labels, vote on %d items, route) %.2f s, peak RSS %.1f MB",
                     max(2, n / 10), n, run.seconds, run.rssMB))
        figure("local `duet route --annotator local` s", run.seconds)
        figure("local `duet route --annotator local` process peak RSS MB", run.rssMB, goal: "≤ 100")
    }
}
