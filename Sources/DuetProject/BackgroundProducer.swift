import Foundation

/// Runs `produce` on a thread of its own, keeping up to `capacity` results
/// ahead of the consumer, so that producing (parsing, reading the store) and
/// consuming (writing) overlap on two cores. `produce` returning nil ends
/// the stream; an error reaches the consumer where it happened in the stream.
/// An async consumer awaits `next()` without holding a thread of the cooperative pool; `produce` may
/// itself await (the store's roles): its thread then waits for it (a thread of its own, never the pool's).
final class BackgroundProducer<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Result<Element, any Error>] = []
    private var done = false
    private var cancelled = false
    private let capacity: Int
    /// The async consumer waiting for the next outcome (one consumer at a time).
    private var waiter: CheckedContinuation<Void, Never>?

    /// A producer whose work awaits (reads the store through its roles).
    static func awaiting(capacity: Int, name: String, produce: @escaping @Sendable () async throws -> Element?) -> BackgroundProducer
        where Element: Sendable {
        BackgroundProducer(capacity: capacity, name: name) { try Blocking.run(produce) }
    }

    init(capacity: Int, name: String, stackSize: Int? = nil, produce: @escaping @Sendable () throws -> Element?) {
        self.capacity = capacity
        let thread = Thread { [self] in
            while true {
                let outcome: Result<Element, any Error>?
                do { outcome = try produce().map { .success($0) } } catch { outcome = .failure(error) }
                guard push(outcome) else { return }
                guard case .success? = outcome else { return }  // the end, or an error
            }
        }
        if let stackSize { thread.stackSize = stackSize }
        thread.name = name
        thread.start()
    }

    /// Adds an outcome (nil: the end); false when the consumer went away.
    private func push(_ outcome: Result<Element, any Error>?) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        if let outcome { queue.append(outcome) }
        if outcome == nil { done = true }
        if case .failure? = outcome { done = true }
        condition.broadcast()
        wakeWaiter()
        return true
    }

    /// Resumes the async consumer, if one waits (called with the lock held).
    private func wakeWaiter() {
        guard let w = waiter else { return }
        waiter = nil
        w.resume()
    }

    /// `next()` for an async consumer: suspends (holding no thread) until an outcome is there.
    func next() async throws -> Element? {
        await withCheckedContinuation { (ready: CheckedContinuation<Void, Never>) in
            condition.lock()
            defer { condition.unlock() }
            if queue.isEmpty && !done && !cancelled { waiter = ready } else { ready.resume() }
        }
        return try nextNow()
    }

    /// The next element, or nil at the end (or once cancelled: a consumer
    /// that is itself a producer's thread then stops); rethrows the producer's error.
    /// Blocks the calling thread: for a producer's thread, never for async code (see `next() async`).
    func nextNow() throws -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !done && !cancelled { condition.wait() }
        if queue.isEmpty { return nil }
        let first = queue.removeFirst()
        condition.broadcast()
        return try first.get()
    }

    /// Stops the producer (the consumer is done, or failed).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        wakeWaiter()
        condition.unlock()
    }
}

/// Runs async work from a thread of its own (a producer's, the terminal app's start-up) and waits for
/// it. Never called on the cooperative pool: the work needs the pool's threads to run.
enum Blocking {
    final class Box<T>: @unchecked Sendable { var result: Result<T, any Error>? }

    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}
