import Foundation

/// Runs `produce` on a thread of its own, keeping up to `capacity` results
/// ahead of the consumer, so that producing (parsing, reading the store) and
/// consuming (writing) overlap on two cores. `produce` returning nil ends
/// the stream; an error reaches the consumer where it happened in the stream.
final class BackgroundProducer<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Result<Element, any Error>] = []
    private var done = false
    private var cancelled = false
    private let capacity: Int

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
        return true
    }

    /// The next element, or nil at the end (or once cancelled: a consumer
    /// that is itself a producer's thread then stops); rethrows the producer's error.
    func next() throws -> Element? {
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
        condition.unlock()
    }
}
