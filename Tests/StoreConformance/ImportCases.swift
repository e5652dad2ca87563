import DuetCore
import DuetStoreAPI
import Foundation
import Testing

/// Imports: all or nothing, idempotent, changed rows, dry runs.
extension StoreConformance {
    static let importCases: [ConformanceCase] = [
        ConformanceCase("importAddsItemsAndCountsPerDataset") { store in
            let counts = try await store.importing(dryRun: false) { s in
                try await s.beginFile(path: "/d/reviews.jsonl", format: "jsonl", dataset: "reviews")
                try await s.add(ImportBatch((1...4).map { Setup.text($0) }))
                try await s.beginFile(path: "/d/prefs.jsonl", format: "hh-rlhf", dataset: "prefs")
                try await s.add(ImportBatch([Setup.pair(1), Setup.text(1, dataset: "prefs")]))
                try await s.add(ImportBatch((2...3).map { Setup.pair($0) }))
            }
            #expect(counts == ImportCounts(rows: 8, added: 8, duplicates: 0, sourceAnnotations: 0))
            #expect(try await store.itemCount() == 8)
            #expect(try await store.datasetSummaries() == [
                DatasetSummary(name: "prefs", items: 4, kinds: ["pair": 3, "text": 1]),
                DatasetSummary(name: "reviews", items: 4, kinds: ["text": 4]),
            ])
            // Each item is attributed to the file it came from.
            let t1 = try await Setup.id(store, "t1"), p1 = try await Setup.id(store, "p1", dataset: "prefs")
            #expect(try await store.sourceFile(itemRowID: t1) == "/d/reviews.jsonl")
            #expect(try await store.sourceFile(itemRowID: p1) == "/d/prefs.jsonl")
        },

        ConformanceCase("reimportCountsDuplicatesAndAddsNothing") { store in
            try await Setup.load(store, (1...5).map { Setup.text($0) })
            let before = try await store.items(for: nil, afterRowID: 0, limit: 100)
            let again = try await Setup.load(store, (3...8).map { Setup.text($0) })
            #expect(again == ImportCounts(rows: 6, added: 3, duplicates: 3, sourceAnnotations: 0))
            #expect(try await store.itemCount() == 8)
            // The stored items are untouched: same row ids, same content.
            #expect(Array(try await store.items(for: nil, afterRowID: 0, limit: 100).prefix(5)) == before)
            // The very same import again: every row a duplicate.
            #expect(try await Setup.load(store, (3...8).map { Setup.text($0) }) == ImportCounts(rows: 6, added: 0, duplicates: 6))
            #expect(try await store.itemCount() == 8)
            // The same uid in another dataset is another item.
            let other = try await Setup.load(store, [Setup.text(1, dataset: "other")], dataset: "other")
            #expect(other.added == 1)
            #expect(try await store.datasetSummaries().map(\.items) == [1, 8])
        },

        ConformanceCase("duplicatesWithinOneImportAreCounted") { store in
            // Across batches and within one; 600 rows then 300 repeats (large batches: a backend's bulk path).
            let records = (1...600).map { Setup.text($0) }
            let first = try await Setup.load(store, records + records.prefix(300) + [Setup.text(1)], batch: 256)
            #expect(first == ImportCounts(rows: 901, added: 600, duplicates: 301))
            #expect(try await store.itemCount() == 600)
            let again = try await Setup.load(store, records + records.prefix(300), batch: 700)
            #expect(again == ImportCounts(rows: 900, added: 0, duplicates: 900))
            #expect(try await store.itemCount() == 600)
        },

        ConformanceCase("anImportThatFailsKeepsNothing") { store in
            try await Setup.texts(store, 3)
            let summaries = try await store.datasetSummaries()
            // A body that throws after adding rows (with a source annotation).
            await #expect(throws: PlannedFailure.self) {
                _ = try await store.importing(dryRun: false) { s in
                    try await s.beginFile(path: "/d/more.jsonl", format: "jsonl", dataset: "reviews")
                    try await s.add(ImportBatch([Setup.text(10, sources: [SourceAnnotation(value: "pos")]), Setup.text(11)]))
                    throw PlannedFailure()
                }
            }
            // A changed row in a later batch: an ImportError, and the earlier batches go too.
            await #expect(throws: ImportError.self) {
                _ = try await store.importing(dryRun: false) { s in
                    try await s.beginFile(path: "/d/more.jsonl", format: "jsonl", dataset: "reviews")
                    try await s.add(ImportBatch((20...23).map { Setup.text($0) }))
                    try await s.add(ImportBatch([Setup.text(2, text: "other text")]))
                }
            }
            #expect(try await store.itemCount() == 3)
            #expect(try await store.datasetSummaries() == summaries)
            #expect(try await store.item(dataset: "reviews", uid: "t10") == nil)
            #expect(try await store.item(dataset: "reviews", uid: "t20") == nil)
            let all = try await store.items(for: nil, afterRowID: 0, limit: 100).map(\.rowID)
            #expect(try await Setup.logCount(store, all, task: nil) == 0)
            try await expectUsable(store, next: 30)
        },

        ConformanceCase("aCancelledImportKeepsNothingAndNothingIsSeenBeforeCommit") { store in
            try await store.syncTasks([Setup.sentiment])
            let session = try await store.beginImport(dryRun: false, onChange: .error)
            try await session.beginFile(path: "/data/a.jsonl", format: "jsonl", dataset: "reviews")
            try await session.add(ImportBatch((1...4).map { Setup.text($0) }))
            #expect(try await store.itemCount() == 0)
            #expect(try await store.item(dataset: "reviews", uid: "t1") == nil)
            await session.cancel()
            await session.cancel()  // twice is harmless
            #expect(try await store.itemCount() == 0)
            #expect(try await store.datasetSummaries().isEmpty)
            try await expectUsable(store, next: 9)
        },

        ConformanceCase("aDroppedImportSessionKeepsNothing") { store in
            try await store.syncTasks([Setup.sentiment])
            do {
                let session = try await store.beginImport(dryRun: false, onChange: .error)
                try await session.beginFile(path: "/data/a.jsonl", format: "jsonl", dataset: "reviews")
                try await session.add(ImportBatch((1...4).map { Setup.text($0) }))
            }
            // Another writer gets in once the dropped session has rolled back.
            try await store.setWriteWait(seconds: 5)
            #expect(try await store.itemCount() == 0)
            try await expectUsable(store, next: 9)
        },

        ConformanceCase("aCommittedSessionKeepsEveryBatch") { store in
            let counts = try await store.importing(dryRun: false) { s in
                try await s.beginFile(path: "/data/a.jsonl", format: "jsonl", dataset: "reviews")
                try await s.add(ImportBatch((1...3).map { Setup.text($0) }))
                try await s.add(ImportBatch((3...5).map { Setup.text($0) }))
            }
            #expect(counts == ImportCounts(rows: 6, added: 5, duplicates: 1))
            #expect(try await store.itemCount() == 5)
        },

        ConformanceCase("aChangedRowIsAnErrorNamingBothPlaces") { store in
            // Within one import (the repeat far into a large batch).
            var records = (1...600).map { Setup.text($0) }
            records[499] = Setup.text(10, text: "other text", line: 500)
            let within = await #expect(throws: ImportError.self) { try await Setup.load(store, records, file: "a.jsonl", batch: 600) }
            #expect(within?.description.hasPrefix("a.jsonl:500: id \"t10\" was read before at a.jsonl:10 with different content") == true,
                    "\(within?.description ?? "no error")")
            #expect(try await store.itemCount() == 0)
            // Against a stored row.
            try await Setup.load(store, (1...600).map { Setup.text($0) }, file: "a.jsonl")
            var changed = (1...600).map { Setup.text($0) }
            changed[400] = Setup.text(401, text: "changed", line: 401)
            let stored = await #expect(throws: ImportError.self) { try await Setup.load(store, changed, file: "b.jsonl", batch: 600) }
            #expect(stored?.description.hasPrefix("b.jsonl:401: id \"t401\" is already in the store from a.jsonl:401 with different content")
                    == true, "\(stored?.description ?? "no error")")
            #expect(try await store.itemCount() == 600)
            // Other source annotations are other content too.
            try await Setup.load(store, [Setup.text(700, sources: [SourceAnnotation(value: "pos", confidence: 0.5)])], file: "c.jsonl")
            await #expect(throws: ImportError.self) {
                try await Setup.load(store, [Setup.text(700, sources: [SourceAnnotation(value: "neg", confidence: 0.5)])], file: "c.jsonl")
            }
            #expect(try await Setup.load(store, [Setup.text(700, sources: [SourceAnnotation(value: "pos", confidence: 0.5)])],
                                         file: "c.jsonl") == ImportCounts(rows: 1, duplicates: 1))
        },

        ConformanceCase("skippedChangedRowsAreCountedAndTheFirstNamed") { store in
            try await Setup.texts(store, 3)
            let id = try await Setup.id(store, "t2")
            try await Setup.decide(store, item: id, by: "ana", at: 1)
            let counts = try await Setup.load(store, [Setup.text(2, text: "rewritten", line: 7), Setup.text(4),
                                                      Setup.text(3, text: "also rewritten", line: 9)], file: "b.jsonl", onChange: .skip)
            #expect(counts.changedSkipped == 2 && counts.added == 1 && counts.rows == 3)
            #expect(counts.firstChangedSkipped == "b.jsonl:7 (id \"t2\", kept from /data/reviews.jsonl:2)")
            // The stored (and labeled) item is never rewritten.
            let kept = try await store.item(dataset: "reviews", uid: "t2")
            #expect(kept?.item.fields.text == "text number 2" && kept?.rowID == id)
            #expect(try await store.currentDecisions(task: Setup.sentiment).map(\.itemRowID) == [id])
        },

        ConformanceCase("aDryRunCountsAndKeepsNothing") { store in
            let counts = try await Setup.load(store, [
                Setup.text(1, sources: [SourceAnnotation(value: "pos")]), Setup.text(2),
                Setup.text(1, sources: [SourceAnnotation(value: "pos")]),
            ], dryRun: true)
            #expect(counts == ImportCounts(rows: 3, added: 2, duplicates: 1, sourceAnnotations: 1))
            #expect(try await store.itemCount() == 0)
            #expect(try await store.datasetSummaries().isEmpty)
            #expect(try await store.items(for: nil, afterRowID: 0, limit: 10).isEmpty)
            // Over stored items: counts what a real import would, keeps nothing.
            try await Setup.load(store, [Setup.text(1)])
            let over = try await Setup.load(store, (1...3).map { Setup.text($0) }, dryRun: true)
            #expect(over == ImportCounts(rows: 3, added: 2, duplicates: 1))
            #expect(try await store.itemCount() == 1)
            let skip = try await Setup.load(store, [Setup.text(1, text: "changed")], file: "b.jsonl", dryRun: true, onChange: .skip)
            #expect(skip.changedSkipped == 1 && skip.firstChangedSkipped == "b.jsonl:1 (id \"t1\", kept from /data/reviews.jsonl:1)")
            #expect(try await store.item(dataset: "reviews", uid: "t1")?.item.fields.text == "text number 1")
        },

        ConformanceCase("sourceAnnotationsAreStoredOnceAndReadInTheLog") { store in
            let records = [
                Setup.text(1, sources: [SourceAnnotation(value: "pos", confidence: 0.9, note: "chosen")]),
                Setup.text(2, sources: [SourceAnnotation(value: "neg"), SourceAnnotation(value: ["score": 3])]),
            ]
            #expect(try await Setup.load(store, records, file: "/data/sst/train.jsonl").sourceAnnotations == 3)
            let second = try await Setup.load(store, records, file: "/data/sst/train.jsonl")
            #expect(second == ImportCounts(rows: 2, added: 0, duplicates: 2, sourceAnnotations: 0))
            let id1 = try await Setup.id(store, "t1"), id2 = try await Setup.id(store, "t2")
            let log = try await store.annotations(itemRowIDs: [id1, id2], task: nil)
            #expect(log.values.reduce(0) { $0 + $1.count } == 3)
            let one = try #require(log[id1]?.first)
            #expect(log[id1]?.count == 1)
            #expect(one.entry.annotator == "source:train.jsonl" && one.entry.annotatorKind == .source && one.entry.task == nil)
            #expect(one.entry.status == .submitted && one.entry.value == "pos" && one.entry.confidence == 0.9 && one.entry.note == "chosen")
            #expect(log[id2]?.map(\.entry.annotator) == ["source:train.jsonl", "source:train.jsonl#2"])
            #expect(log[id2]?.last?.entry.value == ["score": 3])
            // The source's own value per item (the first, when a row carried several).
            try await store.syncTasks([Setup.sentiment])
            #expect(try await store.sourceValues(task: Setup.sentiment) == [id1: "pos", id2: "neg"])
        },
    ]

    /// After a failed, cancelled or dropped import the store takes the next import and decisions.
    static func expectUsable(_ store: any DuetStoreBackend, next n: Int) async throws {
        let before = try await store.itemCount()
        #expect(try await Setup.load(store, [Setup.text(n)]).added == 1)
        #expect(try await store.itemCount() == before + 1)
        try await store.syncTasks([Setup.sentiment])
        try await Setup.decide(store, item: try await Setup.id(store, "t\(n)"), by: "ana", at: 1)
        #expect(try await store.currentDecisions(task: Setup.sentiment).count == 1)
    }
}
