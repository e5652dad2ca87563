import DuetCore
import DuetStoreAPI
import Foundation
import TestTrace
import Testing
import TermUI
@testable import DuetApp
@testable import DuetPostgres

/// The server away, for longer than postgres-nio's circuit breaker and with the label screen open: one clear
/// status for every call, and the pool (and the screen's pending decision) back as soon as the server is.
@Suite(.enabled(if: PrivateCluster.possible, PrivateCluster.skipped))
struct OutageTests {
    static func unreachable(_ cluster: PrivateCluster) -> StoreFailure {
        .unreachable("PostgreSQL at \(cluster.config.host):\(cluster.config.port) unreachable")
    }

    static func saysSaved(_ line: String) -> Bool { line.contains("saved ") && !line.contains("nothing saved") }

    /// A store on a cluster of its own, ten items of `QueueFixture.sentiment` in it; the whole test waited for
    /// fifteen minutes at most (it takes two), so a call that never returns fails it instead of holding the run.
    static func withStore(_ body: @escaping @Sendable (PrivateCluster, PostgresStore, TaskSpec) async throws -> Void) async throws {
        try await Bounded.within(.seconds(900), "the outage test") {
            TestTrace.note("outage: starting a cluster")
            try await PrivateCluster.with { cluster in
                TestTrace.note("outage: cluster \(cluster.dir) up")
                let store = try await PostgresStore.open(cluster.config, intent: .createOrAttach, environment: cluster.environment)
                TestTrace.note("outage: store open")
                try await PostgresStore.closing([store]) {
                    try await QueueFixture.seed(store, tasks: [QueueFixture.sentiment], texts: 10)
                    TestTrace.note("outage: seeded")
                    try await body(cluster, store, QueueFixture.sentiment)
                    TestTrace.note("outage: body ended")
                }
                TestTrace.note("outage: store closed")
            }
        }
    }

    /// postgres-nio queues a request while it cannot connect, and after a minute without a connection trips
    /// its circuit breaker: requests then fail at once ("ConnectionPoolError"), for as long as its back-off
    /// lasts after the server is back. Every call while the server is away, past that minute, fails with the
    /// one status that names the server; the first call after the restart is served.
    @Test func aServerAwayLongerThanThePoolsBreakerIsOneStatusAndThePoolComesBackAtOnce() async throws {
        try await Self.withStore { cluster, store, task in
            let open = try #require(try await store.nextItem(for: task, annotator: "ana"))
            try await cluster.kill()
            TestTrace.note("outage breaker: server killed")
            var failures: [String] = []
            var saved = 0
            let clock = ContinuousClock()
            let start = clock.now
            // Longer than the breaker's minute (the loop's length is not asserted: it only outlasts the breaker).
            while clock.now - start < .seconds(70) {
                do {
                    try await store.record(QueueFixture.decision(open.rowID, by: "ana", at: 1))
                    saved += 1
                } catch {
                    failures.append("\(StoreFailure(error))")
                }
                do {
                    _ = try await store.nextItem(for: task, annotator: "bob")
                    saved += 1
                } catch {
                    failures.append("\(StoreFailure(error))")
                }
                TestTrace.note("outage breaker: \(failures.count) failures, sleeping")
                try await Task.sleep(for: .seconds(5))
            }
            #expect(saved == 0)
            #expect(failures.count >= 4)
            #expect(Set(failures) == ["\(Self.unreachable(cluster))"])
            try await cluster.restart()
            TestTrace.note("outage breaker: restarted")
            // The first call after the restart is served: no breaker, no back-off left over.
            try await store.record(QueueFixture.decision(open.rowID, by: "ana", at: 2))
            #expect(try await store.nextItem(for: task, annotator: "ana") != nil)
            #expect(try await QueueFixture.count(store, "SELECT COUNT(*) FROM annotations") == 1)
        }
    }

