import DuetCore
import DuetStoreAPI
import Foundation
import Testing

/// Reading items: round trips, paging, lookups, files, datasets, search, the log.
extension StoreConformance {
    static let catalogCases: [ConformanceCase] = [
        ConformanceCase("itemsRoundTripEveryField") { store in
            let item = Item(
                uid: "abc", dataset: "sft", kind: .demonstration,
                fields: ItemFields(messages: [.system("be brief"), .user("hi \"there\"\n"), .assistant("héllo ✓")]),
                gold: ["label": "good", "score": 4.5], metadata: ["source": "web", "tags": ["a", "b"], "n": 3], sourceLine: 42)
            let plain = Item(uid: "plain", dataset: "sft", kind: .text, fields: .text("x"))
            // Empty strings stay empty (not NULL), any Unicode survives, absent stays absent.
            let odd = Item(uid: "", dataset: "", kind: .text, fields: .text("你好 😀 e\u{301} \u{1B}[31m"), gold: "", metadata: ["k": ""])
            let empty = Item(uid: "x", dataset: "", kind: .text, fields: .text(""))
            try await Setup.load(store, [ImportedRecord(item: item), ImportedRecord(item: plain)], file: "sft.jsonl", dataset: "sft")
            try await Setup.load(store, [ImportedRecord(item: odd), ImportedRecord(item: empty)], file: "odd.jsonl", dataset: "")
            let stored = try #require(try await store.item(dataset: "sft", uid: "abc"))
            #expect(stored.item == item)
            #expect(try await store.item(rowID: stored.rowID) == stored)
            #expect(try await store.item(dataset: "sft", uid: "plain")?.item == plain)
            #expect(try await store.item(dataset: "", uid: "")?.item == odd)
            let back = try #require(try await store.item(dataset: "", uid: "x"))
            #expect(back.item == empty && back.item.gold == nil && back.item.metadata.isEmpty && back.item.sourceLine == nil)
        },

        ConformanceCase("itemsAreFoundByRowIDAndByDatasetAndUID") { store in
            try await Setup.load(store, (1...3).map { Setup.text($0) })
            try await Setup.load(store, [Setup.text(1, dataset: "other")], file: "/data/other.jsonl", dataset: "other")
            let a = try #require(try await store.item(dataset: "reviews", uid: "t1"))
            let b = try #require(try await store.item(dataset: "other", uid: "t1"))
            #expect(a.rowID != b.rowID && a.item.dataset == "reviews" && b.item.dataset == "other")
            #expect(try await store.item(rowID: a.rowID) == a)
            #expect(try await store.item(rowID: b.rowID) == b)
            #expect(try await store.item(dataset: "reviews", uid: "t9") == nil)
            #expect(try await store.item(dataset: "nope", uid: "t1") == nil)
            let highest = try await store.items(for: nil, afterRowID: 0, limit: 10).map(\.rowID).max() ?? 0
            #expect(try await store.item(rowID: highest + 1000) == nil)
        },

        ConformanceCase("itemsPageInRowOrderAndFollowTheTask") { store in
            try await Setup.texts(store, 5)
            try await Setup.load(store, (1...2).map { Setup.pair($0) }, file: "/data/prefs.jsonl", dataset: "prefs")
            try await Setup.load(store, (1...2).map { Setup.text($0, dataset: "other") }, file: "/data/other.jsonl", dataset: "other")
            let page1 = try await store.items(for: Setup.sentiment, afterRowID: 0, limit: 3)
            #expect(page1.map(\.item.uid) == ["t1", "t2", "t3"])
            let page2 = try await store.items(for: Setup.sentiment, afterRowID: try #require(page1.last).rowID, limit: 3)
            #expect(page2.map(\.item.uid) == ["t4", "t5"])
            #expect(try await store.items(for: Setup.sentiment, afterRowID: try #require(page2.last).rowID, limit: 3).isEmpty)
            #expect(try await store.items(for: Setup.preference, afterRowID: 0, limit: 10).map(\.item.uid) == ["p1", "p2"])
            let all = try await store.items(for: nil, afterRowID: 0, limit: 100)
            #expect(all.count == 9 && all.map(\.rowID) == all.map(\.rowID).sorted())
            #expect(Set(all.map(\.rowID)).count == 9)
            // A classify task without a dataset covers every text of every dataset, not the pairs.
            let anyDataset = TaskSpec(name: "topic", kind: .classify, labels: ["a"])
            let texts = try await store.items(for: anyDataset, afterRowID: 0, limit: 100)
            #expect(texts.count == 7 && texts.allSatisfy { $0.item.kind == .text })
            // Row ids alone, in the same order; every page read in turn gives every item.
            #expect(try await store.itemRowIDs(for: anyDataset) == texts.map(\.rowID))
            #expect(try await store.itemRowIDs(for: Setup.sentiment) == (page1 + page2).map(\.rowID))
            #expect(try await store.allItems(for: anyDataset, page: 2) == texts)
        },

        ConformanceCase("sourceFileIsTheImportsPath") { store in
            try await Setup.texts(store, 2)
            try await Setup.load(store, [Setup.text(3)], file: "/data/more\u{1B}[2J.jsonl")
            let ids = try await Setup.ids(store, 1...3)
            var files: [String?] = []
            for id in ids { files.append(try await store.sourceFile(itemRowID: id)) }
            #expect(files == ["/data/reviews.jsonl", "/data/reviews.jsonl", "/data/more\u{1B}[2J.jsonl"])
            #expect(try await store.sourceFile(itemRowID: (ids.max() ?? 0) + 1000) == nil)
        },

        ConformanceCase("datasetSummariesCountPerDatasetAndKind") { store in
            #expect(try await store.datasetSummaries().isEmpty)
            #expect(try await store.itemCount() == 0)
            try await Setup.load(store, (1...3).map { Setup.text($0) })
            try await Setup.load(store, (1...2).map { Setup.pair($0) } + [Setup.text(9, dataset: "prefs")], file: "/d/p.jsonl",
                                 dataset: "prefs")
            try await Setup.load(store, (1...3).map { Setup.text($0) })  // duplicates change nothing
            #expect(try await store.datasetSummaries() == [
                DatasetSummary(name: "prefs", items: 3, kinds: ["pair": 2, "text": 1]),
                DatasetSummary(name: "reviews", items: 3, kinds: ["text": 3]),
            ])
            #expect(try await store.itemCount() == 6)
        },

