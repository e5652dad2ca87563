import Foundation
import PostgresNIO
import TestTrace
import Testing
@testable import DuetPostgres

/// Everything that needs a PostgreSQL server, in one suite (so that it is one skip line without
/// DUET_TEST_POSTGRES_URL); each test in a new database of its own.
@Suite(.enabled(if: TestServer.enabled, TestServer.skipped)) struct PostgresServerTests {}

extension PostgresServerTests {
    // MARK: Connecting
    /// A wrong password is a clear error at once (not the pool's circuit breaker a minute later),
    /// and the error does not repeat the password.
    @Test func aWrongPasswordIsAClearErrorWithoutThePassword() async throws {
        let base = try TestServer.base()
        guard let name = base.passwordEnv else { return }  // a trust-only server has no password to get wrong
        let wrong = "wrong-\(UUID().uuidString)"
        do {
            let pool = try await PostgresPool.open(base, environment: [name: wrong])
            await pool.close()
            Issue.record("connected with a wrong password")
        } catch {
            let said = "\(error) \(String(reflecting: error))"
            #expect(said.contains("connecting to"))
            #expect(said.contains("28P01") || said.contains("password"))
            #expect(!said.contains(wrong))
        }
    }

    @Test func aMissingDatabaseIsNamed() async throws {
        var config = try TestServer.base()
        config.database = "duet_no_such_db_\(UInt32.random(in: 0...UInt32.max))"
        await #expect {
            let pool = try await PostgresPool.open(config)
            await pool.close()
        } throws: { error in
            (error as? PostgresStoreError)?.sqlState == "3D000" && "\(error)".contains(config.database)
        }
    }

    @Test func noServerThereIsAClearError() async throws {
        var config = try TestServer.base()
        config.port = 1  // nothing listens on port 1 here
        await #expect {
            let pool = try await PostgresPool.open(config)
            await pool.close()
        } throws: { error in
            "\(error)".contains("connection refused")
        }
    }

    // MARK: Migrations
    static let migrationNames = PostgresSchema.migrations.map(\.name)

    @Test func anEmptyDatabaseIsCreatedOnceThenAttached() async throws {
        try await TestServer.withDatabase { config async throws in
            try await TestServer.withPool(config) { pool async throws in
                #expect(try await PostgresProject.open(pool, intent: .createOrAttach) == .created)
                #expect(try await PostgresMigrator.applied(in: pool) == Self.migrationNames)
                #expect(try await PostgresProject.open(pool, intent: .createOrAttach) == .attached(migrated: []))
                #expect(try await PostgresProject.open(pool, intent: .attach) == .attached(migrated: []))
                #expect(try await PostgresMigrator.migrate(PostgresSchema.migrations, in: pool) == [])
                #expect(try await PostgresMigrator.applied(in: pool) == Self.migrationNames)
                let tables = try await pool.texts("""
                    SELECT table_name::text FROM information_schema.tables
                    WHERE table_schema = current_schema() ORDER BY 1
                    """)
                #expect(tables == (PostgresSchema.tableNames + ["duet_migrations"]).sorted())
            }
        }
    }

    /// A later Duet's migration is applied on attach, once; a database migrated by a newer Duet is refused.
    @Test func laterMigrationsApplyOnAttachAndNewerOnesAreRefused() async throws {
        try await TestServer.withDatabase { config async throws in
            try await TestServer.withPool(config) { pool async throws in
                _ = try await PostgresProject.open(pool, intent: .createOrAttach)
                let later = PostgresSchema.migrations + [PostgresMigration(name: "pg-test-later", statements: [
                    "CREATE TABLE later_thing (id BIGINT PRIMARY KEY)",
                ])]
                #expect(try await PostgresProject.open(pool, intent: .attach, migrations: later)
                        == .attached(migrated: ["pg-test-later"]))
                #expect(try await PostgresProject.open(pool, intent: .attach, migrations: later) == .attached(migrated: []))
                await #expect {
                    _ = try await PostgresProject.open(pool, intent: .attach)
                } throws: { error in
                    "\(error)".contains("newer Duet") && "\(error)".contains("pg-test-later")
                }
            }
        }
    }

    /// A failing migration leaves nothing behind: not its first statements, not its record.
    @Test func aFailingMigrationChangesNothing() async throws {
        try await TestServer.withDatabase { config async throws in
            try await TestServer.withPool(config) { pool async throws in
                let broken = [PostgresMigration(name: "pg-test-broken", statements: [
                    "CREATE TABLE half_made (id BIGINT)", "CREATE TABLE half_made (id BIGINT)",
                ])]
                await #expect(throws: PostgresStoreError.self) {
                    try await PostgresMigrator.migrate(broken, in: pool)
                }
                #expect(try await pool.count("SELECT count(*) FROM pg_class WHERE relname IN ('half_made', 'duet_migrations')") == 0)
            }
        }
    }

    /// Several processes creating the project in one empty database at once (separate pools, as separate
    /// `duet init` runs would be): every one succeeds, one creates, the others attach, each migration is
    /// recorded once.
    @Test func concurrentMigratorsAllSucceedAndMigrateOnce() async throws {
        try await TestServer.withDatabase { config async throws in
            let openings = try await withThrowingTaskGroup(of: PostgresProject.Opening.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let pool = try await PostgresPool.open(config)
                        let opening = try await PostgresProject.open(pool, intent: .createOrAttach)
                        await pool.close()
                        return opening
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(openings.filter { $0 == .created }.count == 1)
            #expect(openings.filter { $0 == .attached(migrated: []) }.count == 3)
            try await TestServer.withPool(config) { pool async throws in
                #expect(try await pool.texts("SELECT name || ':' || count(*) FROM duet_migrations GROUP BY name ORDER BY name")
                        == Self.migrationNames.sorted().map { "\($0):1" })
            }
        }
    }

    /// While another session holds the migration lock, a migrator waits (its lock request is seen waiting
    /// in pg_locks and the schema is not there); once that session ends, it migrates.
    @Test func aMigratorWaitsForTheLock() async throws {
        TestTrace.note("aMigratorWaitsForTheLock: start")
        try await TestServer.withDatabase { config async throws in
            TestTrace.note("aMigratorWaitsForTheLock: database made")
            let holder = try await PostgresPool.open(config)  // one connection holds the lock, another looks
            let migrator = try await PostgresPool.open(config)
            TestTrace.note("aMigratorWaitsForTheLock: pools open")
            let held = AsyncStream<Void>.makeStream()
            let release = AsyncStream<Void>.makeStream()
            let holding = Task {
                try await holder.withTransaction { db in
                    try await PostgresMigrator.lock(db)
                    TestTrace.note("aMigratorWaitsForTheLock: lock held")
                    held.continuation.yield()
                    for await _ in release.stream { break }
                    TestTrace.note("aMigratorWaitsForTheLock: releasing")
                }
            }
            for await _ in held.stream { break }
            let migrating = Task { try await PostgresProject.open(migrator, intent: .createOrAttach) }
            var waiting: Int64 = 0
            for _ in 0..<600 where waiting == 0 {  // until the request shows (at most about a minute)
                waiting = try await holder.count("""
                    SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """)
                if waiting == 0 { try await Task.sleep(nanoseconds: 100_000_000) }
            }
            TestTrace.note("aMigratorWaitsForTheLock: waiting seen (\(waiting))")
            #expect(waiting == 1)
            #expect(try await holder.count("SELECT count(*) FROM pg_class WHERE relname = 'duet_migrations'") == 0)
            release.continuation.yield()
            try await holding.value
            TestTrace.note("aMigratorWaitsForTheLock: holder done")
            #expect(try await migrating.value == .created)
            TestTrace.note("aMigratorWaitsForTheLock: migrated")
            #expect(try await PostgresMigrator.applied(in: migrator) == Self.migrationNames)
            await holder.close()
            await migrator.close()
            TestTrace.note("aMigratorWaitsForTheLock: pools closed")
        }
        TestTrace.note("aMigratorWaitsForTheLock: end")
    }

    // MARK: Attaching
    /// Opening a project again, as its creator or a teammate, keeps every row.
    @Test func attachingKeepsTheProjectsData() async throws {
        try await TestServer.withDatabase { config async throws in
            try await TestServer.withPool(config) { pool async throws in
                _ = try await PostgresProject.open(pool, intent: .createOrAttach)
                try await SchemaRows.insertAll(pool)
                let before = try await SchemaRows.counts(pool)
                #expect(before.allSatisfy { $0.hasSuffix(":1") })
                #expect(try await PostgresProject.open(pool, intent: .createOrAttach) == .attached(migrated: []))
                #expect(try await PostgresProject.open(pool, intent: .attach) == .attached(migrated: []))
                #expect(try await SchemaRows.counts(pool) == before)
            }
            // A teammate's own connection.
            try await TestServer.withPool(config) { pool async throws in
                #expect(try await PostgresProject.open(pool, intent: .createOrAttach) == .attached(migrated: []))
                #expect(try await SchemaRows.counts(pool).allSatisfy { $0.hasSuffix(":1") })
            }
        }
    }

    /// A database holding something else is refused and left as it was; so is an empty one when the
    /// project must exist.
    @Test func aForeignOrEmptyDatabaseIsRefusedAndLeftAlone() async throws {
        try await TestServer.withDatabase { config async throws in
            try await TestServer.withPool(config) { pool async throws in
                await #expect {
                    _ = try await PostgresProject.open(pool, intent: .attach)
                } throws: { error in
                    "\(error)".contains("holds no Duet project")
                }
                #expect(try await pool.count("SELECT count(*) FROM pg_class WHERE relname = 'duet_migrations'") == 0)
                try await pool.run("CREATE TABLE invoices (id BIGINT PRIMARY KEY)")
                try await pool.run("INSERT INTO invoices VALUES (7)")
                for intent in [PostgresProject.Intent.createOrAttach, .attach] {
                    await #expect {
                        _ = try await PostgresProject.open(pool, intent: intent)
                    } throws: { error in
                        "\(error)".contains("no Duet project") && "\(error)".contains(config.database)
                    }
                }
                #expect(try await pool.count("SELECT count(*) FROM invoices") == 1)
                #expect(try await pool.count("SELECT count(*) FROM pg_class WHERE relname = 'duet_migrations'") == 0)
            }
        }
    }

    // MARK: Schema
    /// One row in every table, written with Swift values and read back as the same values.
    @Test func everyTableRoundTripsARow() async throws {
        try await TestServer.withDatabase { config async throws in
            try await TestServer.withPool(config) { pool async throws in
                _ = try await PostgresProject.open(pool, intent: .createOrAttach)
                try await SchemaRows.insertAll(pool)
                #expect(Set(SchemaRows.rows.map(\.table)) == Set(PostgresSchema.tableNames))
                for row in SchemaRows.rows {
                    #expect(try await SchemaRows.readBack(row, pool) == row.values, "\(row.table)")
                }
            }
        }
    }

    /// The progress counts kept by the trigger equal a count over the decisions after inserts, updates
    /// (to a skip, a flag, other seconds), deletes and a change of the task's overlap.
    @Test func progressCountsEqualAScanAfterEveryKindOfWrite() async throws {
        try await TestServer.withDatabase { config async throws in
            try await TestServer.withPool(config) { pool async throws in
                _ = try await PostgresProject.open(pool, intent: .createOrAttach)
                try await pool.run("""
                    INSERT INTO tasks (id, name, kind, labels, created_at, overlap) VALUES (1, 't', 'classify', '[]', 0, 2)
                    """)
                for (id, dataset) in [(1, "a"), (2, "a"), (3, "b"), (4, "b")] as [(Int64, String)] {
                    try await pool.run("""
                        INSERT INTO items (id, uid, dataset, kind, fields) VALUES (\(id), \("u\(id)"), \(dataset), 'text', '{}')
                        """)
                }
                var step = 0
                func decide(_ item: Int64, _ who: String, _ kind: String, _ status: String, flagged: Bool = false,
                            seconds: Double?) async throws {
                    step += 1
                    try await pool.run("""
                        INSERT INTO annotations (id, item_id, task_id, annotator_kind, annotator, status, created_at)
                        VALUES (\(Int64(step)), \(item), 1, \(kind), \(who), \(status), 0)
                        """)
                    try await pool.run("""
                        INSERT INTO decisions (task_id, annotator, item_id, annotation_id, annotator_kind, status, flagged, seconds, decided_at)
                        VALUES (1, \(who), \(item), \(Int64(step)), \(kind), \(status), \(flagged), \(seconds), \(Double(step)))
                        ON CONFLICT (task_id, annotator, item_id) DO UPDATE SET annotation_id = EXCLUDED.annotation_id,
                            annotator_kind = EXCLUDED.annotator_kind, status = EXCLUDED.status, flagged = EXCLUDED.flagged,
                            seconds = EXCLUDED.seconds, decided_at = EXCLUDED.decided_at
                        """)
                    try await Self.expectCountsEqualScan(pool, "after decision \(step)")
                }
                try await decide(1, "ann", "human", "submitted", seconds: 2.5)
                try await decide(1, "bob", "human", "submitted", flagged: true, seconds: nil)
                try await decide(2, "router", "machine", "submitted", seconds: nil)
                try await decide(3, "ann", "human", "skipped", seconds: 1.25)
                try await decide(4, "ann", "human", "submitted", seconds: 4)
                try await decide(3, "ann", "human", "submitted", seconds: 0.5)      // a skip becomes a label
                try await decide(1, "ann", "human", "skipped", seconds: nil)        // a label becomes a skip
                try await decide(2, "ann", "human", "submitted", seconds: 3)        // a person joins the machine
                try await pool.run("DELETE FROM decisions WHERE annotator = 'router'")  // the machine revoked
                try await Self.expectCountsEqualScan(pool, "after a delete")
                try await pool.run("DELETE FROM decisions WHERE task_id = 1 AND annotator = 'bob' AND item_id = 1")
                try await Self.expectCountsEqualScan(pool, "after undo")
                try await pool.run("UPDATE tasks SET overlap = 1 WHERE id = 1")
                try await Self.expectCountsEqualScan(pool, "after overlap 1")
                #expect(try await pool.count("SELECT sum(complete)::bigint FROM progress") == 3)
            }
        }
    }

    static func expectCountsEqualScan(_ pool: PostgresPool, _ when: String) async throws {
        let kept = try await pool.texts("""
            SELECT concat_ws('|', task_id, dataset, kind, SUM(human), SUM(machine_only), SUM(skipped_only), SUM(submitted),
                             SUM(flagged), SUM(human_seconds), SUM(timed), SUM(complete))
            FROM progress GROUP BY task_id, dataset, kind
            HAVING SUM(human + machine_only + skipped_only + submitted + flagged + timed + complete) > 0 OR SUM(human_seconds) <> 0
            ORDER BY task_id, dataset, kind
            """)
        let scanned = try await pool.texts("""
            WITH ip AS (
                SELECT task_id, item_id,
                    count(*) FILTER (WHERE status = 'submitted') AS submitted,
                    count(*) FILTER (WHERE status = 'submitted' AND annotator_kind = 'human') AS human,
                    count(*) FILTER (WHERE status = 'submitted' AND annotator_kind = 'machine') AS machine,
                    count(*) FILTER (WHERE status = 'skipped') AS skipped,
                    count(*) FILTER (WHERE flagged) AS flagged,
                    COALESCE(sum(seconds) FILTER (WHERE status = 'submitted' AND annotator_kind = 'human'), 0) AS seconds,
                    count(*) FILTER (WHERE status = 'submitted' AND annotator_kind = 'human' AND seconds IS NOT NULL) AS timed
                FROM decisions GROUP BY task_id, item_id)
            SELECT concat_ws('|', ip.task_id, i.dataset, i.kind,
                count(*) FILTER (WHERE ip.human > 0), count(*) FILTER (WHERE ip.machine > 0 AND ip.human = 0),
                count(*) FILTER (WHERE ip.skipped > 0 AND ip.submitted = 0), count(*) FILTER (WHERE ip.submitted > 0),
                count(*) FILTER (WHERE ip.flagged > 0), sum(ip.seconds)::float8, sum(ip.timed),
                count(*) FILTER (WHERE ip.human >= t.overlap))
            FROM ip JOIN items i ON i.id = ip.item_id JOIN tasks t ON t.id = ip.task_id
            GROUP BY ip.task_id, i.dataset, i.kind
            ORDER BY ip.task_id, i.dataset, i.kind
            """)
        #expect(kept == scanned, "\(when)")
        #expect(!kept.isEmpty, "\(when)")
    }
}
