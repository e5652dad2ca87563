import DuetAnnotators
import DuetCore
import Foundation
import Testing

@Suite struct LocalEnsembleTests {
    static let labels = ["cats", "stocks"]

    /// The first 16 texts of each class (the last 4 are held out).
    static var training: [(text: String, label: String)] {
        LocalCorpus.cats.prefix(16).map { ($0, "cats") } + LocalCorpus.stocks.prefix(16).map { ($0, "stocks") }
    }

    static let heldOut: [(text: String, label: String)] =
        LocalCorpus.cats.suffix(4).map { ($0, "cats") } + LocalCorpus.stocks.suffix(4).map { ($0, "stocks") }

    /// Half cats, half markets: a person should look at it.
    static let mixed = "my cat sat on the keyboard while i sold my shares in the stock market"

    @Test func sameSeedSameVotesOtherSeedOtherMembers() throws {
        let texts = Self.heldOut.map(\.text) + [Self.mixed]
        let a = try LocalEnsemble(seed: 1, labels: Self.labels, training: Self.training)
        let b = try LocalEnsemble(seed: 1, labels: Self.labels, training: Self.training)
        let c = try LocalEnsemble(seed: 2, labels: Self.labels, training: Self.training)
        let va = a.votes(for: texts), vb = b.votes(for: texts), vc = c.votes(for: texts)
        #expect(va == vb)  // labels and confidences, bit for bit
        #expect(va != vc)
        // Within one ensemble the members differ (own bootstrap sample, own shuffles).
        let confidences = va[0].map { $0.confidence ?? -1 }
        #expect(Set(confidences).count > 1)
        #expect(va.allSatisfy { $0.count == 7 })
        #expect(va[0].map(\.variant) == (0..<7).map { "member-\($0)" })
        #expect(va[0].allSatisfy { $0.annotator == "local:ensemble" })
    }

    /// With 16 texts per class, a member's bootstrap sample can miss every training text that
    /// shares words with a held-out one, so unanimity depends on the seed: in an exploration over
    /// seeds 0…29, all 30 classified the held-out texts correctly, 26 were unanimous on all of
    /// them and 24 split on the mixed text. Seed 7 is one where all three hold.
    @Test func separableCorpus() throws {
        let e = try LocalEnsemble(seed: 7, labels: Self.labels, training: Self.training)
        let votes = e.votes(for: Self.heldOut.map(\.text))
        var correct = 0
        for (row, v) in zip(Self.heldOut, votes) {
            let labels = v.map(\.label)
            if Uncertainty.majority(labels) == row.label { correct += 1 }
            #expect(Uncertainty.entropy(labels) == 0, "split vote on a clear case: \(row.text)")
            #expect(v.allSatisfy { ($0.confidence ?? 0) > 0.5 })
        }
        #expect(correct == Self.heldOut.count)
        let mixed = e.votes(for: [Self.mixed])[0].map(\.label)
        #expect(Uncertainty.entropy(mixed) > 0, "votes: \(mixed)")
    }

    @Test func annotateItemsWithProgress() async throws {
        let e = try LocalEnsemble(name: "local:test", members: 3, seed: 0, labels: Self.labels, training: Self.training)
        let items = localTextItems(Self.heldOut.map(\.text)) + [
            StoredItem(rowID: 100, item: Item(uid: "x", dataset: "d", kind: .pair, fields: ItemFields(prompt: [.user("q")]))),
        ]
        let task = TaskSpec(name: "topic", kind: .classify, labels: Self.labels)
        let seen = LocalProgressLog()
        let out = try await e.annotate(items, task: task) { seen.add($0) }
        #expect(out.count == Self.heldOut.count)  // the item without text gets no entry
        #expect(out[100] == nil)
        #expect(out[1]?.map(\.label) == ["cats", "cats", "cats"])
        #expect(out[1]?.first?.annotator == "local:test")
        #expect(seen.values.last == items.count)
        let compare = TaskSpec(name: "pref", kind: .compare)
        await #expect(throws: LocalEnsembleError.wrongTask(task: "pref", trainedFor: "classification")) {
            _ = try await e.annotate(items, task: compare) { _ in }
        }
    }

    @Test func notEnoughLabels() throws {
        #expect(throws: LocalEnsembleError.notEnoughLabels(have: 1, need: 2)) {
            _ = try LocalEnsemble(labels: Self.labels, training: LocalCorpus.cats.map { ($0, "cats") })
        }
        // Labels the task does not list are ignored, so they do not count either.
        #expect(throws: LocalEnsembleError.notEnoughLabels(have: 1, need: 2)) {
            _ = try LocalEnsemble(labels: Self.labels, training: [("a cat", "cats"), ("a dog", "dogs")])
        }
        #expect(throws: LocalEnsembleError.notEnoughLabels(have: 0, need: 2)) {
            _ = try LocalEnsemble(labels: [], training: [])
        }
        // Without a label list, the classes are the training labels, sorted.
        let e = try LocalEnsemble(labels: [], training: [("a cat", "z"), ("a stock", "a")])
        #expect(e.classes == ["a", "z"])
    }

    @Test func trainingPairsFromItems() {
        let items = localTextItems(["one", "two", "three"]) + [
            StoredItem(rowID: 9, item: Item(uid: "demo", dataset: "d", kind: .demonstration,
                                            fields: ItemFields(messages: [.user("hi"), .assistant("hello")]))),
        ]
        let pairs = LocalEnsemble.trainingPairs(items: items, labels: [1: "a", 3: "b", 9: "c", 42: "z"])
        #expect(pairs.map(\.text) == ["one", "three", "hi\nhello"])
        #expect(pairs.map(\.label) == ["a", "b", "c"])
    }
}

/// Progress values reported by `annotate`.
final class LocalProgressLog: @unchecked Sendable {
    private var list: [Int] = []
    private let lock = NSLock()
    func add(_ n: Int) { lock.withLock { list.append(n) } }
    var values: [Int] { lock.withLock { list } }
}
