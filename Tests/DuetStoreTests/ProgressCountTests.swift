import DuetCore
import Foundation
import GRDB
import Testing
@testable import DuetStore

/// The progress the store keeps by triggers (schema v6) always equals the
/// progress counted from the decisions themselves.
@Suite struct ProgressCountTests {
    static let reviews = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews")
    static let everything = TaskSpec(name: "all", kind: .classify, labels: ["neg", "pos"])
    static let pairs = TaskSpec(name: "preference", kind: .compare)

    func expectCountsMatch(_ store: SQLiteStore, _ tasks: [TaskSpec], _ context: String,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        for task in tasks {
            let kept = try store.taskProgress(task), scanned = try store.taskProgressByScan(task)
            var same = kept
            same.humanSeconds = scanned.humanSeconds
            #expect(same == scanned, "\(task.name) after \(context)", sourceLocation: sourceLocation)
            #expect(abs(kept.humanSeconds - scanned.humanSeconds) < 1e-6, "\(task.name) seconds after \(context)",
                    sourceLocation: sourceLocation)
        }
    }

    /// People and machines decide, skip, flag, re-decide and undo at random, routings revoke and
    /// write machine decisions, overlaps change; after every step the kept counts equal a scan.
    @Test func keptCountsEqualAScanThroughRandomWork() throws {
        var rng = SplitMix64(seed: 11)
        func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        let store = try SQLiteStore.inMemory()
        var tasks = [Self.reviews, Self.everything, Self.pairs]
        try store.syncTasks(tasks)
        try Fixture.load(store, (1...12).map { Fixture.text($0) })
        try Fixture.load(store, (1...6).map { Fixture.text($0, dataset: "tweets") }, file: "/data/tweets.jsonl")
        try Fixture.load(store, (1...5).map { Fixture.pair($0) }, file: "/data/prefs.jsonl")
        let texts = try (1...12).map { try Fixture.id(store, $0) } + (1...6).map { try Fixture.id(store, $0, dataset: "tweets") }
        let pairIDs = try (1...5).map { n in try #require(try store.item(dataset: "prefs", uid: "p\(n)")).rowID }
        let people = ["ana", "bob", "cleo", "adjudicator:dan"]
        var t = 0.0
        for step in 0..<600 {
            t += 1
            let taskIndex = below(3)
            let task = tasks[taskIndex]
            let items = task.kind == .compare ? pairIDs : taskIndex == 0 ? Array(texts.prefix(12)) : texts
            let item = items[below(items.count)]
            let person = people[below(people.count)]
            let label: JSONValue = task.kind == .compare ? .string(["0", "1", "tie"][below(3)]) : .string(["neg", "pos"][below(2)])
            switch below(10) {
            case 0...3:
                try Fixture.decide(store, item: item, task: task.name, by: person, label: label, at: t,
                                   seconds: below(4) == 0 ? nil : Double(below(900)) / 7, flagged: below(5) == 0)
            case 4:
                try Fixture.decide(store, item: item, task: task.name, by: person, status: .skipped, at: t, flagged: below(3) == 0)
            case 5:
                try Fixture.decide(store, item: item, task: task.name, by: "llm:m", kind: .machine, label: label, at: t)
            case 6, 7:
                _ = try store.undoLast(task: task.name, annotator: person, at: Fixture.date(t))
            case 8:
                // A routing: some items to people (the machine's decision revoked), the rest kept.
                let entries = items.map { id in
                    RouteEntry(itemRowID: id, route: below(3) == 0 ? .human : below(4) == 0 ? .audit : .machine,
                               score: Double(below(100)) / 10, machineLabel: label.string, annotator: "llm:router",
                               votes: [MachineVote(annotator: "llm:router", variant: "v", label: label.string)], entropy: 0,
                               confidence: nil)
                }
                try store.applyRouting(entries, task: task.name, at: Fixture.date(t))
            default:
                tasks[taskIndex].overlap = 1 + below(3)
                try store.syncTasks(tasks)
            }
            try expectCountsMatch(store, tasks, "step \(step)")
        }
        // The walk did reach every kind of count.
        let p = try store.taskProgress(tasks[1])
        #expect(p.human > 0 && p.machine > 0 && p.flagged > 0 && p.complete > 0 && p.humanSeconds > 0 && p.timed > 0)
    }

    /// Pace counts only decisions that measured a person's time: a store from before v7 gets the
    /// count of timed decisions from its decisions, and bulk accepts (no seconds) never make it faster.
    @Test func paceIsOverTimedDecisionsOnly() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator().migrate(queue, upTo: "v6-progress-counters")
        let old = SQLiteStore(writer: queue, path: nil)
        let task = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews")
        try Fixture.insertOldTasks(queue, [task])
        try Fixture.insertOldTexts(queue, 1...40)
        let ids = try (1...40).map { try Fixture.id(old, $0) }
        try Fixture.decide(old, item: ids[0], by: "ana", at: 1, seconds: 10)
        try Fixture.decide(old, item: ids[1], by: "ana", at: 2, seconds: 20)
        // Triage's bulk accept: 30 decisions with no seconds.
        for (n, id) in ids[2..<32].enumerated() { try Fixture.decide(old, item: id, by: "ana", at: 3 + Double(n)) }
        try Schema.migrator().migrate(queue)
        let p = try old.taskProgress(task)
        #expect(p.human == 32 && p.timed == 2 && p.humanSeconds == 30)
        #expect(p.itemsPerHour == 240)  // 2 decisions in 30 s, not 32
        #expect(p.secondsPerDecision == 15)
        try expectCountsMatch(old, [task], "the v7 migration")
        // The triggers keep it from there: a timed decision counts, a bulk one does not, undo takes one away.
        try Fixture.decide(old, item: ids[32], by: "bob", at: 100, seconds: 30)
        try Fixture.decide(old, item: ids[33], by: "bob", at: 101)
        #expect(try old.taskProgress(task).timed == 3)
        _ = try old.undoLast(task: task.name, annotator: "bob", at: Fixture.date(102))
        _ = try old.undoLast(task: task.name, annotator: "bob", at: Fixture.date(103))
        #expect(try old.taskProgress(task).timed == 2)
        try expectCountsMatch(old, [task], "after the migration")
        #expect(TaskProgress(human: 5).itemsPerHour == nil)
    }

    /// A store made before the counts existed gets them from its decisions when it is opened.
    @Test func theMigrationCountsEarlierDecisions() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator().migrate(queue, upTo: "v5-leases")
        let old = SQLiteStore(writer: queue, path: nil)
        let twice = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews", overlap: 2)
        try Fixture.insertOldTasks(queue, [twice])
        try Fixture.insertOldTexts(queue, 1...4)
        let ids = try (1...4).map { try Fixture.id(old, $0) }
        try Fixture.decide(old, item: ids[0], by: "ana", at: 1, seconds: 4)
        try Fixture.decide(old, item: ids[0], by: "bob", at: 2, seconds: 6, flagged: true)
        try Fixture.decide(old, item: ids[1], by: "ana", status: .skipped, at: 3)
        try Fixture.decide(old, item: ids[2], by: "m", kind: .machine, at: 4)
        try Schema.migrator().migrate(queue)
        let p = try old.taskProgress(twice)
        #expect(p.human == 1 && p.machine == 1 && p.skipped == 1 && p.flagged == 1 && p.complete == 1 && p.humanSeconds == 10)
        #expect(p.remaining == 2)
        try expectCountsMatch(old, [twice], "the migration")
        // And the triggers take over from there.
        try Fixture.decide(old, item: ids[1], by: "bob", at: 5)
        try Fixture.decide(old, item: ids[1], by: "cleo", at: 6)
        #expect(try old.taskProgress(twice).complete == 2)
        try expectCountsMatch(old, [twice], "decisions after the migration")
    }
}
