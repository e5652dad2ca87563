import _ConnectionPoolModule
import Foundation
import Logging
import PostgresNIO

/// The connections to one PostgreSQL database: postgres-nio's `PostgresClient` (a pool) with the task that
/// runs it. `open` first makes one connection of its own, so a wrong password, a missing database or an
/// unreachable server is a clear error at once (the pool alone would queue the request and fail only
/// when its circuit breaker trips, a minute later, without the reason). `close()` ends the run task.
///
/// A server that goes away (stopped, crashed, the network down) is one state, `down`, and one error,
/// `PostgresStoreError.unreachable` ("PostgreSQL at host:port unreachable", SQLSTATE class 08), whatever
/// postgres-nio said: a lost connection, a refused one, its circuit breaker (tripped after a minute without
/// a connection, after which its pool refuses every request for as long as its back-off lasts, up to a
/// minute more), a pool shut down under a waiting request. The pool is marked down when a call fails so,
/// or when a connection of the pool closes and a connection of its own (`probe`) finds the server gone: then
/// the client is retired, which fails the requests it had queued at once instead of after the breaker's
/// minute. While down, every call first probes: refused at once while the server is gone; once it answers,
/// a new client replaces the retired one (no breaker, no back-off carried over) and the call goes on.
public final class PostgresPool: Sendable {
    public let config: PostgresConfig
    /// The settings of the pooled connections (a new client is made from them after an outage).
    private let pooled: PostgresClient.Configuration
    /// The settings of a connection of its own (`connect()`), password included: held in memory only.
    private let direct: PostgresConnection.Configuration
    private let state: PoolState
    /// postgres-nio's logger, silent: nothing of a session reaches a log through it.
    static let quiet = Logger(label: "duet.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// How long a probe waits for the server to accept a connection.
    static let probeTimeout: TimeAmount = .seconds(3)

    private init(config: PostgresConfig, pooled: PostgresClient.Configuration, direct: PostgresConnection.Configuration) {
        self.config = config
        self.pooled = pooled
        self.direct = direct
        self.state = PoolState(Self.running(pooled, generation: 0))
    }

    /// Connects to the database `config` names, the password read from the environment.
    public static func open(_ config: PostgresConfig, environment: [String: String] = ProcessInfo.processInfo.environment,
                            maximumConnections: Int = 4) async throws -> PostgresPool {
        let password = try config.password(in: environment)
        let tls = try PostgresTLS(config)
        let where_ = "\(config.host):\(config.port)/\(config.database)"
        var direct = PostgresConnection.Configuration(host: config.host, port: config.port, username: config.user,
                                                      password: password, database: config.database,
                                                      tls: .disable)
        do {
            direct.tls = try tls.connection()
            direct.options.connectTimeout = .seconds(10)
            direct.options.tlsServerName = tls.serverName
            let probe = try await PostgresConnection.connect(configuration: direct, id: 0, logger: quiet)
            try? await probe.close()
        } catch {
            throw PostgresStoreError(error, doing: "connecting to \(where_) as \(config.user)")
        }
        var pooled = PostgresClient.Configuration(host: config.host, port: config.port, username: config.user,
                                                  password: password, database: config.database, tls: tls.client())
        pooled.options.maximumConnections = maximumConnections
        pooled.options.connectTimeout = .seconds(10)
        pooled.options.tlsServerName = tls.serverName
        return PostgresPool(config: config, pooled: pooled, direct: direct)
    }

    private static func running(_ pooled: PostgresClient.Configuration, generation: Int) -> RunningClient {
        let client = PostgresClient(configuration: pooled, backgroundLogger: quiet)
        return RunningClient(client: client, run: Task { await client.run() }, generation: generation)
    }

    /// A connection of its own, outside the pool, for work whose transaction spans the caller's awaits
    /// (an import session, a table copy), watched as the pool's are (`WatchedConnection`): the caller closes
    /// it; closing it without COMMIT rolls its transaction back.
    func connect() async throws -> WatchedConnection {
        do {
            return WatchedConnection(try await PostgresConnection.connect(configuration: direct, id: 0, logger: Self.quiet))
        } catch {
            if Self.isConnectionLoss(error) { throw PostgresStoreError.unreachable(config) }
            throw PostgresStoreError(error, doing: "connecting to \(config.host):\(config.port)/\(config.database) as \(config.user)")
        }
    }

    /// Runs `body` on one connection of the pool, until it returns or the connection closes, whichever is first
    /// (`WatchedConnection`: a statement written to a connection that has closed is never answered); a closed
    /// connection ends the call as `unreachable`.
    public func withConnection<R: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        try await lend { try await $0.run(body) }
    }

