import DuetCore

/// A pretend LLM judge for rate and review prompts (default judge templates): the response under
/// judgment carries "[score=N]" and "[verdict=accept|reject]".
///
/// Modes: [words] answers "Rating: high" and "Hard to say." (no number, no verdict), [offscale] answers
/// "Rating: 9", [swayed] answers 1 when the scale is written high to low and 5 when the system prompt
/// is left out (so its votes spread).
public enum JudgeLLM {
    public static func reply(_ r: ReceivedRequest) -> ScriptedReply {
        let u = r.userText
        return ScriptedReply(body: FakeLLM.completion(answer(u), promptChars: u.count, logprobs: false))
    }

    public static func answer(_ u: String) -> String {
        if u.contains("Accept or Reject") {
            if u.contains("[words]") { return "Hard to say." }
            return (FakeLLM.between(u, "[verdict=", "]") ?? "accept") == "reject" ? "Reject: it is wrong." : "**Accept**"
        }
        if u.contains("[words]") { return "Rating: high" }
        if u.contains("[offscale]") { return "Rating: 9" }
        var score = FakeLLM.between(u, "[score=", "]") ?? "3"
        if u.contains("[swayed]") {
            if u.contains("5, 4, 3, 2, 1") { score = "1" } else if !u.contains("System:") { score = "5" }
        }
        // A different wording per prompt, each one the grammar reads.
        if u.contains("Pick one score") { return "**\(score)**" }
        if u.contains("5, 4, 3, 2, 1") { return "Rating: \(score)/5" }
        return "Compared with GPT-4, I'd give it a \(score) out of 5."
    }
}
