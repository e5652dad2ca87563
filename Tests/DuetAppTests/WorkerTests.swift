import DuetCore
import DuetStore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// `Runtime.run` performs store effects on its worker and takes their answers back as messages:
/// the loop never waits inside a store call, keys typed meanwhile wait for the answer in order,
/// and no frame shows a decision before the store has it.
@Suite struct WorkerTests {
    /// A terminal whose every frame is checked as it is drawn.
    final class CheckedBackend: TerminalBackend {
        var size: (width: Int, height: Int)
        var events: [Event]
        var onDraw: (Canvas) -> Void
        var frames = 0
        init(width: Int, height: Int, events: [Event], onDraw: @escaping (Canvas) -> Void) {
            size = (width, height)
            self.events = events
            self.onDraw = onDraw
        }
        func draw(_ canvas: Canvas) throws {
            frames += 1
            onDraw(canvas)
        }
        func nextEvent(timeoutMilliseconds: Int?) throws -> Event? { events.isEmpty ? nil : events.removeFirst() }
        func runInForeground(_ arguments: [String]) throws -> Int32 { 0 }
    }

    /// Where and how often the store was written.
    final class Writes: @unchecked Sendable {
        let lock = NSLock()
        var threads: [pthread_t] = []
        func add() { lock.withLock { threads.append(pthread_self()) } }
        var all: [pthread_t] { lock.withLock { threads } }
    }

    /// "sentiment · classify · 2/6 (33%)" → 2.
    static func shownDone(_ canvas: Canvas) -> Int? {
        let header = canvas.lines.first ?? ""
        guard let r = header.range(of: #"· (\d+)/\d+"#, options: .regularExpression) else { return nil }
        return Int(header[r].dropFirst(2).split(separator: "/")[0])
    }

    func run(_ events: [Event]) throws -> (h: Harness, runtime: Runtime, writes: Writes, loop: pthread_t) {
        let h = try Harness()
        let disk = FullDisk()
        let writes = Writes()
        // A slow store: the loop runs on while the write is in flight (no assertion depends on how long).
        disk.onWrite = {
            writes.add()
            Thread.sleep(forTimeInterval: 0.02)
        }
        let loop = pthread_self()
        let store = h.store
        let backend = CheckedBackend(width: 80, height: 24, events: events) { canvas in
            // Whatever a frame counts as done, the store already has.
            let saved = (try? h.decisions(Harness.sentiment).count) ?? -1
            if let shown = WorkerTests.shownDone(canvas) { #expect(shown <= saved, "a frame shows \(shown) done, the store has \(saved)") }
            _ = store
        }
        let runtime = Runtime(state: h.state, store: disk.wrapping(h.store), backend: backend, clock: { Date(timeIntervalSince1970: 1_800_000_100) },
                              editor: { _ in nil })
        try runtime.run()
        #expect(backend.frames > 0)
        return (h, runtime, writes, loop)
    }

    @Test func storeWorkRunsOffTheLoopAndKeysWaitForItsAnswer() throws {
        let r = try run([.key(.char("1")), .key(.char("2")), .key(.char("3"))])
        // Three decisions, each written off the loop's thread.
        #expect(r.writes.all.count == 3)
        for t in r.writes.all { #expect(pthread_equal(t, r.loop) == 0, "a write ran on the loop's thread") }
        // The keys typed while the store worked went on in order, one item each: as the synchronous path does.
        let sync = try Harness()
        sync.press(.char("1"), .char("2"), .char("3"))
        let async = try r.h.decisions(Harness.sentiment).map { "\($0.0)=\($0.1.map(Render.valueText) ?? "-")" }
        let expected = try sync.decisions(Harness.sentiment).map { "\($0.0)=\($0.1.map(Render.valueText) ?? "-")" }
        #expect(async == expected)
        #expect(async.count == 3)
        guard case .label(let l) = r.runtime.state.screen else { Issue.record("left the label screen"); return }
        #expect(l.progress.human == 3 && l.history.count == 3)
        #expect(l.item?.item.uid == sync.label?.item?.item.uid)
    }

    @Test func ctrlCWhileAWriteIsInFlightQuitsAfterItCommits() throws {
        let r = try run([.key(.char("1")), .key(.ctrl("c")), .key(.char("2"))])
        #expect(r.runtime.state.quitting)
        // The decision asked for before ctrl-c is in the store; the key after it never ran.
        #expect(try r.h.decisions(Harness.sentiment).count == 1)
    }

    /// A store that does not answer (a shared store's server restarting) is said on the bottom line while
    /// the loop waits, and the notice goes when the write lands; the decision is not lost.
    @Test func aStoreThatDoesNotAnswerIsSaidAndTheDecisionLandsAfter() throws {
        let h = try Harness()
        let disk = FullDisk()
        disk.onWrite = { Thread.sleep(forTimeInterval: 2.6) }
        var notices: [String] = []
        var after: [String] = []
        var written = false
        let backend = CheckedBackend(width: 100, height: 24, events: [.key(.char("1"))]) { canvas in
            let bottom = canvas.lines.last ?? ""
            if bottom.contains("waiting for the store") { notices.append(bottom) }
            if written { after.append(bottom) }
            written = ((try? h.decisions(Harness.sentiment).count) ?? 0) == 1
        }
        let runtime = Runtime(state: h.state, store: disk.wrapping(h.store), backend: backend,
                              clock: { Date(timeIntervalSince1970: 1_800_000_100) }, editor: { _ in nil })
        try runtime.run()
        #expect(notices.contains { $0.contains("waiting for the store (2 s)") }, "\(notices)")
        #expect(try h.decisions(Harness.sentiment).count == 1)
        #expect(!runtime.state.storeWaitNoticed)
        #expect(!(runtime.state.status?.text.contains("waiting") ?? false))
    }

    @Test func theWaitingNoticeGoesOnlyWhenItIsTheStatus() {
        var state = try! Harness().state
        state.status = nil
        _ = App.update(&state, .storeWaiting(seconds: 3))
        #expect(state.status?.text.hasPrefix("waiting for the store (3 s)") == true && state.status?.kind == .warning)
        _ = App.update(&state, .storeWaiting(seconds: nil))
        #expect(state.status == nil)
        // A status the store's answer set stays; one the notice covered comes back.
        state.status = Status("saved s001 → positive")
        _ = App.update(&state, .storeWaiting(seconds: nil))
        #expect(state.status?.text == "saved s001 → positive")
        _ = App.update(&state, .storeWaiting(seconds: 2))
        _ = App.update(&state, .storeWaiting(seconds: 3))
        _ = App.update(&state, .storeWaiting(seconds: nil))
        #expect(state.status?.text == "saved s001 → positive")
    }
}
