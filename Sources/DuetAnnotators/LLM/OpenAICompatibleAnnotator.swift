import DuetCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

/// An LLM behind an OpenAI-compatible `/chat/completions` endpoint, asked each
/// item under CoAnnotating's prompt perturbations (`PromptTemplates`): the
/// spread of its answers is the item's uncertainty.
///
/// - Classify tasks: 5 + 2C votes per item; compare tasks (two responses): 6
///   votes, each prompt in both A/B orders, labels in stored terms ("0", "1", "tie");
///   rate and review tasks: a judge's score on the scale (labels "1"…"5"), review also
///   accept/reject votes about the facet "verdict" (`PromptTemplates.judgeVariants`).
/// - Multilabel tasks: 4 yes/no questions per label (question, paraphrase, True/False statement, the
///   question with the labels listed in reverse); variant "<perturbation>@<label>", label "yes"/"no"/nil.
/// - Ranking items (compare tasks, three or more responses): 4 votes, the candidates shown in stored,
///   reversed and two shuffled orders; label the stored order best first ("2>0>1", `RankingOrder`).
/// - A False / No answer to a True/False or agree prompt gives no vote, so an
///   item can end with fewer than k votes; every other variant gives exactly
///   one vote, `label == nil` when unparseable or failed (raw "error: …").
/// - Answers are cached by a hash of the request (never the key) as each one
///   arrives, so a re-run with the same cache, or after an interrupted run,
///   sends nothing already answered. Errors are not cached.
/// - Each `annotate` call that has requests to send uses one URLSession (at
///   most `concurrency` connections) and invalidates it before returning.
public final class OpenAICompatibleAnnotator: MachineAnnotator {
    public let name: String
    public let config: LLMConfig
    public let templates: PromptTemplates
    public let aliases: [String: String]
    private let cache: any ResponseCache
    private let logger: Logger
    private let tally = UsageTally()

    /// - Parameters:
    ///   - name: the annotator name votes are stored under (default "llm:<model>").
    ///   - aliases: other words for labels (e.g. "en contra" → "against").
    ///   - cache: where answers are kept (the store's cache; default: in memory, this annotator only).
    public init(config: LLMConfig, templates: PromptTemplates = .defaults, aliases: [String: String] = [:],
                cache: (any ResponseCache)? = nil, name: String? = nil,
                logger: Logger = Logger(label: "duet.llm")) {
        self.config = config
        self.templates = templates
        self.aliases = aliases
        self.cache = cache ?? MemoryResponseCache()
        self.name = name ?? "llm:\(config.model)"
        self.logger = logger
    }

    /// Spending so far, over every `annotate` call of this annotator.
    public var usage: Usage { tally.snapshot }