    /// The label screen's runtime against a server killed before a key: the bottom line says the server is
    /// unreachable and that nothing is saved, no frame says the decision saved while the server is away, and the
    /// decision is committed once, by the runtime's own retry, after the restart.
    @Test func theLabelScreenSaysTheServerIsAwayAndSavesTheDecisionOnceItIsBack() async throws {
        try await Self.withStore { cluster, store, task in
            var state = AppState(width: 100, height: 24, tasks: [task], annotator: "ana")
            state.startedOnDashboard = false
            let effects = App.openTask(&state, task)
            let backend = OutageBackend(cluster: cluster)
            let runtime = Runtime(state: state, store: store, backend: backend, editor: { _ in nil })
            // The loop blocks its thread (as in the terminal): a thread of its own, not the cooperative pool's.
            let loop = UncheckedBox((runtime, effects))
            try await Bounded.onThread(within: OutageBackend.patience + .seconds(120), "the label screen's loop") {
                try loop.value.0.run(starting: loop.value.1)
            }
            let log = backend.log
            #expect(log.restarted, "the screen never said the server was away: \(log.downLines)")
            #expect(log.downLines.contains { $0.contains("\(Self.unreachable(cluster)) — retrying; nothing saved yet") }, "\(log.downLines)")
            #expect(!log.downLines.contains { $0.contains("ConnectionPool") })
            // "saved t1 → neg" (the screen's word for a committed decision) only once the server is back.
            #expect(!log.downLines.contains { Self.saysSaved($0) }, "\(log.downLines)")
            #expect(log.backLines.last.map(Self.saysSaved) == true, "\(log.backLines)")
            #expect(try await QueueFixture.count(store, "SELECT COUNT(*) FROM annotations WHERE annotator = 'ana'") == 1)
            #expect(try await store.taskProgress(task).human == 1)
        }
    }
}

/// A value handed to another thread that uses it alone (the runtime's loop, while the test awaits its end).
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A terminal that, once the first item is on screen, kills the server and presses "1"; after the screen
/// said twice that the server is away, restarts it; ends when the runtime waits for a key again.
private final class OutageBackend: TerminalBackend {
    struct Log {
        var restarted = false
        var downLines: [String] = []
        var backLines: [String] = []
    }

    enum Phase { case loading, down, back }

    let cluster: PrivateCluster
    var size: (width: Int, height: Int) = (100, 24)
    var phase = Phase.loading
    var log = Log()
    private var retrySaid = 0
    /// How long the script goes on at most (the server's kill, two retries said, its restart and the save take
    /// seconds): a server that never comes back would keep the runtime retrying for ever, so past this the
    /// script quits the screen, and the test's expectations say what was missing.
    static let patience: Duration = .seconds(300)
    private let began = ContinuousClock.now

    init(cluster: PrivateCluster) { self.cluster = cluster }

    func draw(_ canvas: Canvas) throws {
        let bottom = canvas.lines.last ?? ""
        switch phase {
        case .loading: break
        case .down:
            log.downLines.append(bottom)
            if bottom.contains("unreachable — retrying") { retrySaid += 1 }
        case .back:
            log.backLines.append(bottom)
        }
    }

    func nextEvent(timeoutMilliseconds: Int?) throws -> Event? {
        if ContinuousClock.now - began > Self.patience { return .key(.ctrl("c")) }
        switch phase {
        case .loading:
            // Idle (no timeout): the first item is on screen.
            guard timeoutMilliseconds == nil else { return wait(timeoutMilliseconds) }
            try cluster.killNow()
            phase = .down
            return .key(.char("1"))
        case .down:
            // Idle without a retry: the runtime gave up (the test's expectations say so).
            guard timeoutMilliseconds != nil else { return nil }
            if retrySaid >= 2 {
                try cluster.restartNow()
                phase = .back
                log.restarted = true
            }
            return wait(timeoutMilliseconds)
        case .back:
            // Idle again: the decision was saved and the next item is on screen.
            return timeoutMilliseconds == nil ? nil : wait(timeoutMilliseconds)
        }
    }

    private func wait(_ milliseconds: Int?) -> Event? {
        usleep(UInt32(max(0, milliseconds ?? 0)) * 1000)
        return nil
    }

    func runInForeground(_ arguments: [String]) throws -> Int32 { 0 }
}
