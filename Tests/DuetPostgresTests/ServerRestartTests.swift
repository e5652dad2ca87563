import DuetCore
import DuetStoreAPI
import Foundation
import Testing
@testable import DuetPostgres

/// The server killed and restarted mid-session (issue 16's "nothing lost"), on a cluster of the test's own.
@Suite(.enabled(if: PrivateCluster.possible, PrivateCluster.skipped))
struct ServerRestartTests {
    /// Two people label; the server dies (an immediate stop: no goodbye to the clients); one of them decides
    /// while it is down. That decision is either refused (a `StoreFailure` in words, nothing saved, no crash;
    /// the person presses the key again once the server is back) or waits in the pool until the server is back
    /// and is committed then: never reported saved while the server is down. After the restart on the same
    /// port both pools connect again by themselves, labeling goes on, and the store holds every decision
    /// reported saved exactly once, nothing else, with progress counts equal to a scan.
    @Test func aServerKilledAndRestartedMidSessionLosesNoDecisionAndDoublesNone() async throws {
        try await PrivateCluster.with { cluster in
            let ana = try await PostgresStore.open(cluster.config, intent: .createOrAttach, environment: cluster.environment)
            let bob = try await PostgresStore.open(cluster.config, intent: .attach, environment: cluster.environment)
            try await PostgresStore.closing([ana, bob]) { try await Self.labelThroughARestart(cluster, ana: ana, bob: bob) }
        }
    }

    static func labelThroughARestart(_ cluster: PrivateCluster, ana: PostgresStore, bob: PostgresStore) async throws {
        let task = QueueFixture.sentiment
        try await QueueFixture.seed(ana, tasks: [task], texts: 40)
        var saved: [String: [Int64]] = [:]
        var t = 0.0
        func label(_ store: PostgresStore, _ who: String, _ count: Int) async throws {
            for _ in 0..<count {
                let item = try #require(try await store.nextItem(for: task, annotator: who))
                t += 1
                try await store.record(QueueFixture.decision(item.rowID, by: who, at: t))
                saved[who, default: []].append(item.rowID)
            }
        }
        try await label(ana, "ana", 5)
        try await label(bob, "bob", 5)
        // Ana has her next item on screen when the server dies.
        let open = try #require(try await ana.nextItem(for: task, annotator: "ana"))
        try await cluster.kill()
        t += 1
        let decision = QueueFixture.decision(open.rowID, by: "ana", at: t)
        let attempt = Task { () -> Result<Int64, StoreFailure> in
            do { return .success(try await ana.record(decision)) } catch { return .failure(StoreFailure(error)) }
        }
        // A moment for the attempt to fail or to queue (which of the two does not matter), then the server is back.
        try await Task.sleep(for: .seconds(1))
        try await cluster.restart()
        var refused: StoreFailure?
        switch try await Self.outcome(of: attempt, within: 180) {
        case .success:
            break
        case .failure(let failure):
            // Refused while the server was down: said in words (no password), nothing saved; pressed again.
            refused = failure
            #expect(!failure.description.contains(cluster.environment[PrivateCluster.passwordEnv]!))
            #expect(try await ana.annotations(itemRowIDs: [open.rowID], task: task.name)[open.rowID, default: []].isEmpty)
            try await ana.record(decision)
        }
        saved["ana", default: []].append(open.rowID)
        // Both pools connect again by themselves; labeling goes on.
        try await label(ana, "ana", 5)
        try await label(bob, "bob", 5)

        let human = try await bob.currentDecisions(task: task, kind: .human)
        let inForce = Dictionary(grouping: human, by: \.annotator).mapValues { $0.map(\.itemRowID).sorted() }
        #expect(inForce == saved.mapValues { $0.sorted() }, "refused first: \(refused.map { "\($0)" } ?? "no")")
        #expect(Set(human.map(\.itemRowID)).count == human.count)
        // One log entry per decision reported saved: none lost, none doubled.
        #expect(try await QueueFixture.count(bob, "SELECT COUNT(*) FROM annotations") == saved.values.map(\.count).reduce(0, +))
        let progress = try await QueueFixture.progressAndScan(bob)
        #expect(progress.kept == progress.scanned)
        #expect(try await bob.taskProgress(task).human == human.count)
    }

    /// The attempt's result, or a failure when it has not ended after `seconds` (generous: a loaded machine).
    static func outcome(of attempt: Task<Result<Int64, StoreFailure>, Never>, within seconds: Double) async throws -> Result<Int64, StoreFailure> {
        try await withThrowingTaskGroup(of: Result<Int64, StoreFailure>?.self) { group in
            group.addTask { await attempt.value }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            guard let first = try await group.next(), let result = first else {
                group.cancelAll()
                attempt.cancel()
                throw ChildError("the decision made while the server was down neither failed nor was saved within \(Int(seconds)) s of the restart")
            }
            group.cancelAll()
            return result
        }
    }
}
