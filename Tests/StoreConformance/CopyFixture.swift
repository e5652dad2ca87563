import DuetCore
import DuetStoreAPI
import Foundation

/// A store with something in every table `duet store copy` moves, made through the roles (so any
/// backend can be the source): imports with a source annotation, people's decisions (one changed, one
/// undone, one skipped, one flagged), votes (one unparseable), a routing with an audit, a cached
/// response, a pair judged in B/A order, the queue cursors (one task with overlap 2).
public enum CopyFixture {
    public static let topic = TaskSpec(name: "topic", kind: .classify, labels: ["a", "b"], dataset: "reviews")
    public static var pairs: TaskSpec {
        var pairs = Setup.preference
        pairs.overlap = 2
        return pairs
    }
    public static var tasks: [TaskSpec] { [Setup.sentiment, pairs, topic] }

    public static func fill(_ store: any DuetStoreBackend) async throws {
        try await store.syncTasks(tasks)
        try await Setup.load(store, (1...6).map { Setup.text($0) }
            + [Setup.text(7, sources: [SourceAnnotation(value: "pos", confidence: 0.5, note: "from the file")])])
        try await Setup.load(store, [Setup.pair(1), Setup.pair(2)], file: "/data/prefs.jsonl", dataset: "prefs")
        let ids = try await Setup.ids(store, 1...7)
        try await Setup.decide(store, item: ids[0], by: "ana", label: "neg", at: 1, seconds: 2.5)
        try await Setup.decide(store, item: ids[0], by: "ana", label: "pos", at: 2, seconds: 1.5)
        try await Setup.decide(store, item: ids[1], by: "ana", label: "neg", at: 3, flagged: true)
        try await Setup.decide(store, item: ids[2], by: "bo", status: .skipped, at: 4)
        try await Setup.decide(store, item: ids[3], by: "bo", label: "neg", at: 5)
        _ = try await store.undoLast(task: "sentiment", annotator: "bo", at: Setup.date(6))
        let vote = { (label: String?, variant: String) in MachineVote(annotator: "m", variant: variant, label: label, confidence: 0.8) }
        try await store.saveVotes([(ids[4], vote("pos", "v1")), (ids[4], vote(nil, "v2")), (ids[5], vote("neg", "v1"))],
                                  task: "sentiment", at: Setup.date(7))
        try await store.applyRouting([
            RouteEntry(itemRowID: ids[4], route: .audit, score: 0.4, machineLabel: "pos", annotator: "m", votes: [vote("pos", "v1")],
                       entropy: 0.4, confidence: 0.8),
            RouteEntry(itemRowID: ids[5], route: .machine, score: 0.1, machineLabel: "neg", annotator: "m", votes: [vote("neg", "v1")],
                       entropy: 0.1, confidence: 0.9),
        ], task: "sentiment", at: Setup.date(8))
        let pair = try await Setup.id(store, "p1", dataset: "prefs")
        try await store.record(NewAnnotation(itemRowID: pair, task: "preference", annotatorKind: .human, annotator: "ana",
                                             value: .object(["choice": 0, "strength": 1]), status: .submitted,
                                             createdAt: Setup.date(9), seconds: 4, display: .ba))
        try await store.storeResponse(CachedResponse(text: "pos", promptTokens: 10, completionTokens: 1, logprobs: [-0.5]), key: "k1")
        try await Setup.decide(store, item: ids[0], task: "topic", by: "ana", label: "a", at: 10)
        _ = try await store.nextItem(for: topic, annotator: "ana")
        _ = try await store.nextItem(for: pairs, annotator: "ana")
        try await store.releaseLeases(task: nil, annotator: "ana")
    }
}
