import Foundation

/// One write transaction held open across the caller's awaits: a thread of its own runs `run`, which
/// opens the transaction and hands its `serve` function the object the jobs work on (an import writer,
/// the database); `serve` then takes the caller's jobs one at a time until `commit` (serve returns, the
/// transaction commits) or `cancel` / a dropped handle / a failed job (serve throws, it rolls back).
///
/// SQLite's writes are synchronous calls on GRDB's writer; the store port's sessions (imports, copies)
/// are asynchronous and span many calls. This is the one bridge between the two: each awaiting call
/// resumes when its job is done, with the job's error, and `outcome()` gives what `run` returned.
final class HeldTransaction<Target, Outcome: Sendable>: @unchecked Sendable {
    typealias Job = @Sendable (Target) throws -> Void

    private enum Command {
        case job(Job)
        case commit
        case cancel
    }

    private struct Pending {
        var command: Command
        var done: CheckedContinuation<Void, any Error>
    }

    private let condition = NSCondition()
    private var pending: Pending?
    /// Set once the thread has returned (committed, rolled back or failed).
    private var result: Result<Outcome, any Error>?
    private var waiting: [CheckedContinuation<Outcome, any Error>] = []
    private var closed = false
    /// The error a job after the end gets (the transaction is over).
    private let finished: any Error

    /// Starts the thread: `run` opens the transaction and calls `serve` inside it.
    init(name: String, finished: any Error, run: @escaping @Sendable (_ serve: (Target) throws -> Void) throws -> Outcome) {
        self.finished = finished
        let thread = Thread { [self] in
            let outcome = Result { try run { target in try self.serve(target) } }
            condition.lock()
            result = outcome
            // A job being served when it failed (or one that arrived after the end) hears the outcome.
            let left = pending
            pending = nil
            let ends = waiting
            waiting = []
            condition.broadcast()
            condition.unlock()
            if let left { left.done.resume(throwing: Self.error(of: outcome, finished: finished)) }
            for end in ends { end.resume(with: outcome) }
        }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }

    private static func error(of outcome: Result<Outcome, any Error>, finished: any Error) -> any Error {
        if case .failure(let e) = outcome { return e }
        return finished
    }

    /// The handle was dropped: without a commit, the transaction rolls back.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs on the thread, inside the transaction, until commit or cancel.
    private func serve(_ target: Target) throws {
        while true {
            condition.lock()
            while pending == nil && !closed { condition.wait() }
            guard let job = pending else {
                condition.unlock()
                throw CancellationError()
            }
            condition.unlock()
            switch job.command {
            // A failed job's caller hears its error once the transaction has rolled back (above).
            case .job(let work): try work(target)
            case .commit:
                done()
                job.done.resume()
                return
            case .cancel:
                done()
                job.done.resume()
                throw CancellationError()
            }
            done()
            job.done.resume()
        }
    }

    private func done() {
        condition.lock()
        pending = nil
        condition.broadcast()
        condition.unlock()
    }

    private func send(_ command: Command) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            condition.lock()
            // Calls come one at a time (each awaits the last); a second caller waits its turn.
            while pending != nil && result == nil { condition.wait() }
            if let result {
                condition.unlock()
                done.resume(throwing: Self.error(of: result, finished: finished))
                return
            }
            pending = Pending(command: command, done: done)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Runs `job` inside the transaction.
    func perform(_ job: @escaping Job) async throws {
        try await send(.job(job))
    }

    /// Commits and returns what `run` returned.
    func commit() async throws -> Outcome {
        try await send(.commit)
        return try await outcome()
    }

    /// Rolls back; safe after a failure or twice.
    func cancel() async {
        try? await send(.cancel)
        _ = try? await outcome()
    }

    private func outcome() async throws -> Outcome {
        try await withCheckedThrowingContinuation { (end: CheckedContinuation<Outcome, any Error>) in
            condition.lock()
            if let result {
                condition.unlock()
                end.resume(with: result)
                return
            }
            waiting.append(end)
            condition.unlock()
        }
    }
}
