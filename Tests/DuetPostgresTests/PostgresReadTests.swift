import DuetCore
import DuetStore
import DuetStoreAPI
import Foundation
import PostgresNIO
import Testing
@testable import DuetPostgres

/// PostgreSQL's item, task and progress reads against SQLite's for the same imports.
@Suite(.enabled(if: TestServer.enabled, TestServer.skipped)) struct PostgresReadTests {
    typealias F = PGFixture

    static let mixed = [
        F.text(1, "Hello World"), F.text(2, "HELLO there"), F.text(3, "ÉCOLE d'été"), F.text(4, "école"),
        F.text(5, "Straße STRASSE"), F.text(6, "nothing"), ImportedRecord(item: Item(uid: "MiXeD-Id", dataset: "reviews", kind: .text,
                                                                              fields: .text("x"))),
    ]

    /// Both stores with the same items: `mixed`, 40 more texts, pairs in "prefs", texts in "other".
    static func both(_ store: PostgresStore) async throws -> any SQLiteRoles {
        let sqlite: any SQLiteRoles = try SQLiteStore.inMemory()
        let files = [
            F.File(path: "/data/a.jsonl", batches: [mixed, (10...49).map { F.text($0, sources: $0 % 7 == 0 ? [SourceAnnotation(value: "pos")] : []) }]),
            F.File(path: "/data/p.jsonl", batches: [(1...5).map { F.pair($0) }], dataset: "prefs"),
            F.File(path: "/data/o.jsonl", batches: [(1...3).map { F.text($0, dataset: "other") }], dataset: "other"),
        ]
        for target in [sqlite as any ImportSink, store] {
            guard case .success = await F.load(target, files) else { throw PostgresStoreError("the import failed") }
        }
        try await sqlite.syncTasks([F.sentiment, F.preference])
        try await store.syncTasks([F.sentiment, F.preference])
        return sqlite
    }

    /// Sessions of this database other than the asker's inside a transaction.
    static func openTransactions(_ store: PostgresStore) async throws -> Int64 {
        try await store.count("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
            """)
    }

    /// Waits (at most a minute) until no other session of the database is inside a transaction.
    static func transactionsEnd(_ store: PostgresStore) async throws -> Bool {
        let start = Date()
        while try await openTransactions(store) > 0 {
            guard Date().timeIntervalSince(start) < 60 else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    @Test func anExportReadsOneSnapshotThroughACursorAndEndsItsTransaction() async throws {
        try await TestServer.withStore { store in
            try await store.syncTasks([F.sentiment])
            guard case .success = await F.load(store, [F.File(path: "/data/a.jsonl", batches: [(1...6).map { F.text($0) }])]) else {
                throw PostgresStoreError("the import failed")
            }
            var pages = store.exportPages(task: F.sentiment, pageSize: 2).makeAsyncIterator()
            let first = try #require(try await pages.next())
            #expect(first.items.map(\.item.uid) == ["t1", "t2"])
            #expect(try await Self.openTransactions(store) > 0)
            // Written after the export's first page: the export does not see them (one snapshot).
            let last = try #require(try await store.item(dataset: "reviews", uid: "t6"))
            try await store.record(NewAnnotation(itemRowID: last.rowID, task: "sentiment", annotatorKind: .human, annotator: "ana",
                                                 value: "pos"))
            guard case .success = await F.load(store, [F.File(path: "/data/b.jsonl", batches: [[F.text(7)]])]) else {
                throw PostgresStoreError("the second import failed")
            }
            var rest: [ExportPage] = []
            while let page = try await pages.next() { rest.append(page) }
            #expect(rest.flatMap(\.items).map(\.item.uid) == ["t3", "t4", "t5", "t6"])
            #expect(rest.allSatisfy { $0.logs.isEmpty })
            // The end of the stream ended the transaction and closed the connection.
            #expect(try await Self.transactionsEnd(store))
            // A consumer that stops early: its transaction ends (the connection is closed) too.
            do {
                var early = store.exportPages(task: nil, pageSize: 3).makeAsyncIterator()
                #expect(try await early.next()?.items.count == 3)
                #expect(try await Self.openTransactions(store) > 0)
                withExtendedLifetime(early) {}
            }
            #expect(try await Self.transactionsEnd(store))
            var after: [StoredItem] = []
            for try await page in store.exportPages(task: F.sentiment, pageSize: 4) { after += page.items }
            #expect(after.count == 7)
        }
    }

    /// An export's two connections are the pool's (`PostgresLease`): with a pool of two, the server holds no
    /// more than two sessions of the store while an export is open, and the pool serves other calls again once
    /// it ended. Before, the export opened two connections of its own beside the pool (three sessions here),
    /// each counting against the server's `max_connections`.
    @Test func anExportTakesItsConnectionsFromThePool() async throws {
        try await TestServer.withDatabase { config in
            try await F.withLoadedStore(config, items: 6, maximumConnections: 2) { store in
                #expect(try await store.itemCount() == 6)
                // Counted on a connection outside the pool: the export may hold all of the pool's.
                let counter = try await store.pool.connect().connection
                func sessions() async throws -> Int {
                    try await counter.rows("""
                        SELECT count(*)::int FROM pg_stat_activity
                        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                        """).decode(Int.self).firstElement() ?? -1
                }
                do {
                    // The import's own connection is closed; its server process may take a moment to end. Waited for
                    // with the pool's two connections open (held meanwhile): else one of the pool's and the import's
                    // ending one made two, and the export's second connection a third (seen on a loaded machine).
                    let warm = try await PostgresLease.take(store.pool, count: 2)
                    let start = Date()
                    while try await sessions() > 2, Date().timeIntervalSince(start) < 60 { try await Task.sleep(for: .milliseconds(20)) }
                    warm.end()
                    var pages = store.exportPages(task: F.sentiment, pageSize: 2).makeAsyncIterator()
                    #expect(try await pages.next()?.items.count == 2)
                    #expect(try await sessions() <= 2)
                    var rest = 0
                    while let page = try await pages.next() { rest += page.items.count }
                    #expect(rest == 4)
                } catch {
                    try? await counter.close()
                    throw error
                }
                try await counter.close()
                #expect(try await store.itemCount() == 6)
                #expect(try await Self.transactionsEnd(store))
            }
        }
    }

    @Test func searchIsCaseInsensitiveOnASCIIOnlyAsInSQLite() async throws {
        try await TestServer.withStore { store in
            let sqlite = try await Self.both(store)
            let expected: [String: [String]] = [
                "hello": ["t1", "t2"], "HeLLo": ["t1", "t2"], "école": ["t4"], "ÉCOLE": ["t3"], "été": ["t3"],
                "strasse": ["t5"], "straße": ["t5"], "mixed-id": ["MiXeD-Id"], "zzz": [],
            ]
            for (query, uids) in expected {
                let got = try await store.search(F.sentiment, query: query, limit: 100)
                #expect(got.map(\.item.uid) == uids, "\(query)")
                #expect(got == (try await sqlite.search(F.sentiment, query: query, limit: 100)), "\(query)")
            }
            #expect(try await store.search(F.sentiment, query: "text number", limit: 3).map(\.item.uid) == ["t10", "t11", "t12"])
            #expect(try await store.search(F.preference, query: "hello", limit: 10).isEmpty)
            #expect(try await store.search(F.sentiment, query: "", limit: 10).isEmpty)
        }
    }

    @Test func pagingRowIDsAndSingleItemsEqualSQLite() async throws {
        try await TestServer.withStore { store in
            let sqlite = try await Self.both(store)
            for task in [F.sentiment, F.preference, TaskSpec(name: "all", kind: .classify, labels: ["a"])] {
                #expect(try await store.itemRowIDs(for: task) == (try await sqlite.itemRowIDs(for: task)))
                var after: Int64 = 0
                var pages = 0
                while true {
                    let page = try await store.items(for: task, afterRowID: after, limit: 7)
                    #expect(page == (try await sqlite.items(for: task, afterRowID: after, limit: 7)))
                    guard let last = page.last else { break }
                    after = last.rowID
                    pages += 1
                }
                #expect(pages > 0)
                #expect(try await store.allItems(for: task) == (try await sqlite.allItems(for: task)))
                #expect(try await store.sourceValues(task: task) == (try await sqlite.sourceValues(task: task)))
            }
            #expect(try await store.items(for: nil, afterRowID: 0, limit: 0).isEmpty)
            #expect(try await store.sourceValues(task: F.sentiment).count == 6)
            #expect(try await store.datasetSummaries() == (try await sqlite.datasetSummaries()))
            #expect(try await store.datasetSummaries().map(\.name) == ["other", "prefs", "reviews"])
            let ids = try await F.items(store).map(\.rowID)
            for id in ids + [9999] {
                #expect(try await store.item(rowID: id) == (try await sqlite.item(rowID: id)))
                #expect(try await store.sourceFile(itemRowID: id) == (try await sqlite.sourceFile(itemRowID: id)))
            }
            #expect(try await store.sourceFile(itemRowID: ids[0]) == "/data/a.jsonl")
            #expect(try await store.item(dataset: "prefs", uid: "p3") == (try await sqlite.item(dataset: "prefs", uid: "p3")))
            #expect(try await store.item(dataset: "prefs", uid: "nope") == nil)
            #expect(try await F.log(store, items: ids) == (try await F.log(sqlite, items: ids)))
            #expect(try await store.annotations(itemRowIDs: ids, task: "no such task").count == 6)
        }
    }

    @Test func syncTasksUpsertsAndIsCurrentSaysWhenNothingNeedsWriting() async throws {
        try await TestServer.withStore { store in
            #expect(try await store.isCurrent(tasks: []))
            #expect(try await !store.isCurrent(tasks: [F.sentiment]))
            try await store.syncTasks([F.sentiment, F.preference])
            #expect(try await store.isCurrent(tasks: [F.sentiment, F.preference]))
            var wider = F.sentiment
            wider.overlap = 2
            #expect(try await !store.isCurrent(tasks: [wider]))
            var relabeled = F.sentiment
            relabeled.labels = ["neg", "neutral", "pos"]
            #expect(try await !store.isCurrent(tasks: [relabeled]))
            try await store.syncTasks([relabeled])
            #expect(try await store.isCurrent(tasks: [relabeled, F.preference]))
            #expect(try await store.count("SELECT COUNT(*) FROM tasks") == 2)
            #expect(try await store.pool.texts("SELECT labels FROM tasks WHERE name = 'sentiment'") == [#"["neg","neutral","pos"]"#])
        }
    }

    /// A changed overlap re-pends the task's routes (items routed to people that now need more of them).
    @Test func aChangedOverlapRependsRoutes() async throws {
        try await TestServer.withStore { store in
            _ = try await Self.both(store)
            let item = try #require(try await store.item(dataset: "reviews", uid: "t10")).rowID
            try await store.pool.run(PostgresQuery(unsafeSQL: """
                INSERT INTO routes (task_id, item_id, route, score, annotator, pending, routed_at)
                SELECT id, \(item), 'human', 0.5, 'router', false, 0 FROM tasks WHERE name = 'sentiment'
                """))
            var two = F.sentiment
            two.overlap = 2
            try await store.syncTasks([two])
            #expect(try await store.count("SELECT COUNT(*) FROM routes WHERE pending") == 1)
            try await store.syncTasks([F.sentiment])
            #expect(try await store.count("SELECT COUNT(*) FROM routes WHERE pending") == 1)  // no one labeled it yet
        }
    }

    /// Progress from the trigger-kept counts equals a scan of the decisions after imports and decisions
    /// (inserted, changed and deleted with plain SQL).
    @Test func progressEqualsAScanAfterImportsAndDecisions() async throws {
        try await TestServer.withStore { store in
            _ = try await Self.both(store)
            let task = F.sentiment
            let empty = try await store.taskProgress(task)
            #expect(empty == TaskProgress(total: 47, remaining: 47))
            #expect(try await store.taskProgressByScan(task) == empty)
            let ids = try await store.itemRowIDs(for: task)
            func decide(_ item: Int64, _ annotator: String, kind: String = "human", status: String = "submitted",
                        flagged: Bool = false, seconds: Double? = nil) async throws {
                try await store.pool.run(PostgresQuery(unsafeSQL: """
                    WITH t AS (SELECT id FROM tasks WHERE name = 'sentiment'),
                    a AS (INSERT INTO annotations (item_id, task_id, annotator_kind, annotator, value, status, flagged, created_at, seconds)
                          SELECT \(item), t.id, '\(kind)', '\(annotator)', '"pos"', '\(status)', \(flagged), 1, \(seconds.map { "\($0)" } ?? "NULL")
                          FROM t RETURNING id, task_id)
                    INSERT INTO decisions (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged, seconds, decided_at)
                    SELECT a.task_id, '\(annotator)', \(item), a.id, '\(kind)', '\(status)', \(flagged), \(seconds.map { "\($0)" } ?? "NULL"), 1 FROM a
                    ON CONFLICT (task_id, annotator, item_id) DO UPDATE SET annotation_id = excluded.annotation_id,
                        status = excluded.status, flagged = excluded.flagged, seconds = excluded.seconds
                    """))
            }
            try await decide(ids[0], "ann", seconds: 2.5)
            try await decide(ids[0], "bob", seconds: 1)
            try await decide(ids[1], "ann", status: "skipped")
            try await decide(ids[2], "llm", kind: "machine")
            try await decide(ids[3], "ann", flagged: true)
            try await decide(ids[3], "llm", kind: "machine")
            try await decide(ids[4], "ann", status: "skipped")
            try await decide(ids[4], "ann")  // a skip changed into a decision
            let progress = try await store.taskProgress(task)
            #expect(progress == (try await store.taskProgressByScan(task)))
            #expect(progress.human == 3)
            #expect(progress.machine == 1)
            #expect(progress.skipped == 1)
            #expect(progress.flagged == 1)
            #expect(progress.remaining == 47 - 4)
            #expect(progress.humanSeconds == 3.5)
            #expect(progress.timed == 2)
            try await store.pool.run("DELETE FROM decisions WHERE annotator = 'bob'")
            var two = task
            two.overlap = 2
            try await store.syncTasks([two])
            #expect(try await store.taskProgress(two) == (try await store.taskProgressByScan(two)))
            #expect(try await store.taskProgress(two).complete == 0)
            #expect(try await store.taskProgress(two).humanSeconds == 2.5)
        }
    }
}