        ConformanceCase("searchIsCaseInsensitiveOnASCIIMatchesIDsAndKeepsTheLimit") { store in
            try await store.syncTasks([Setup.sentiment])
            try await Setup.load(store, [
                Setup.text(1, text: "The Quick brown fox"), Setup.text(2, text: "nothing here"), Setup.text(3, text: "a QUICK reply"),
                Setup.text(4, text: "quickly done"), Setup.text(5, text: "café au lait"), Setup.text(12, text: "plain"),
                Setup.text(7, text: "she said \"Hi\" \\ then\nleft"),
            ])
            try await Setup.load(store, [Setup.text(6, dataset: "other", text: "quick, elsewhere")], file: "/d/o.jsonl", dataset: "other")
            func uids(_ query: String, limit: Int = 50) async throws -> [String] {
                try await store.search(Setup.sentiment, query: query, limit: limit).map(\.item.uid)
            }
            #expect(try await uids("quick") == ["t1", "t3", "t4"])  // row order, only the task's dataset
            #expect(try await uids("QuIcK") == ["t1", "t3", "t4"])
            #expect(try await uids("quick", limit: 2) == ["t1", "t3"])
            #expect(try await uids("T1") == ["t1", "t12"])  // ids too
            #expect(try await uids("café") == ["t5"])
            #expect(try await uids("zebra").isEmpty)
            // The text as written, whatever the store's encoding of it: quotes, backslashes, line breaks.
            #expect(try await uids("said \"hi\"") == ["t7"])
            #expect(try await uids("\\ then\nleft") == ["t7"])
            let found = try #require(try await store.search(Setup.sentiment, query: "brown", limit: 5).first)
            #expect(found == (try await store.item(dataset: "reviews", uid: "t1")))
        },

