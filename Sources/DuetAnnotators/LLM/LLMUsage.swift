import DuetCore
import Foundation

extension OpenAICompatibleAnnotator {
    /// What an annotator has spent so far (cumulative over its `annotate` calls).
    public struct Usage: Sendable, Hashable, Codable, CustomStringConvertible {
        /// HTTP requests sent, retries included.
        public var requestsSent = 0
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

        public init() {}

        public var failureCount: Int { failures.values.reduce(0, +) }

        public var description: String {
            let f = failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return "\(requestsSent) requests (\(retries) retries), \(cacheHits) cached, "
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
    case unsupportedTask(TaskKind)

    public var description: String {
        switch self {
        case .invalidConfig(let errors): return errors.joined(separator: "; ")
        case .unsupportedTask(let kind): return "the LLM annotator labels classify and compare tasks, not \(kind.rawValue)"
        }
    }
}
