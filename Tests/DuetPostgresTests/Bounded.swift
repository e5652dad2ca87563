import Foundation

/// Waits that end: a test that waits for work which may never end (a store call, a screen's loop on a thread of its
/// own) waits `limit` at most and then fails, instead of holding the whole test run.
enum Bounded {
    struct TimedOut: Error, CustomStringConvertible {
        let description: String
    }

    /// `body`'s result, or `TimedOut` after `limit` (the body, if it never ends, is left behind).
    static func within<R: Sendable>(_ limit: Duration, _ what: String,
                                    _ body: @escaping @Sendable () async throws -> R) async throws -> R {
        let first = First<R>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, any Error>) in
            first.set(continuation)
            Task {
                do { first.resume(.success(try await body())) } catch { first.resume(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: limit)
                first.resume(.failure(TimedOut(description: "\(what) did not end within \(limit)")))
            }
        }
    }

    /// `body` run on a thread of its own (a loop that blocks its thread), waited for `limit` at most.
    static func onThread(within limit: Duration, _ what: String, _ body: @escaping @Sendable () throws -> Void) async throws {
        let first = First<Void>()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            first.set(continuation)
            Thread.detachNewThread {
                do {
                    try body()
                    first.resume(.success(()))
                } catch {
                    first.resume(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                first.resume(.failure(TimedOut(description: "\(what) did not end within \(limit)")))
            }
        }
    }

    /// A continuation resumed by the first of those who may (set before any of them can run).
    private final class First<R: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var waiting: CheckedContinuation<R, any Error>?

        func set(_ continuation: CheckedContinuation<R, any Error>) { lock.withLock { waiting = continuation } }

        func resume(_ result: Result<R, any Error>) {
            let continuation = lock.withLock { () -> CheckedContinuation<R, any Error>? in
                defer { waiting = nil }
                return waiting
            }
            continuation?.resume(with: result)
        }
    }
}
