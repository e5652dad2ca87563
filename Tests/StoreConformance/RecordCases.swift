import DuetCore
import DuetStoreAPI
import Foundation
import Testing

/// Recording decisions: one, many all or none, undo and revoke bringing back the earlier decision.
extension StoreConformance {
    static let recordCases: [ConformanceCase] = [
        ConformanceCase("recordRejectsBadEntriesAndKeepsNothing") { store in
            try await Setup.texts(store, 1)
            let item = try await Setup.id(store, "t1")
            await #expect(throws: (any Error).self) { try await Setup.decide(store, item: item, task: "nope", by: "alice", at: 1) }
            await #expect(throws: (any Error).self) { try await Setup.decide(store, item: item + 1000, by: "alice", at: 1) }
            await #expect(throws: (any Error).self) {
                try await store.record(NewAnnotation(itemRowID: item, task: nil, annotatorKind: .human, annotator: "alice", value: "pos"))
            }
            await #expect(throws: (any Error).self) {
                try await Setup.decide(store, item: item, by: "alice", status: .revoked, at: 1)  // revokes nothing
            }
            await #expect(throws: (any Error).self) { try await store.undoLast(task: "nope", annotator: "alice", at: Setup.date(1)) }
            // A source annotation without a task is fine, once per annotator.
            let source = NewAnnotation(itemRowID: item, task: nil, annotatorKind: .source, annotator: "source:x", value: "pos")
            try await store.record(source)
            await #expect(throws: (any Error).self) { try await store.record(source) }
            #expect(try await Setup.logCount(store, [item], task: nil) == 1)
            #expect(try await store.currentDecisions(task: Setup.sentiment).isEmpty)
        },

        ConformanceCase("recordOneIsDurableAndInForce") { store in
            try await Setup.texts(store, 2)
            let ids = try await Setup.ids(store, 1...2)
            let id = try await store.record(NewAnnotation(itemRowID: ids[1], task: "sentiment", annotatorKind: .human, annotator: "ana",
                                                          value: "neg", flagged: true, createdAt: Setup.date(1), seconds: 3.5))
            #expect(try await store.currentDecisions(task: Setup.sentiment) == [
                CurrentDecision(itemRowID: ids[1], annotator: "ana", annotatorKind: .human, status: .submitted, value: "neg",
                                seconds: 3.5, flagged: true),
            ])
            #expect(try await store.annotations(itemRowIDs: [ids[1]], task: "sentiment")[ids[1]]?.map(\.id) == [id])
            // A later decision by the same person replaces it; another person's stands beside it.
            let later = try await Setup.decide(store, item: ids[1], by: "ana", label: "pos", at: 2)
            try await Setup.decide(store, item: ids[1], by: "bo", kind: .machine, label: "neg", at: 3)
            #expect(later > id)
            #expect(try await Setup.current(store, item: ids[1]) == ["ana": "pos", "bo": "neg"])
            #expect(try await store.currentDecisions(task: Setup.sentiment, kind: .human).map(\.annotator) == ["ana"])
            #expect(try await store.currentDecisions(task: Setup.sentiment, kind: .machine).map(\.annotator) == ["bo"])
        },

        ConformanceCase("recordManyIsAllOrNone") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            func accept(_ id: Int64, task: String = "sentiment") -> NewAnnotation {
                NewAnnotation(itemRowID: id, task: task, annotatorKind: .human, annotator: "alice", value: "pos", createdAt: Setup.date(1))
            }
            // The last one names no item, or no task: none of them is kept.
            await #expect(throws: (any Error).self) { try await store.record([accept(ids[0]), accept(ids[1]), accept(ids[2] + 1000)]) }
            await #expect(throws: (any Error).self) { try await store.record([accept(ids[0]), accept(ids[1], task: "nope")]) }
            #expect(try await store.currentDecisions(task: Setup.sentiment).isEmpty)
            #expect(try await Setup.logCount(store, ids, task: nil) == 0)
            let logged = try await store.record([accept(ids[0]), accept(ids[2])])
            #expect(logged.count == 2 && logged[0] < logged[1])
            #expect(try await store.currentDecisions(task: Setup.sentiment).map(\.itemRowID) == [ids[0], ids[2]])
            #expect(try await store.record([NewAnnotation]()).isEmpty)
        },

        ConformanceCase("revokingABulkRestoresEachItemAllOrNone") { store in
            try await Setup.texts(store, 3)
            let ids = try await Setup.ids(store, 1...3)
            func accept(_ id: Int64) -> NewAnnotation {
                NewAnnotation(itemRowID: id, task: "sentiment", annotatorKind: .human, annotator: "alice", value: "pos", createdAt: Setup.date(5))
            }
            // Alice had said "neg" on the second item before the bulk accept.
            try await Setup.decide(store, item: ids[1], by: "alice", label: "neg", at: 1)
            let accepted = try await store.record([accept(ids[0]), accept(ids[1]), accept(ids[2])])
            func values() async throws -> [Int64: String] {
                let logs = try await store.annotations(itemRowIDs: ids, task: "sentiment")
                var out: [Int64: String] = [:]
                for id in ids { out[id] = Decisions.current(logs[id] ?? []).last?.entry.value?.string }
                return out
            }
            #expect(try await values() == [ids[0]: "pos", ids[1]: "pos", ids[2]: "pos"])
            // One id that cannot be revoked: nothing is.
            await #expect(throws: (any Error).self) { try await store.revoke(accepted + [accepted.max()! + 1000], at: Setup.date(6)) }
            #expect(try await values() == [ids[0]: "pos", ids[1]: "pos", ids[2]: "pos"])
            #expect(try await store.currentDecisions(task: Setup.sentiment).count == 3)
            #expect(try await store.revoke(accepted, at: Setup.date(6)) == ids)
            #expect(try await values() == [ids[1]: "neg"])
            // The decisions in force agree with the log: items 1 and 3 open again, item 2 has Alice's "neg".
            let current = try await store.currentDecisions(task: Setup.sentiment, kind: .human)
            #expect(current.map(\.itemRowID) == [ids[1]] && current.first?.value == "neg")
            #expect(try await Setup.next(store, "alice") == ids[0])
            #expect(try await store.taskProgress(Setup.sentiment) == (try await ProgressScan.expected(store, Setup.sentiment)))
            // Revoking twice: refused, and nothing changes.
            await #expect(throws: (any Error).self) { try await store.revoke(accepted, at: Setup.date(7)) }
            let revoked = try await store.annotations(itemRowIDs: ids, task: "sentiment").values.flatMap { $0 }.filter { $0.entry.status == .revoked }
            #expect(revoked.count == 3)
        },
    ] + ["undoLast", "revoke", "recordRevoked"].map { way in
        ConformanceCase("\(way)BringsBackTheEarlierDecision") { store in
            try await Setup.texts(store, 2)
            let ids = try await Setup.ids(store, 1...2)
            try await Setup.decide(store, item: ids[0], by: "alice", label: "neg", at: 1, seconds: 4)
            let changed = try await Setup.decide(store, item: ids[0], by: "alice", label: "pos", at: 2, seconds: 2)
            switch way {
            case "undoLast": #expect(try await store.undoLast(task: "sentiment", annotator: "alice", at: Setup.date(3)) == ids[0])
            case "revoke": #expect(try await store.revoke([changed], at: Setup.date(3)) == [ids[0]])
            default:
                try await store.record(NewAnnotation(itemRowID: ids[0], task: "sentiment", annotatorKind: .human, annotator: "alice",
                                                     value: nil, status: .revoked, createdAt: Setup.date(3), revokes: changed))
            }
            let log = try await store.annotations(itemRowIDs: [ids[0]], task: "sentiment")[ids[0]] ?? []
            #expect(Decisions.current(log).map { $0.entry.value?.string } == ["neg"])
            let table = try await store.currentDecisions(task: Setup.sentiment, kind: .human)
            #expect(table == [CurrentDecision(itemRowID: ids[0], annotator: "alice", annotatorKind: .human, status: .submitted,
                                              value: "neg", seconds: 4)])
            let progress = try await store.taskProgress(Setup.sentiment)
            #expect(progress.human == 1 && progress.humanSeconds == 4 && progress.timed == 1)
            #expect(progress == (try await ProgressScan.expected(store, Setup.sentiment)))
            // The next item is the one nobody decided, not the one whose answer came back.
            #expect(try await Setup.next(store, "alice") == ids[1])
        }
    }
}