    /// Lends one connection of the pool to `body` for as long as it runs, for work that sends its statements from
    /// other tasks (`PostgresLease`): each of them goes through the connection's `run`. The lending itself ends as
    /// `unreachable` once the connection closes.
    func withWatchedConnection<R: Sendable>(_ body: @escaping @Sendable (WatchedConnection) async throws -> R) async throws -> R {
        try await lend { watched in try await watched.run { _ in try await body(watched) } }
    }

    private func lend<R: Sendable>(_ body: (WatchedConnection) async throws -> R) async throws -> R {
        let running = try await client()
        do {
            return try await running.client.withConnection { connection in
                try await body(watch(connection, of: running))
            }
        } catch {
            throw failed(error, running)
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it throws.
    public func withTransaction<R: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        try await withConnection { connection in
            try await connection.withTransaction(logger: Self.quiet) { try await body($0) }
        }
    }

    /// Stops the pool: its connections close and later calls fail.
    public func close() async {
        let running = state.close()
        running?.run.cancel()
        await running?.run.value
    }

    // MARK: Outages

    /// The client to lease from: the running one, or, while the pool is down, a new one once a probe finds the
    /// server back (`unreachable` while it does not).
    private func client() async throws -> RunningClient {
        guard let down = try state.downSince() else { return try state.current() }
        guard await probe() else { throw PostgresStoreError.unreachable(config) }
        if let swap = state.replace(down, with: { Self.running(pooled, generation: $0) }) {
            swap.retired.run.cancel()
            return swap.fresh
        }
        return try state.current()
    }

    /// A call's error: a lost or refused connection marks the pool down and reads as `unreachable`.
    private func failed(_ error: any Error, _ running: RunningClient) -> any Error {
        guard Self.isConnectionLoss(error) else { return error }
        state.markDown(running.generation)
        return PostgresStoreError.unreachable(config)
    }

    /// The watch of a pooled connection (one per connection, made the first time it is lent, whatever the number
    /// of calls made on it): when it closes, the calls running on it end, and a probe tells a server gone from a
    /// connection closed for its own reasons (idle); gone, the pool is down and its client retired.
    private func watch(_ connection: PostgresConnection, of running: RunningClient) -> WatchedConnection {
        state.watch(connection, generation: running.generation) { [self] in
            Task {
                guard state.isCurrent(running.generation) else { return }
                let back = await probe()
                if !back, state.markDown(running.generation) { running.run.cancel() }
            }
        }
    }

    /// True when the server accepts a connection of its own (closed again at once).
    private func probe() async -> Bool {
        var settings = direct
        settings.options.connectTimeout = Self.probeTimeout
        guard let connection = try? await PostgresConnection.connect(configuration: settings, id: 0, logger: Self.quiet) else { return false }
        try? await connection.close()
        return true
    }

    /// postgres-nio's ways of saying there is no connection to the server (wrapped in a transaction's error or not).
    static func isConnectionLoss(_ error: any Error) -> Bool {
        if let tx = error as? PostgresTransactionError {
            return [tx.beginError, tx.closureError, tx.commitError, tx.rollbackError].contains { $0.map(isConnectionLoss) ?? false }
        }
        if error is ConnectionPoolError || error is ConnectionClosed { return true }
        guard let psql = error as? PSQLError else { return false }
        switch psql.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed: return true
        case .server: return PostgresStoreError.endsTheConnection(psql.serverInfo?[.sqlState])
        default: return false
        }
    }
}

/// A client and the task that runs it; `generation` counts the clients an outage replaced.
private struct RunningClient: Sendable {
    let client: PostgresClient
    let run: Task<Void, Never>
    let generation: Int
}

