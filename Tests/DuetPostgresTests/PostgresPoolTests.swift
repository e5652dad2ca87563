import DuetCore
import Foundation
import PostgresNIO
import Testing
@testable import DuetPostgres

extension PostgresServerTests {
    /// A call whose connection closes under it ends as a lost connection (one "unreachable" status), and the
    /// pool serves the next call. postgres-nio hands a statement for a closed connection to a pipeline its
    /// handler has left, where the statement's promise is never completed: that call waited for ever (the hang
    /// OutageTests met when a server was killed just after the pool lent a connection, on a loaded machine).
    @Test func aCallWhoseConnectionClosesUnderItEndsAsUnreachable() async throws {
        try await TestServer.withStore { pg in
            let config = pg.pool.config
            let outcome = try await Bounded.within(.seconds(120), "a call on a closed connection") { () -> String in
                do {
                    _ = try await pg.read("asking on a connection that closes") { db in
                        // The server ends this connection; once it is closed, one more statement on it.
                        _ = try? await db.query("SELECT pg_terminate_backend(pg_backend_pid())", logger: PostgresPool.quiet)
                        try? await db.closeFuture.get()
                        return try await db.query("SELECT 1", logger: PostgresPool.quiet).decode(Int.self).firstElement()
                    }
                    return "answered"
                } catch {
                    return "\(StoreFailure(error))"
                }
            }
            #expect(outcome == "\(StoreFailure.unreachable("PostgreSQL at \(config.host):\(config.port) unreachable"))")
            #expect(try await pg.itemCount() == 0)
        }
    }

    /// The votes the router streams (`forEachItemVotes`, a cursor read a fetch at a time while the caller's body
    /// works item by item) are read by a protected call like every other: when the server ends the stream's
    /// connection between two fetches, the pass ends as one "unreachable" status instead of waiting for ever on
    /// the next fetch (it ran outside that protection, in the caller's task, before).
    @Test func aVoteStreamWhoseConnectionClosesBetweenFetchesEndsAsUnreachable() async throws {
        try await TestServer.withStore { pg in
            let config = pg.pool.config
            let task = QueueFixture.sentiment
            // More votes than one fetch holds: 700 items with 8 votes each.
            try await QueueFixture.seed(pg, tasks: [task], texts: 700)
            let votes = (1...700).flatMap { item in
                (0..<8).map { v in (item: Int64(item), vote: MachineVote(annotator: "m", variant: "v\(v)", label: v % 3 == 0 ? "neg" : "pos",
                                                                       confidence: nil)) }
            }
            #expect(votes.count > PostgresStore.votesPerFetch)
            try await pg.saveVotes(votes, task: task.name, at: QueueFixture.date(0))
            // A whole pass first: every item once, in order, with its votes.
            var seen: [Int64] = []
            try await pg.forEachItemVotes(task: task, annotators: nil) { item, v in
                #expect(v.count == 8)
                seen.append(item)
            }
            #expect(seen == (1...700).map(Int64.init))
            final class Cut: @unchecked Sendable { var done = false; var terminated = 0 }
            let outcome = try await Bounded.within(.seconds(120), "a vote stream on a closed connection") { () -> String in
                let cut = Cut()
                do {
                    try await pg.forEachItemVotes(task: task, annotators: nil) { _, _ in
                        guard !cut.done else { return }
                        cut.done = true
                        // The server ends the stream's connection (idle in its transaction between fetches), from another one.
                        let ended = DispatchSemaphore(value: 0)
                        Task.detached {
                            cut.terminated = (try? await pg.read("ending the stream's connection") { db in
                                try await db.query("""
                                    SELECT COUNT(pg_terminate_backend(pid))::bigint FROM pg_stat_activity
                                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'
                                    """, logger: PostgresPool.quiet).decode(Int64.self).firstElement()
                            }).flatMap { $0 }.map(Int.init) ?? -1
                            ended.signal()
                        }
                        _ = ended.wait(timeout: .now() + 60)
                    }
                    return "answered (\(cut.terminated) connections ended)"
                } catch {
                    return "\(StoreFailure(error))"
                }
            }
            #expect(outcome == "\(StoreFailure.unreachable("PostgreSQL at \(config.host):\(config.port) unreachable"))")
            // The pool serves the next pass whole.
            var again = 0
            try await pg.forEachItemVotes(task: task, annotators: nil) { _, _ in again += 1 }
            #expect(again == 700)
        }
    }

