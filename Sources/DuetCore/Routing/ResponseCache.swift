import Foundation

/// Where LLM responses are kept so a re-run costs nothing: keyed by a hash of
/// model + messages + parameters. Every store backend implements it (a role of the store port, shared
/// by everyone on a team's store); tests use memory.
public protocol ResponseCache: AnyObject, Sendable {
    func cachedResponse(key: String) async throws -> CachedResponse?
    func storeResponse(_ response: CachedResponse, key: String) async throws
}

public struct CachedResponse: Sendable, Hashable, Codable {
    public var text: String
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Per-token log probabilities of the answer, when the server sent them.
    public var logprobs: [Double]?

    public init(text: String, promptTokens: Int? = nil, completionTokens: Int? = nil, logprobs: [Double]? = nil) {
        self.text = text
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.logprobs = logprobs
    }
}

/// An in-memory cache (tests, dry runs).
public final class MemoryResponseCache: ResponseCache, @unchecked Sendable {
    private var entries: [String: CachedResponse] = [:]
    private let lock = NSLock()
    public init() {}
    public var count: Int { lock.withLock { entries.count } }
    public func cachedResponse(key: String) throws -> CachedResponse? { lock.withLock { entries[key] } }
    public func storeResponse(_ response: CachedResponse, key: String) throws { lock.withLock { entries[key] = response } }
}
