import DuetCore
import Foundation
import Testing
@testable import DuetStore

/// The store's side of the streaming router: votes read one item at a time, decisions whose votes the
/// store reads itself, and stored routes merge-joined in chunks.
@Suite struct RoutingStreamStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func vote(_ label: String?, _ variant: String, by who: String, confidence: Double? = nil) -> MachineVote {
        MachineVote(annotator: who, variant: variant, label: label, confidence: confidence)
    }

    /// Stored routes and decisions are read in chunks alongside the entries: with chunks of 3 (and entries
    /// out of order) a re-route finds every stored row, writes nothing when nothing changed, and only the
    /// changed items otherwise, exactly as with one chunk.
    @Test func chunkedStoredRoutesFindEveryRow() throws {
        func entries(_ labels: [String], reversed: Bool = false) -> [RouteEntry] {
            var all: [RouteEntry] = []
            for (i, label) in labels.enumerated() {
                let id = Int64(i + 1)
                let route: Route = id % 4 == 0 ? .human : .machine
                all.append(RouteEntry(itemRowID: id, route: route, score: Double(id) / 10, machineLabel: label, annotator: "m",
                                      votes: [vote(label, "a", by: "m")], entropy: 0, confidence: nil))
            }
            return reversed ? all.reversed() : all
        }
        let first = Array(repeating: "pos", count: 20)
        var second = first
        for i in [2, 9, 11, 17] { second[i] = "neg" }
        var logs: [[Int]] = []
        for chunk in [3, 4096] {
            let store = try Fixture.store(texts: 20)
            func log() throws -> Int { try store.annotations(itemRowIDs: Array(1...20), task: "sentiment").values.reduce(0) { $0 + $1.count } }
            try store.applyRouting(entries(first), task: "sentiment", at: t0, chunk: chunk)
            let written = try log()
            try store.applyRouting(entries(first), task: "sentiment", at: t0, chunk: chunk)
            try store.applyRouting(entries(first, reversed: true), task: "sentiment", at: t0, chunk: chunk)
            let unchanged = try log()
            try store.applyRouting(entries(second, reversed: chunk == 3), task: "sentiment", at: t0, chunk: chunk)
            logs.append([written, unchanged, try log()])
            let routes = try store.routes(task: Fixture.sentiment)
            #expect(routes.count == 20 && routes[3]?.machineLabel == "neg" && routes[4]?.route == .human)
        }
        // 15 machine decisions; nothing again; 4 changed labels (one on a human item): 3 revoked and 3 new.
        #expect(logs[0] == [15, 15, 21])
        #expect(logs[1] == logs[0])
    }
}
