import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation
import LLMLoopback
import TermUI
import Testing
@testable import DuetProject

/// What `duet route` shows while an LLM answers: items done of the task's, answers (and from the cache),
/// failures by kind, tokens and cost so far, the rate and the time left.
@Suite struct RunProgressTests {
    @Test func theLineSaysWhereTheRunIs() async {
        var u = OpenAICompatibleAnnotator.Usage()
        u.responses = 980
        u.cacheHits = 40
        u.failures = ["timeout": 3, "http-503": 1]
        u.retries = 7
        // 990 attempts: 980 answers, 4 replies of 503, 6 timeouts (3 of them retried).
        u.attempts = 990
        u.received = 984
        u.failedAttempts = ["timeout": 6, "http-503": 4]
        u.promptTokens = 12_000
        u.completionTokens = 345
        u.costUSD = 0.0123
        u.planned = 3_000
        // 984 of 3,000 requests ended in 60 s: 2,016 left at 16.4 a second, 2m03s.
        let p = RunProgress(annotator: "llm:m", itemsDone: 120, itemsTotal: 352, usage: u, elapsed: 60)
        // What matters most first (a narrow terminal cuts the end): items, time left, requests, tokens and cost.
        #expect(p.line == "llm:m: 120/352 items · 2m03s left · requests 984/3000, 40 from the cache · 12345 tokens $0.0123 · "
            + "4 failed (http-503 1, timeout 3) · 984 requests answered by the server, 990 attempts (10 failed: http-503 4, timeout 6) · "
            + "2.0 items/s")
        #expect(RunProgress(annotator: "local:ensemble", itemsDone: 0, itemsTotal: 10, elapsed: 0).line == "local:ensemble: 0/10 items")
        #expect(DurationText.of(7) == "7.0s" && DurationText.of(45) == "45s" && DurationText.of(95) == "1m35s" && DurationText.of(3725) == "1h02m")
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
            let project = try await LLMProject.make(tmp, server: server, modes: Array(repeating: "", count: 12), settings: ["concurrency = 4"])
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

    @Test func progressLine() {
        #expect(ProgressLine.render(label: "f", fraction: 0.5, detail: "50 rows", width: 10) == "f █████░░░░░ 50%  50 rows")
        #expect(ProgressLine.render(label: "f", fraction: nil, detail: "5 rows") == "f  5 rows")
        #expect(ProgressLine.render(label: "f", fraction: 1.5, detail: "x", width: 4) == "f ████ 100%  x")
        #expect(ProgressLine.count(1_234_567) == "1,234,567")
    }
}

/// `duet route --dry-run`: every prompt of the first item named by its id, and completion tokens measured
/// from the cached answers (the estimate of 12 tokens an answer was 2.7× low on a rambling model).
@Suite struct DryRunTests {
    @Test func theDryRunShowsTheFirstItemAndMeasuresAnswers() async throws {
        try await LoopbackServer.with { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: Array(repeating: "", count: 6))
            let task = try project.task(nil)
            let before = try await MachineRunWorkflow.dryRun(annotator: "gpt", task: task, project: project)
            #expect(before.contains("the \(LLMProject.k) prompts of the first item, i0:"), "\(before.prefix(300))")
            #expect(before.components(separatedBy: "── item i0 · ").count - 1 == LLMProject.k)
            #expect(before.contains("(12 completion tokens an answer assumed (nothing cached yet to measure))"))
            // Answer the first half; the pretend LLM bills 7 completion tokens an answer.
            let items = try await project.sqlite.allItems(for: task)
            let llm = try MachineRunWorkflow.llm(try MachineRunWorkflow.spec("gpt", in: project.config), store: project.store,
                                                 environment: [LLMProject.keyVariable: "sk-test"])
            _ = try await llm.annotate(Array(items.prefix(3)), task: task, progress: { _ in })
            let after = try await MachineRunWorkflow.dryRun(annotator: "gpt", task: task, project: project)
            let toSend = 3 * LLMProject.k
            #expect(after.contains("(\(3 * LLMProject.k) cached)"), "\(after.suffix(300))")
            #expect(after.contains("+ \(7 * toSend) completion tokens (7.0 completion tokens an answer, measured on \(3 * LLMProject.k) cached answers)"),
                    "\(after.suffix(300))")
            #expect(after.contains("── item i0 · instruction (cached)"))
        }
    }
}

