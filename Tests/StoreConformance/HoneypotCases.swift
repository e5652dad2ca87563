import DuetCore
import DuetStoreAPI
import Foundation
import Testing

/// Honeypots: gold items served blind at the task's rate, each to a person once, counted as progress once.
extension StoreConformance {
    /// One honeypot in every 4 of a person's items.
    static let checked = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews", honeypotRate: 0.25)

    static let honeypotCases: [ConformanceCase] = [
        ConformanceCase("honeypotsAreServedAtTheTaskRateBlindOncePerPersonAndCountedOnce") { store in
            // 40 texts, the last 10 with gold: the ordinary queue reaches them last, so every gold item served
            // before is the honeypot draw's.
            try await store.syncTasks([checked])
            try await Setup.load(store, (1...40).map { n in
                var r = Setup.text(n)
                if n > 30 { r.item.gold = .string(n % 2 == 0 ? "pos" : "neg") }
                return r
            })
            let ids = try await Setup.ids(store, 1...40)
            let gold = Set(ids.suffix(10))
            #expect(Set(try await store.goldLabels(task: checked).keys) == gold)
            #expect(try await store.goldLabels(task: Setup.sentiment)[ids[30]] == .string("neg"))

            var honeypots: [Int64] = []
            for i in 0..<20 {
                let next = try #require(try await store.nextItem(for: checked, annotator: "alice"))
                if next.honeypot { honeypots.append(next.rowID) }
                // Blind means gold: a gold item is always served as a honeypot, and only gold items are.
                #expect(next.honeypot == gold.contains(next.rowID))
                try await Setup.decide(store, item: next.rowID, by: "alice", at: Double(i))
                // The rate: one honeypot in each block of 4 of alice's items.
                let n = i + 1
                if n % 4 == 0 { #expect(honeypots.count == n / 4, "after \(n) items") }
            }
            #expect(honeypots.count == 5)
            #expect(Set(honeypots).count == honeypots.count)
            // Progress counts items: 20 items labeled, whatever share were honeypots.
            #expect(try await store.taskProgress(checked).human == 20)

            // Bob meets gold items alice answered: his answers check him and add no item to the progress.
            var bobsGold: [Int64] = []
            for i in 0..<8 {
                let next = try #require(try await store.nextItem(for: checked, annotator: "bob"))
                if next.honeypot { bobsGold.append(next.rowID) }
                try await Setup.decide(store, item: next.rowID, by: "bob", at: Double(100 + i))
            }
            #expect(bobsGold.count == 2)
            let before = Set(honeypots)
            let repeated = bobsGold.filter(before.contains).count
            #expect(try await store.taskProgress(checked).human == 20 + 8 - repeated)
            #expect(Set(bobsGold).count == bobsGold.count)

            // Once every gold item is spent for alice, she is served ordinary items only, and never a gold item twice.
            var served = Set(honeypots)
            for i in 0..<20 {
                guard let next = try await store.nextItem(for: checked, annotator: "alice") else { break }
                if next.honeypot { #expect(served.insert(next.rowID).inserted, "gold item served twice") }
                try await Setup.decide(store, item: next.rowID, by: "alice", at: Double(200 + i))
            }
            #expect(try await store.taskProgress(checked).remaining == 0)
        },

        ConformanceCase("aHoneypotIsLeasedSoTwoPeopleAreNotServedOneGoldItemAtOnce") { store in
            // Two people whose first item is a honeypot, one gold item among ordinary ones.
            let task = TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "reviews", honeypotRate: 0.5)
            let people = (0..<64).map { "person\($0)" }
                .filter { Honeypots.due(rate: task.honeypotRate, decided: 0, goldAnswered: 0, person: $0) }.prefix(2)
            let (first, second) = (people.first!, people.last!)
            #expect(first != second)
            try await store.syncTasks([task])
            try await Setup.load(store, (1...6).map { n in
                var r = Setup.text(n)
                if n == 6 { r.item.gold = "pos" }
                return r
            })
            let gold = try await Setup.id(store, "t6")
            let served = try #require(try await store.nextItem(for: task, annotator: first))
            #expect(served.rowID == gold && served.honeypot)
            // The gold item is open for the first person: the second gets an ordinary item meanwhile.
            let other = try #require(try await store.nextItem(for: task, annotator: second))
            #expect(other.rowID != gold && !other.honeypot)
            // Once the first is done with it, the second meets it too (a honeypot checks every person once).
            try await store.releaseLeases(task: task.name, annotator: first)
            let later = try #require(try await store.nextItem(for: task, annotator: second))
            #expect(later.rowID == gold && later.honeypot)
        },

        ConformanceCase("anUndoneHoneypotIsNotDrawnAgainComesBackBlindAndIsCountedOnce") { store in
            // 12 texts, the last 4 gold; bob labeled t12 already, so an answer on it adds no item.
            try await store.syncTasks([checked])
            try await Setup.load(store, (1...12).map { n in
                var r = Setup.text(n)
                if n > 8 { r.item.gold = "pos" }
                return r
            })
            let ids = try await Setup.ids(store, 1...12)
            let gold = Set(ids.suffix(4))
            _ = try await Setup.decide(store, item: ids[11], by: "bob", at: 0)
            var t = 1.0
            // alice's items until the draw serves her a honeypot (within her first block of 4).
            var drawn: Int64?
            for _ in 0..<4 where drawn == nil {
                let next = try #require(try await store.nextItem(for: checked, annotator: "alice"))
                _ = try await Setup.decide(store, item: next.rowID, by: "alice", at: t)
                t += 1
                if next.honeypot { drawn = next.rowID }
            }
            let g = try #require(drawn)
            let before = try await store.taskProgress(checked).human
            #expect(try await store.undoLast(task: checked.name, annotator: "alice", at: Setup.date(t)) == g)
            let undone = try await store.taskProgress(checked).human
            #expect(undone == before - (g == ids[11] ? 0 : 1))
            // The rest of her queue: the undone gold item is never drawn again as a honeypot (she has seen it);
            // the ordinary queue brings it back once, blind like every gold item; every item counts once.
            var served: [Int64: Int] = [:]
            while let next = try await store.nextItem(for: checked, annotator: "alice"), t < 40 {
                #expect(next.honeypot == gold.contains(next.rowID), "\(next.item.uid)")
                served[next.rowID, default: 0] += 1
                _ = try await Setup.decide(store, item: next.rowID, by: "alice", at: t)
                t += 1
            }
            #expect(served.values.allSatisfy { $0 == 1 })
            #expect(served[g] == (g == ids[11] ? nil : 1))
            let end = try await store.taskProgress(checked)
            #expect(end.human == 12 && end.remaining == 0)
        },

        ConformanceCase("goldAnswersAreThePersonsCurrentDecisionsOnGoldItems") { store in
            try await store.syncTasks([checked])
            try await Setup.load(store, (1...6).map { n in
                var r = Setup.text(n)
                if n > 2 { r.item.gold = .string(n % 2 == 0 ? "pos" : "neg") }
                return r
            })
            let ids = try await Setup.ids(store, 1...6)
            #expect(try await store.goldAnswers(task: checked, annotator: "alice") == GoldAnswers())
            _ = try await Setup.decide(store, item: ids[0], by: "alice", at: 0)  // not gold
            _ = try await Setup.decide(store, item: ids[2], by: "alice", label: "pos", at: 1)
            _ = try await Setup.decide(store, item: ids[3], by: "alice", status: .skipped, label: nil, at: 2)
            _ = try await Setup.decide(store, item: ids[4], by: "alice", at: 3)
            _ = try await Setup.decide(store, item: ids[5], by: "bob", at: 4)  // someone else's
            _ = try await store.undoLast(task: checked.name, annotator: "alice", at: Setup.date(5))  // ids[4] undone
            _ = try await Setup.decide(store, item: ids[2], by: "alice", label: "neg", at: 6)  // changed her mind
            let answers = try await store.goldAnswers(task: checked, annotator: "alice")
            #expect(answers.decisions.map(\.itemRowID) == [ids[2], ids[3]])
            #expect(answers.decisions.map(\.value) == [.string("neg"), nil] && answers.decisions.map(\.status) == [.submitted, .skipped])
            #expect(answers.gold == [ids[2]: .string("neg"), ids[3]: .string("pos")])
            #expect(try await store.goldAnswers(task: checked, annotator: "carol") == GoldAnswers())
            // Another dataset's gold items are not the task's.
            #expect(try await store.goldAnswers(task: TaskSpec(name: "sentiment", kind: .classify, labels: ["neg", "pos"], dataset: "other",
                                                               honeypotRate: 0.25), annotator: "alice").decisions.isEmpty)
        },

        ConformanceCase("withoutAHoneypotRateGoldItemsAreOrdinaryItems") { store in
            try await store.syncTasks([Setup.sentiment])
            try await Setup.load(store, (1...4).map { n in
                var r = Setup.text(n)
                r.item.gold = "pos"
                return r
            })
            let next = try #require(try await store.nextItem(for: Setup.sentiment, annotator: "alice"))
            #expect(!next.honeypot)
            #expect(next.rowID == (try await Setup.id(store, "t1")))
        },
    ]
}
