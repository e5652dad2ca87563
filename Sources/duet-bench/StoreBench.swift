import DuetCore
import DuetProject
import DuetStore
import DuetStoreAPI
import Foundation

/// `duet-bench store N`: the store port itself, on SQLite (a file in a temporary folder) and, when
/// `DUET_TEST_POSTGRES_URL` is set (`scripts/pg-throwaway.sh run -- …` sets it), on PostgreSQL (a
/// database of its own, dropped after):
/// - import of N generated rows through the import session: rows/s (against `psql \copy`:
///   `duet-bench pgimport`);
/// - next item at N items: p50/p99;
/// - key → decision committed with 8 labelers at once (8 tasks, each asking for its next item and
///   recording it, on the one store, after a pause as a person reads: exponential, mean 25 ms): p50/p99 of
///   `record` (goal p99 ≤ 10 ms on PostgreSQL); then the same flat out, with no pause (saturation, no goal);
/// - peak RSS (goal ≤ 100 MB).
func runStoreBench(n: Int) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-store-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let sqlite = try SQLiteStore.open(path: dir.appendingPathComponent("duet.db").path)
    try await benchStore(sqlite, name: "sqlite", n: n)
    try await benchPostgres(n: n, dir: dir)
    print(String(format: "store benchmark: peak RSS %.1f MB", peakRSSMB()))
    figure("store peak RSS MB", peakRSSMB(), goal: "≤ 100")
}

/// The bench's generated row `i`.
func benchRecord(_ i: Int) -> ImportedRecord {
    ImportedRecord(item: Item(uid: "i\(i)", dataset: "items", kind: .text,
                              fields: .text("item \(i): the service was \(["great", "slow", "fine"][i % 3]) 😀"), sourceLine: i))
}

func benchStore(_ store: any DuetStoreBackend, name: String, n: Int) async throws {
    let task = TaskSpec(name: "bench", kind: .classify, labels: ["pos", "neg", "neu"], dataset: "items")
    try await store.syncTasks([task])
    // Import: batches of 1,024 encoded rows, as `duet import` hands them over.
    let started = DispatchTime.now().uptimeNanoseconds
    let counts = try await store.importing(dryRun: false) { session in
        try await session.beginFile(path: "/bench/items.jsonl", format: "jsonl", dataset: "items")
        var i = 1
        while i <= n {
            let end = min(n, i + 1023)
            try await session.add(ImportBatch((i...end).map(benchRecord)))
            i = end + 1
        }
    }
    let importSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    guard counts.added == n else { throw DuetError("\(name): imported \(counts.added) rows, expected \(n)") }
    print(String(format: "store %@: import %d rows %.2f s (%.0f rows/s)", name, n, importSeconds, Double(n) / importSeconds))
    figure("store \(name) import rows/s", Double(n) / importSeconds, goal: "")
    // Next item, one person, at n items.
    var next: [Double] = []
    for k in 0..<200 {
        let t = DispatchTime.now().uptimeNanoseconds
        guard let item = try await store.nextItem(for: task, annotator: "solo") else { break }
        next.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        try await store.record(NewAnnotation(itemRowID: item.rowID, task: task.name, annotatorKind: .human, annotator: "solo",
                                             value: .string(task.labels[k % 3]), status: .submitted, createdAt: Date(), seconds: 1))
    }
    print("store \(name): next item at \(n) items p50 \(ms(percentile(next, 0.5))) p99 \(ms(percentile(next, 0.99)))")
    figure("store \(name) next item p99 ms", percentile(next, 0.99) * 1000, goal: "")
    // Eight labelers at once: key → decision committed. Paced first: each labeler pauses between decisions as a
    // person reads the next item (an exponential pause, mean 25 ms: 8 people deciding 320 times a second together,
    // some 100 times a real team's pace); that is the goal's figure. Then flat out (no pause: 8 closed loops on
    // the machine's cores, which measures queueing for the CPU more than the store).
    let (latencies, asks) = try await eightLabelers(store, task: task, perLabeler: 100, meanPause: 0.025, round: "p")
    let (flat, flatAsks) = try await eightLabelers(store, task: task, perLabeler: 100, meanPause: 0, round: "f")
    let progress = try await store.taskProgress(task)
    let decided = next.count + latencies.count + flat.count
    guard progress.human == decided else {
        throw DuetError("\(name): \(progress.human) items labeled, expected \(decided): an item was given twice")
    }
    print("store \(name): 8 labelers (pause mean 25 ms), key → decision committed p50 \(ms(percentile(latencies, 0.5)))"
          + " p99 \(ms(percentile(latencies, 0.99))) (\(latencies.count) decisions, every item once)")
    figure("store \(name) 8 labelers commit p99 ms", percentile(latencies, 0.99) * 1000, goal: name == "postgres" ? "≤ 10" : "")
    print("store \(name): 8 labelers (pause mean 25 ms), next item p50 \(ms(percentile(asks, 0.5))) p99 \(ms(percentile(asks, 0.99)))")
    figure("store \(name) 8 labelers next item p99 ms", percentile(asks, 0.99) * 1000, goal: "")
    print("store \(name): 8 labelers flat out (no pause), key → decision committed p50 \(ms(percentile(flat, 0.5)))"
          + " p99 \(ms(percentile(flat, 0.99))); next item p50 \(ms(percentile(flatAsks, 0.5))) p99 \(ms(percentile(flatAsks, 0.99)))")
    figure("store \(name) 8 labelers flat out commit p99 ms", percentile(flat, 0.99) * 1000, goal: "")
}

/// Eight labelers on `store` at once, each asking for its next item and recording it `perLabeler` times, with
/// a random pause (exponential, mean `meanPause` seconds; none at 0) before each: the latencies of `record`
/// (key → decision committed) and of `nextItem`, in seconds. Labelers are named by `round` so rounds do not mix.
func eightLabelers(_ store: any DuetStoreBackend, task: TaskSpec, perLabeler: Int, meanPause: Double,
                   round: String) async throws -> (commits: [Double], asks: [Double]) {
    try await withThrowingTaskGroup(of: ([Double], [Double]).self) { group in
        for l in 0..<8 {
            group.addTask {
                var out: [Double] = []
                var asked: [Double] = []
                var rng = SystemRandomNumberGenerator()
                for k in 0..<perLabeler {
                    if meanPause > 0 {
                        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
                        try await Task.sleep(nanoseconds: UInt64(-log(u) * meanPause * 1e9))
                    }
                    let a = DispatchTime.now().uptimeNanoseconds
                    let annotator = "labeler-\(round)\(l)"
                    guard let item = try await store.nextItem(for: task, annotator: annotator) else { break }
                    let t = DispatchTime.now().uptimeNanoseconds
                    asked.append(Double(t - a) / 1e9)
                    try await store.record(NewAnnotation(itemRowID: item.rowID, task: task.name, annotatorKind: .human,
                                                         annotator: annotator, value: .string(task.labels[k % 3]),
                                                         status: .submitted, createdAt: Date(), seconds: 1))
                    out.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
                }
                return (out, asked)
            }
        }
        var all: [Double] = []
        var allAsks: [Double] = []
        for try await (part, asked) in group {
            all += part
            allAsks += asked
        }
        return (all, allAsks)
    }
}