/// `PostgresPool`'s mutable part, under a lock: the running client, whether the server is down, the watched connections.
private final class PoolState: @unchecked Sendable {
    private let lock = NSLock()
    private var running: RunningClient?
    /// The generation of the client that found the server gone (nil: up).
    private var down: Int?
    /// The watches of the pooled connections open, by client generation and id.
    private var watched: [ConnectionKey: WatchedConnection] = [:]

    init(_ running: RunningClient) { self.running = running }

    func current() throws -> RunningClient {
        try lock.withLock {
            guard let running else { throw PostgresStoreError("the connection pool is closed") }
            return running
        }
    }

    /// The down client's generation, nil when up.
    func downSince() throws -> Int? {
        try lock.withLock {
            guard running != nil else { throw PostgresStoreError("the connection pool is closed") }
            return down
        }
    }

    func isCurrent(_ generation: Int) -> Bool { lock.withLock { running?.generation == generation } }

    /// Marks the pool down because of the client of `generation` (a later client is not): true when this did.
    @discardableResult
    func markDown(_ generation: Int) -> Bool {
        lock.withLock {
            guard running?.generation == generation, down == nil else { return false }
            down = generation
            return true
        }
    }

    /// Replaces the client that went down (`generation`) with `make`'s: the new one and the retired one, or nil
    /// when another call replaced it already.
    func replace(_ generation: Int, with make: (Int) -> RunningClient) -> (fresh: RunningClient, retired: RunningClient)? {
        lock.withLock {
            guard let old = running, down == generation, old.generation == generation else { return nil }
            let fresh = make(generation + 1)
            running = fresh
            down = nil
            watched = [:]
            return (fresh, old)
        }
    }

    /// The watch of connection `connection` of the client of `generation`, made the first time (then `onClose`
    /// runs once it closes, after the calls running on it ended); a closed connection's watch is dropped.
    func watch(_ connection: PostgresConnection, generation: Int, onClose: @escaping @Sendable () -> Void) -> WatchedConnection {
        let key = ConnectionKey(generation: generation, id: connection.id)
        if let known = lock.withLock({ watched[key] }) { return known }
        // Made outside the lock: a connection closed already runs the close callback at once.
        let made = WatchedConnection(connection) { [weak self] in
            self?.forget(key, connection)
            onClose()
        }
        return lock.withLock {
            if let known = watched[key] { return known }
            if !made.isClosed { watched[key] = made }
            return made
        }
    }

    private func forget(_ key: ConnectionKey, _ connection: PostgresConnection) {
        lock.withLock { if watched[key]?.connection === connection { watched[key] = nil } }
    }

    func close() -> RunningClient? {
        lock.withLock {
            defer { running = nil }
            return running
        }
    }
}

/// The TLS settings of `[store] url`'s `sslmode` (and `sslrootcert`), for both kinds of postgres-nio configuration.
struct PostgresTLS {
    let mode: PostgresConfig.TLSMode
    let settings: TLSConfiguration?
    let serverName: String?

    init(_ config: PostgresConfig) throws {
        mode = config.tls
        var tls = TLSConfiguration.makeClientConfiguration()
        switch config.tls {
        case .disable: settings = nil; serverName = nil; return
        case .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let root = config.rootCertificatePath {
            guard FileManager.default.isReadableFile(atPath: root) else {
                throw PostgresConfigError(field: "[store] url", reason: "sslrootcert \(root) is not a readable file")
            }
            tls.trustRoots = .file(root)
        }
        settings = tls
        // SNI and the host-name check need a name, not an address.
        serverName = config.host.first.map { $0.isLetter } == true ? config.host : nil
    }

    func client() -> PostgresClient.Configuration.TLS {
        guard let settings else { return .disable }
        return mode == .prefer ? .prefer(settings) : .require(settings)
    }

    func connection() throws -> PostgresConnection.Configuration.TLS {
        guard let settings else { return .disable }
        let context = try NIOSSLContext(configuration: settings)
        return mode == .prefer ? .prefer(context) : .require(context)
    }
}

/// A pooled connection: its client's generation and its id in that client.
private struct ConnectionKey: Hashable {
    let generation: Int
    let id: Int
}

/// A value the caller hands to the body of its own pool call (`PostgresPool.withConnection` runs the body in a task
/// of its own while the caller waits for it): only that body uses it, so it is not shared, though not `Sendable`.
struct CallerOwned<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
