import Foundation

/// The store's work, awaited one effect at a time in the order asked, and the answers it gives, in order.
/// One task consumes the jobs; it runs on a thread of its own (`WorkerThread`, its task executor), so a
/// caller that waits for an answer (`runWaiting`: tests, benchmarks) never holds a thread the work needs,
/// and a synchronous backend's calls block that thread, not the cooperative pool's.
final class EffectWorker: @unchecked Sendable {
    typealias Work = @Sendable () async -> [AppMessage]
    private struct Job: Sendable {
        var work: Work
        var deliver: @Sendable ([AppMessage]) -> Void
    }

    private let jobs: AsyncStream<Job>.Continuation
    private let condition = NSCondition()
    private var answers: [AppMessage] = []
    private var inFlight = 0

    init(name: String) {
        let (stream, jobs) = AsyncStream.makeStream(of: Job.self)
        self.jobs = jobs
        let thread = WorkerThread(name: name)
        Task(executorPreference: thread) {
            for await job in stream { job.deliver(await job.work()) }
            thread.stop()
        }
    }

    deinit { jobs.finish() }

    /// Effects asked for whose answers have not been taken yet.
    var busy: Bool { condition.withLock { inFlight > 0 || !answers.isEmpty } }

    /// Queues `work`; its answers come back through `takeAnswers`, after those of the work before it.
    func submit(_ work: @escaping Work) {
        condition.withLock { inFlight += 1 }
        jobs.yield(Job(work: work) { [self] messages in
            condition.withLock {
                answers += messages
                inFlight -= 1
                condition.broadcast()
            }
        })
    }

    /// Queues work that answers nothing and holds no key (a setting of the store): the effects queued
    /// after it still run after it.
    func setUp(_ work: @escaping @Sendable () async -> Void) {
        jobs.yield(Job(work: { await work(); return [] }) { _ in })
    }

    /// Queues `work` and waits for its answers (after the work before it). Never on the worker's thread.
    func runWaiting(_ work: @escaping Work) -> [AppMessage] {
        final class Box: @unchecked Sendable { var messages: [AppMessage]? }
        let box = Box()
        condition.withLock { inFlight += 1 }
        jobs.yield(Job(work: work) { [self] messages in
            condition.withLock {
                box.messages = messages
                inFlight -= 1
                condition.broadcast()
            }
        })
        return condition.withLock {
            while box.messages == nil { condition.wait() }
            return box.messages!
        }
    }

    /// The answers so far, in the order the effects were asked.
    func takeAnswers() -> [AppMessage] {
        condition.withLock {
            defer { answers = [] }
            return answers
        }
    }

    /// Waits until everything asked for is done (a write in flight when the app quits is finished).
    func finish() {
        condition.withLock { while inFlight > 0 { condition.wait() } }
    }
}

/// A thread that runs the jobs of the tasks that prefer it, one at a time (`EffectWorker`).
final class WorkerThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    /// Ends the thread once its jobs are run (the worker's task has ended).
    func stop() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }

    private func loop() {
        while true {
            let next: UnownedJob? = condition.withLock {
                while jobs.isEmpty && !stopped { condition.wait() }
                return jobs.isEmpty ? nil : jobs.removeFirst()
            }
            guard let next else { return }
            next.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
