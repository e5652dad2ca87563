import DuetCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

/// Why a request finally failed (after its retries).
struct ChatFailure: Error, Sendable, Hashable {
    /// "http-<status>", "timeout", "connection", "invalid-response", "too-large".
    var kind: String
    /// What goes into the vote's raw text, after "error: ". Never holds the key.
    var reason: String
    var retriable: Bool
    /// Seconds the server asked to wait (429 / 503 `Retry-After`).
    var retryAfter: Double?

    var raw: String { "error: " + reason }
}

/// POSTs chat completions with a per-request deadline and retries with backoff.
/// The API key goes into the Authorization header and nowhere else.
struct ChatTransport: Sendable {
    let session: URLSession
    let config: LLMConfig
    let logger: Logger
    let tally: UsageTally

    /// The reply to one request body, or the failure after the last retry.
    /// Throws only `CancellationError`.
    func complete(body: String) async throws -> Result<CachedResponse, ChatFailure> {
        var attempt = 0
        while true {
            try Task.checkCancellation()
            let (outcome, received) = await send(body: body)
            tally.add {
                $0.attempts += 1
                if received { $0.received += 1 }
                if case .failure(let f) = outcome { $0.failedAttempts[f.kind, default: 0] += 1 }
            }
            switch outcome {
            case .success(let response):
                tally.add {
                    $0.responses += 1
                    $0.promptTokens += response.promptTokens ?? 0
                    $0.completionTokens += response.completionTokens ?? 0
                    $0.costUSD += config.cost(promptTokens: response.promptTokens ?? 0, completionTokens: response.completionTokens ?? 0)
                }
                return outcome
            case .failure(let failure):
                if Task.isCancelled { throw CancellationError() }
                guard failure.retriable, attempt < config.maxRetries else {
                    logger.debug("llm request failed", metadata: ["reason": "\(failure.reason)", "attempts": "\(attempt + 1)"])
                    tally.add { $0.failures[failure.kind, default: 0] += 1 }
                    return outcome
                }
                let delay = failure.retryAfter.map { min($0, config.maxRetryAfter) } ?? backoff(attempt)
                logger.debug("llm request retried", metadata: ["reason": "\(failure.reason)", "delay": "\(delay)"])
                tally.add { $0.retries += 1 }
                attempt += 1
                try await Task.sleep(nanoseconds: UInt64(max(0, delay) * 1e9))
            }
        }
    }

    /// base × 2^attempt, capped, with "equal jitter" (half fixed, half random).
    func backoff(_ attempt: Int) -> Double {
        let d = min(config.backoffCap, config.backoffBase * pow(2, Double(min(attempt, 30))))
        return d / 2 + Double.random(in: 0...(d / 2))
    }

