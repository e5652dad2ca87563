import DuetAnnotators
import Foundation
import LLMLoopback
import Testing

/// Figures, not assertions on time (see ARCHITECTURE.md): throughput against a
/// loopback server that answers after 100 ms, at concurrency 16 (ideal: 160
/// requests/s). Opt-in: `DUET_LLM_BENCH=1 swift test --skip-build --filter LLMBench`.
@Suite struct LLMBenchTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DUET_LLM_BENCH"] != nil))
    func throughputAtConcurrency16() async throws {
        let server = try await LoopbackServer.start { request in
            var reply = FakeLLM.reply(request)
            reply.delay = 0.1
            return reply
        }
        let result = try await LoopbackBench.run(baseURL: server.baseURL, items: 60, concurrency: 16)
        await server.stop()
        print("LLM loopback bench: \(result) (\(Int((result.requestsPerSecond / 160 * 100).rounded()))% of 160/s)")
        print("FIGURE\tLLM route share of the concurrency bound (16 × 100 ms) %\t\(result.requestsPerSecond / 160 * 100)\t≥ 90")
        #expect(result.requests == 540 && result.failures == 0)
    }
}