/// `duet votes list`: what the model said and how it was read, unparseable answers on their own.
@Suite struct VotesListTests {
    @Test func listsRawAnswersAndFilters() async throws {
        try await LoopbackServer.with { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: ["", "[outside]", ""])
            _ = try await LLMProject.route(project)
            let task = try project.task(nil)
            let all = try await VotesListWorkflow.records(task: task, item: nil, annotator: nil, unparseableOnly: false, limit: 1000, project: project)
            // Every answer, the False / No ones (no votes) included.
            #expect(all.count == 3 * LLMProject.k && all.filter(\.vote.noVote).count == 2 * (LLMProject.k - LLMProject.answered))
            let bad = try await VotesListWorkflow.records(task: task, item: nil, annotator: nil, unparseableOnly: true, limit: 1000, project: project)
            #expect(bad.count == LLMProject.k && bad.allSatisfy { $0.item == "i1" && $0.vote.label == nil })
            #expect(Set(bad.compactMap(\.vote.raw)).isSuperset(of: ["Maybe", "(Z)"]))
            let one = try await VotesListWorkflow.records(task: task, item: "i2", annotator: "llm:fake-1", unparseableOnly: false, limit: 3, project: project)
            #expect(one.count == 3 && one.allSatisfy { $0.item == "i2" })
            let lines = VotesListWorkflow.lines(bad)
            #expect(lines.contains { $0.hasPrefix("i1\tllm:fake-1\t") && $0.contains("\t∅\t") && $0.hasSuffix("\tMaybe") }, "\(lines)")
            #expect(lines.contains { $0.contains("sarcastic⏎Confidence: 0.9") }, "line breaks shown as ⏎: \(lines)")
            await #expect(throws: DuetError.self) {
                try await VotesListWorkflow.records(task: task, item: "nope", annotator: nil, unparseableOnly: false, limit: 10, project: project)
            }
        }
    }
}

/// Sampling per annotator in duet.toml: temperature, max_tokens, stop and logprobs reach the server.
@Suite struct LLMSettingsTests {
    @Test func samplingSettingsReachTheServer() async throws {
        try await LoopbackServer.with { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: [""],
                                              settings: ["temperature = 0.2", "max_tokens = 32", "stop = [\"\\n\\n\"]", "logprobs = true"])
            _ = try await LLMProject.route(project)
            let bodies = server.requests.map(\.body)
            #expect(bodies.count == LLMProject.k)
            for body in bodies {
                let json = try JSONValue.parse(body)
                #expect(json["temperature"]?.number == 0.2 && json["max_tokens"]?.number == 32 && json["logprobs"] == .bool(true))
                #expect(json["stop"] == .array([.string("\n\n")]), "\(body.prefix(200))")
            }
        }
        // Out of range: an error naming the file and line.
        let tmp = try TempDir()
        let created = try tmp.project(.classify)
        for (line, wrong) in [("temperature = 3", "temperature"), ("max_tokens = 0", "max_tokens")] {
            let text = try String(contentsOf: created.configURL, encoding: .utf8)
                .replacingOccurrences(of: "kind = \"local\"\n", with: "kind = \"local\"\n\(line)\n")
            #expect(throws: (any Error).self) { try ConfigFile.parse(text, file: created.configURL.path, defaultName: "p") }
            do { _ = try ConfigFile.parse(text, file: created.configURL.path, defaultName: "p") } catch {
                #expect("\(error)".contains(wrong) && "\(error)".contains("duet.toml:"), "\(error)")
            }
        }
    }
}
