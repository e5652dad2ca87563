import PostgresNIO

/// Creating a shared project in a database, or joining the one it holds.
///
/// `open` never drops or empties anything: an empty database gets Duet's schema; a database that
/// holds a Duet project (it has `duet_migrations`) is attached, with any migrations this Duet adds
/// applied; a database holding other tables is refused. The check and the creation run in one
/// transaction under the migration lock, so two teammates running `duet init` on one empty database
/// at once get one project: the second attaches to what the first created.
public enum PostgresProject {
    public enum Intent: Sendable {
        /// `duet init --store URL`: create in an empty database, attach to an existing project.
        case createOrAttach
        /// Opening a project that must already exist.
        case attach
    }

    public enum Opening: Sendable, Equatable {
        /// The schema was made: the database was empty.
        case created
        /// The database held a Duet project; `migrated` names the migrations this open applied.
        case attached(migrated: [String])
    }

    public static func open(_ pool: PostgresPool, intent: Intent,
                            migrations: [PostgresMigration] = PostgresSchema.migrations) async throws -> Opening {
        let database = pool.config.database
        do {
            return try await pool.withTransaction { db in
                try await PostgresMigrator.lock(db)
                if try await relationExists("duet_migrations", on: db) {
                    return .attached(migrated: try await PostgresMigrator.migrate(migrations, on: db))
                }
                let others = try await relationCount(on: db)
                if others > 0 {
                    throw PostgresStoreError("""
                        database \(database) holds \(others) tables or other relations but no Duet project; \
                        Duet creates a project only in an empty database and never empties one
                        """)
                }
                guard intent == .createOrAttach else {
                    throw PostgresStoreError("database \(database) holds no Duet project; create one with duet init DIR --store URL")
                }
                _ = try await PostgresMigrator.migrate(migrations, on: db)
                return .created
            }
        } catch {
            throw PostgresStoreError(error, doing: "opening the project in \(database)")
        }
    }

    /// Whether a relation of that name exists in the connection's current schema.
    static func relationExists(_ name: String, on db: PostgresConnection) async throws -> Bool {
        let rows = try await db.query("""
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relname = \(name)
            """, logger: PostgresPool.quiet)
        for try await count in rows.decode(Int64.self) { return count > 0 }
        return false
    }

    /// Tables, views, sequences and other relations in the current schema (indexes count with their tables).
    static func relationCount(on db: PostgresConnection) async throws -> Int64 {
        let rows = try await db.query("""
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            """, logger: PostgresPool.quiet)
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }
}