    /// The same protection for a connection of the store's own (`PostgresPool.connect`: an import's, a table
    /// copy's): a statement sent once the server has ended the connection ends as a lost connection, within a
    /// moment. The statement runs inside `run` after the close was seen, as a statement written just after a
    /// check of the connection would: postgres-nio never answers it, so before `WatchedConnection` the call
    /// waited for ever (only `isClosed` was checked before each statement, a window a loaded machine widens).
    @Test func aStatementOnAConnectionOfItsOwnThatClosedEndsAsLost() async throws {
        try await TestServer.withStore { pg in
            let own = try await pg.pool.connect()
            let outcome = try await Bounded.within(.seconds(120), "a statement on a closed connection of its own") { () -> String in
                do {
                    let answer = try await own.run { db in
                        _ = try? await db.query("SELECT pg_terminate_backend(pg_backend_pid())", logger: PostgresPool.quiet)
                        try? await db.closeFuture.get()
                        return try await db.query("SELECT 1", logger: PostgresPool.quiet).decode(Int.self).firstElement()
                    }
                    return "answered \(answer.map(String.init) ?? "nothing")"
                } catch {
                    return "\(type(of: error))"
                }
            }
            #expect(outcome == "ConnectionClosed")
            #expect(own.isClosed)
            // Later calls on it end at once, without a statement sent.
            await #expect(throws: ConnectionClosed.self) { try await own.run { try await $0.execute("SELECT 1") } }
            await own.close()
        }
    }

    /// An export's connections are leased from the pool and held between pages: when the server ends them there,
    /// the export ends with one "unreachable" status instead of waiting on its next statement, and the pool serves
    /// the next export whole.
    @Test func anExportWhoseConnectionsCloseBetweenPagesEndsAsUnreachable() async throws {
        try await TestServer.withStore { pg in
            try await pg.syncTasks([PGFixture.sentiment])
            guard case .success = await PGFixture.load(pg, [PGFixture.File(path: "/data/a.jsonl", batches: [(1...12).map { PGFixture.text($0) }])]) else {
                throw PostgresStoreError("the import failed")
            }
            let outcome = try await Bounded.within(.seconds(120), "an export on closed connections") { () -> String in
                var pages = pg.exportPages(task: PGFixture.sentiment, pageSize: 2).makeAsyncIterator()
                do {
                    guard try await pages.next()?.items.count == 2 else { return "no first page" }
                    // Both of the export's connections wait idle in their transactions: the server ends them.
                    let ended = try await pg.read("ending the export's connections") { db in
                        try await db.query("""
                            SELECT COUNT(pg_terminate_backend(pid))::bigint FROM pg_stat_activity
                            WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'
                            """, logger: PostgresPool.quiet).decode(Int64.self).firstElement()
                    }
                    guard ended == 2 else { return "\(ended ?? 0) connections ended" }
                    var read = 2
                    while let page = try await pages.next() { read += page.items.count }
                    return "read \(read) items"
                } catch {
                    if case .unreachable = StoreFailure(error) { return "unreachable" }
                    return "failed otherwise: \(StoreFailure(error))"
                }
            }
            #expect(outcome == "unreachable")
            var again = 0
            for try await page in pg.exportPages(task: PGFixture.sentiment, pageSize: 5) { again += page.items.count }
            #expect(again == 12)
        }
    }

