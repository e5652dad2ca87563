import DuetAnnotators
import DuetCore
import Foundation
import LLMLoopback
import Testing
@testable import DuetProject

/// What `duet route` shows while an LLM answers: items done of the task's, answers (and from the cache),
/// failures by kind, tokens and cost so far, the rate and the time left.
@Suite struct RunProgressTests {
    @Test func theLineSaysWhereTheRunIs() {
        var u = OpenAICompatibleAnnotator.Usage()
        u.responses = 980
        u.cacheHits = 40
        u.failures = ["timeout": 3, "http-503": 1]
        u.retries = 7
        u.promptTokens = 12_000
        u.completionTokens = 345
        u.costUSD = 0.0123
        u.planned = 3_000
        // 984 of 3,000 requests ended in 60 s: 2,016 left at 16.4 a second, 2m03s.
        let p = RunProgress(annotator: "llm:m", itemsDone: 120, itemsTotal: 352, usage: u, elapsed: 60)
        #expect(p.line == "llm:m: 120/352 items · requests 984/3000, 40 from the cache · 4 failed (http-503 1, timeout 3) · 7 retried · "
            + "12345 tokens $0.0123 · 2.0 items/s · 2m03s left")
        #expect(RunProgress(annotator: "local:ensemble", itemsDone: 0, itemsTotal: 10, elapsed: 0).line == "local:ensemble: 0/10 items")
        #expect(RunProgress.duration(7) == "7s" && RunProgress.duration(95) == "1m35s" && RunProgress.duration(3725) == "1h02m")
    }

    @Test func aRunReportsItsProgressAsAnswersArrive() async throws {
        final class Seen: @unchecked Sendable {
            let lock = NSLock()
            var all: [RunProgress] = []
            func add(_ p: RunProgress) { lock.withLock { all.append(p) } }
        }
        let seen = Seen()
        try await LoopbackServer.with { server in
            let tmp = try TempDir()
            let project = try LLMProject.make(tmp, server: server, modes: Array(repeating: "", count: 12), settings: ["concurrency = 4"])
            _ = try await MachineRunWorkflow.run(annotator: "gpt", task: project.task(nil), project: project,
                                                 environment: [LLMProject.keyVariable: "sk-test"], progress: seen.add)
        }
        let all = seen.lock.withLock { seen.all }
        // A report before the first request and after every request (the items move as their last answer arrives).
        #expect(all.count == 1 + 12 * LLMProject.k)
        #expect(Set(all.map(\.itemsDone)) == Set(0...12) && all.allSatisfy { $0.itemsTotal == 12 && $0.annotator == "llm:fake-1" })
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.itemsDone <= $1.itemsDone && ($0.usage?.ended ?? 0) <= ($1.usage?.ended ?? 0) })
        let last = try #require(all.last)
        #expect(last.usage?.responses == 12 * LLMProject.k && (last.usage?.promptTokens ?? 0) > 0)
        #expect(zip(all, all.dropFirst()).allSatisfy { ($0.usage?.responses ?? 0) <= ($1.usage?.responses ?? 0) })
        #expect(last.usage?.planned == 12 * LLMProject.k)
        #expect(last.line.hasPrefix("llm:fake-1: 12/12 items · requests \(12 * LLMProject.k)/\(12 * LLMProject.k) ·"), "\(last.line)")
    }
}
