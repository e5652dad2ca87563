import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// The Quality screen computes its figures and the plan (which re-trains the ensemble) as an effect off
/// the loop: meanwhile it says "computing…", keys act at once, and the result arrives as a message.
@Suite struct QualityComputingTests {
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func computingIsShownKeysActAndTheResultArrivesAsAMessage() async throws {
        let h = try Harness(task: nil)
        var state = h.state
        let effects = App.update(&state, .key(.char("v"), at: Self.at))
        #expect(effects.count == 1)
        guard case .loadQuality(let task)? = effects.first, case .quality(let q) = state.screen else {
            Issue.record("v did not ask for the Quality figures: \(effects)")
            return
        }
        #expect(q.report == nil && task.name == "sentiment")
        let lines = Render.screen(state).lines
        #expect(lines.count == 24 && lines.allSatisfy { DisplayWidth.of($0) <= 80 })
        #expect(lines[2].contains("computing… (the plan re-trains the built-in annotator; keys still work)"), "\(lines[2])")
        #expect(lines.last?.contains("? help") == true && lines.last?.contains("q quit") == true, "\(lines.last ?? "")")
        // Keys act while it computes: help opens and closes.
        _ = App.update(&state, .key(.char("?"), at: Self.at))
        #expect(state.overlay != nil)
        _ = App.update(&state, .key(.escape, at: Self.at))
        #expect(state.overlay == nil)
        // Another task's figures (a computation asked before) are not this screen's.
        var other = try await Runtime.storeQuality(h.store, Harness.prefs)
        _ = App.update(&state, .qualityLoaded(other))
        if case .quality(let q) = state.screen { #expect(q.report == nil) } else { Issue.record("left the screen") }
        other = try await Runtime.storeQuality(h.store, task)
        _ = App.update(&state, .qualityLoaded(other))
        guard case .quality(let done) = state.screen else { Issue.record("left the screen"); return }
        #expect(done.report?.agreement.task == "sentiment")
        #expect(!Render.screen(state).lines.joined().contains("computing…"))
    }

    /// A terminal that hands out its keys and keeps every frame, with whether the computation had ended.
    final class Backend: TerminalBackend {
        var size: (width: Int, height: Int) = (80, 24)
        var events: [Event]
        var frames: [(lines: [String], computed: Bool)] = []
        let computed: () -> Bool
        init(events: [Event], computed: @escaping () -> Bool) {
            self.events = events
            self.computed = computed
        }
        func draw(_ canvas: Canvas) throws { frames.append((canvas.lines, computed())) }
        func nextEvent(timeoutMilliseconds: Int?) throws -> Event? { events.isEmpty ? nil : events.removeFirst() }
        func runInForeground(_ arguments: [String]) throws -> Int32 { 0 }
    }

    final class Flag: @unchecked Sendable {
        let lock = NSLock()
        var value = false
        func set() { lock.withLock { value = true } }
        var get: Bool { lock.withLock { value } }
    }

    /// In `Runtime.run` the computation runs off the loop and holds no key: the help overlay opens and
    /// closes, q goes back to the dashboard and q quits, all while it is still computing.
    @Test func keysActWhileTheQualityScreenComputes() throws {
        let h = try Harness(task: nil)
        let released = Flag()
        let computed = Flag()
        let store = h.store
        let backend = Backend(events: [.key(.char("v")), .key(.char("?")), .key(.escape), .key(.char("q")), .key(.char("q"))],
                              computed: { computed.get })
        let runtime = Runtime(state: h.state, store: h.store, backend: backend, clock: { Self.at }, editor: { _ in nil }, quality: { task in
            // The plan goes on until the app has quit (the wait's limit only keeps a broken loop from hanging the test).
            // Waited for by sleeping, not by blocking: the executor's threads are few (two on two cores).
            let start = ContinuousClock.now
            while !released.get, ContinuousClock.now - start < .seconds(10) { try await Task.sleep(for: .milliseconds(10)) }
            defer { computed.set() }
            return try await Runtime.storeQuality(store, task)
        })
        try runtime.run()
        let quitBeforeResult = !computed.get
        released.set()
        #expect(runtime.state.quitting)
        #expect(quitBeforeResult, "the keys waited for the computation")
        if case .dashboard = runtime.state.screen {} else { Issue.record("q did not go back to the dashboard") }
        let computing = backend.frames.filter { $0.lines.contains { $0.contains("computing…") } }
        #expect(!computing.isEmpty && computing.allSatisfy { !$0.computed })
        #expect(backend.frames.contains { f in !f.computed && f.lines.contains { $0.contains("Keys") } }, "help did not open while computing")
    }
}