    /// One attempt: its outcome, and whether the server answered it with an HTTP reply (of any status).
    private func send(body: String) async -> (Result<CachedResponse, ChatFailure>, received: Bool) {
        guard let url = URL(string: config.chatCompletionsURL) else {
            return (.failure(ChatFailure(kind: "invalid-url", reason: "base_url is not a URL", retriable: false)), false)
        }
        var request = URLRequest(url: url, timeoutInterval: config.timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let key = config.apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(body.utf8)
        let status: Int, retryAfter: String?, bytes: Data
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                return (.failure(ChatFailure(kind: "invalid-response", reason: "invalid response (not HTTP)", retriable: false)), false)
            }
            status = http.statusCode
            retryAfter = http.value(forHTTPHeaderField: "Retry-After")
            bytes = data
        } catch {
            return (.failure(classify(error)), false)
        }
        return (read(status: status, retryAfter: retryAfter, bytes: bytes), true)
    }

    /// A reply the server sent, read as a chat completion or a failure.
    private func read(status: Int, retryAfter: String?, bytes: Data) -> Result<CachedResponse, ChatFailure> {
        guard bytes.count <= config.maxReplyBytes else {
            // A server that ignores max_tokens: not worth parsing or keeping, nor asking again.
            return .failure(ChatFailure(kind: "too-large", reason: "reply of \(bytes.count) bytes, over the \(config.maxReplyBytes)-byte limit",
                                        retriable: false))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard (200..<300).contains(status) else {
            let retriable = status == 408 || status == 429 || status >= 500
            let wait = (status == 429 || status == 503) ? retryAfter.flatMap(ChatTransport.seconds) : nil
            var reason = "HTTP \(status)"
            if !retriable, let message = ChatTransport.errorMessage(text) { reason += ": " + redact(message) }
            return .failure(ChatFailure(kind: "http-\(status)", reason: reason, retriable: retriable, retryAfter: wait))
        }
        guard var reply = ChatTransport.decode(text) else {
            return .failure(ChatFailure(kind: "invalid-response", reason: "invalid response (not a chat completion)", retriable: false))
        }
        // A server that echoes the request's headers must not get the key into the cache or the votes.
        reply.text = redact(reply.text)
        return .success(reply)
    }

    private func classify(_ error: Error) -> ChatFailure {
        if let e = error as? URLError, e.code == .timedOut {
            return ChatFailure(kind: "timeout", reason: "timeout after \(config.timeout) s", retriable: true)
        }
        return ChatFailure(kind: "connection", reason: ChatTransport.connectionSentence(error), retriable: true)
    }

    /// A connection failure in one plain sentence (never a Foundation domain and code).
    static func connectionSentence(_ error: Error) -> String {
        guard let e = error as? URLError else { return "the connection failed" }
        switch e.code {
        case .cannotConnectToHost: return "could not connect to the server (connection refused)"
        case .networkConnectionLost: return "the server closed the connection"
        case .cannotFindHost, .dnsLookupFailed: return "the server's host name was not found"
        case .notConnectedToInternet: return "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
             .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return "the TLS connection failed"
        case .badServerResponse: return "the server closed the connection or sent no valid HTTP reply"
        default: return "the connection failed"
        }
    }

    /// Belt and braces: no text that leaves this type carries the key.
    func redact(_ s: String) -> String {
        guard let key = config.apiKey, !key.isEmpty else { return s }
        return s.replacingOccurrences(of: key, with: "<redacted>")
    }

    /// `Retry-After` in seconds (the HTTP-date form is not used by LLM servers; it falls back to backoff).
    static func seconds(_ header: String) -> Double? {
        guard let v = Double(header.trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0 else { return nil }
        return v
    }

    /// `error.message` of an OpenAI-style error body, shortened.
    static func errorMessage(_ body: String) -> String? {
        guard let json = try? JSONValue.parse(body) else { return nil }
        let message = json["error"]?["message"]?.string ?? json["error"]?.string ?? json["message"]?.string
        return message.map { String($0.prefix(200)) }
    }

    /// A chat completion's first choice: text, token counts, answer-token logprobs.
    static func decode(_ body: String) -> CachedResponse? {
        guard let json = try? JSONValue.parse(body), let choice = json["choices"]?.array?.first,
              let message = choice["message"], message.object != nil else { return nil }
        let text = message["content"]?.string ?? ""
        let usage = json["usage"]
        let tokens = choice["logprobs"]?["content"]?.array?.compactMap { t -> (String, Double)? in
            guard let lp = t["logprob"]?.number else { return nil }
            return (t["token"]?.string ?? "", lp)
        }
        return CachedResponse(text: text,
                              promptTokens: usage?["prompt_tokens"]?.number.map { Int($0) },
                              completionTokens: usage?["completion_tokens"]?.number.map { Int($0) },
                              logprobs: tokens.map(answerLogprobs))
    }

    /// The log probabilities of the answer's tokens: up to the end of the first
    /// non-blank line or the start of "Confidence", whitespace-only tokens skipped.
    static func answerLogprobs(_ tokens: [(String, Double)]) -> [Double] {
        var text = ""
        var kept: [(end: Int, lp: Double)] = []
        for (token, lp) in tokens {
            if token.contains(where: \.isNewline) && !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { break }
            text += token
            if let r = text.range(of: "confidence", options: .caseInsensitive) {
                let start = text.distance(from: text.startIndex, to: r.lowerBound)
                kept.removeAll { $0.end > start }
                break
            }
            if !token.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { kept.append((text.count, lp)) }
        }
        return kept.map(\.lp)
    }
}
