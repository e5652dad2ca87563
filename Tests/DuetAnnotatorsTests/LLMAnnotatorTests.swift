@testable import DuetAnnotators
import DuetCore
import Foundation
import LLMLoopback
import Logging
import Testing

/// The annotator against a loopback server that the test starts and stops.
@Suite struct LLMAnnotatorTests {
    static let key = "sk-test-NEVER-LEAK-4f2a9c"
    static let labels = ["favor", "against", "neutral"]
    static let task = TaskSpec(name: "stance", kind: .classify, labels: labels)
    /// k = 5 + 2C; the fake LLM answers False / No to the 2(C − 1) prompts about other labels.
    static let k = 11, answered = 7

    static func items(_ specs: [(gold: String, mode: String)]) -> [StoredItem] {
        specs.enumerated().map { i, s in
            StoredItem(rowID: Int64(i + 1), item: Item(uid: "\(i)", dataset: "d", kind: .text,
                                                       fields: .text("Tweet \(i) [gold=\(s.gold)] \(s.mode)")))
        }
    }

    static func config(_ server: LoopbackServer, _ change: (inout LLMConfig) -> Void = { _ in }) -> LLMConfig {
        var c = LLMConfig(baseURL: server.baseURL, model: "fake-1", apiKey: key, timeout: 5, maxRetries: 2,
                          backoffBase: 0.01, promptPricePerMillion: 0.15, completionPricePerMillion: 0.6)
        change(&c)
        return c
    }

    static func withServer<T>(_ body: (LoopbackServer) async throws -> T) async throws -> T {
        try await LoopbackServer.with(body)
    }

