import DuetCore
import DuetStore
import DuetStoreAPI
import Foundation
import PostgresNIO
import Testing
@testable import DuetPostgres

/// The labeling queue's promises on PostgreSQL, each next to SQLite's answer where there is one.
extension PostgresServerTests {
    // MARK: Recording and undo

    @Test func aBulkRecordWithABadEntryInTheMiddleKeepsNone() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 5)
            let lite = try QueueFixture.sqlite(texts: 5)
            let bulk = [QueueFixture.decision(1, by: "ann", at: 1), QueueFixture.decision(99, by: "ann", at: 2),
                        QueueFixture.decision(2, by: "ann", at: 3)]
            #expect(throws: (any Error).self) { try lite.record(bulk) }
            await #expect { try await pg.record(bulk) } throws: { "\($0)".contains("no item with row id 99") }
            #expect(try await QueueFixture.count(pg, "SELECT COUNT(*) FROM annotations") == 0)
            #expect(try await QueueFixture.count(pg, "SELECT COUNT(*) FROM decisions") == 0)
            #expect(try await QueueFixture.count(pg, "SELECT COALESCE(SUM(human), 0)::bigint FROM progress") == 0)
            // An unknown task in the middle: the same.
            var unknown = bulk
            unknown[1] = QueueFixture.decision(3, task: "nope", by: "ann", at: 2)
            await #expect { try await pg.record(unknown) } throws: { "\($0)".contains("unknown task 'nope'") }
            #expect(try await QueueFixture.count(pg, "SELECT COUNT(*) FROM decisions") == 0)
            // A good bulk: its log ids in the order given (not item order), as SQLite's.
            let good = [QueueFixture.decision(4, by: "ann", at: 1), QueueFixture.decision(2, by: "ann", at: 1),
                        QueueFixture.decision(3, by: "ann", status: .skipped, at: 1)]
            let ids = try await pg.record(good)
            #expect(ids.count == 3 && ids[0] < ids[1] && ids[1] < ids[2])
            _ = try lite.record(good)
            #expect(try await pg.currentDecisions(task: QueueFixture.sentiment) == lite.currentDecisions(task: QueueFixture.sentiment, kind: nil))
            // undoLast takes the latest of equal times by log order: item 3 (given last), as SQLite.
            let undone = try await pg.undoLast(task: "sentiment", annotator: "ann", at: QueueFixture.date(9))
            #expect(undone == 3)
            #expect(try lite.undoLast(task: "sentiment", annotator: "ann", at: QueueFixture.date(9)) == undone)
        }
    }

    @Test func undoAndRevokeRestoreTheEarlierDecision() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 3)
            let lite = try QueueFixture.sqlite(texts: 3)
            let task = QueueFixture.sentiment
            var ids: [Int64] = []
            for entry in [QueueFixture.decision(1, by: "ann", label: "pos", at: 1), QueueFixture.decision(1, by: "ann", label: "neg", at: 2),
                          QueueFixture.decision(2, by: "ann", label: "neg", at: 3), QueueFixture.decision(1, by: "bob", label: "pos", at: 4)] {
                ids.append(try await pg.record(entry))
                #expect(try lite.record(entry) == ids.last)
            }
            // Revoking ann's "neg" on item 1 brings back her "pos"; bob's decision is not touched.
            #expect(try await pg.revoke([ids[1]], at: QueueFixture.date(5)) == [1])
            _ = try lite.revoke([ids[1]], at: QueueFixture.date(5))
            let afterRevoke = try await pg.currentDecisions(task: task)
            #expect(afterRevoke == (try lite.currentDecisions(task: task, kind: nil)))
            #expect(afterRevoke.first { $0.itemRowID == 1 && $0.annotator == "ann" }?.value == "pos")
            // Revoked twice, or twice in one call: not revocable, nothing written.
            for bad in [[ids[1]], [ids[2], ids[2]]] {
                await #expect { try await pg.revoke(bad, at: QueueFixture.date(6)) } throws: { "\($0)".contains("cannot be undone") }
                #expect(throws: (any Error).self) { try lite.revoke(bad, at: QueueFixture.date(6)) }
            }
            #expect(try await pg.currentDecisions(task: task) == afterRevoke)
            // Undo: ann's latest in force is item 2 (time 3), then item 1's "pos", then nothing.
            for expected: Int64? in [2, 1, nil] {
                #expect(try await pg.undoLast(task: "sentiment", annotator: "ann", at: QueueFixture.date(7)) == expected)
                #expect(try lite.undoLast(task: "sentiment", annotator: "ann", at: QueueFixture.date(7)) == expected)
                #expect(try await pg.currentDecisions(task: task) == (try lite.currentDecisions(task: task, kind: nil)))
            }
            // Item 1 is open again for the queue (its cursor went back): ann is given it, as by SQLite.
            let next = try await pg.nextItem(for: task, annotator: "ann", at: QueueFixture.date(8))
            #expect(next?.rowID == 2)
            #expect(try lite.nextItem(for: task, annotator: "ann", at: QueueFixture.date(8))?.rowID == 2)
            let progress = try await QueueFixture.progressAndScan(pg)
            #expect(progress.kept == progress.scanned)
        }
    }

    // MARK: Leases

    @Test func twoPeopleNeverGetTheSameItemAndReleasedOrExpiredItemsComeBack() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 4)
            let task = QueueFixture.sentiment
            let a = try await pg.nextItem(for: task, annotator: "ann", at: QueueFixture.date(0))
            let b = try await pg.nextItem(for: task, annotator: "bob", at: QueueFixture.date(0))
            #expect(a?.rowID == 1 && b?.rowID == 2)
            // Asking again gives back your own open item first (your lease ended when you asked).
            #expect(try await pg.nextItem(for: task, annotator: "ann", at: QueueFixture.date(1))?.rowID == 1)
            // Released: bob's item goes to the next person who asks.
            try await pg.releaseLeases(task: nil, annotator: "bob")
            #expect(try await pg.nextItem(for: task, annotator: "cat", at: QueueFixture.date(2))?.rowID == 2)
            // Expired: ann's lease on 1 lapses, dan gets item 1.
            let later = QueueFixture.date(2 + PostgresStore.leaseSeconds)
            #expect(try await pg.nextItem(for: task, annotator: "dan", at: later)?.rowID == 1)
            // Skips: the items come back to their skipper once nothing else is left, oldest skip first, never to others.
            try await pg.record(QueueFixture.decision(4, by: "eve", status: .skipped, at: 3))
            try await pg.record(QueueFixture.decision(3, by: "eve", status: .skipped, at: 3.5))
            try await pg.record([QueueFixture.decision(1, by: "dan", at: 4), QueueFixture.decision(2, by: "cat", at: 4)])
            #expect(try await pg.nextItem(for: task, annotator: "fay", at: later) == nil)
            #expect(try await pg.nextItem(for: task, annotator: "eve", at: later)?.rowID == 4)
            try await pg.record(QueueFixture.decision(4, by: "eve", at: 5))
            #expect(try await pg.nextItem(for: task, annotator: "eve", at: later)?.rowID == 3)
        }
    }

    @Test func withOverlapTwoAnItemGoesToTwoPeopleNeverTwiceToOne() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 2)
            let lite = try QueueFixture.sqlite(texts: 2)
            let task = QueueFixture.pairs
            var served: [String] = []
            for (who, t) in [("ann", 0.0), ("bob", 1), ("cat", 2), ("ann", 3), ("bob", 4), ("cat", 5)] {
                let got = try await pg.nextItem(for: task, annotator: who, at: QueueFixture.date(t))
                #expect(got == (try lite.nextItem(for: task, annotator: who, at: QueueFixture.date(t))))
                if let got {
                    let entry = QueueFixture.decision(got.rowID, task: task.name, by: who, at: t)
                    #expect(try await pg.record(entry) == (try lite.record(entry)))
                }
                served.append("\(who):\(got.map { "\($0.rowID)" } ?? "-")")
            }
            // A lease holds its seat until its holder asks again: bob finds 1's seats taken (ann's decision and
            // lease), cat finds both full; once ann and bob have asked again, their seats free up for the others.
            #expect(served == ["ann:1", "bob:2", "cat:-", "ann:-", "bob:1", "cat:2"])
            let decided = try await pg.currentDecisions(task: task)
            #expect(Dictionary(grouping: decided, by: \.itemRowID).mapValues(\.count) == [1: 2, 2: 2])
        }
    }

    // MARK: Lock waits

    /// A write that waits for a lock longer than `setWriteWait` fails at once with a busy error (the screens
    /// retry a busy store), not after the server's default (forever).
    @Test func aLockWaitPastTheWriteWaitIsBusy() async throws {
        try await TestServer.withStore { pg in
            try await QueueFixture.seed(pg, texts: 2)
            try await pg.setWriteWait(seconds: 0.2)
            // Another session holds the decisions table until the write has answered (or, for a store that
            // waited on regardless, 60 s: then it lets go, the write goes through, and this test fails
            // instead of hanging). Held until the answer, not for a fixed time: on a loaded machine the
            // write may start seconds later.
            let (locked, lockTaken) = AsyncStream.makeStream(of: Void.self)
            let answered = Flag()
            let holder = Task {
                try await pg.pool.withTransaction { other in
                    try await other.execute("LOCK TABLE decisions IN EXCLUSIVE MODE")
                    lockTaken.yield()
                    let start = Date()
                    while !answered.isSet, Date().timeIntervalSince(start) < 60 { try await Task.sleep(for: .milliseconds(20)) }
                }
            }
            for await _ in locked { break }
            await #expect { try await pg.record(QueueFixture.decision(1, by: "ann", at: 1)) } throws: { error in
                StoreFailure(error) == .busy && StoreFailure(error).isTransient
            }
            answered.set()
            try await holder.value
            // Free again: the same write goes through, and nothing of the failed one was kept.
            let id = try await pg.record(QueueFixture.decision(1, by: "ann", at: 2))
            #expect(try await QueueFixture.count(pg, "SELECT COUNT(*) FROM annotations") == 1)
            #expect(id > 0)
        }
    }
}

/// Values several tasks append to, read once they are done.
final class Collected<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Value] = []
    var values: [Value] { lock.withLock { items } }
    func append(_ value: Value) { lock.withLock { items.append(value) } }
}

/// A flag one task sets and another polls.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