    /// An export holds two connections of the pool (`PostgresLease`), each in a transaction on one snapshot. When
    /// the server ends one of them between pages, the export ends with an error and the other connection is not
    /// handed to the pool's next caller inside the export's READ ONLY transaction (where a decision would fail,
    /// or be rolled back with it): each leased connection is held on its own until the lease ends and its
    /// transaction is rolled back. (The lease held them nested before: the inner one's loss let the outer one go
    /// back at once, still in its transaction.) A decision recorded next, on a pool of two, is kept.
    @Test func anExportThatLosesOneConnectionLetsTheOtherGoOnlyOutOfItsTransaction() async throws {
        try await TestServer.withDatabase { config in
            try await PGFixture.withLoadedStore(config, items: 12, maximumConnections: 2) { store in
                let outside = try await store.pool.connect()
                @Sendable func count(_ sql: String) async throws -> Int64 {
                    try await outside.run { try await $0.rows(PostgresQuery(unsafeSQL: sql)).decode(Int64.self).firstElement() ?? -1 }
                }
                let outcome = try await Bounded.within(.seconds(120), "an export losing one connection") { () -> String in
                    var pages = store.exportPages(task: PGFixture.sentiment, pageSize: 2).makeAsyncIterator()
                    guard try await pages.next()?.items.count == 2 else { return "no first page" }
                    // The log reader's connection only (its last statement read the log; the cursor's fetched).
                    let ended = try await count("""
                        SELECT COUNT(pg_terminate_backend(pid))::bigint FROM pg_stat_activity
                        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'
                          AND query NOT LIKE 'FETCH%'
                        """)
                    guard ended == 1 else { return "\(ended) connections ended" }
                    do {
                        while try await pages.next() != nil {}
                        return "the export went on"
                    } catch {
                        return "failed"
                    }
                }
                #expect(outcome == "failed")
                // The pool's next callers are served outside any transaction of the export's: the decision is kept.
                let item = try #require(try await store.nextItem(for: PGFixture.sentiment, annotator: "ana"))
                _ = try await store.record(QueueFixture.decision(item.rowID, by: "ana", at: 1))
                #expect(try await count("SELECT COUNT(*) FROM annotations WHERE annotator = 'ana'") == 1)
                #expect(try await PostgresReadTests.transactionsEnd(store))
                await outside.close()
            }
        }
    }

    /// The server ending a session under a running statement (`pg_terminate_backend`, a fast shutdown) answers that
    /// statement with an error (SQLSTATE 57P01) before it closes the connection: a lost connection like any other,
    /// one "unreachable" status. It read as a server error in other words ("terminating connection due to
    /// administrator command") before, a status that says nothing about retrying (seen under load, when the
    /// vote stream's next fetch was already running when its session was ended).
    @Test func aStatementWhoseSessionTheServerEndsIsUnreachable() async throws {
        try await TestServer.withStore { pg in
            let running = Task { () -> String in
                do {
                    try await pg.read("sleeping") { db in try await db.execute("SELECT pg_sleep(60)") }  // read to its end
                    return "answered"
                } catch {
                    if case .unreachable = StoreFailure(error) { return "unreachable" }
                    return "failed otherwise: \(StoreFailure(error))"
                }
            }
            let outside = try await pg.pool.connect()
            @Sendable func count(_ sql: String) async throws -> Int64 {
                try await outside.run { try await $0.rows(PostgresQuery(unsafeSQL: sql)).decode(Int64.self).firstElement() ?? -1 }
            }
            let start = ContinuousClock.now
            while try await count("SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(60)'") == 0,
                  ContinuousClock.now - start < .seconds(30) { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await count("""
                SELECT COUNT(pg_terminate_backend(pid))::bigint FROM pg_stat_activity
                WHERE state = 'active' AND query = 'SELECT pg_sleep(60)'
                """) == 1)
            let outcome = await running.value
            #expect(outcome == "unreachable")
            await outside.close()
        }
    }
}

/// Needs no server: which of the server's answers mean the connection is gone.
@Suite struct ConnectionEndingStatesTests {
    @Test func theServerEndingTheSessionIsUnreachableOtherRefusalsAreNot() {
        for state in ["08006", "08003", "57P01", "57P02", "57P03"] {
            #expect(PostgresStoreError.endsTheConnection(state), "\(state)")
            guard case .unreachable = StoreFailure(PostgresStoreError("x", sqlState: state)) else {
                Issue.record("\(state) is not unreachable")
                continue
            }
        }
        for state in ["57014", "42501", "23505", "40001", "XX000"] {
            #expect(!PostgresStoreError.endsTheConnection(state), "\(state)")
            if case .unreachable = StoreFailure(PostgresStoreError("x", sqlState: state)) { Issue.record("\(state) read as unreachable") }
        }
        #expect(!PostgresStoreError.endsTheConnection(nil))
    }
}