    /// Votes per item (row id). Items with nothing to ask (no text, not a
    /// two-response pair) get no entry. `progress` receives the number of items finished so far.
    /// Throws `LLMAnnotatorError` for a bad configuration or task kind, and `CancellationError`.
    public func annotate(_ items: [StoredItem], task: TaskSpec,
                         progress: @Sendable (Int) -> Void) async throws -> [Int64: [MachineVote]] {
        let errors = config.validationErrors()
        guard errors.isEmpty else { throw LLMAnnotatorError.invalidConfig(errors) }
        let parser = AnswerParser(labels: PromptTemplates.schema(for: task), aliases: aliases)

        // Every (item, variant) request, then the cache, then the network for the rest.
        var jobs: [Job] = []
        var variants: [(item: StoredItem, variants: [PromptVariant])] = []
        for item in items {
            guard let vs = templates.variants(for: item.item, task: task, askConfidence: config.askConfidence) else { continue }
            for (v, variant) in vs.enumerated() {
                let body = requestBody(variant.messages)
                jobs.append(Job(item: variants.count, variant: v, body: body, key: ContentHash.fnv1a128Hex(body)))
            }
            variants.append((item, vs))
        }
        var outcomes = variants.map { [Result<CachedResponse, ChatFailure>?](repeating: nil, count: $0.variants.count) }
        var pending = variants.map(\.variants.count)
        var done = 0
        var misses: [Job] = []
        for job in jobs {
            if let hit = await cached(job.key) {
                tally.add { $0.cacheHits += 1 }
                outcomes[job.item][job.variant] = .success(hit)
                pending[job.item] -= 1
                if pending[job.item] == 0 { done += 1 }
            } else {
                misses.append(job)
            }
        }
        tally.add { $0.planned += misses.count }
        if done > 0 || !misses.isEmpty { progress(done) }

        if !misses.isEmpty {
            try await withSession { session in
                let transport = ChatTransport(session: session, config: config, logger: logger, tally: tally)
                try await withThrowingTaskGroup(of: (Job, Result<CachedResponse, ChatFailure>).self) { group in
                    var next = 0
                    func launch() {
                        let job = misses[next]
                        next += 1
                        group.addTask {
                            let outcome = try await transport.complete(body: job.body)
                            // Kept at once: if the run is cancelled before the answer is read below, it is still paid for only once.
                            if case .success(let response) = outcome { await self.store(response, key: job.key) }
                            return (job, outcome)
                        }
                    }
                    while next < min(max(1, config.concurrency), misses.count) { launch() }
                    // A server that refuses every request, or never answers, stops the run early: nothing new is
                    // sent, the requests under way end (an answer that arrives is cached), then the run stops.
                    var inARow = 0, gaveUpAt: Int?
                    let stopAfter = max(8, 3 * max(1, config.concurrency))
                    while let (job, outcome) = try await group.next() {
                        if case .failure(let f) = outcome, OpenAICompatibleAnnotator.hopeless.contains(f.kind) {
                            inARow += 1
                            if inARow >= stopAfter && gaveUpAt == nil { gaveUpAt = inARow }
                        } else {
                            inARow = 0
                        }
                        if next < misses.count && gaveUpAt == nil { launch() }
                        outcomes[job.item][job.variant] = outcome
                        pending[job.item] -= 1
                        if pending[job.item] == 0 { done += 1 }
                        progress(done)  // after every request: the counts in `usage` moved
                    }
                    if let count = gaveUpAt { throw LLMAnnotatorError.gaveUp(count: count, failures: tally.snapshot.failureSentence) }
                }
            }
        }

        var result: [Int64: [MachineVote]] = [:]
        for (i, entry) in variants.enumerated() {
            result[entry.item.rowID] = zip(entry.variants, outcomes[i]).compactMap { variant, outcome in
                outcome.map { vote(variant, $0, parser: parser) }
            }
        }
        return result
    }

    /// Failures that retrying the next request will not mend: many in a row stop the run.
    static let hopeless: Set<String> = ["connection", "timeout", "http-401", "http-403", "http-404", "invalid-url"]

    /// The requests `annotate` would send, with estimated tokens and cost; sends nothing.
    public func plan(_ items: [StoredItem], task: TaskSpec) async -> [PlannedRequest] {
        let label = config.askConfidence ? 12 : 5
        var out: [PlannedRequest] = []
        for item in items {
            guard let vs = templates.variants(for: item.item, task: task, askConfidence: config.askConfidence) else { continue }
            for v in vs {
                // An order names every candidate (about 3 tokens each: "B >", "2. A").
                var answer = label
                if case .order(let shown) = v.answer { answer = 3 * shown.count + label - 5 }
                let completion = min(config.maxTokens, answer)
                let body = requestBody(v.messages)
                let key = ContentHash.fnv1a128Hex(body)
                let chars = v.messages.reduce(0) { $0 + $1.content.count }
                let prompt = (chars + 3) / 4
                let isCached = await cached(key) != nil
                out.append(PlannedRequest(
                    itemRowID: item.rowID, variant: v.name, messages: v.messages, cacheKey: key, cached: isCached,
                    estimatedPromptTokens: prompt, estimatedCompletionTokens: completion,
                    estimatedCostUSD: isCached ? 0 : config.cost(promptTokens: prompt, completionTokens: completion)))
            }
        }
        return out
    }

    /// The request body, canonical JSON: {model, messages, temperature, top_p,
    /// max_tokens, logprobs, and stop when set}. Its FNV-1a 128 hash is the cache key; it never holds the key.
    public func requestBody(_ messages: [Message]) -> String {
        var body: [String: JSONValue] = [
            "model": .string(config.model),
            "messages": .array(messages.map(\.json)),
            "temperature": .number(config.temperature),
            "top_p": .number(config.topP),
            "max_tokens": .number(Double(config.maxTokens)),
            "logprobs": .bool(config.requestLogprobs),
        ]
        if !config.stop.isEmpty { body["stop"] = .array(config.stop.map(JSONValue.string)) }
        return JSONValue.object(body).canonicalJSON
    }

