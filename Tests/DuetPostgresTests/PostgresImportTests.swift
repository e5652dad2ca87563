import DuetCore
import DuetStore
import DuetStoreAPI
import Foundation
import PostgresNIO
import Testing
@testable import DuetPostgres

/// PostgreSQL's import session against SQLite's (the reference): the same input gives the same counts,
/// items, log and errors; all or nothing on an error, a cancel, a dropped session and a lost connection.
@Suite(.enabled(if: TestServer.enabled, TestServer.skipped)) struct PostgresImportTests {
    typealias F = PGFixture

    /// Runs the same imports through a fresh SQLite store and `store`; expects every result equal.
    static func expectSameAsSQLite(_ store: PostgresStore, _ imports: [(files: [F.File], dryRun: Bool, onChange: ChangedRows)],
                                   sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let sqlite: any SQLiteRoles = try SQLiteStore.inMemory()
        for (n, run) in imports.enumerated() {
            let expected = await F.load(sqlite, run.files, dryRun: run.dryRun, onChange: run.onChange)
            let got = await F.load(store, run.files, dryRun: run.dryRun, onChange: run.onChange)
            #expect(got == expected, "import \(n + 1)", sourceLocation: sourceLocation)
        }
        let items = try await F.items(store)
        #expect(items == (try await F.items(sqlite)), sourceLocation: sourceLocation)
        #expect(try await store.datasetSummaries() == (try await sqlite.datasetSummaries()), sourceLocation: sourceLocation)
        #expect(try await store.itemCount() == (try await sqlite.itemCount()), sourceLocation: sourceLocation)
        let ids = items.map(\.rowID)
        #expect(try await F.log(store, items: ids) == (try await F.log(sqlite, items: ids)), sourceLocation: sourceLocation)
        for id in ids {
            #expect(try await store.sourceFile(itemRowID: id) == (try await sqlite.sourceFile(itemRowID: id)), sourceLocation: sourceLocation)
        }
    }

    @Test func countsItemsAndLogEqualSQLitesForTheSameBatches() async throws {
        let sources = [SourceAnnotation(value: "pos", confidence: 0.75, note: "tab\there"), SourceAnnotation(value: "neg")]
        let first = F.File(path: "/data/a.jsonl", batches: [
            (1...300).map { F.text($0) } + [F.text(5), F.text(301, sources: sources)],
            [F.text(2), F.text(302)] + (1...3).map { F.pair($0) },
        ])
        let second = F.File(path: "/data/b.jsonl", batches: [[F.text(1), F.text(303), F.text(303)]])
        let empty = F.File(path: "/data/c.jsonl", batches: [[F.text(1)]])
        try await TestServer.withStore { store in
            try await Self.expectSameAsSQLite(store, [
                ([first, second], false, .error),
                ([empty], false, .error),  // adds nothing: leaves no import row
                ([first], false, .error),  // idempotent
            ])
            #expect(try await store.count("SELECT COUNT(*) FROM imports") == 2)  // a and b; c added nothing
            #expect(try await store.count("SELECT COUNT(*) FROM annotations") == 2)
        }
    }

    /// After a bulk load the planner knows the rows are there (`ANALYZE` at commit): without it, the queue's
    /// queries planned as for empty tables and asking for the next item took 0.4–1 s at 10^5 items
    /// (`duet-bench store`), against 3 ms with.
    @Test func anImportLeavesThePlannerStatisticsOfWhatItAdded() async throws {
        try await TestServer.withStore { store async throws in
            #expect(try await store.count("SELECT reltuples::bigint FROM pg_class WHERE relname = 'items'") <= 0)
            _ = await F.load(store, [F.File(path: "/data/a.jsonl", batches: [(1...500).map { F.text($0) }])])
            #expect(try await store.count("SELECT reltuples::bigint FROM pg_class WHERE relname = 'items'") == 500)
            // A dry run changes nothing, statistics included.
            _ = await F.load(store, [F.File(path: "/data/b.jsonl", batches: [(501...900).map { F.text($0) }])], dryRun: true)
            #expect(try await store.count("SELECT reltuples::bigint FROM pg_class WHERE relname = 'items'") == 500)
        }
    }

    @Test func fieldsWithTabsNewlinesBackslashesAndUnicodeComeBackAsImported() async throws {
        let odd = "a\tb\nc\\d\re \u{1F600} ü \\N end"
        let records = [F.text(1, odd), ImportedRecord(item: Item(uid: "id\twith\\tab\n", dataset: "reviews", kind: .text,
                                                                 fields: .text("x"), metadata: ["k": .string(odd)]))]
        try await TestServer.withStore { store in
            try await Self.expectSameAsSQLite(store, [([F.File(path: "/data/odd\tname.jsonl", batches: [records])], false, .error)])
            let back = try await store.item(dataset: "reviews", uid: "id\twith\\tab\n")
            #expect(back?.item.metadata["k"] == .string(odd))
        }
    }

    @Test func changedRowsAreTheSameErrorAsSQLitesAndKeepNothing() async throws {
        let a = F.File(path: "a.jsonl", batches: [(1...20).map { F.text($0) }])
        // Read before in the same import: in the same batch, and in a later batch.
        let sameBatch = F.File(path: "a.jsonl", batches: [(1...20).map { F.text($0) } + [F.text(10, "other", line: 21)]])
        let laterBatch = F.File(path: "a.jsonl", batches: [(1...20).map { F.text($0) }, [F.text(3, "other", line: 21)]])
        let b = F.File(path: "b.jsonl", batches: [[F.text(30), F.text(7, "changed", line: 2)]])
        try await TestServer.withStore { store in
            let sqlite: any SQLiteRoles = try SQLiteStore.inMemory()
            for file in [sameBatch, laterBatch] {
                let got = await F.load(store, [file])
                #expect(got == (await F.load(sqlite, [file])))
                guard case .failure(let message) = got else { Issue.record("no error"); continue }
                #expect(message.hasPrefix("a.jsonl:21: id \""))
                #expect(message.contains("was read before at a.jsonl:"))
                #expect(try await store.itemCount() == 0)
                #expect(try await store.count("SELECT COUNT(*) FROM items") == 0)
                #expect(try await store.count("SELECT COUNT(*) FROM imports") == 0)
            }
            _ = await F.load(store, [a])
            _ = await F.load(sqlite, [a])
            let got = await F.load(store, [b])
            #expect(got == (await F.load(sqlite, [b])))
            #expect(got == .failure("""
                b.jsonl:2: id "t7" is already in the store from a.jsonl:7 with different content \
                (rows repeated unchanged are fine; --on-change skip would keep the stored item and skip this row)
                """))
            // t30, read before the changed row, is not kept either.
            #expect(try await store.item(dataset: "reviews", uid: "t30") == nil)
            #expect(try await store.itemCount() == 20)
        }
    }

    @Test func changedRowsSkippedAreCountedAsSQLiteCountsThem() async throws {
        let a = F.File(path: "a.jsonl", batches: [(1...10).map { F.text($0) }])
        let b = F.File(path: "b.jsonl", batches: [
            [F.text(11), F.text(4, "changed", line: 2), F.text(11, "changed too", line: 3), F.text(12)],
            [F.text(4, "changed", line: 5), F.text(12), F.text(11, "again", line: 7)],
        ])
        try await TestServer.withStore { store in
            try await Self.expectSameAsSQLite(store, [([a], false, .skip), ([b], false, .skip), ([b], true, .skip)])
            let counts = await F.load(store, [b], onChange: .skip)
            #expect(counts == .success(ImportCounts(rows: 7, added: 0, duplicates: 3, changedSkipped: 4,
                                                    firstChangedSkipped: "b.jsonl:2 (id \"t4\", kept from a.jsonl:4)")))
        }
    }

    @Test func aDryRunCountsAsARealOneAndKeepsNothing() async throws {
        let file = F.File(path: "a.jsonl", batches: [(1...50).map { F.text($0) } + [F.text(3)], [F.pair(1)]])
        try await TestServer.withStore { store in
            let dry = await F.load(store, [file], dryRun: true)
            let kept = try await store.count("SELECT (SELECT COUNT(*) FROM items) + (SELECT COUNT(*) FROM imports) + (SELECT COUNT(*) FROM dataset_counts)")
            #expect(kept == 0)
            #expect(dry == .success(ImportCounts(rows: 52, added: 51, duplicates: 1)))
            #expect(await F.load(store, [file]) == dry)
        }
    }

    @Test func aCancelledSessionKeepsNothingAndReleasesTheLock() async throws {
        try await TestServer.withStore { store in
            let session = try await store.beginImport(dryRun: false, onChange: .error)
            try await session.beginFile(path: "a.jsonl", format: "jsonl", dataset: "reviews")
            try await session.add(ImportBatch((1...10).map { F.text($0) }))
            await session.cancel()
            await session.cancel()
            await #expect(throws: (any Error).self) { try await session.add(ImportBatch([F.text(11)])) }
            await #expect(throws: (any Error).self) { _ = try await session.commit() }
            #expect(try await store.count("SELECT COUNT(*) FROM items") == 0)
            // The next import is not kept waiting.
            #expect(await F.load(store, [F.File(path: "a.jsonl", batches: [[F.text(1)]])]) == .success(ImportCounts(rows: 1, added: 1)))
        }
    }

    @Test func aDroppedSessionKeepsNothing() async throws {
        try await TestServer.withStore { store in
            var session: (any ImportSession)? = try await store.beginImport(dryRun: false, onChange: .error)
            try await session?.beginFile(path: "a.jsonl", format: "jsonl", dataset: "reviews")
            try await session?.add(ImportBatch((1...10).map { F.text($0) }))
            session = nil
            // The dropped session's connection closes; its transaction is rolled back and its lock goes,
            // so the next import runs (it would wait on the lock forever otherwise).
            #expect(await F.load(store, [F.File(path: "b.jsonl", batches: [[F.text(1)]])]) == .success(ImportCounts(rows: 1, added: 1)))
            #expect(try await store.count("SELECT COUNT(*) FROM items") == 1)
            #expect(try await store.sourceFile(itemRowID: try await store.item(dataset: "reviews", uid: "t1")?.rowID ?? -1) == "b.jsonl")
        }
    }

    @Test func aLostConnectionKeepsNothing() async throws {
        try await TestServer.withStore { store in
            let session = try await store.beginImport(dryRun: false, onChange: .error)
            try await session.beginFile(path: "a.jsonl", format: "jsonl", dataset: "reviews")
            try await session.add(ImportBatch((1...10).map { F.text($0) }))
            // The server ends the session's backend (the one holding the import's lock on items).
            let killed = try await store.count("""
                SELECT COUNT(pg_terminate_backend(l.pid)) FROM pg_locks l
                WHERE l.relation = 'items'::regclass AND l.mode = 'ShareRowExclusiveLock' AND l.granted
                """)
            #expect(killed == 1)
            await #expect(throws: PostgresStoreError.self) { try await session.add(ImportBatch([F.text(11)])) }
            await #expect(throws: PostgresStoreError.self) { _ = try await session.commit() }
            #expect(try await store.count("SELECT COUNT(*) FROM items") == 0)
            #expect(try await store.count("SELECT COUNT(*) FROM imports") == 0)
        }
    }

    /// Imports run one at a time: a second waits for the first's commit, so its new ids are above the
    /// first's (ids in commit order, which the queue cursor relies on).
    @Test func aSecondImportWaitsForTheFirstAndGetsHigherIds() async throws {
        try await TestServer.withStore { store in
            let first = try await store.beginImport(dryRun: false, onChange: .error)
            try await first.beginFile(path: "a.jsonl", format: "jsonl", dataset: "reviews")
            try await first.add(ImportBatch((1...5).map { F.text($0) }))
            let second = Task { await F.load(store, [F.File(path: "b.jsonl", batches: [(6...10).map { F.text($0) }])]) }
            // Wait until the second import is queued on the lock (no clock: the server says so).
            while try await store.count("""
                SELECT COUNT(*) FROM pg_locks WHERE relation = 'items'::regclass AND NOT granted
                """) == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await first.commit() == ImportCounts(rows: 5, added: 5))
            #expect(await second.value == .success(ImportCounts(rows: 5, added: 5)))
            let items = try await F.items(store)
            #expect(items.map(\.item.uid) == (1...10).map { "t\($0)" })
        }
    }

    /// Items stored without a content hash (copied from an old store) are compared by their content.
    @Test func itemsStoredWithoutAHashAreComparedByContent() async throws {
        let file = F.File(path: "a.jsonl", batches: [[F.text(1, sources: [SourceAnnotation(value: "pos", confidence: 0.5)]), F.text(2)]])
        try await TestServer.withStore { store in
            _ = await F.load(store, [file])
            try await store.pool.run("UPDATE items SET content_hash = NULL")
            #expect(await F.load(store, [file]) == .success(ImportCounts(rows: 2, added: 0, duplicates: 2)))
            let changed = await F.load(store, [F.File(path: "b.jsonl", batches: [[F.text(2, "edited")]])])
            guard case .failure(let message) = changed else { Issue.record("no error"); return }
            #expect(message.hasPrefix("b.jsonl:2: id \"t2\" is already in the store from a.jsonl:2"))
        }
    }
}
