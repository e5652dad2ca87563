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
///   recording it, on the one store): p50/p99 of `record` (goal p99 ≤ 10 ms on PostgreSQL);
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
    // Eight labelers at once: key → decision committed.
    let perLabeler = 100
    let (latencies, asks) = try await withThrowingTaskGroup(of: ([Double], [Double]).self) { group in
        for l in 0..<8 {
            group.addTask {
                var out: [Double] = []
                var asked: [Double] = []
                for k in 0..<perLabeler {
                    let a = DispatchTime.now().uptimeNanoseconds
                    guard let item = try await store.nextItem(for: task, annotator: "labeler\(l)") else { break }
                    let t = DispatchTime.now().uptimeNanoseconds
                    asked.append(Double(t - a) / 1e9)
                    try await store.record(NewAnnotation(itemRowID: item.rowID, task: task.name, annotatorKind: .human,
                                                         annotator: "labeler\(l)", value: .string(task.labels[k % 3]),
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
    let progress = try await store.taskProgress(task)
    guard progress.human == next.count + latencies.count else {
        throw DuetError("\(name): \(progress.human) items labeled, expected \(next.count + latencies.count): an item was given twice")
    }
    print("store \(name): 8 labelers, key → decision committed p50 \(ms(percentile(latencies, 0.5))) p99 \(ms(percentile(latencies, 0.99)))"
          + " (\(latencies.count) decisions, every item once)")
    figure("store \(name) 8 labelers commit p99 ms", percentile(latencies, 0.99) * 1000, goal: name == "postgres" ? "≤ 10" : "")
    print("store \(name): 8 labelers, next item p50 \(ms(percentile(asks, 0.5))) p99 \(ms(percentile(asks, 0.99)))")
    figure("store \(name) 8 labelers next item p99 ms", percentile(asks, 0.99) * 1000, goal: "")
}
