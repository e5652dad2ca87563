import DuetCore

/// A pretend LLM that derives its answer from the prompt (default templates):
/// classify items carry "[gold=<label>]" and mode tags in their text; pair
/// items prefer the response containing "GOOD" (or always say "A" with "[biased]"); multilabel items
/// carry "[labels=a,b]", ranking candidates "QUALITY=<n> " (see `multilabelAnswer`, `rankingAnswer`).
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
        if u.contains("best first") { return rankingAnswer(u) + confident }
        if let asked = between(u, "the label \"", "\""), let tagged = between(u, "[labels=", "]") {
            return multilabelAnswer(u, asked: asked, tagged: tagged) + confident
        }
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

    /// Multilabel items carry "[labels=a,b]": yes to a question about a label listed there, no otherwise, in
    /// the words of each prompt (True/False for the statement); "[unreadable]" answers nothing readable.
    static func multilabelAnswer(_ u: String, asked: String, tagged: String) -> String {
        if u.contains("[unreadable]") { return "It depends on how you read it." }
        let applies = tagged.split(separator: ",").contains { $0 == asked }
        if u.contains("true or false") { return applies ? "True" : "False" }
        if u.contains("Reply Yes or No") { return applies ? "Yes" : "No" }
        return applies ? "Yes, it applies." : "No."
    }

    /// Ranking items: each response carries "QUALITY=<n>"; the best first, as "B > A > C" for the
    /// instruction and as a numbered list for the list prompt. "[unreadable]": no order in the answer.
    static func rankingAnswer(_ u: String) -> String {
        if u.contains("[unreadable]") { return "They are all quite good in their own way." }
        var shown: [(letter: String, quality: Int)] = []
        let lines = u.split(separator: "\n").map(String.init)
        for (i, line) in lines.enumerated() where line.hasPrefix("Response ") && line.hasSuffix(":") && i + 1 < lines.count {
            let letter = String(line.dropFirst("Response ".count).dropLast())
            shown.append((letter, Int(between(lines[i + 1], "QUALITY=", " ") ?? "0") ?? 0))
        }
        let best = shown.sorted { $0.quality > $1.quality }.map(\.letter)
        if u.contains("numbered list") { return best.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n") }
        return best.joined(separator: " > ")
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
