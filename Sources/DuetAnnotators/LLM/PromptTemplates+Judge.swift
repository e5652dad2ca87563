import DuetCore
import Foundation

/// The default judge templates (rate and review).
public enum JudgeDefaults {
    public static let rubric = "Helpfulness: the response does what the user asked, completely and to the point. "
        + "Correctness: everything it states is true, and any code, arithmetic or reasoning in it is right. "
        + "A fluent response that is wrong is a poor one."
    public static let rubricParaphrase = "A good answer takes up the user's actual request and settles all of it without padding "
        + "(helpful), and holds no false claim, broken code or wrong calculation (correct). Good writing does not make up "
        + "for being wrong."
    public static let rate = "Rate the response below by this rubric.\n\nRubric:\n{rubric}\n\n{item}\n\n"
        + "Scale: {scale} ({low} is the worst, {high} the best).\nAnswer \"Rating: <number>\" with one number of the scale."
    public static let rateParaphrase = "How good is this answer? Judge it by these criteria:\n{rubric}\n\n{item}\n\n"
        + "Pick one score from {scale}, where {high} means excellent and {low} very poor. Reply \"Rating: <number>\"."
    public static let verdict = "Decide whether the response below should be kept as a training example, judged by this "
        + "rubric.\n\nRubric:\n{rubric}\n\n{item}\n\nAnswer Accept or Reject."
    public static let verdictParaphrase = "Would a careful reviewer approve this answer for a fine-tuning dataset, given these "
        + "criteria?\n{rubric}\n\n{item}\n\nReply with one word: Accept or Reject."
}

extension PromptTemplates {
    /// Rate and review judges, one item: a score on the task's scale under perturbations, and for
    /// review an accept/reject verdict (votes about the facet `ReviewDecision.verdictFacet`).
    /// The rubric is the task's guidelines, else `judgeRubric` (its paraphrase `judgeRubricParaphrase`
    /// in the paraphrased prompts). Ratings: "rubric" (`rate`, scale low to high), "paraphrase"
    /// (`rateParaphrase`), "reversed" (`rate`, the scale written high to low), "no-system" (`rate`, the
    /// conversation without its system prompt: only for items that have one); verdicts: "rubric@verdict",
    /// "paraphrase@verdict", "no-system@verdict". Nil when there is nothing to judge (no text; a review
    /// item without a response).
    func judgeVariants(for item: Item, task: TaskSpec, suffix: String) -> [PromptVariant]? {
        guard let shown = PromptTemplates.judgedItem(item, task: task) else { return nil }
        let guidelines = task.guidelines?.trimmingCharacters(in: .whitespacesAndNewlines)
        let given = guidelines?.isEmpty == false ? guidelines : nil
        let points = task.scale.map(String.init)
        let base = ["low": String(task.scale.lowerBound), "high": String(task.scale.upperBound)]
        func make(_ name: String, _ template: String, rubric: String, scale: [String], item: String, _ answer: AnswerKind) -> PromptVariant {
            let values = base.merging(["rubric": rubric, "scale": scale.joined(separator: ", "), "item": item]) { $1 }
            let user = PromptTemplates.fill(template, values) + suffix
            return PromptVariant(name: name, messages: system.isEmpty ? [.user(user)] : [.system(system), .user(user)], answer: answer)
        }
        let rubric = given ?? judgeRubric, paraphrased = given ?? judgeRubricParaphrase
        let rating = AnswerKind.rating(task.scale)
        var out = [make("rubric", rate, rubric: rubric, scale: points, item: shown.withSystem, rating),
                   make("paraphrase", rateParaphrase, rubric: paraphrased, scale: points, item: shown.withSystem, rating),
                   make("reversed", rate, rubric: rubric, scale: points.reversed(), item: shown.withSystem, rating)]
        if let bare = shown.withoutSystem { out.append(make("no-system", rate, rubric: rubric, scale: points, item: bare, rating)) }
        guard task.kind == .review else { return out }
        func v(_ p: String) -> String { MachineVote.variant(p, facet: ReviewDecision.verdictFacet) }
        out.append(make(v("rubric"), verdict, rubric: rubric, scale: points, item: shown.withSystem, .verdict))
        out.append(make(v("paraphrase"), verdictParaphrase, rubric: paraphrased, scale: points, item: shown.withSystem, .verdict))
        if let bare = shown.withoutSystem { out.append(make(v("no-system"), verdict, rubric: rubric, scale: points, item: bare, .verdict)) }
        return out
    }

    /// What a judge is shown: "Conversation:\n…\n\nResponse to judge:\n…" for a demonstration (the last
    /// assistant turn is the response), "Text to judge:\n…" for a text (rate tasks); `withoutSystem` is
    /// the conversation with its system turns left out, nil when it has none.
    static func judgedItem(_ item: Item, task: TaskSpec) -> (withSystem: String, withoutSystem: String?)? {
        if let m = item.fields.messages, let last = m.lastIndex(where: { $0.role == "assistant" }) {
            let before = Array(m[..<last])
            func shown(_ turns: [Message]) -> String {
                (turns.isEmpty ? "" : "Conversation:\n" + render(turns) + "\n\n") + "Response to judge:\n" + m[last].content
            }
            let bare = before.filter { $0.role != "system" }
            return (shown(before), bare.count == before.count ? nil : shown(bare))
        }
        guard task.kind == .rate, let text = itemText(item) else { return nil }
        return ("Text to judge:\n" + text, nil)
    }
}
