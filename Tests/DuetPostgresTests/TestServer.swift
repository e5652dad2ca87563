import Foundation
import PostgresNIO
import TestTrace
import Testing
@testable import DuetPostgres

/// The server the PostgreSQL tests use: `DUET_TEST_POSTGRES_URL` (and the password in
/// `DUET_TEST_POSTGRES_PASSWORD`, when set), as `scripts/pg-throwaway.sh run -- swift test` exports them.
/// Without the URL the suites that need a server are skipped, unless CI=true: then they run and fail.
enum TestServer {
    static let environment = ProcessInfo.processInfo.environment
    static let url = environment["DUET_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let enabled = url != nil || environment["CI"] == "true"
    static let skipped: Comment = """
        DUET_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped \
        (scripts/pg-throwaway.sh run -- swift test --filter DuetPostgresTests runs them)
        """

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "CI=true but DUET_TEST_POSTGRES_URL is not set: .ci/run starts a server with scripts/pg-throwaway.sh"
        }
    }

    /// The configured database (the role may create databases; each test makes its own).
    static func base() throws -> PostgresConfig {
        guard let url else { throw Missing() }
        let passwordEnv = environment["DUET_TEST_POSTGRES_PASSWORD"] != nil ? "DUET_TEST_POSTGRES_PASSWORD" : nil
        return try PostgresConfig(url: url, passwordEnv: passwordEnv)
    }

    /// Runs `body` with a new, empty database of its own, dropped afterwards.
    static func withDatabase(_ body: (PostgresConfig) async throws -> Void) async throws {
        let base = try base()
        let name = "duet_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
        TestTrace.note("withDatabase \(name): opening the admin pool")
        let admin = try await PostgresPool.open(base, maximumConnections: 1)
        TestTrace.note("withDatabase \(name): admin pool open")
        let result: Result<Void, any Error>
        do {
            // From template0 (nobody connects to it, so parallel tests never find their template "being accessed
            // by other users"), and tried again on a transient failure of the shared server under load.
            try await retried { try await admin.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE template0")) }
            var config = base
            config.database = name
            TestTrace.note("withDatabase \(name): created")
            do { result = .success(try await body(config)) } catch { result = .failure(error) }
            TestTrace.note("withDatabase \(name): body ended, dropping")
            try await drop(name, with: admin)
            TestTrace.note("withDatabase \(name): dropped")
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        TestTrace.note("withDatabase \(name): admin pool closed")
        return try result.get()
    }

    /// Drops a test database. WITH (FORCE) ends the sessions a test left on it, but PostgreSQL 15 refuses it
    /// ("must be a member of the role whose process is being terminated", 42501) while an autovacuum worker is at
    /// work there: the worker runs as no role. A plain DROP ends autovacuum workers itself (and refuses while a
    /// session is left). So each try is forced, then plain; ten tries half a second apart.
    static func drop(_ name: String, with admin: PostgresPool) async throws {
        var failure: (any Error)?
        for attempt in 1...10 {
            if attempt > 1 { try await Task.sleep(for: .milliseconds(500)) }
            do { return try await admin.run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")) } catch { failure = error }
            do { return try await admin.run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name)")) } catch { failure = error }
        }
        throw failure ?? PostgresStoreError("dropping \(name) failed")
    }

    /// `body`, tried up to three times half a second apart (the test server's own housekeeping under load).
    static func retried(_ body: () async throws -> Void) async throws {
        for attempt in 1...3 {
            do { return try await body() } catch where attempt < 3 {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Opens a pool on `config`, runs `body`, closes the pool.
    static func withPool(_ config: PostgresConfig, _ body: (PostgresPool) async throws -> Void) async throws {
        let pool = try await PostgresPool.open(config)
        let result: Result<Void, any Error>
        do { result = .success(try await body(pool)) } catch { result = .failure(error) }
        await pool.close()
        return try result.get()
    }
}

extension PostgresPool {
    /// Runs one statement.
    func run(_ sql: PostgresQuery) async throws {
        do {
            try await withConnection { db -> Void in
                for try await _ in try await db.query(sql, logger: PostgresPool.quiet) {}
            }
        } catch {
            // Worded as the store words a server's error (PSQLError's own description hides the server's message).
            throw PostgresStoreError(error, doing: "running \(sql.sql)")
        }
    }

    /// The first column of every row, as text.
    func texts(_ sql: PostgresQuery) async throws -> [String] {
        try await withConnection { db in
            var out: [String] = []
            for try await value in try await db.query(sql, logger: PostgresPool.quiet).decode(String.self) { out.append(value) }
            return out
        }
    }

    /// A single count.
    func count(_ sql: PostgresQuery) async throws -> Int64 {
        try await withConnection { db in
            for try await value in try await db.query(sql, logger: PostgresPool.quiet).decode(Int64.self) { return value }
            return -1
        }
    }
}

extension TestServer {
    /// Runs `body` with a `PostgresStore` on a new database of its own (Duet's schema made), closed and
    /// dropped afterwards.
    static func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        try await withDatabase { config in
            let store = try await PostgresStore.open(config, intent: .createOrAttach, environment: environment)
            let result: Result<Void, any Error>
            do { result = .success(try await body(store)) } catch { result = .failure(error) }
            await store.close()
            try result.get()
        }
    }
}