    // MARK: Internals

    private struct Job: Sendable {
        var item: Int
        var variant: Int
        var body: String
        var key: String
    }

    /// The vote for one answer; a False / No answer is a no-vote (kept for its text and tokens).
    private func vote(_ variant: PromptVariant, _ outcome: Result<CachedResponse, ChatFailure>,
                      parser: AnswerParser) -> MachineVote {
        switch outcome {
        case .failure(let failure):
            return MachineVote(annotator: name, variant: variant.name, label: nil, raw: failure.raw)
        case .success(let r):
            let label: String?
            switch parser.read(r.text, as: variant.answer) {
            case .label(let l): label = l
            case .unparseable: label = nil
            case .abstain:
                tally.add { $0.abstentions += 1 }
                return .noVote(annotator: name, variant: variant.name, raw: r.text, promptTokens: r.promptTokens,
                               completionTokens: r.completionTokens)
            }
            let confidence = label == nil ? nil
                : AnswerParser.statedConfidence(r.text) ?? r.logprobs.flatMap(AnswerParser.confidence(logprobs:))
            return MachineVote(annotator: name, variant: variant.name, label: label, confidence: confidence, raw: r.text,
                               promptTokens: r.promptTokens, completionTokens: r.completionTokens)
        }
    }

    private func cached(_ key: String) async -> CachedResponse? {
        do { return try await cache.cachedResponse(key: key) } catch {
            logger.warning("llm cache read failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func store(_ response: CachedResponse, key: String) async {
        do { try await cache.storeResponse(response, key: key) } catch {
            logger.warning("llm cache write failed", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `body` with a session for this call's requests, invalidated afterwards.
    private func withSession(_ body: (URLSession) async throws -> Void) async throws {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(8, config.concurrency)
        configuration.timeoutIntervalForRequest = config.timeout
        configuration.timeoutIntervalForResource = config.timeout
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration)
        defer { session.invalidateAndCancel() }
        try await body(session)
    }
}

extension OpenAICompatibleAnnotator {
    /// The annotator a duet.toml `[[annotators]]` entry of kind `llm` declares:
    /// `base_url`, `model`, and the key read from the variable `api_key_env`
    /// names (an unset variable is an error; no `api_key_env` = no key, for local
    /// servers). Votes are stored under the entry's name. `configure` sets the rest
    /// (prices, concurrency, …).
    public static func fromSpec(_ spec: AnnotatorSpec,
                                environment: [String: String] = ProcessInfo.processInfo.environment,
                                configure: (inout LLMConfig) -> Void = { _ in },
                                templates: PromptTemplates = .defaults, aliases: [String: String] = [:],
                                cache: (any ResponseCache)? = nil,
                                logger: Logger = Logger(label: "duet.llm")) throws -> OpenAICompatibleAnnotator {
        var errors: [String] = []
        if spec.kind != .llm { errors.append("annotator '\(spec.name)': kind \(spec.kind.rawValue), not llm") }
        if spec.baseURL?.isEmpty ?? true { errors.append("annotator '\(spec.name)': llm needs base_url") }
        if spec.model?.isEmpty ?? true { errors.append("annotator '\(spec.name)': llm needs model") }
        let key = LLMConfig.apiKey(fromEnvironmentVariable: spec.apiKeyEnv, environment: environment)
        if let variable = spec.apiKeyEnv, !variable.isEmpty, key == nil {
            errors.append("annotator '\(spec.name)': environment variable \(variable) (api_key_env) is not set")
        }
        guard errors.isEmpty else { throw LLMAnnotatorError.invalidConfig(errors) }
        var config = LLMConfig(baseURL: spec.baseURL ?? "", model: spec.model ?? "", apiKey: key)
        configure(&config)
        let invalid = config.validationErrors()
        guard invalid.isEmpty else { throw LLMAnnotatorError.invalidConfig(invalid) }
        return OpenAICompatibleAnnotator(config: config, templates: templates, aliases: aliases, cache: cache,
                                         name: spec.name, logger: logger)
    }
}