/// Needs no server: a rule over the store's source.
@Suite struct WatchedConnectionRuleTests {
    /// The rule that keeps every statement watched: outside `WatchedConnection` (and the pool's bookkeeping of its
    /// watches), no code of the store reads a watch's bare connection; a `PostgresConnection` reaches Duet's code
    /// only as the argument of a `run` body (or of the pool's `withConnection`, which runs it so). Shown failing.
    @Test func noStoreCodeSendsAStatementOutsideAWatch() throws {
        func offenders(_ text: String, file: String) -> [String] {
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { n, line in
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                // `.connection` as a member read: not a call (`tls.connection()`), not an own property's assignment.
                guard code.range(of: #"\.connection\b(?!\s*\()"#, options: .regularExpression) != nil,
                      !code.contains("self.connection = connection"), !code.contains("watched[key]?.connection === connection") else { return nil }
                return "\(file):\(n + 1): \(code.trimmingCharacters(in: .whitespaces))"
            }
        }
        #expect(offenders("        let rows = try await lease.connections[0].connection.query(q)", file: "x").count == 1)
        #expect(offenders("        try await own.connection.close() // fine? no", file: "x").count == 1)
        #expect(offenders("        direct.tls = try tls.connection()", file: "x").isEmpty)
        let dir = ChildProcess.repoRoot.appendingPathComponent("Sources/DuetPostgres")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 10)
        var found: [String] = []
        for file in files where file != "WatchedConnection.swift" {
            found += offenders(try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8), file: file)
        }
        #expect(found.isEmpty, "statements outside a watch:\n\(found.joined(separator: "\n"))")
    }

    /// No statement's result is left unread: postgres-nio's `query` returns at the statement's row description,
    /// before a statement that returns rows has run, and an unread result loses its error (the server ending the
    /// session under it read as a success). Statements whose rows are not wanted go through `execute`, which
    /// reads them to the end. Shown failing.
    @Test func noStatementResultIsLeftUnread() throws {
        let unread = #"^\s*(_\s*=\s*)?try\??\s+await\s+[\w.]+\.query\("#
        func offenders(_ text: String, file: String) -> [String] {
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { n, line in
                line.range(of: unread, options: .regularExpression) == nil ? nil : "\(file):\(n + 1): \(line.trimmingCharacters(in: .whitespaces))"
            }
        }
        #expect(offenders("        try await db.query(\"SELECT pg_advisory_xact_lock(1)\", logger: l)", file: "x").count == 1)
        #expect(offenders("        _ = try await self.query(query, logger: l)", file: "x").count == 1)
        #expect(offenders("        for try await _ in try await db.query(q, logger: l) {}", file: "x").isEmpty)
        #expect(offenders("        let rows = try await db.query(q, logger: l)", file: "x").isEmpty)
        var found: [String] = []
        for module in ["Sources/DuetPostgres", "Sources/duet-bench"] {
            let dir = ChildProcess.repoRoot.appendingPathComponent(module)
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".swift") {
                found += offenders(try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8), file: "\(module)/\(file)")
            }
        }
        #expect(found.isEmpty, "results left unread:\n\(found.joined(separator: "\n"))")
    }
}

/// Needs no server: the migration that orders the queue lock first is pg5's function with the lock added once.
@Suite struct QueueLockFirstMigrationTests {
    @Test func theLockIsAddedOnceBeforeTheLoop() throws {
        let text = try #require(PostgresSchema.queueLockFirst.first)
        let lock = try #require(text.range(of: "PERFORM duet_queue_lock(s.task_id, true)"))
        let loop = try #require(text.range(of: "FOR e IN SELECT"))
        #expect(lock.upperBound < loop.lowerBound)
        #expect(text.components(separatedBy: "duet_queue_lock").count == 2)
        #expect(text.hasPrefix(PostgresSchema.pendingCountedUnderLock[0].components(separatedBy: PostgresSchema.itemOrderLoop)[0]))
        #expect(PostgresSchema.migrations.last?.name == "pg-queue-lock-first")
    }
}