    @Test func everyVariantIsAskedAndParsed() async throws {
        try await Self.withServer { server in
            let items = Self.items([("favor", ""), ("against", ""), ("neutral", "")])
            let annotator = OpenAICompatibleAnnotator(config: Self.config(server) { $0.concurrency = 4 })
            let finished = Counter()
            let votes = try await annotator.annotate(items, task: Self.task) { finished.set($0) }
            #expect(finished.value == 3)
            #expect(server.requestCount == 3 * Self.k)
            for (item, gold) in zip(items, Self.labels) {
                let all = try #require(votes[item.rowID]), v = all.counted
                // The False / No answers to the prompts about other labels are kept as no-votes, with their text and tokens.
                let noVotes = all.filter(\.noVote)
                #expect(noVotes.count == Self.k - Self.answered
                    && noVotes.allSatisfy { $0.label == nil && $0.confidence == nil && $0.raw != nil && $0.completionTokens == 7 })
                #expect(v.count == Self.answered)
                #expect(v.allSatisfy { $0.label == gold && $0.confidence == 0.9 && $0.annotator == "llm:fake-1" })
                #expect(Set(v.map(\.variant)) == ["instruction", "swapped", "paraphrase", "tf:\(gold)", "short", "choice",
                                                   "agree:\(gold)"])
                #expect(ItemUncertainty(itemRowID: item.rowID, votes: all) == ItemUncertainty(itemRowID: item.rowID, votes: v))
                #expect(ItemUncertainty(itemRowID: item.rowID, votes: all).entropy == 0)
            }
            for r in server.requests {
                #expect(r.path == "/v1/chat/completions" && r.authorization == "Bearer \(Self.key)")
                #expect(r.json?["model"] == "fake-1" && r.json?["temperature"] == 0.7 && r.json?["top_p"] == 0.95)
                #expect(r.json?["max_tokens"] == 64 && r.json?["logprobs"] == false)
            }
            let u = annotator.usage
            #expect(u.attempts == 33 && u.responses == 33 && u.cacheHits == 0 && u.retries == 0 && u.failures.isEmpty)
            #expect(u.abstentions == 3 * 2 * (Self.labels.count - 1))
            #expect(u.completionTokens == 33 * 7 && u.promptTokens > 0)
            #expect(abs(u.costUSD - (Double(u.promptTokens) * 0.15 + Double(u.completionTokens) * 0.6) / 1e6) < 1e-12)
        }
    }

    @Test func failuresStillEndInVotesAndTheKeyNeverLeaks() async throws {
        let logs = LogCapture()
        var logger = Logger(label: "test.llm") { _ in logs.handler }
        logger.logLevel = .trace
        try await Self.withServer { server in
            let modes = ["", "[timeout]", "[500]", "[garbage]", "[slow]", "[outside]", "[fatal]", "[drop]", "[dropall]"]
            let items = Self.items(modes.map { ("against", $0) })
            let cache = RecordingCache()
            // A wide margin between the slow reply (0.2 s) and the timeout: CI machines are loaded.
            let config = Self.config(server) { $0.timeout = 1.5 }
            let annotator = OpenAICompatibleAnnotator(config: config, cache: cache, logger: logger)
            let votes = try await annotator.annotate(items, task: Self.task) { _ in }
            #expect(votes.count == items.count)
            func item(_ mode: String) -> [MachineVote] { (votes[Int64(modes.firstIndex(of: mode)! + 1)] ?? []).counted }
            func sent(_ mode: String) -> Int { server.requests.filter { $0.userText.contains(mode) }.count }

            for mode in ["", "[500]", "[slow]", "[drop]"] {
                #expect(item(mode).count == Self.answered && item(mode).allSatisfy { $0.label == "against" }, "\(mode)")
            }
            #expect(sent("[500]") == 2 * Self.k && sent("[drop]") == 2 * Self.k, "each request failed once, then succeeded")
            let expectedRaw = ["[timeout]": "error: timeout after 1.5 s", "[garbage]": "error: invalid response",
                               "[fatal]": "error: HTTP 400: bad request from Bearer <redacted>", "[outside]": "",
                               "[dropall]": "error: the server closed the connection"]
            for (mode, prefix) in expectedRaw {
                let v = item(mode)
                #expect(v.count == Self.k && v.allSatisfy { $0.label == nil && $0.confidence == nil }, "\(mode)")
                // Linux's URLSession sometimes notices a connection closed before any reply only at the timeout.
                let also = mode == "[dropall]" ? "error: timeout" : prefix
                #expect(v.allSatisfy { $0.raw?.hasPrefix(prefix) == true || $0.raw?.hasPrefix(also) == true }, "\(mode): \(v.map(\.raw))")
            }
            #expect(sent("[timeout]") == 3 * Self.k && sent("[dropall]") == 3 * Self.k, "two retries")
            #expect(sent("[garbage]") == Self.k && sent("[fatal]") == Self.k, "not retried")
            #expect(Set(item("[outside]").compactMap(\.raw)).isSuperset(of: ["sarcastic\nConfidence: 0.9", "Maybe", "(Z)"]))

            let u = annotator.usage
            #expect(u.failures["invalid-response"] == 11 && u.failures["http-400"] == 11 && u.failures.count <= 4)
            #expect(u.failures["timeout", default: 0] + u.failures["connection", default: 0] == 22)
            #expect(u.retries == 2 * 2 * Self.k + 2 * Self.k && u.attempts == server.requestCount)
            // Only answers are cached, never errors.
            #expect(cache.entries.count == 5 * Self.k)

            // The key went to the server in the header only.
            #expect(server.requests.allSatisfy { $0.authorization == "Bearer \(Self.key)" && !$0.body.contains(Self.key) })
            let texts = [String(decoding: try JSONEncoder().encode(votes), as: UTF8.self),
                         String(decoding: try JSONEncoder().encode(cache.entries), as: UTF8.self),
                         cache.entries.keys.joined(), logs.text, "\(annotator.usage)", "\(annotator.config)"]
            for text in texts { #expect(!text.contains(Self.key)) }
            #expect(logs.text.contains("retried"), "the capture saw the log")
        }
    }

    /// Each fault the loopback server injects, on every request and without retries: the kinds of failure
    /// it may end as (a connection closed before any reply is sometimes noticed by Linux's URLSession
    /// only at the timeout), or nil for an answer that arrives but names no label.
    static let faultOutcomes: [(Fault, [String]?)] = [
        (.delay(4), ["timeout"]), (.close, ["connection", "timeout"]), (.reset, ["connection", "timeout"]), (.cut, ["connection"]),
        (.tooManyRequests(retryAfter: 1), ["http-429"]), (.tooManyRequests(retryAfter: nil), ["http-429"]), (.status(500), ["http-500"]),
        (.status(502), ["http-502"]), (.status(503), ["http-503"]), (.notJSON, ["invalid-response"]), (.noChoices, ["invalid-response"]),
        (.huge(bytes: 2 << 20), ["too-large"]), (.outsideLabel, nil), (.emptyContent, nil),
    ]

    @Test(arguments: faultOutcomes)
    func eachInjectedFaultEndsAsAnUnlabeledVote(fault: Fault, kinds: [String]?) async throws {
        try await LoopbackServer.with(faults: FaultPlan { _ in fault }) { server in
            let cache = RecordingCache()
            // A short timeout, for the faults that end only at it; a huge reply is refused by its size, whose
            // reading must not race the clock (2 MB from the loopback server outlasted 1.5 s on a loaded machine).
            let timeout: Double
            if case .huge = fault { timeout = 30 } else { timeout = 1.5 }
            let annotator = OpenAICompatibleAnnotator(config: Self.config(server) { $0.maxRetries = 0; $0.timeout = timeout }, cache: cache)
            let votes = try await annotator.annotate(Self.items([("favor", "")]), task: Self.task) { _ in }
            let v = try #require(votes[1])
            #expect(v.count == Self.k && v.allSatisfy { $0.label == nil && $0.confidence == nil })
            #expect(server.requestCount == Self.k)
            let usage = annotator.usage
            if let kinds {
                #expect(usage.failureCount == Self.k && Set(usage.failures.keys).isSubset(of: kinds), "\(usage.failures)")
                #expect(v.allSatisfy { $0.raw?.hasPrefix("error: ") == true } && cache.entries.isEmpty)
            } else {
                // An answer all the same: kept as the vote's raw text and cached.
                #expect(usage.failures.isEmpty && cache.entries.count == Self.k)
                #expect(v.allSatisfy { $0.raw == (fault == .emptyContent ? "" : "Label: sarcastic") })
            }
        }
    }

    @Test func echoedKeysAreRedactedAndHugeRepliesRefused() async throws {
        try await LoopbackServer.with(faults: .marked([("[huge]", .huge(bytes: 2 << 20), nil)])) { server in
            let items = Self.items([("favor", "[echo]"), ("against", "[huge]")])
            let cache = RecordingCache()
            let annotator = OpenAICompatibleAnnotator(config: Self.config(server), cache: cache)
            let votes = try await annotator.annotate(items, task: Self.task) { _ in }
            // The server echoed the Authorization header in its answers: what is kept says <redacted>.
            let echoed = try #require(votes[1]).counted
            #expect(echoed.count == Self.answered)
            #expect(echoed.allSatisfy { $0.label == "favor" && $0.raw?.contains("(asked by Bearer <redacted>)") == true })
            #expect(cache.entries.values.filter { $0.text.contains("(asked by Bearer <redacted>)") }.count == Self.k)
            #expect(!cache.entries.values.contains { $0.text.contains(Self.key) })
            // Megabytes for a few tokens: refused (neither parsed nor cached) and not asked again.
            let huge = try #require(votes[2])
            #expect(huge.count == Self.k && huge.allSatisfy { $0.label == nil && $0.raw?.hasPrefix("error: reply of ") == true })
            #expect(annotator.usage.failures == ["too-large": Self.k] && annotator.usage.retries == 0)
            #expect(server.requests.filter { $0.userText.contains("[huge]") }.count == Self.k)
            #expect(cache.entries.count == Self.k)
        }
    }

    @Test func retryAfterIsHonoured() async throws {
        try await Self.withServer { server in
            let items = Self.items([("neutral", "[429]"), ("favor", "[503]")])
            let annotator = OpenAICompatibleAnnotator(config: Self.config(server))
            let start = Date()
            let votes = try await annotator.annotate(items, task: Self.task) { _ in }
            let elapsed = Date().timeIntervalSince(start)
            #expect(elapsed >= 1.0)  // Retry-After: 1 was waited for (no upper bound: that would be a timing assertion)
            #expect(votes[1]?.counted.count == Self.answered && votes[1]?.counted.allSatisfy { $0.label == "neutral" } == true)
            #expect(votes[2]?.counted.count == Self.answered && votes[2]?.counted.allSatisfy { $0.label == "favor" } == true)
            // Per request: the retry came at least one second after the 429.
            let byBody = Dictionary(grouping: server.requests, by: \.body)
            #expect(byBody.count == 2 * Self.k)
            for attempts in byBody.values {
                #expect(attempts.count == 2)
                let times = attempts.sorted { $0.attempt < $1.attempt }.map(\.at)
                #expect(times[1] - times[0] >= 1.0)
            }
            #expect(annotator.usage.retries == 2 * Self.k && annotator.usage.failures.isEmpty)
        }
    }

    @Test func aRerunWithTheSameCacheSendsNothing() async throws {
        try await Self.withServer { server in
            let items = Self.items([("favor", ""), ("against", "[outside]")])
            let cache = RecordingCache()
            let first = OpenAICompatibleAnnotator(config: Self.config(server), cache: cache)
            let votes1 = try await first.annotate(items, task: Self.task) { _ in }
            let sent = server.requestCount
            #expect(sent == 2 * Self.k)

            let second = OpenAICompatibleAnnotator(config: Self.config(server), cache: cache)
            let planned = await second.plan(items, task: Self.task)
            #expect(planned.count == 2 * Self.k && planned.allSatisfy(\.cached) && planned.estimatedCostUSD == 0)
            let finished = Counter()
            let votes2 = try await second.annotate(items, task: Self.task) { finished.set($0) }
            #expect(server.requestCount == sent)
            #expect(votes2 == votes1)
            #expect(finished.value == 2)
            #expect(second.usage.cacheHits == 2 * Self.k && second.usage.attempts == 0 && second.usage.costUSD == 0)
            // The key is not part of the cache key: another key reads the same answers.
            let third = OpenAICompatibleAnnotator(config: Self.config(server) { $0.apiKey = "sk-other" }, cache: cache)
            #expect(try await third.annotate(items, task: Self.task) { _ in } == votes1)
            #expect(server.requestCount == sent)
        }
    }

    @Test func pairsAreAskedInBothOrdersAndReadInStoredTerms() async throws {
        try await Self.withServer { server in
            func pair(_ id: Int64, _ prompt: String, _ r0: String, _ r1: String) -> StoredItem {
                StoredItem(rowID: id, item: Item(uid: "\(id)", dataset: "d", kind: .pair, fields: ItemFields(
                    prompt: [.user(prompt)], responses: [[.assistant(r0)], [.assistant(r1)]])))
            }
            let items = [pair(1, "Q1", "GOOD answer 1", "bad answer 1"), pair(2, "Q2", "bad answer 2", "GOOD answer 2"),
                         pair(3, "Q3 [biased]", "GOOD answer 3", "bad answer 3"),
                         StoredItem(rowID: 4, item: Item(uid: "4", dataset: "d", kind: .text, fields: .text("no pair")))]
            let task = TaskSpec(name: "pref", kind: .compare)
            let annotator = OpenAICompatibleAnnotator(config: Self.config(server))
            let votes = try await annotator.annotate(items, task: task) { _ in }
            #expect(votes[4] == nil, "not a pair: nothing to ask")
            #expect(server.requestCount == 18)
            for id: Int64 in [1, 2, 3] {
                let v = try #require(votes[id])
                #expect(v.map(\.variant) == ["instruction:AB", "instruction:BA", "paraphrase:AB", "paraphrase:BA",
                                             "short:AB", "short:BA"])
            }
            #expect(votes[1]!.allSatisfy { $0.label == "0" && $0.confidence == 0.9 })
            #expect(votes[2]!.allSatisfy { $0.label == "1" })
            // A judge that always picks the first side: its votes split, the entropy shows it.
            #expect(votes[3]!.map(\.label) == ["0", "1", "0", "1", "0", "1"])
            #expect(abs(ItemUncertainty(itemRowID: 3, votes: votes[3]!).entropy - log(2)) < 1e-12)
            #expect(ItemUncertainty(itemRowID: 1, votes: votes[1]!).entropy == 0)
        }
    }

    @Test func logprobsGiveConfidenceWhenNoneIsStated() async throws {
        try await Self.withServer { server in
            let items = Self.items([("favor", "")])
            let plain = OpenAICompatibleAnnotator(config: Self.config(server) {
                $0.requestLogprobs = true
                $0.askConfidence = false
            })
            let votes = try await plain.annotate(items, task: Self.task) { _ in }
            #expect(server.requests.allSatisfy { $0.json?["logprobs"] == true && !$0.userText.contains("Confidence") })
            #expect(votes[1]?.counted.allSatisfy { abs(($0.confidence ?? 0) - exp(-0.15)) < 1e-9 } == true)
            // A stated confidence wins over logprobs.
            let asking = OpenAICompatibleAnnotator(config: Self.config(server) { $0.requestLogprobs = true })
            let stated = try await asking.annotate(items, task: Self.task) { _ in }
            #expect(stated[1]?.counted.allSatisfy { $0.confidence == 0.9 } == true)
        }
    }

    @Test func planSendsNothingAndEstimates() async throws {
        let config = LLMConfig(baseURL: "http://127.0.0.1:9/v1", model: "m", promptPricePerMillion: 1,
                               completionPricePerMillion: 2)
        let annotator = OpenAICompatibleAnnotator(config: config)
        let items = Self.items([("favor", ""), ("against", "")])
        let plan = await annotator.plan(items, task: Self.task)
        #expect(plan.count == 2 * Self.k && plan.uncachedCount == 2 * Self.k)
        let first = try #require(plan.first)
        let chars = first.messages.reduce(0) { $0 + $1.content.count }
        #expect(first.variant == "instruction" && first.estimatedPromptTokens == (chars + 3) / 4)
        #expect(first.estimatedCompletionTokens == 12)
        #expect(abs(first.estimatedCostUSD - (Double(first.estimatedPromptTokens) + 24) / 1e6) < 1e-15)
        #expect(first.cacheKey == ContentHash.fnv1a128Hex(annotator.requestBody(first.messages)))
        #expect(annotator.usage == OpenAICompatibleAnnotator.Usage())
    }

    @Test func builtFromADuetTomlEntry() throws {
        let spec = AnnotatorSpec(name: "gpt", kind: .llm, baseURL: "http://127.0.0.1:9/v1", model: "m", apiKeyEnv: "DUET_TEST_KEY")
        let a = try OpenAICompatibleAnnotator.fromSpec(spec, environment: ["DUET_TEST_KEY": Self.key]) { $0.concurrency = 3 }
        #expect(a.name == "gpt" && a.config.apiKey == Self.key && a.config.concurrency == 3 && a.config.model == "m")
        #expect(throws: LLMAnnotatorError.invalidConfig(
            ["annotator 'gpt': environment variable DUET_TEST_KEY (api_key_env) is not set"])) {
            try OpenAICompatibleAnnotator.fromSpec(spec, environment: [:])
        }
        let local = AnnotatorSpec(name: "local-llm", kind: .llm, baseURL: "http://127.0.0.1:9/v1", model: "m")
        #expect(try OpenAICompatibleAnnotator.fromSpec(local, environment: [:]).config.apiKey == nil)
        #expect(throws: LLMAnnotatorError.self) { try OpenAICompatibleAnnotator.fromSpec(AnnotatorSpec(name: "x", kind: .llm)) }
    }

    @Test func badConfigsThrow() async {
        let bad = OpenAICompatibleAnnotator(config: LLMConfig(baseURL: "ftp://x", model: "m", concurrency: 0))
        await #expect(throws: LLMAnnotatorError.self) {
            try await bad.annotate(Self.items([("x", "")]), task: Self.task) { _ in }
        }
    }
}

/// A cache whose contents the test can search.
final class RecordingCache: ResponseCache, @unchecked Sendable {
    private var stored: [String: CachedResponse] = [:]
    private let lock = NSLock()
    var entries: [String: CachedResponse] { lock.withLock { stored } }
    func cachedResponse(key: String) throws -> CachedResponse? { lock.withLock { stored[key] } }
    func storeResponse(_ response: CachedResponse, key: String) throws { lock.withLock { stored[key] = response } }
}

final class Counter: @unchecked Sendable {
    private var v = 0
    private let lock = NSLock()
    var value: Int { lock.withLock { v } }
    func set(_ n: Int) { lock.withLock { v = max(v, n) } }
}

/// Every log record (message and metadata) as text. The handler is a value
/// (Logger copies it and sets metadata on the copy); the lines are shared.
final class LogCapture: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NSLock()
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }

    var handler: Handler { Handler(capture: self) }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })")
        }
    }
}

extension [MachineVote] {
    /// The votes without the no-votes (False / No answers, kept for their text and tokens).
    var counted: [MachineVote] { filter { !$0.noVote } }
}
