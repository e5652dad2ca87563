import DuetCore
import Foundation
import GRDB
import Testing
@testable import DuetStore

/// Several people and the router on one store file at once, each through
/// its own connection pool (as separate `duet` processes would be).
@Suite(.serialized) struct ConcurrencyTests {
    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var decided: [String: [Int64]] = [:]
        var errors: [String] = []
        var routings = 0
        func add(_ who: String, _ id: Int64) { lock.withLock { decided[who, default: []].append(id) } }
        func fail(_ s: String) { lock.withLock { errors.append(s) } }
        func routed() { lock.withLock { routings += 1 } }
    }

    @Test func threePeopleAndTheRouterLoseNothingAndShareNoItem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-conc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("duet.sqlite").path
        let items = 1200
        do {
            let setup = try SQLiteStore.open(path: path)
            try setup.syncTasks([Fixture.sentiment])
            try Fixture.load(setup, (1...items).map { Fixture.text($0) })
        }
        let log = Log()
        let people = ["ana", "bob", "cleo"]
        let group = DispatchGroup()
        // Everyone opens the store first, then all start together.
        let ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0)
        for who in people {
            DispatchQueue.global().async(group: group) {
                do {
                    let store = try SQLiteStore.open(path: path)
                    ready.signal()
                    go.wait()
                    var t = 0.0
                    while let item = try store.nextItem(for: Fixture.sentiment, annotator: who) {
                        t += 1
                        try store.record(NewAnnotation(itemRowID: item.rowID, task: "sentiment", annotatorKind: .human, annotator: who,
                                                       value: "pos", createdAt: Fixture.date(t)))
                        log.add(who, item.rowID)
                        // A person never decides twice in a millisecond: without a pause, SQLite's busy
                        // handler (others sleep and retry) can let one thread take every write under load.
                        usleep(300)
                    }
                } catch { log.fail("\(who): \(error)") }
            }
        }
        // The router re-routes the last 60 items to people again and again while they label.
        DispatchQueue.global().async(group: group) {
            do {
                let store = try SQLiteStore.open(path: path)
                for round in 0..<20 {
                    let entries = ((items - 59)...items).map { id in
                        RouteEntry(itemRowID: Int64(id), route: .human, score: Double((id * 7 + round) % 13), machineLabel: "neg",
                                   annotator: "m", votes: [MachineVote(annotator: "m", variant: "v", label: "neg", confidence: nil)],
                                   entropy: 0.5, confidence: nil)
                    }
                    try store.applyRouting(entries, task: "sentiment", at: Fixture.date(Double(round)))
                    log.routed()
                }
            } catch { log.fail("router: \(error)") }
        }
        for _ in people { ready.wait() }
        for _ in people { go.signal() }
        group.wait()

        #expect(log.errors.isEmpty, "\(log.errors)")
        #expect(log.routings == 20)
        let all = people.flatMap { log.decided[$0] ?? [] }
        // Every item labeled exactly once: nobody was given an item someone else had open.
        #expect(all.count == items)
        #expect(Set(all).count == items)
        let store = try SQLiteStore.open(path: path)
        let stored = try store.currentDecisions(task: Fixture.sentiment, kind: .human)
        #expect(stored.count == items)
        for who in people {
            #expect(Set(stored.filter { $0.annotator == who }.map(\.itemRowID)) == Set(log.decided[who] ?? []))
        }
        #expect(try store.writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        // They really ran at the same time: at least two people shared the work.
        #expect(people.filter { (log.decided[$0]?.count ?? 0) > 0 }.count >= 2)
    }
}
