import Foundation
import Logging
import PostgresNIO

/// The connections to one PostgreSQL database: postgres-nio's `PostgresClient` (a pool) with the task that
/// runs it. `open` first makes one connection of its own, so a wrong password, a missing database or an
/// unreachable server is a clear error at once (the pool alone would queue the request and fail only
/// when its circuit breaker trips, a minute later, without the reason). `close()` ends the run task.
public final class PostgresPool: Sendable {
    public let config: PostgresConfig
    let client: PostgresClient
    /// The settings of a connection of its own (`connect()`), password included: held in memory only.
    private let direct: PostgresConnection.Configuration
    private let runTask: Task<Void, Never>
    /// postgres-nio's logger, silent: nothing of a session reaches a log through it.
    static let quiet = Logger(label: "duet.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    private init(config: PostgresConfig, client: PostgresClient, direct: PostgresConnection.Configuration) {
        self.config = config
        self.client = client
        self.direct = direct
        self.runTask = Task { await client.run() }
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
        return PostgresPool(config: config, client: PostgresClient(configuration: pooled, backgroundLogger: quiet),
                            direct: direct)
    }

    /// A connection of its own, outside the pool, for work whose transaction spans the caller's awaits
    /// (an import session): the caller closes it; closing it without COMMIT rolls its transaction back.
    public func connect() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: direct, id: 0, logger: Self.quiet)
        } catch {
            throw PostgresStoreError(error, doing: "connecting to \(config.host):\(config.port)/\(config.database) as \(config.user)")
        }
    }

    /// Runs `body` on one connection of the pool.
    public func withConnection<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        try await client.withConnection { try await body($0) }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it throws.
    public func withTransaction<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            try await connection.withTransaction(logger: Self.quiet) { try await body($0) }
        }
    }

    /// Stops the pool: its connections close and later calls fail.
    public func close() async {
        runTask.cancel()
        await runTask.value
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
