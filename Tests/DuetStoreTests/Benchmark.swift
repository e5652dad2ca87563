import DuetCore
@testable import DuetStore
import Foundation
import GRDB
import Testing

/// Timings at 10^6 items; run with `DUET_STORE_BENCH=1` (best in release:
/// `swift test -c release -Xswiftc -enable-testing --filter DuetStoreTests.Benchmark`).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DUET_STORE_BENCH"] != nil))
struct Benchmark {
    @Test func millionItems() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore.open(path: dir.appendingPathComponent("duet.sqlite").path)
        try store.syncTasks([Fixture.sentiment])
        let n = 1_000_000

        func cpu() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        var clock = ContinuousClock.now
        var cpuClock = cpu()
        func lap(_ what: String) {
            let now = ContinuousClock.now
            let cpuNow = cpu()
            print("bench: \(what): \(now - clock) (cpu \(cpuNow - cpuClock) s)")
            clock = now
            cpuClock = cpuNow
        }
        var sink = 0
        for i in 1...n {
            let fields = ItemFields.text("review number \(i): the quick brown fox jumps over the lazy dog")
            sink &+= Item.contentID(kind: .text, fields: fields).utf8.count
        }
        lap("contentID only")
        for i in 1...n {
            let fields = ItemFields.text("review number \(i): the quick brown fox jumps over the lazy dog")
            sink &+= fields.json.canonicalJSON.utf8.count
        }
        lap("canonicalJSON only (\(sink))")
        let counts = try store.importBatch(dryRun: false) { writer in
            try writer.beginFile(path: "/data/big.jsonl", format: "jsonl", dataset: "reviews")
            for i in 1...n {
                let fields = ItemFields.text("review number \(i): the quick brown fox jumps over the lazy dog")
                try writer.add(ImportedRecord(
                    item: Item(uid: Item.contentID(kind: .text, fields: fields), dataset: "reviews", kind: .text,
                               fields: fields, sourceLine: i),
                    sourceAnnotations: i % 2 == 0 ? [SourceAnnotation(value: "pos")] : []))
            }
        }
        lap("import \(n) items")
        #expect(counts.added == n)
        #expect(try store.itemCount() == n)
        _ = try store.taskProgress(Fixture.sentiment)
        lap("taskProgress (no decisions)")

        // 90% decided, written in bulk.
        try store.writer.write { db in
            try db.execute(sql: """
                INSERT INTO annotations (item_id, task_id, annotator_kind, annotator, value, status, created_at)
                SELECT id, 1, 'human', 'alice', '"pos"', 'submitted', id FROM items WHERE id <= ?;
                INSERT INTO decisions (task_id, annotator, item_id, annotation_id, annotator_kind, status,
                                       flagged, seconds, decided_at)
                SELECT 1, 'alice', item_id, id, 'human', 'submitted', 0, 1.5, created_at
                FROM annotations WHERE task_id = 1;
                """, arguments: [n * 9 / 10])
        }
        lap("bulk-decide 90%")
        let progress = try store.taskProgress(Fixture.sentiment)
        lap("taskProgress (900k decisions)")
        #expect(progress.remaining == n / 10)
        let first = try store.nextItem(for: Fixture.sentiment, annotator: "alice")
        lap("nextItem, cold cursor")
        #expect(first?.rowID == Int64(n * 9 / 10 + 1))
        let warm = ContinuousClock.now
        _ = try store.nextItem(for: Fixture.sentiment, annotator: "alice")
        let d = (ContinuousClock.now - warm).components
        print("FIGURE\tnext item at 10^6 items (900k decided) ms\t\(Double(d.seconds) * 1000 + Double(d.attoseconds) / 1e15)\t")
        lap("nextItem, warm cursor")
        try store.record(NewAnnotation(itemRowID: first!.rowID, task: "sentiment", annotatorKind: .human,
                                       annotator: "alice", value: "neg"))
        lap("record")
        _ = try store.nextItem(for: Fixture.sentiment, annotator: "alice")
        lap("nextItem after record")
        try store.undoLast(task: "sentiment", annotator: "alice", at: Date())
        lap("undo")
        _ = try store.items(for: Fixture.sentiment, afterRowID: Int64(n / 2), limit: 100)
        lap("items page of 100")
    }
}