        ConformanceCase("theLogKeepsEveryEntryInOrder") { store in
            try await store.syncTasks([Setup.sentiment, Setup.preference])
            try await Setup.load(store, [Setup.text(1, sources: [SourceAnnotation(value: "neg")]), Setup.text(2)])
            let item = try await Setup.id(store, "t1"), other = try await Setup.id(store, "t2")
            let entry = NewAnnotation(itemRowID: item, task: "sentiment", annotatorKind: .human, annotator: "alice", value: "pos",
                                      confidence: 0.8, status: .submitted, flagged: true, note: "sarcasm?", createdAt: Setup.date(1),
                                      seconds: 4.5, display: .ba)
            let first = try await store.record(entry)
            try await store.undoLast(task: "sentiment", annotator: "alice", at: Setup.date(2))
            let second = try await Setup.decide(store, item: item, by: "alice", label: "neg", at: 3)
            try await store.record(NewAnnotation(itemRowID: item, task: "preference", annotatorKind: .machine, annotator: "judge", value: 1,
                                                 votes: [1, 1, 0], entropy: 0.64, createdAt: Setup.date(4)))
            let log = try await store.annotations(itemRowIDs: [item, other, item + other + 1000], task: nil)
            #expect(log.count == 1)
            let entries = try #require(log[item])
            #expect(entries.map(\.entry.status) == [.submitted, .submitted, .revoked, .submitted, .submitted])
            #expect(entries.map(\.entry.annotator) == ["source:reviews.jsonl", "alice", "alice", "alice", "judge"])
            #expect(entries.map(\.id) == entries.map(\.id).sorted())
            #expect(entries[1] == Annotation(id: first, entry: entry))
            #expect(entries[2].entry.revokes == first && entries[2].entry.createdAt == Setup.date(2) && entries[2].entry.task == "sentiment")
            #expect(entries[3].id == second)
            #expect(entries[4].entry.votes == [1, 1, 0] && entries[4].entry.entropy == 0.64)
            let sentimentOnly = try await store.annotations(itemRowIDs: [item], task: "sentiment")[item] ?? []
            #expect(sentimentOnly.map(\.entry.annotator) == ["source:reviews.jsonl", "alice", "alice", "alice"])
            let unknown = try await store.annotations(itemRowIDs: [item], task: "nope")[item] ?? []
            #expect(unknown.map(\.entry.annotatorKind) == [.source])
            #expect(try await store.annotations(itemRowIDs: [], task: nil).isEmpty)
        },
    ]

    static let taskCases: [ConformanceCase] = [
        ConformanceCase("syncTasksIsIdempotentUpdatesAndNeverDeletes") { store in
            #expect(try await !store.isCurrent(tasks: [Setup.sentiment]))
            try await Setup.texts(store, 2)
            #expect(try await store.isCurrent(tasks: [Setup.sentiment, Setup.preference]))
            try await store.syncTasks([Setup.sentiment, Setup.preference])
            #expect(try await store.isCurrent(tasks: [Setup.sentiment, Setup.preference]))
            let id = try await Setup.id(store, "t1")
            try await Setup.decide(store, item: id, by: "ana", at: 1)
            // Labels, kind, dataset and overlap changed: the store is not current until synced.
            var changed = Setup.sentiment
            changed.labels = ["neg", "neu", "pos"]
            changed.kind = .multilabel
            changed.dataset = nil
            changed.overlap = 2
            #expect(try await !store.isCurrent(tasks: [changed]))
            try await store.syncTasks([changed])
            #expect(try await store.isCurrent(tasks: [changed]))
            #expect(try await !store.isCurrent(tasks: [Setup.sentiment]))
            // A task left out of the sync is still there, and so are the decisions.
            #expect(try await store.isCurrent(tasks: [Setup.preference]))
            #expect(try await store.currentDecisions(task: changed).map(\.itemRowID) == [id])
            try await store.syncTasks([Setup.sentiment])
            #expect(try await store.isCurrent(tasks: [Setup.sentiment, Setup.preference]))
        },

        ConformanceCase("exportPagesComeInRowOrderEveryItemOnceWithTheirLog") { store in
            try await store.syncTasks([Setup.sentiment, Setup.preference])
            try await Setup.load(store, (1...7).map { Setup.text($0, sources: $0 % 3 == 0 ? [SourceAnnotation(value: "neg")] : []) })
            try await Setup.load(store, (1...2).map { Setup.pair($0) }, file: "/data/prefs.jsonl", dataset: "prefs")
            let ids = try await Setup.ids(store, 1...7)
            for (n, id) in ids.enumerated() where n % 2 == 0 { try await Setup.decide(store, item: id, by: "alice", at: Double(n)) }
            let pair = try await Setup.id(store, "p1", dataset: "prefs")
            try await Setup.decide(store, item: pair, task: "preference", by: "bob", label: 1, at: 10)
            for (task, pageSize) in [(Setup.sentiment as TaskSpec?, 3), (Setup.sentiment, 7), (Setup.sentiment, 100),
                                     (Setup.preference, 1), (nil, 4)] {
                var pages: [ExportPage] = []
                for try await page in store.exportPages(task: task, pageSize: pageSize) { pages.append(page) }
                let items = pages.flatMap(\.items)
                let expected = try await store.items(for: task, afterRowID: 0, limit: 1000)
                #expect(items == expected, "\(task?.name ?? "all") by \(pageSize)")
                #expect(Set(items.map(\.rowID)).count == items.count)
                // Full pages but the last; no empty page.
                #expect(pages.dropLast().allSatisfy { $0.items.count == pageSize } && pages.allSatisfy { !$0.items.isEmpty })
                #expect(pages.count == (expected.count + pageSize - 1) / pageSize)
                for page in pages {
                    let pageIDs = Set(page.items.map(\.rowID))
                    #expect(Set(page.logs.keys).isSubset(of: pageIDs))
                    #expect(page.logs == (try await store.annotations(itemRowIDs: page.items.map(\.rowID), task: task?.name)))
                }
            }
            let all = try await Setup.logCount(store, ids + [pair], task: nil)
            var exported = 0
            for try await page in store.exportPages(task: nil, pageSize: 2) { exported += page.logs.values.reduce(0) { $0 + $1.count } }
            #expect(all == 4 + 2 + 1 && exported == all)
            var none = 0
            for try await _ in store.exportPages(task: TaskSpec(name: "empty", kind: .classify, labels: ["a"], dataset: "nope"), pageSize: 5) {
                none += 1
            }
            #expect(none == 0)
        },

        ConformanceCase("exportPagesStoppedEarlyLeaveTheStoreUsable") { store in
            try await Setup.texts(store, 9)
            let ids = try await Setup.ids(store, 1...9)
            // More early stops than a pool has connections: each one's read has ended.
            for round in 0..<6 {
                for try await page in store.exportPages(task: round % 2 == 0 ? Setup.sentiment : nil, pageSize: 2) {
                    #expect(page.items.count == 2)
                    break
                }
            }
            // A consumer whose task is cancelled mid-export.
            let started = AsyncStream<Void>.makeStream()
            let consumer = Task {
                var seen = 0
                for try await page in store.exportPages(task: Setup.sentiment, pageSize: 1) {
                    seen += page.items.count
                    if seen == 1 { started.continuation.yield() }
                    try await Task.sleep(nanoseconds: 1_000_000_000)
                }
                return seen
            }
            for await _ in started.stream { break }
            consumer.cancel()
            let seen = (try? await consumer.value) ?? 1
            #expect(seen < 9)
            // Writes and reads go on; a new export sees them.
            try await Setup.decide(store, item: ids[0], by: "alice", at: 1)
            try await Setup.load(store, [Setup.text(10)], file: "/data/more.jsonl")
            var items: [StoredItem] = []
            var logged = 0
            for try await page in store.exportPages(task: Setup.sentiment, pageSize: 4) {
                items += page.items
                logged += page.logs.values.reduce(0) { $0 + $1.count }
            }
            #expect(items.map(\.item.uid) == (1...10).map { "t\($0)" })
            #expect(logged == 1)
            #expect(try await store.taskProgress(Setup.sentiment).total == 10)
        },
    ]
}
