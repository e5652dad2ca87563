import DuetCore
import PostgresNIO

/// A failure of the PostgreSQL store, worded for a person: what Duet was doing and what the server (or
/// the network) said. Built from postgres-nio's errors by `init(_:doing:)`, which reads only the server's
/// message, SQLSTATE and the kind of failure, so no password or query text reaches the sentence.
public struct PostgresStoreError: Error, CustomStringConvertible {
    /// The SQLSTATE the server answered with, when it answered (e.g. 28P01 bad password, 3D000 no such database).
    public let sqlState: String?
    public let description: String

    public init(_ message: String, sqlState: String? = nil) {
        self.description = message
        self.sqlState = sqlState
    }

    /// `doing`: what Duet was doing, e.g. "connecting to db.example:5432/labels as ann".
    public init(_ error: any Error, doing: String) {
        if let mine = error as? PostgresStoreError { self = mine; return }
        if let config = error as? PostgresConfigError { self.init(config.description); return }
        // A connection seen closed under a statement (`WatchedConnection`): class 08, as `unreachable`.
        if error is ConnectionClosed { self.init("\(doing): the connection to the server was lost", sqlState: "08006"); return }
        if let tx = error as? PostgresTransactionError,
           let inner = tx.closureError ?? tx.beginError ?? tx.commitError ?? tx.rollbackError {
            self.init(inner, doing: doing)
            return
        }
        guard let psql = error as? PSQLError else {
            self.init("\(doing): \(String(describing: type(of: error)))")
            return
        }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState]
            let message = psql.serverInfo?[.message] ?? "the server refused"
            // Class DU: Duet's own functions in the schema refused, in words meant for a person (as SQLite's StoreError).
            if let state, state.hasPrefix("DU") { self.init(message, sqlState: state); return }
            self.init("\(doing): \(message)\(state.map { " (SQLSTATE \($0))" } ?? "")", sqlState: state)
        case .sslUnsupported:
            self.init("\(doing): the server does not offer TLS, which the URL's sslmode requires")
        case .failedToAddSSLHandler:
            self.init("\(doing): TLS could not be set up")
        case .authMechanismRequiresPassword:
            self.init("\(doing): the server asks for a password; name the environment variable that holds it in [store] password_env")
        case .unsupportedAuthMechanism:
            self.init("\(doing): the server asks for an authentication method Duet does not speak (use scram-sha-256, md5 or trust)")
        case .saslError:
            self.init("\(doing): authentication failed (SCRAM)")
        case .connectionError:
            let why = psql.underlying.map { Self.network($0) } ?? "no connection"
            self.init("\(doing): \(why)")
        case .serverClosedConnection, .uncleanShutdown:
            self.init("\(doing): the server closed the connection")
        case .clientClosedConnection, .poolClosed:
            self.init("\(doing): the connection was closed")
        case .queryCancelled:
            self.init("\(doing): cancelled")
        default:
            self.init("\(doing): \(psql.code)")
        }
    }

    /// The server cannot be reached, however postgres-nio put it (`PostgresPool.isConnectionLoss`): one
    /// sentence naming where, SQLSTATE class 08 (connection exception) so that it reads as `StoreFailure.unreachable`.
    public static func unreachable(_ config: PostgresConfig) -> PostgresStoreError {
        PostgresStoreError("PostgreSQL at \(config.host):\(config.port) unreachable", sqlState: "08006")
    }

    /// A network failure in a few words (NIO's errors describe themselves without credentials).
    static func network(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("refused") { return "connection refused (is the server running and listening there?)" }
        if text.contains("timeout") || text.contains("timedOut") || text.contains("Timeout") { return "connection timed out" }
        if text.contains("resolve") || text.contains("NXDOMAIN") || text.contains("DNS") { return "the host name could not be resolved" }
        return "no connection (\(String(describing: type(of: error))))"
    }
}

/// The server's SQLSTATEs as the failures a person acts on (the one place they are classified, as
/// DuetStore classifies SQLite's result codes): a lock wait past `lock_timeout` (`setWriteWait`), a
/// deadlock or a serialization failure is `busy` (the same write may succeed a moment later).
extension PostgresStoreError {
    /// The server's SQLSTATEs that say the connection is gone: class 08 (connection exception) and the server
    /// ending the session itself, 57P01 (administrator command: `pg_terminate_backend`, a fast shutdown), 57P02
    /// (crash of another server process), 57P03 (cannot connect now: starting or stopping). The server sends
    /// those as an error on the statement it was running, then closes the connection.
    static func endsTheConnection(_ sqlState: String?) -> Bool {
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }
}

extension PostgresStoreError: StoreFailureConvertible {
    public var storeFailure: StoreFailure {
        switch sqlState {
        case "55P03", "40P01", "40001": return .busy
        case "53100": return .diskFull
        case "25006": return .readOnly
        case let state? where Self.endsTheConnection(state): return .unreachable(description)
        default: return .other(description)
        }
    }
}
