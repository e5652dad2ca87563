import DuetCore

/// A pretend LLM that derives its answer from the prompt (default templates):
/// classify items carry "[gold=<label>]" and mode tags in their text; pair
/// items prefer the response containing "GOOD" (or always say "A" with "[biased]").
///
/// Modes: [timeout] never answers in time, [429] first attempt 429 + Retry-After: 1,
/// [503] first attempt 503 + Retry-After: 1, [500] first attempt 500, [drop] first attempt: the
/// connection is closed, [dropall] every attempt closed, [garbage] non-JSON, [slow] 200 ms late, [outside]
/// answers outside the schema, [fatal] 400 whose message echoes the Authorization header, [echo] an
/// answer whose text echoes the Authorization header. Faults of every kind: `FaultPlan`.
public enum FakeLLM {
    public static func reply(_ r: ReceivedRequest) -> ScriptedReply {
        let u = r.userText
        if u.contains("[timeout]") { return ScriptedReply(body: "{}", delay: 5) }
        if u.contains("[429]") && r.attempt == 1 {
            return ScriptedReply(status: 429, headers: [("Retry-After", "1")], body: #"{"error":{"message":"slow down"}}"#)
        }
        if u.contains("[503]") && r.attempt == 1 {
            return ScriptedReply(status: 503, headers: [("Retry-After", "1")], body: "overloaded")
        }
        if u.contains("[dropall]") || (u.contains("[drop]") && r.attempt == 1) { return ScriptedReply(body: "", drop: true) }
        if u.contains("[500]") && r.attempt == 1 { return ScriptedReply(status: 500, body: "internal error") }
        if u.contains("[garbage]") { return ScriptedReply(body: "<html>this is not JSON</html>") }
        if u.contains("[fatal]") {
            let echo = r.authorization ?? "none"
            return ScriptedReply(status: 400, body: #"{"error":{"message":"bad request from \#(echo)"}}"#)
        }
        let logprobs = r.json?["logprobs"]?.bool == true
        let echo = u.contains("[echo]") ? "\n(asked by \(r.authorization ?? "none"))" : ""
        return ScriptedReply(body: completion(answer(u) + echo, promptChars: u.count, logprobs: logprobs),
                             delay: u.contains("[slow]") ? 0.2 : 0)
    }

    public static func answer(_ u: String) -> String {
        let confident = u.contains("Confidence: <a number") ? "\nConfidence: 0.9" : ""
        if u.contains("Response A") || u.contains("[Reply A]") || u.contains("Better response") {
            if u.contains("[biased]") { return "A" + confident }
            let good = u.range(of: "GOOD")!.lowerBound, bad = u.range(of: "bad answer")!.lowerBound
            return (good < bad ? "Response A" : "**B**") + confident
        }
        let outside = u.contains("[outside]")
        let gold = between(u, "[gold=", "]") ?? "?"
        if u.contains("true or false") {
            if outside { return "Maybe" }
            return (between(u, "label for this text is \"", "\"") == gold ? "True" : "False") + confident
        }
        if u.contains("Do you agree?") {
            if outside { return "Perhaps, hard to say" }
            return (between(u, "I think the label is \"", "\"") == gold ? "Yes, I agree." : "No.") + confident
        }
        if u.contains("Which option") {
            if outside { return "(Z)" }
            let line = u.split(separator: "\n").first { $0.hasSuffix(". " + gold) }
            return "(\(line?.prefix(1) ?? "?"))" + confident
        }
        if outside { return "sarcastic" + confident }
        return "Label: **\(gold.capitalized)**" + confident
    }

    public static func completion(_ text: String, promptChars: Int, logprobs: Bool) -> String {
        var choice: [String: JSONValue] = ["index": 0, "message": ["role": "assistant", "content": .string(text)],
                                           "finish_reason": "stop"]
        if logprobs {
            let tokens: [JSONValue] = [["token": "Label", "logprob": -0.1], ["token": ":", "logprob": -0.1],
                                       ["token": " pos", "logprob": -0.2], ["token": "itive", "logprob": -0.2]]
            choice["logprobs"] = ["content": .array(tokens)]
        }
        let json: JSONValue = ["id": "chatcmpl-1", "object": "chat.completion", "choices": [.object(choice)],
                               "usage": ["prompt_tokens": .number(Double(promptChars / 4)), "completion_tokens": 7]]
        return json.canonicalJSON
    }

    public static func between(_ s: String, _ open: String, _ close: String) -> String? {
        guard let a = s.range(of: open), let b = s[a.upperBound...].range(of: close) else { return nil }
        return String(s[a.upperBound..<b.lowerBound])
    }
}
