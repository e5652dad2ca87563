import DuetCore
import Foundation

extension OpenAICompatibleAnnotator {
    /// What an annotator has spent so far (cumulative over its `annotate` calls).
    public struct Usage: Sendable, Hashable, Codable, CustomStringConvertible {
        /// HTTP requests attempted, retries included.
        public var attempts = 0
        /// Attempts the server answered with an HTTP reply of any status (200, 429, 500, …): the requests it received.
        public var received = 0
        /// Attempts that brought no usable answer, retried ones included, by kind ("connection", "timeout",
        /// "http-500", …, as in `failures`).
        public var failedAttempts: [String: Int] = [:]
        /// Requests answered with a chat completion.
        public var responses = 0
        /// Answers taken from the cache (no request).
        public var cacheHits = 0
        /// Requests sent again after a retriable failure.
        public var retries = 0
        /// Tokens reported by the server's `usage` (cache hits add nothing).
        public var promptTokens = 0
        public var completionTokens = 0
        /// From `LLMConfig`'s prices.
        public var costUSD = 0.0
        /// Votes that ended as errors after the last retry, by kind:
        /// "http-<status>", "timeout", "connection", "invalid-response", "too-large".
        public var failures: [String: Int] = [:]
        /// True/False and agree prompts answered False / No (no vote).
        public var abstentions = 0
        /// Requests this annotator has to send (those not in the cache), counted as items are planned.
        public var planned = 0

        /// Requests that have ended: answered, or failed after their retries.
        public var ended: Int { responses + failureCount }

        public init() {}

        public var failureCount: Int { failures.values.reduce(0, +) }
        public var failedAttemptCount: Int { failedAttempts.values.reduce(0, +) }

        /// Counts by kind as "connection 900, http-500 2", kinds in order.
        public static func kinds(_ counts: [String: Int]) -> String {
            counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }

        /// What the server saw of the attempts: "38 requests answered by the server, 940 attempts (902 failed:
        /// connection 900, http-500 2)"; just "38 requests answered by the server" when every attempt was answered.
        public var attemptsSentence: String {
            var s = "\(received) request\(received == 1 ? "" : "s") answered by the server"
            if attempts != received || failedAttemptCount > 0 {
                s += ", \(attempts) attempt\(attempts == 1 ? "" : "s")"
                if failedAttemptCount > 0 { s += " (\(failedAttemptCount) failed: \(Self.kinds(failedAttempts)))" }
            }
            return s
        }

        /// Every request failed: nothing was answered by the server or the cache.
        public var allFailed: Bool { failureCount > 0 && responses == 0 && cacheHits == 0 }

        /// The failures in plain words, most frequent first: "the server refused the key (401) on 33 requests".
        public var failureSentence: String {
            failures.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                .map { "\(Self.words(forFailure: $0.key)) on \($0.value) request\($0.value == 1 ? "" : "s")" }
                .joined(separator: "; ")
        }

        /// What a failure kind ("http-401", "connection", …) means, for a person.
        public static func words(forFailure kind: String) -> String {
            switch kind {
            case "http-401": return "the server refused the key (401)"
            case "http-403": return "the server denied access (403)"
            case "http-404": return "the server has no such endpoint or model (404)"
            case "http-429": return "the server kept answering 'too many requests' (429)"
            case "connection": return "could not connect to the server (refused or closed)"
            case "timeout": return "the server did not answer in time"
            case "invalid-response": return "the server's replies were not chat completions"
            case "too-large": return "the server's replies were too large"
            case "invalid-url": return "base_url is not a URL"
            default:
                if kind.hasPrefix("http-5") { return "the server failed (\(kind.dropFirst(5)))" }
                if kind.hasPrefix("http-") { return "the server answered \(kind.dropFirst(5))" }
                return kind
            }
        }

        public var description: String {
            let f = Self.kinds(failures)
            return "\(attemptsSentence), \(retries) retries, \(cacheHits) cached, "
                + "\(promptTokens) + \(completionTokens) tokens, $\(String(format: "%.4f", costUSD))"
                + (f.isEmpty ? "" : ", failures: \(f)")
        }
    }

    /// One request a run would send (dry run: nothing is sent).
    public struct PlannedRequest: Sendable, Hashable {
        public var itemRowID: Int64
        public var variant: String
        public var messages: [Message]
        /// The cache key (a hash; holds no secret).
        public var cacheKey: String
        /// Already answered in the cache: a run would not send it.
        public var cached: Bool
        /// Characters of the messages / 4, rounded up.
        public var estimatedPromptTokens: Int
        /// A label plus a confidence line (at most `maxTokens`).
        public var estimatedCompletionTokens: Int
        /// 0 when cached.
        public var estimatedCostUSD: Double
    }
}

extension [OpenAICompatibleAnnotator.PlannedRequest] {
    /// Requests a run would send (those not cached).
    public var uncachedCount: Int { filter { !$0.cached }.count }
    public var estimatedCostUSD: Double { reduce(0) { $0 + $1.estimatedCostUSD } }
    public var estimatedPromptTokens: Int { filter { !$0.cached }.reduce(0) { $0 + $1.estimatedPromptTokens } }
}

/// The usage counters behind a lock, shared by concurrent requests.
final class UsageTally: @unchecked Sendable {
    private var usage = OpenAICompatibleAnnotator.Usage()
    private let lock = NSLock()

    func add(_ change: (inout OpenAICompatibleAnnotator.Usage) -> Void) {
        lock.withLock { change(&usage) }
    }

    var snapshot: OpenAICompatibleAnnotator.Usage { lock.withLock { usage } }
}

/// Why `annotate` could not start.
public enum LLMAnnotatorError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidConfig([String])
    /// `count` requests in a row failed in a way that retrying will not mend (refused, timed out, a
    /// refused key): the run stopped early. `failures`: what the server answered, in words.
    case gaveUp(count: Int, failures: String)

    public var description: String {
        switch self {
        case .gaveUp(let count, let failures):
            return "stopped after \(count) requests in a row failed: \(failures). The answers received so far are cached: "
                + "run it again to resume without paying twice"
        case .invalidConfig(let errors): return errors.joined(separator: "; ")
        }
    }
}
