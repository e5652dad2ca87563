import Foundation

/// How to reach an OpenAI-compatible chat server and how to sample from it.
///
/// The API key is only ever put in the `Authorization` header: it is not part
/// of the cache key, the cached values, the votes, the logs or any error text,
/// and `description` / `dump` show it redacted.
public struct LLMConfig: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// Base URL of the server, with the API version: `http://127.0.0.1:8000/v1`.
    public var baseURL: String
    public var model: String
    /// The key itself (read by the caller from the variable named in duet.toml,
    /// see `apiKey(fromEnvironmentVariable:environment:)`); nil = no header.
    public var apiKey: String?
    /// Sampling (CoAnnotating: 0.7 / 0.95).
    public var temperature: Double
    public var topP: Double
    /// Completion budget per answer (a label plus "Confidence: 0.8" fits in a few tokens).
    public var maxTokens: Int
    /// Stop sequences (sent only when there are any, so earlier cache keys stay valid).
    public var stop: [String] = []
    /// Requests in flight at most.
    public var concurrency: Int
    /// Seconds per request (one attempt), from sending to the last byte of the reply.
    public var timeout: Double
    /// Retries after the first attempt (429, 5xx, timeouts, connection errors).
    public var maxRetries: Int
    /// Seconds before the first retry; doubled on each further retry, capped at `backoffCap`.
    public var backoffBase: Double
    public var backoffCap: Double
    /// A server's `Retry-After` is honoured up to this many seconds.
    public var maxRetryAfter: Double
    /// Ask the server for token log probabilities (`logprobs: true`); when the
    /// answer states no confidence, confidence = exp(mean logprob of the answer tokens).
    public var requestLogprobs: Bool
    /// USD per 1M prompt tokens.
    public var promptPricePerMillion: Double
    /// USD per 1M completion tokens.
    public var completionPricePerMillion: Double
    /// End every prompt asking for "Confidence: <0–1>" (self-evaluation, CoAnnotating §3).
    public var askConfidence: Bool
    /// A longer reply is a failure ("too-large"): an answer of `maxTokens` tokens takes a few kB at
    /// most, so a server sending megabytes ignores the request and is neither parsed nor cached.
    public var maxReplyBytes: Int

    public init(baseURL: String, model: String, apiKey: String? = nil, temperature: Double = 0.7, topP: Double = 0.95,
                maxTokens: Int = 64, concurrency: Int = 8, timeout: Double = 30, maxRetries: Int = 4,
                backoffBase: Double = 0.5, backoffCap: Double = 8, maxRetryAfter: Double = 60,
                requestLogprobs: Bool = false, promptPricePerMillion: Double = 0, completionPricePerMillion: Double = 0,
                askConfidence: Bool = true, maxReplyBytes: Int = 1 << 20) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.concurrency = concurrency
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.maxRetryAfter = maxRetryAfter
        self.requestLogprobs = requestLogprobs
        self.promptPricePerMillion = promptPricePerMillion
        self.completionPricePerMillion = completionPricePerMillion
        self.askConfidence = askConfidence
        self.maxReplyBytes = maxReplyBytes
    }

    /// The key held by the environment variable `name` (as named by duet.toml's
    /// `api_key_env`); nil when no name is given or the variable is unset or blank.
    public static func apiKey(fromEnvironmentVariable name: String?,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let name, !name.isEmpty, let value = environment[name] else { return nil }
        let key = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return key.isEmpty ? nil : key
    }

    /// `{baseURL}/chat/completions`.
    public var chatCompletionsURL: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/chat/completions"
    }

    /// Problems with this configuration, as messages naming the field.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if URL(string: baseURL)?.scheme.map({ ["http", "https"].contains($0.lowercased()) }) != true {
            errors.append("llm base_url '\(baseURL)': expected http(s)://host[:port]/v1")
        }
        if model.isEmpty { errors.append("llm model: empty") }
        if concurrency < 1 { errors.append("llm concurrency: at least 1") }
        if maxTokens < 1 { errors.append("llm max_tokens: at least 1") }
        if timeout <= 0 { errors.append("llm timeout: must be positive") }
        if maxRetries < 0 { errors.append("llm max_retries: must not be negative") }
        if maxReplyBytes < 1 { errors.append("llm reply limit: at least 1 byte") }
        return errors
    }

    /// USD for the given token counts.
    public func cost(promptTokens: Int, completionTokens: Int) -> Double {
        (Double(promptTokens) * promptPricePerMillion + Double(completionTokens) * completionPricePerMillion) / 1_000_000
    }

    public var description: String {
        "LLMConfig(baseURL: \(baseURL), model: \(model), apiKey: \(apiKey == nil ? "none" : "<redacted>"), "
            + "temperature: \(temperature), topP: \(topP), maxTokens: \(maxTokens), concurrency: \(concurrency))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "baseURL": baseURL, "model": model, "apiKey": apiKey == nil ? "none" : "<redacted>",
            "temperature": temperature, "topP": topP, "maxTokens": maxTokens, "concurrency": concurrency,
            "timeout": timeout, "maxRetries": maxRetries, "requestLogprobs": requestLogprobs,
            "askConfidence": askConfidence,
        ])
    }
}
