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
