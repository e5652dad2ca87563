import Foundation
import Testing
@testable import DuetProject

/// The producer thread that imports and exports run their reading on.
@Suite struct BackgroundProducerTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.withLock { n += 1; return n } }
        var value: Int { lock.withLock { n } }
    }

    struct Boom: Error, Equatable {}

    @Test func everyElementInOrderThenTheEnd() throws {
        let counter = Counter()
        let p = BackgroundProducer<Int>(capacity: 3, name: "test") {
            let n = counter.next()
            return n <= 100 ? n : nil
        }
        var got: [Int] = []
        while let n = try p.nextNow() { got.append(n) }
        #expect(got == Array(1...100))
        #expect(try p.nextNow() == nil)
    }

    /// An async consumer (the import, the export) awaits each element without holding a thread: the
    /// same elements in the same order, an error where it happened, and the producer's async work
    /// (the store's roles) run by its own thread.
    @Test func anAsyncConsumerAwaitsEveryElementInOrder() async throws {
        let counter = Counter()
        let p = BackgroundProducer<Int>.awaiting(capacity: 2, name: "test") {
            await Task.yield()
            let n = counter.next()
            if n == 51 { throw Boom() }
            return n
        }
        var got: [Int] = []
        await #expect(throws: Boom.self) {
            while let n = try await p.next() { got.append(n) }
        }
        #expect(got == Array(1...50))
        #expect(try await p.next() == nil)
    }

    @Test func anErrorArrivesWhereItHappened() throws {
        let counter = Counter()
        let p = BackgroundProducer<Int>(capacity: 4, name: "test") {
            let n = counter.next()
            if n == 3 { throw Boom() }
            return n
        }
        #expect(try p.nextNow() == 1)
        #expect(try p.nextNow() == 2)
        #expect(throws: Boom.self) { try p.nextNow() }
        #expect(try p.nextNow() == nil)
        #expect(counter.value == 3, "nothing is produced after the error")
    }

    /// A producer blocked on a full queue stops when the consumer cancels.
    @Test func cancellingStopsAProducerThatIsAhead() throws {
        let counter = Counter()
        let p = BackgroundProducer<Int>(capacity: 2, name: "test") { counter.next() }
        #expect(try p.nextNow() == 1)
        p.cancel()
        Thread.sleep(forTimeInterval: 0.1)
        let after = counter.value
        Thread.sleep(forTimeInterval: 0.1)
        #expect(counter.value == after && after <= 4, "the producer stopped within its capacity")
    }

    /// A consumer waiting for a slow producer (the export's second reading stage) returns nil
    /// once cancelled instead of waiting for an element that never comes.
    @Test func cancellingReleasesAWaitingConsumer() throws {
        let p = BackgroundProducer<Int>(capacity: 2, name: "test") {
            Thread.sleep(forTimeInterval: 5)
            return 1
        }
        let finished = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var value: Int?? = .none }
        let box = Box()
        Thread.detachNewThread {
            box.value = try? p.nextNow()
            finished.signal()
        }
        Thread.sleep(forTimeInterval: 0.1)
        p.cancel()
        #expect(finished.wait(timeout: .now() + 2) == .success, "the waiting consumer was released")
        #expect(box.value == .some(nil))
    }
}
