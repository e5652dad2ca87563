import DuetCore

/// One way for an LLM server to misbehave on one request.
public enum Fault: Sendable, Hashable, CustomStringConvertible {
    /// Answers normally, `seconds` late (beyond the client's timeout).
    case delay(Double)
    /// Closes the connection without answering (FIN).
    case close
    /// Resets the connection without answering (RST).
    case reset
    /// Sends the head and half the body, then closes: a reply cut off mid-way.
    case cut
    /// 429, with `Retry-After: n` when given.
    case tooManyRequests(retryAfter: Int?)
    /// An error status: 500, 502, 503 …
    case status(Int)
    /// 200 with a body that is not JSON (a proxy's HTML page).
    case notJSON
    /// 200 with JSON that has no `choices`.
    case noChoices
    /// 200, a chat completion naming a label outside the task's labels.
    case outsideLabel
    /// 200, a chat completion whose content is about `bytes` long (its first line is the normal answer).
    case huge(bytes: Int)
    /// 200, a chat completion with empty content.
    case emptyContent
    /// Never answers: held until `LoopbackServer.releaseHeld()`, then closed.
    case hold

    public var description: String {
        switch self {
        case .delay(let s): return "delay \(s) s"
        case .close: return "close"
        case .reset: return "reset"
        case .cut: return "cut"
        case .tooManyRequests(let r): return r.map { "429 (Retry-After: \($0))" } ?? "429"
        case .status(let s): return "\(s)"
        case .notJSON: return "not JSON"
        case .noChoices: return "no choices"
        case .outsideLabel: return "outside label"
        case .huge(let n): return "huge (\(n) bytes)"
        case .emptyContent: return "empty content"
        case .hold: return "hold"
        }
    }

    /// `reply` (what the server would have answered) with this fault injected.
    public func apply(to reply: ScriptedReply, request: ReceivedRequest) -> ScriptedReply {
        var r = reply
        let promptChars = request.userText.count
        switch self {
        case .delay(let s): r.delay = s
        case .close: r.drop = true
        case .reset:
            r.drop = true
            r.reset = true
        case .cut: r.cutAfter = r.body.utf8.count / 2
        case .tooManyRequests(let after):
            r = ScriptedReply(status: 429, headers: after.map { [("Retry-After", "\($0)")] } ?? [],
                              body: #"{"error":{"message":"Rate limit reached","type":"requests"}}"#)
        case .status(let code):
            r = ScriptedReply(status: code, body: code == 502 ? "<html><body>502 Bad Gateway</body></html>"
                : #"{"error":{"message":"The server had an error while processing your request"}}"#)
        case .notJSON:
            r = ScriptedReply(body: "<html><head><title>Login</title></head><body>Please sign in</body></html>")
        case .noChoices:
            r = ScriptedReply(body: #"{"id":"chatcmpl-x","object":"chat.completion","usage":{"prompt_tokens":3,"completion_tokens":0}}"#)
        case .outsideLabel:
            r = ScriptedReply(body: FakeLLM.completion("Label: sarcastic", promptChars: promptChars, logprobs: false))
        case .huge(let bytes):
            // The padding goes in after encoding: JSON-encoding megabytes character by character is slow.
            let line = "All work and no play makes Jack a dull boy. "
            let padding = String(repeating: line, count: max(1, bytes / line.utf8.count))
            let body = FakeLLM.completion(FakeLLM.answer(request.userText) + "\n@@PADDING@@", promptChars: promptChars, logprobs: false)
            r = ScriptedReply(body: body.replacingOccurrences(of: "@@PADDING@@", with: padding))
        case .emptyContent:
            r = ScriptedReply(body: FakeLLM.completion("", promptChars: promptChars, logprobs: false))
        case .hold: r.hold = true
        }
        return r
    }
}

/// Which requests get which fault: by marker in the prompt, by the server's
/// request schedule, after the server has served N requests, or any rule of
/// one's own. The first plan of a `combined` list that names a fault wins.
public struct FaultPlan: Sendable {
    public let pick: @Sendable (ReceivedRequest) -> Fault?

    public init(_ pick: @escaping @Sendable (ReceivedRequest) -> Fault?) {
        self.pick = pick
    }

    public static let none = FaultPlan { _ in nil }

    /// A fault on the first `attempts` attempts (nil = every attempt) of each request whose prompt holds
    /// the marker; the first matching rule counts.
    public static func marked(_ rules: [(marker: String, fault: Fault, attempts: Int?)]) -> FaultPlan {
        FaultPlan { r in
            let text = r.userText
            return rules.first { text.contains($0.marker) && r.attempt <= ($0.attempts ?? .max) }?.fault
        }
    }

    /// The server's n-th request (1-based) gets `schedule[(n − 1) % count]` when it is a first attempt.
    public static func schedule(_ schedule: [Fault?]) -> FaultPlan {
        FaultPlan { r in r.attempt == 1 ? schedule[(r.sequence - 1) % schedule.count] : nil }
    }

    /// Every request after the first `n` gets `fault` (a server that dies: `.reset`; one that hangs: `.hold`).
    public static func after(_ n: Int, _ fault: Fault) -> FaultPlan {
        FaultPlan { r in r.sequence > n ? fault : nil }
    }

    public static func combined(_ plans: [FaultPlan]) -> FaultPlan {
        FaultPlan { r in plans.lazy.compactMap { $0.pick(r) }.first }
    }

    /// What the server answers: the script's reply with the fault, if any, injected.
    func reply(to request: ReceivedRequest, script: (ReceivedRequest) -> ScriptedReply) -> ScriptedReply {
        let reply = script(request)
        return pick(request).map { $0.apply(to: reply, request: request) } ?? reply
    }
}
