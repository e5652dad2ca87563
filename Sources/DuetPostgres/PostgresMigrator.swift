import PostgresNIO

/// One named step of a schema: statements run in order.
public struct PostgresMigration: Sendable, Equatable {
    public let name: String
    public let statements: [String]

    public init(name: String, statements: [String]) {
        self.name = name
        self.statements = statements
    }
}

/// Applies named migrations once each, in order, recorded in `duet_migrations`.
///
/// All the missing ones run in one transaction that first takes a transaction-scoped advisory lock
/// (`pg_advisory_xact_lock`): of two processes migrating at once, one waits until the other commits,
/// then finds the migrations recorded and applies nothing. PostgreSQL's DDL is transactional, so a
/// failing step leaves the database as it was.
public enum PostgresMigrator {
    /// The advisory lock key every Duet process takes to change a project's schema ("DuetMigr").
    public static let lockKey: Int64 = 0x4475_6574_4D69_6772

    /// Applies what is missing of `migrations` in one transaction; returns the names it applied.
    @discardableResult
    public static func migrate(_ migrations: [PostgresMigration], in pool: PostgresPool) async throws -> [String] {
        do {
            return try await pool.withTransaction { try await migrate(migrations, on: $0) }
        } catch {
            throw PostgresStoreError(error, doing: "migrating \(pool.config.database)")
        }
    }

    /// The migration step on a connection inside an open transaction (the lock is released by its end).
    static func migrate(_ migrations: [PostgresMigration], on db: PostgresConnection) async throws -> [String] {
        try await lock(db)
        try await db.execute("""
            CREATE TABLE IF NOT EXISTS duet_migrations (
                name TEXT PRIMARY KEY,
                position INTEGER NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """)
        var applied = Set<String>()
        for try await name in try await db.query("SELECT name FROM duet_migrations", logger: PostgresPool.quiet).decode(String.self) {
            applied.insert(name)
        }
        let known = Set(migrations.map(\.name))
        if let unknown = applied.subtracting(known).sorted().first {
            throw PostgresStoreError("the database was migrated by a newer Duet (it has migration '\(unknown)'); update Duet")
        }
        var ran: [String] = []
        for (position, migration) in migrations.enumerated() where !applied.contains(migration.name) {
            for statement in migration.statements {
                try await db.execute(PostgresQuery(unsafeSQL: statement))
            }
            try await db.execute("INSERT INTO duet_migrations (name, position) VALUES (\(migration.name), \(position + 1))")
            ran.append(migration.name)
        }
        return ran
    }

    /// Takes the migration lock for the rest of the transaction (waits while another holds it).
    static func lock(_ db: PostgresConnection) async throws {
        try await db.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
    }

    /// The names recorded in `duet_migrations`, in the order they were applied (empty when it does not exist).
    public static func applied(in pool: PostgresPool) async throws -> [String] {
        do {
            return try await pool.withConnection { db in
                guard try await PostgresProject.relationExists("duet_migrations", on: db) else { return [] }
                var names: [String] = []
                let rows = try await db.query("SELECT name FROM duet_migrations ORDER BY position", logger: PostgresPool.quiet)
                for try await name in rows.decode(String.self) { names.append(name) }
                return names
            }
        } catch {
            throw PostgresStoreError(error, doing: "reading the migrations of \(pool.config.database)")
        }
    }
}
