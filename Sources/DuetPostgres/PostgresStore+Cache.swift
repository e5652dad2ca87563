import DuetCore
import DuetStoreAPI
import Foundation
import PostgresNIO

/// The LLM response cache (`llm_cache`) on PostgreSQL: shared by everyone on the project, so a teammate's
/// re-run of the same request costs nothing. Two teammates storing one key at once both succeed (the later
/// write wins, as SQLite's `INSERT OR REPLACE`).
extension PostgresStore: ResponseCache {
    public func cachedResponse(key: String) async throws -> CachedResponse? {
        try await read("reading the response cache") { db -> CachedResponse? in
            guard let (text, prompt, completion, logprobs) = try await db.rows("""
                SELECT text, prompt_tokens, completion_tokens, logprobs FROM llm_cache WHERE key = \(key)
                """).decode((String, Int64?, Int64?, String?).self).firstElement()
            else { return nil }
            return CachedResponse(text: text, promptTokens: prompt.map { Int($0) }, completionTokens: completion.map { Int($0) },
                                  logprobs: try logprobs.map { try PostgresItemRow.json($0, "logprobs of a cached response").array?.compactMap(\.number) ?? [] })
        }
    }

    public func storeResponse(_ response: CachedResponse, key: String) async throws {
        let logprobs = response.logprobs.map { JSONValue.array($0.map(JSONValue.number)).canonicalJSON }
        try await write("storing a response in the cache") { db in
            try await db.execute("""
                INSERT INTO llm_cache (key, text, prompt_tokens, completion_tokens, logprobs, created_at)
                VALUES (\(key), \(response.text), \(response.promptTokens.map { Int64($0) }), \(response.completionTokens.map { Int64($0) }),
                        \(logprobs), \(Self.seconds(Date())))
                ON CONFLICT (key) DO UPDATE SET
                    text = excluded.text, prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
                    logprobs = excluded.logprobs, created_at = excluded.created_at
                """)
        }
    }
}
