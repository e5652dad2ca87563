@testable import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation
import LLMLoopback
import Testing
@testable import DuetProject

/// `duet route` (MachineRunWorkflow + RouteWorkflow) against a loopback LLM server that misbehaves.
@Suite struct LLMFaultTests {
    /// Item texts carry a mode; the fault plan injects its fault into that item's requests.
    static let modes: [(mode: String, items: Int)] = [
        ("", 40), ("[t-once]", 2), ("[t-all]", 1), ("[reset-once]", 2), ("[reset-all]", 2), ("[cut-once]", 2),
        ("[close-once]", 2), ("[429-ra]", 2), ("[429]", 2), ("[500]", 2), ("[502-twice]", 2), ("[503-all]", 2),
        ("[notjson]", 2), ("[nochoices]", 2), ("[outside]", 2), ("[huge]", 1), ("[empty]", 2),
    ]
    /// The mode of each item: every mode spread evenly over the 70 items.
    static let itemModes = modes.flatMap { m in (0..<m.items).map { j in (at: (Double(j) + 0.5) / Double(m.items), m.mode) } }
        .sorted { $0.at < $1.at }.map(\.1)
    /// Modes whose requests all end answered (after retries).
    static let recovering: Set = ["", "[t-once]", "[reset-once]", "[cut-once]", "[close-once]", "[429-ra]", "[429]", "[500]",
                                  "[502-twice]"]
    /// (marker, fault, on the first n attempts; nil = every attempt).
    static let rules: [(marker: String, fault: Fault, attempts: Int?)] = [
        ("[t-once]", .delay(6), 1), ("[t-all]", .delay(6), nil), ("[reset-once]", .reset, 1), ("[reset-all]", .reset, nil),
        ("[cut-once]", .cut, 1), ("[close-once]", .close, 1), ("[429-ra]", .tooManyRequests(retryAfter: 1), 1),
        ("[429]", .tooManyRequests(retryAfter: nil), 1), ("[500]", .status(500), 1), ("[502-twice]", .status(502), 2),
        ("[503-all]", .status(503), nil), ("[notjson]", .notJSON, nil), ("[nochoices]", .noChoices, nil),
        ("[outside]", .outsideLabel, nil), ("[huge]", .huge(bytes: 3 << 20), nil), ("[empty]", .emptyContent, nil),
    ]
    /// By marker, and by schedule: every 23rd request, if a first attempt the markers leave alone, gets a 500.
    static let faults = FaultPlan.combined([.marked(rules), .schedule(Array(repeating: nil, count: 22) + [.status(500)])])

