import Foundation

/// Where a shared project lives: duet.toml's `[store] url = "postgres://user@host:5432/db?sslmode=require"`
/// and `password_env`, the name of the environment variable that holds the password.
///
/// The password is never part of this value: it is read from the environment when a connection is
/// opened (`password(in:)`), so no description, log line or error can carry it. A URL that carries
/// one (`postgres://user:secret@…`) is refused without being repeated.
public struct PostgresConfig: Sendable, Equatable, CustomStringConvertible {
    /// How the connection uses TLS, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP only.
        case disable
        /// TLS when the server offers it, plain otherwise; the certificate is not checked (libpq's default).
        case prefer
        /// TLS or no connection; the certificate is not checked.
        case require
        /// TLS, the certificate checked against the trusted roots, the host name not.
        case verifyCA = "verify-ca"
        /// TLS, the certificate and the host name checked.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: TLSMode
    /// A PEM file of the roots to trust (`sslrootcert=`); nil: the system's.
    public var rootCertificatePath: String?
    /// The name of the environment variable that holds the password (nil: no password, e.g. `trust` or a
    /// `.pgpass`-free local setup).
    public var passwordEnv: String?

    /// The URL's query parameters Duet understands.
    public static let knownParameters = ["sslmode", "sslrootcert"]

    public init(host: String, port: Int = 5432, user: String, database: String, tls: TLSMode = .prefer,
                rootCertificatePath: String? = nil, passwordEnv: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.tls = tls
        self.rootCertificatePath = rootCertificatePath
        self.passwordEnv = passwordEnv
    }

    /// Reads `postgres://user@host[:port]/database[?sslmode=…&sslrootcert=…]` (scheme `postgres` or
    /// `postgresql`; user and database percent-decoded; an IPv6 host in brackets).
    public init(url text: String, passwordEnv: String? = nil) throws {
        func bad(_ field: String, _ why: String) -> PostgresConfigError { PostgresConfigError(field: field, reason: why) }
        let url = "[store] url"
        guard let parts = URLComponents(string: text.trimmingCharacters(in: .whitespaces)) else {
            throw bad(url, "is not a URL (expected postgres://user@host:5432/database)")
        }
        // Checked before anything else that could echo the text: a password in the URL is refused unseen.
        if parts.percentEncodedPassword != nil {
            throw bad(url, "carries a password; put it in an environment variable and name that variable in [store] password_env")
        }
        guard let scheme = parts.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw bad(url, "must start with postgres:// (or postgresql://)")
        }
        guard let host = parts.host, !host.isEmpty else { throw bad(url, "names no host (postgres://user@HOST:5432/database)") }
        guard let user = parts.user, !user.isEmpty else { throw bad(url, "names no user (postgres://USER@host:5432/database)") }
        let port = parts.port ?? 5432
        guard (1...65_535).contains(port) else { throw bad(url, "port \(port) is outside 1–65535") }
        let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        guard !path.isEmpty else { throw bad(url, "names no database (postgres://user@host:5432/DATABASE)") }
        guard !path.contains("/") else { throw bad(url, "the database is one name, not a path") }
        var tls = TLSMode.prefer
        var root: String?
        for item in parts.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    let allowed = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw bad(url, "sslmode must be one of \(allowed)")
                }
                tls = mode
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else { throw bad(url, "sslrootcert names no file") }
                root = value
            default:
                throw bad(url, "unknown parameter '\(item.name)' (known: \(Self.knownParameters.joined(separator: ", ")))")
            }
        }
        if root != nil, tls != .verifyCA, tls != .verifyFull {
            throw bad(url, "sslrootcert needs sslmode=verify-ca or verify-full")
        }
        if let name = passwordEnv, !Self.isEnvironmentName(name) {
            throw bad("[store] password_env", "must be the name of an environment variable (letters, digits, _), not the password")
        }
        // URLComponents keeps an IPv6 host's brackets; NIO wants the bare address.
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.init(host: bare, port: port, user: user, database: path, tls: tls, rootCertificatePath: root,
                  passwordEnv: passwordEnv)
    }

    /// The password from the environment variable `passwordEnv` names; nil when it names none.
    /// An unset or empty variable is an error naming the variable (never its value).
    public func password(in environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        guard let name = passwordEnv else { return nil }
        guard let value = environment[name], !value.isEmpty else {
            throw PostgresConfigError(field: "[store] password_env",
                                      reason: "names \(name), which is not set in this environment")
        }
        return value
    }

    /// The URL again, without a password (there never is one).
    public var url: String {
        var parts = URLComponents()
        parts.scheme = "postgres"
        parts.user = user
        parts.host = host.contains(":") ? "[\(host)]" : host
        parts.port = port
        parts.path = "/" + database
        var query: [URLQueryItem] = []
        if tls != .prefer { query.append(URLQueryItem(name: "sslmode", value: tls.rawValue)) }
        if let root = rootCertificatePath { query.append(URLQueryItem(name: "sslrootcert", value: root)) }
        parts.queryItems = query.isEmpty ? nil : query
        return parts.string ?? "postgres://\(host):\(port)/\(database)"
    }

    public var description: String {
        url + (passwordEnv.map { " (password from $\($0))" } ?? "")
    }

    static func isEnvironmentName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}

/// A mistake in `[store]`: names the field and says what is wrong, never a password.
public struct PostgresConfigError: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public var description: String { "\(field): \(reason)" }
}
