import Foundation
import PostgresNIO

/// A connection whose calls end when it closes. postgres-nio hands a statement to its connection's channel without
/// asking to hear whether the write reached the connection's handler; on a channel that has closed meanwhile (the
/// server went away after the connection was checked, before the statement was written) the handler is gone and
/// the statement's promise is never completed: its caller would wait for ever (vapor/postgres-nio#487, reverted in
/// #501). So every statement Duet sends runs inside `run`: the body runs in a task of its own, and the call returns
/// the body's result or, as soon as the connection's close is seen, `ConnectionClosed` (a body stuck so stays
/// behind with its task).
///
/// The one mechanism for every connection: the pool keeps one per pooled connection (`PostgresPool.withConnection`,
/// and a lease's connections held across the caller's awaits, `PostgresLease`), and a connection of its own
/// (`PostgresPool.connect`: an import, a table copy) comes wrapped in one. `connection` itself is for the tests'
/// hand-held sessions; Duet's code reaches a connection only as the argument of `run`'s body.
final class WatchedConnection: @unchecked Sendable {
    /// The connection (see above: Duet's code uses it only through `run`).
    let connection: PostgresConnection
    private let lock = NSLock()
    private var closed = false
    private var calls: [ObjectIdentifier: ConnectionCall] = [:]

    /// Watches `connection`: once it closes, the calls running on it end, then `onClose` runs.
    init(_ connection: PostgresConnection, onClose: (@Sendable () -> Void)? = nil) {
        self.connection = connection
        connection.closeFuture.whenComplete { [self] _ in
            let ending = lock.withLock { () -> [ConnectionCall] in
                closed = true
                defer { calls = [:] }
                return Array(calls.values)
            }
            for call in ending { call.end() }
            onClose?()
        }
    }

    /// True once the connection is closed (or seen closing).
    var isClosed: Bool { lock.withLock { closed } || connection.isClosed }

    /// `body`'s result on this connection, or `ConnectionClosed` as soon as the connection is seen closed (at once
    /// when it is closed already), whichever comes first.
    func run<R: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        let call = ConnectionCall()
        let key = ObjectIdentifier(call)
        let over = lock.withLock { () -> Bool in
            if closed { return true }
            calls[key] = call
            return false
        }
        if over || connection.isClosed { call.end() }
        defer { lock.withLock { _ = calls.removeValue(forKey: key) } }
        let connection = connection
        return try await call.run { try await body(connection) }
    }

    /// Closes the connection (the server rolls back a transaction left open).
    func close() async {
        try? await connection.close()
    }

    /// Closes the connection of a session dropped without commit, without waiting (the server rolls its
    /// transaction back). The completion holds the connection until it is closed: postgres-nio asserts that it is.
    func closeDropped() {
        let connection = connection
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }
}

/// One call on a connection (`WatchedConnection.run`): its body runs in a task of its own, and the call returns
/// the body's result or, once the connection is seen closed (`end()`), a lost connection.
final class ConnectionCall: @unchecked Sendable {
    private let lock = NSLock()
    private var over = false
    private var ender: (@Sendable () -> Void)?

    /// Ends the call as a lost connection (a body still running is left to end by itself).
    func end() {
        let ending = lock.withLock { () -> (@Sendable () -> Void)? in
            over = true
            defer { ender = nil }
            return ender
        }
        ending?()
    }

    /// `body`'s result, or `ConnectionClosed` once `end()` was called, whichever comes first.
    func run<R: Sendable>(_ body: @escaping @Sendable () async throws -> R) async throws -> R {
        if lock.withLock({ over }) { throw ConnectionClosed() }
        let first = FirstResult<R>()
        let work = Task {
            do { first.resume(.success(try await body())) } catch { first.resume(.failure(error)) }
        }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<R, any Error>) in
                first.set(continuation)
                let ended = lock.withLock { () -> Bool in
                    if over { return true }
                    ender = { first.resume(.failure(ConnectionClosed())) }
                    return false
                }
                if ended { first.resume(.failure(ConnectionClosed())) }
            }
        } onCancel: {
            work.cancel()
        }
    }
}

/// The first of several results, handed to a continuation once it is there (results before it are kept).
private final class FirstResult<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: UnsafeContinuation<R, any Error>?
    private var result: Result<R, any Error>?
    private var delivered = false

    func set(_ continuation: UnsafeContinuation<R, any Error>) {
        let ready = lock.withLock { () -> Result<R, any Error>? in
            guard let result else {
                self.continuation = continuation
                return nil
            }
            delivered = true
            return result
        }
        if let ready { continuation.resume(with: ready) }
    }

    func resume(_ outcome: Result<R, any Error>) {
        let waiting = lock.withLock { () -> UnsafeContinuation<R, any Error>? in
            guard !delivered, result == nil else { return nil }
            guard let continuation else {
                result = outcome
                return nil
            }
            delivered = true
            self.continuation = nil
            return continuation
        }
        waiting?.resume(with: outcome)
    }
}

/// A connection closed under a call (see `WatchedConnection`): a lost connection.
struct ConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection to the server closed" }
}