    /// A server that refuses every request (a wrong key), or no server at all: the run stops with what
    /// the server answered, stores no votes and routes nothing (it used to exit 0 with every item sent to people).
    @Test func aRunWhereEveryRequestFailedStopsAndSaysWhy() async throws {
        try await LoopbackServer.with(faults: .after(0, .status(401))) { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: ["", ""], settings: ["max_retries = 1"])
            do {
                _ = try await LLMProject.route(project)
                Issue.record("the run did not fail")
            } catch let error as DuetError {
                #expect(error.description.contains("every request to \(server.baseURL) failed: the server refused the key (401) on 22 requests"),
                        "\(error)")
            }
            await #expect(try project.sqlite.votes(task: project.task(nil)).byItem.isEmpty)
            await #expect(try project.sqlite.routes(task: project.task(nil)).isEmpty)
        }
        let tmp = try TempDir()
        try await LoopbackServer.with { server in
            let project = try await LLMProject.make(tmp, server: server, modes: [""], settings: ["max_retries = 0", "timeout = 2"])
            // Point it at a port nothing listens on.
            let config = try String(contentsOf: project.configURL, encoding: .utf8)
                .replacingOccurrences(of: server.baseURL, with: "http://127.0.0.1:9/v1")
            try config.write(to: project.configURL, atomically: true, encoding: .utf8)
            let reopened = try await Project.open(at: project.root)
            await #expect(throws: DuetError.self) { _ = try await LLMProject.route(reopened) }
            do { _ = try await LLMProject.route(reopened) } catch {
                #expect("\(error)".contains("could not connect to the server (refused or closed) on 11 requests"), "\(error)")
            }
        }
    }

    /// A closed port on every request stops the run after a bounded number of failures in a row (it used
    /// to retry for minutes), with what happened in words; nothing is stored, and the votes say it plainly.
    @Test func aServerThatRefusesEveryRequestStopsTheRunEarly() async throws {
        let tmp = try TempDir()
        try await LoopbackServer.with { server in
            let project = try await LLMProject.make(tmp, server: server, modes: Array(repeating: "", count: 10),
                                              settings: ["max_retries = 1", "timeout = 2", "concurrency = 2"])
            let config = try String(contentsOf: project.configURL, encoding: .utf8)
                .replacingOccurrences(of: server.baseURL, with: "http://127.0.0.1:9/v1")
            try config.write(to: project.configURL, atomically: true, encoding: .utf8)
            let reopened = try await Project.open(at: project.root)
            do {
                _ = try await LLMProject.route(reopened)
                Issue.record("the run did not stop")
            } catch let error as LLMAnnotatorError {
                guard case .gaveUp(let count, let failures) = error else { Issue.record("\(error)"); return }
                // max(8, 3 × concurrency) in a row, out of 110 requests.
                #expect(count == 8)
                #expect(failures.contains("could not connect to the server"), "\(failures)")
                #expect(error.description.contains("run it again to resume without paying twice"))
                #expect(!error.description.contains("NSURLErrorDomain") && !error.description.contains("Code="))
            }
            await #expect(try reopened.sqlite.votes(task: reopened.task(nil)).byItem.isEmpty)
        }
        #expect(ChatTransport.connectionSentence(URLError(.cannotConnectToHost)) == "could not connect to the server (connection refused)")
        #expect(ChatTransport.connectionSentence(URLError(.networkConnectionLost)) == "the server closed the connection")
    }

    /// Attempts, requests the server received and failed attempts are counted apart (a run reported 940
    /// "requests sent" that were 38 requests received plus retries of refused connections).
    @Test func attemptsAndRequestsTheServerReceivedAreCountedApart() async throws {
        let rules: [(marker: String, fault: Fault, attempts: Int?)] = [("[reset-all]", .reset, nil), ("[503-all]", .status(503), nil)]
        try await LoopbackServer.with(faults: .marked(rules)) { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: ["", "[reset-all]", "[503-all]", ""],
                                              settings: ["max_retries = 2", "timeout = 2", "concurrency = 4"])
            let (run, _) = try await LLMProject.route(project)
            let usage = try #require(run.usage)
            let k = LLMProject.k
            // 2 clean items answered at once; the reset item's and the 503 item's requests tried 3 times each.
            #expect(usage.attempts == 2 * k + 2 * 3 * k && usage.attempts == server.requestCount)
            #expect(usage.received == 2 * k + 3 * k, "the 503s are replies the server sent: \(usage)")
            #expect(usage.failedAttempts["http-503"] == 3 * k, "\(usage.failedAttempts)")
            let lost = usage.failedAttempts["connection", default: 0] + usage.failedAttempts["timeout", default: 0]
            #expect(lost == 3 * k && usage.failedAttemptCount == 6 * k, "\(usage.failedAttempts)")
            #expect(usage.failureCount == 2 * k && usage.responses == 2 * k && usage.retries == 2 * 2 * k)
            #expect(run.summary.contains("\(5 * k) requests answered by the server, \(8 * k) attempts (\(6 * k) failed: "), "\(run.summary)")
        }
    }

    @Test func everyItemEndsRoutedWhateverTheServerDoes() async throws {
        try await LoopbackServer.with(faults: Self.faults) { server in
            let tmp = try TempDir()
            let modes = Self.itemModes
            let project = try await LLMProject.make(tmp, server: server, modes: modes,
                                              settings: ["timeout = 2", "max_retries = 2", "concurrency = 32"])
            let task = try project.task(nil)
            let (run, route) = try await LLMProject.route(project)
            let n = modes.count

            // Every item of the task is routed: the machine keeps it, audits it, or a person labels it.
            let routes = try await project.sqlite.routes(task: task)
            #expect(route.routed == n && routes.count == n && route.withoutVotes == 0)
            #expect(route.kept + route.audit + route.toPeople == n)
            #expect(Set(routes.keys) == Set(try project.sqlite.itemRowIDs(for: task)))
            let votes = try await project.sqlite.votes(task: task).byItem
            for item in try await project.sqlite.allItems(for: task) {
                let i = LLMProject.index(item), mode = modes[i], vs = votes[item.rowID] ?? [], r = routes[item.rowID]
                if Self.recovering.contains(mode) {
                    #expect(vs.count == LLMProject.answered && vs.allSatisfy { $0.label == LLMProject.gold(i) }, "\(mode)")
                    #expect(r?.machineLabel == LLMProject.gold(i), "\(mode)")
                } else {
                    // Nothing the machine could use: every answer failed or was unparseable; a person labels it.
                    #expect(vs.count == LLMProject.k && vs.allSatisfy { $0.label == nil }, "\(mode): \(vs.map(\.label))")
                    #expect(r?.route == .human && r?.machineLabel == nil && r?.pending == true, "\(mode)")
                    // Nothing known: first in the people's queue, not last (entropy 0 would put it last).
                    #expect(r?.score == .infinity, "\(mode)")
                }
            }

            // The run reports what failed, by kind.
            let usage = try #require(run.usage)
            Self.expectFailures(usage, ["http-503": 22, "invalid-response": 44, "too-large": 11], droppedOrLate: 33)
            #expect(run.summary.contains("110 requests failed after their retries (") && run.summary.contains("http-503 22, invalid-response 44")
                && run.summary.contains("too-large 11): not cached, sent again next run"), "\(run.summary)")
            // Every 200 the server sent was a response the client counted, but for those it could not use and
            // those sent after it had given up: `[t-all]`'s replies come 6 s after the request, past the 2 s
            // timeout, and reach the server's count when the client's idle connection is still open then
            // (more often the longer the run lasts, as under load).
            let unusable = ["[notjson]", "[nochoices]", "[huge]", "[t-all]"]
            let usable = server.requests.filter { r in server.answered[r.body] != nil && !unusable.contains { r.userText.contains($0) } }
            let usableBodies = Set(usable.map(\.body))
            #expect(usage.attempts == server.requestCount && usage.responses == usableBodies.count,
                    "\(usage.responses) responses, \(usableBodies.count) bodies answered: \(Dictionary(grouping: usable, by: { r in Self.modes.map(\.mode).last { !$0.isEmpty && r.userText.contains($0) } ?? "" }).mapValues(\.count))")
            // Every attempt either reached a reply of the server or was dropped / late, and is counted as one of them.
            let lost = usage.failedAttempts["connection", default: 0] + usage.failedAttempts["timeout", default: 0]
            #expect(usage.received + lost == usage.attempts && usage.received >= usage.responses, "\(usage)")

            // Retried as each fault deserves: not at all, once, or up to max_retries.
            func sent(_ marker: String) -> Int { server.requests.filter { $0.userText.contains(marker) }.count }
            for (marker, times) in [("[t-all]", 3), ("[reset-all]", 3), ("[503-all]", 3), ("[502-twice]", 3), ("[t-once]", 2),
                                    ("[cut-once]", 2), ("[429-ra]", 2), ("[notjson]", 1), ("[huge]", 1), ("[outside]", 1)] {
                let items = Self.modes.first { $0.mode == marker }!.items
                #expect(sent(marker) == times * items * LLMProject.k, "\(marker)")
            }
            // The scheduled 500s fell on clean items' first attempts, and each was sent again.
            let scheduled = server.requests.filter { r in
                r.sequence % 23 == 0 && r.attempt == 1 && !Self.rules.contains { r.userText.contains($0.marker) }
            }
            #expect(!scheduled.isEmpty)
            #expect(scheduled.allSatisfy { s in server.requests.contains { $0.body == s.body && $0.attempt == 2 } })
            // Failed requests were not cached: a second run asks exactly those again (and they fail again).
            let before = server.requestCount
            let (again, _) = try await LLMProject.route(project)
            let failing = ["[t-all]", "[reset-all]", "[503-all]", "[notjson]", "[nochoices]", "[huge]"]
            let cached = n - Self.modes.filter { failing.contains($0.mode) }.map(\.items).reduce(0, +)
            #expect(again.usage?.cacheHits == cached * LLMProject.k)
            Self.expectFailures(try #require(again.usage), ["http-503": 22, "invalid-response": 44, "too-large": 11], droppedOrLate: 33)
            #expect(server.requests.dropFirst(before).allSatisfy { r in failing.contains { r.userText.contains($0) } })
        }
    }

    @Test func anInterruptedRunResumesWithoutPayingTwice() async throws {
        let n = 30, concurrency = 4, answeredBeforeStop = 100
        try await LoopbackServer.with(faults: .after(answeredBeforeStop, .hold)) { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: Array(repeating: "", count: n),
                                              settings: ["concurrency = \(concurrency)", "timeout = 120"])
            let root = project.root
            let first = Task {
                let p = try await Project.open(at: root)
                return try await MachineRunWorkflow.run(annotator: "gpt", task: p.task(nil), project: p,
                                                        environment: [LLMProject.keyVariable: "sk-test"])
            }
            // Stopped part-way: 100 requests answered, the next ones hang until the run is cancelled (Ctrl-C).
            try await server.wait { $0.heldCount == concurrency }
            first.cancel()
            server.releaseHeld()
            let outcome = await first.result
            #expect(throws: CancellationError.self) { try outcome.get() }
            let paid = server.answered
            #expect(paid.count == answeredBeforeStop && paid.values.allSatisfy { $0 == 1 })
            // Its tokens: those of the requests answered before the stop.
            let firstRun = LLMProject.billed(server.distinctRequests.filter { paid[$0.body] != nil })
            try await Self.resume(project, server: server, items: n, firstRun: firstRun)
        }
    }

    @Test func aServerThatDiesMidRunCostsNothingTwice() async throws {
        let n = 30, served = 120
        try await LoopbackServer.with(faults: .after(served, .reset)) { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: Array(repeating: "", count: n),
                                              settings: ["concurrency = 16", "timeout = 2", "max_retries = 0"])
            let task = try project.task(nil)
            // The server goes down after 120 requests: the run stops once 3 × concurrency requests in a row have
            // failed (it used to retry every remaining request), stores and routes nothing, and says why.
            do {
                _ = try await LLMProject.route(project)
                Issue.record("the run did not stop")
            } catch let error as LLMAnnotatorError {
                guard case .gaveUp(let count, let failures) = error else { Issue.record("\(error)"); return }
                #expect(count == 48 && failures.contains("could not connect to the server"), "\(error)")
            }
            #expect(server.requestCount < n * LLMProject.k, "stopped before asking everything")
            let routesLeft = try await project.sqlite.routes(task: task), votesLeft = try await project.sqlite.votes(task: task)
            #expect(routesLeft.isEmpty && votesLeft.byItem.isEmpty)
            let billed = LLMProject.billed(server.distinctRequests.filter { server.answered[$0.body] != nil })
            #expect(server.answered.count == served)
            // It comes back: what was answered is not paid for twice.
            try await Self.resume(project, server: server, items: n, firstRun: (billed.prompt, billed.completion))
        }
    }

    /// The run after one cut short, with the server answering everything: it asks for nothing answered
    /// before and for everything else once, and the two runs add up to one whole run (tokens, votes).
    static func resume(_ project: Project, server: LoopbackServer, items n: Int, firstRun: (prompt: Int, completion: Int)) async throws {
        let paid = server.answered, sentBefore = server.requestCount
        server.faults = .none
        let (second, routed) = try await LLMProject.route(project)
        let resumed = Array(server.requests.dropFirst(sentBefore))
        #expect(resumed.filter { paid[$0.body] != nil }.isEmpty, "items paid twice")
        #expect(resumed.count == n * LLMProject.k - paid.count)
        #expect(server.answered.count == n * LLMProject.k && server.answered.values.allSatisfy { $0 == 1 })
        let usage = try #require(second.usage)
        #expect(usage.cacheHits == paid.count && usage.attempts == resumed.count && usage.failures.isEmpty)
        let all = LLMProject.billed(server.distinctRequests)
        #expect(firstRun.prompt + usage.promptTokens == all.prompt && firstRun.completion + usage.completionTokens == all.completion)
        #expect(abs(usage.costUSD - (Double(usage.promptTokens) * 0.15 + Double(usage.completionTokens) * 0.6) / 1e6) < 1e-12)
        try expectOneWholeRun(project, items: n, report: second)
        #expect(routed.routed == n)
    }

    /// Failures by kind, where a connection closed or reset before any reply counts as "connection"
    /// or "timeout": Linux's URLSession (libcurl) sometimes notices such a close only at the timeout.
    static func expectFailures(_ usage: OpenAICompatibleAnnotator.Usage, _ kinds: [String: Int], droppedOrLate: Int,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let dropped = usage.failures["connection", default: 0] + usage.failures["timeout", default: 0]
        #expect(dropped == droppedOrLate, "\(usage.failures)", sourceLocation: sourceLocation)
        #expect(usage.failures.filter { $0.key != "connection" && $0.key != "timeout" } == kinds, "\(usage.failures)",
                sourceLocation: sourceLocation)
    }

    /// The votes stored are those of one uninterrupted run over clean items: each item its 7 answers, all gold.
    static func expectOneWholeRun(_ project: Project, items n: Int, report: MachineRunWorkflow.Report) throws {
        let task = try project.task(nil)
        let votes = try project.sqlite.votes(task: task).byItem
        #expect(report.votes == n * LLMProject.answered && report.unparseable == 0)
        #expect(votes.values.map(\.count).reduce(0, +) == n * LLMProject.answered, "left-over votes of the first run")
        for item in try project.sqlite.allItems(for: task) {
            let vs = votes[item.rowID] ?? []
            #expect(vs.count == LLMProject.answered && vs.allSatisfy { $0.label == LLMProject.gold(LLMProject.index(item)) },
                    "\(item.item.uid): \(vs.map(\.label))")
        }
    }
}
