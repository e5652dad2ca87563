import DuetCore
import Foundation

/// The prompt perturbations of CoAnnotating (Li et al., EMNLP 2023), as
/// overridable templates. Placeholders: `{text}`, `{labels}` (comma-separated),
/// `{label}` (True/False and agree prompts), `{options}` (lettered list),
/// for pairs `{prompt}`, `{a}`, `{b}`, and for rate and review judges `{rubric}`, `{item}` (the
/// conversation and the response, or the text), `{scale}` (the points, in the variant's order),
/// `{low}`, `{high}` (see PromptTemplates+Judge.swift). Substitution is one pass, so an
/// item's text that contains "{label}" stays as it is.
///
/// Decodes from partial input (duet.toml): a missing template keeps its default.
public struct PromptTemplates: Sendable, Hashable, Codable {
    /// The system message; task guidelines are appended to it.
    public var system: String
    public var instruction: String
    /// The text before the instruction.
    public var swapped: String
    public var paraphrase: String
    /// One prompt per label: "is `{label}` right? True/False".
    public var trueFalse: String
    public var short: String
    public var multipleChoice: String
    /// One prompt per label: "I think it's `{label}`, do you agree?".
    public var agree: String
    /// Appended to every prompt when `LLMConfig.askConfidence` is on.
    public var confidence: String
    public var pairInstruction: String
    public var pairParaphrase: String
    public var pairShort: String
    /// Rate and review judges: the rubric used when the task has no guidelines, and its paraphrase.
    public var judgeRubric: String
    public var judgeRubricParaphrase: String
    /// A score on the scale: the instruction and its paraphrase.
    public var rate: String
    public var rateParaphrase: String
    /// Review: accept or reject, and its paraphrase.
    public var verdict: String
    public var verdictParaphrase: String
    /// Multilabel: one question per label, "does `{label}` apply? Yes/No" (also asked with `{labels}` reversed).
    public var multilabelQuestion: String
    public var multilabelParaphrase: String
    /// Multilabel: "the label `{label}` applies" as a True/False statement.
    public var multilabelStatement: String
    /// Rankings: `{prompt}`, `{count}` candidates, `{letters}` ("A, B, C"), `{candidates}` ("Response A:\n…" blocks).
    public var rankInstruction: String
    public var rankParaphrase: String

    public static let defaults = PromptTemplates()

    public init(
        system: String = "You are a careful data annotator. Follow the instructions exactly and answer briefly.",
        instruction: String = "Classify the text into exactly one of these labels: {labels}.\n\nText: {text}\n\nAnswer with the label only.",
        swapped: String = "Text: {text}\n\nClassify the text above into exactly one of these labels: {labels}. Answer with the label only.",
        paraphrase: String = "Which of the following categories best describes the text below? Categories: {labels}.\n\n"
            + "\"\"\"\n{text}\n\"\"\"\n\nReply with one category name and nothing else.",
        trueFalse: String = "Text: {text}\n\nStatement: the correct label for this text is \"{label}\" "
            + "(the possible labels are {labels}).\nIs the statement true or false? Answer True or False.",
        short: String = "{text}\n\nLabel ({labels})?",
        multipleChoice: String = "Text: {text}\n\nWhich option describes the text best?\n{options}\n\nAnswer with the letter of one option.",
        agree: String = "Text: {text}\n\nThe possible labels are {labels}. I think the label is \"{label}\". "
            + "Do you agree? Answer Yes or No.",
        confidence: String = "\n\nThen, on a new line, write \"Confidence: <a number from 0 to 1>\" for how sure you are.",
        pairInstruction: String = "Below is a conversation and two candidate responses. Decide which response is better "
            + "(more helpful, correct and harmless).\n\nConversation:\n{prompt}\n\nResponse A:\n{a}\n\nResponse B:\n{b}\n\n"
            + "Answer with A, B, or tie.",
        pairParaphrase: String = "Here are two replies, A and B, to the same conversation. Which reply would a careful "
            + "reviewer prefer?\n\n[Conversation]\n{prompt}\n\n[Reply A]\n{a}\n\n[Reply B]\n{b}\n\n"
            + "Answer A or B (or tie if neither is better).",
        pairShort: String = "{prompt}\n\nA: {a}\n\nB: {b}\n\nBetter response: A, B or tie?",
        judgeRubric: String = JudgeDefaults.rubric, judgeRubricParaphrase: String = JudgeDefaults.rubricParaphrase,
        rate: String = JudgeDefaults.rate, rateParaphrase: String = JudgeDefaults.rateParaphrase,
        verdict: String = JudgeDefaults.verdict, verdictParaphrase: String = JudgeDefaults.verdictParaphrase,
        multilabelQuestion: String = "Text: {text}\n\nA text can have any number of these labels, or none: {labels}.\n"
            + "Does the label \"{label}\" apply to this text? Answer Yes or No.",
        multilabelParaphrase: String = "Read the text below.\n\n\"\"\"\n{text}\n\"\"\"\n\n"
            + "Should the label \"{label}\" be attached to it (among {labels}, several or none may fit)? Reply Yes or No and nothing else.",
        multilabelStatement: String = "Text: {text}\n\nStatement: the label \"{label}\" applies to this text "
            + "(the labels are {labels}; a text can have several or none).\nIs the statement true or false? Answer True or False.",
        rankInstruction: String = "Below is a conversation and {count} candidate responses, {letters}. Rank all of them from best "
            + "to worst (more helpful, correct and harmless is better).\n\nConversation:\n{prompt}\n\n{candidates}\n\n"
            + "Answer with the letters, best first, joined by \">\" (like X > Y > Z).",
        rankParaphrase: String = "Here are {count} replies ({letters}) to the same conversation. Order them from the one a careful "
            + "reviewer would prefer most to the one they would prefer least.\n\n[Conversation]\n{prompt}\n\n{candidates}\n\n"
            + "Answer as a numbered list of the letters, best first (1. …, 2. …)."
    ) {
        self.system = system
        self.instruction = instruction
        self.swapped = swapped
        self.paraphrase = paraphrase
        self.trueFalse = trueFalse
        self.short = short
        self.multipleChoice = multipleChoice
        self.agree = agree
        self.confidence = confidence
        self.pairInstruction = pairInstruction
        self.pairParaphrase = pairParaphrase
        self.pairShort = pairShort
        self.judgeRubric = judgeRubric
        self.judgeRubricParaphrase = judgeRubricParaphrase
        self.rate = rate
        self.rateParaphrase = rateParaphrase
        self.verdict = verdict
        self.verdictParaphrase = verdictParaphrase
        self.multilabelQuestion = multilabelQuestion
        self.multilabelParaphrase = multilabelParaphrase
        self.multilabelStatement = multilabelStatement
        self.rankInstruction = rankInstruction
        self.rankParaphrase = rankParaphrase
    }

    enum CodingKeys: String, CodingKey {
        case system, instruction, swapped, paraphrase, short, agree, confidence
        case trueFalse = "true_false", multipleChoice = "multiple_choice"
        case pairInstruction = "pair_instruction", pairParaphrase = "pair_paraphrase", pairShort = "pair_short"
        case judgeRubric = "judge_rubric", judgeRubricParaphrase = "judge_rubric_paraphrase", rate
        case rateParaphrase = "rate_paraphrase", verdict, verdictParaphrase = "verdict_paraphrase"
        case multilabelQuestion = "multilabel_question", multilabelParaphrase = "multilabel_paraphrase"
        case multilabelStatement = "multilabel_statement", rankInstruction = "rank_instruction", rankParaphrase = "rank_paraphrase"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PromptTemplates.defaults
        func v(_ key: CodingKeys, _ fallback: String) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? fallback }
        self.init(system: try v(.system, d.system), instruction: try v(.instruction, d.instruction),
                  swapped: try v(.swapped, d.swapped), paraphrase: try v(.paraphrase, d.paraphrase),
                  trueFalse: try v(.trueFalse, d.trueFalse), short: try v(.short, d.short),
                  multipleChoice: try v(.multipleChoice, d.multipleChoice), agree: try v(.agree, d.agree),
                  confidence: try v(.confidence, d.confidence), pairInstruction: try v(.pairInstruction, d.pairInstruction),
                  pairParaphrase: try v(.pairParaphrase, d.pairParaphrase), pairShort: try v(.pairShort, d.pairShort),
                  judgeRubric: try v(.judgeRubric, d.judgeRubric), judgeRubricParaphrase: try v(.judgeRubricParaphrase, d.judgeRubricParaphrase),
                  rate: try v(.rate, d.rate), rateParaphrase: try v(.rateParaphrase, d.rateParaphrase),
                  verdict: try v(.verdict, d.verdict), verdictParaphrase: try v(.verdictParaphrase, d.verdictParaphrase),
                  multilabelQuestion: try v(.multilabelQuestion, d.multilabelQuestion),
                  multilabelParaphrase: try v(.multilabelParaphrase, d.multilabelParaphrase),
                  multilabelStatement: try v(.multilabelStatement, d.multilabelStatement),
                  rankInstruction: try v(.rankInstruction, d.rankInstruction), rankParaphrase: try v(.rankParaphrase, d.rankParaphrase))
    }
}

/// How an answer to one variant is read.
public enum AnswerKind: Sendable, Hashable {
    /// The answer names a label.
    case label
    /// The answer names an option letter; `labels[i]` is option `PromptTemplates.optionLetter(i)`.
    case choice([String])
    /// True / yes → this label; False / no → no vote.
    case yesNo(String)
    /// "A" / "B" / "tie" as shown in this display order, mapped back to stored terms.
    case pair(DisplayOrder)
    /// A score on this scale (rate and review judges): the point as a label.
    case rating(ClosedRange<Int>)
    /// Review: "accept" or "reject".
    case verdict
    /// Multilabel: yes → "yes", no → "no" (a vote either way), about the label in the variant's facet.
    case applies
    /// Rankings: an order of the letters A, B, C… where `shown[k]` is the stored index shown as letter k,
    /// read as stored indices best first ("2>0>1", `RankingOrder`).
    case order([Int])
}

/// One perturbation of one item: the messages to send and how to read the answer.
public struct PromptVariant: Sendable, Hashable {
    /// "instruction", "swapped", "paraphrase", "tf:<label>", "short", "choice", "agree:<label>";
    /// pairs: "instruction:AB", "instruction:BA", "paraphrase:AB", … ; rate and review judges: "rubric",
    /// "paraphrase", "reversed", "no-system", and for review "rubric@verdict", … (`judgeVariants`); multilabel:
    /// "<perturbation>@<label>" ("question@toxic", `MachineVote.facet`); rankings: "rank:forward", "rank:reversed",
    /// "rank-list:shuffle-1", … .
    public var name: String
    public var messages: [Message]
    public var answer: AnswerKind
}

extension PromptTemplates {
    /// The labels an answer may take: the task's labels; for compare tasks the
    /// stored terms "0", "1", "tie" (and "both-bad" when the task lists it).
    public static func schema(for task: TaskSpec) -> [String] {
        switch task.kind {
        case .compare: return ["0", "1", "tie"] + (task.labels.contains("both-bad") ? ["both-bad"] : [])
        case .rate, .review: return task.answerLabels
        default: return task.labels
        }
    }

    /// Votes asked per item: 5 + 2C for classify, 4C for multilabel (4 perturbations per label), 6 for
    /// compare (a pair; a ranking item is asked `rankingOrders` times), 4 for rate and 7 for review (one
    /// rating and one verdict fewer for items without a system prompt), 0 otherwise.
    public static func variantCount(for task: TaskSpec) -> Int {
        switch task.kind {
        case .classify: return 5 + 2 * task.labels.count
        case .multilabel: return multilabelPerturbations.count * task.labels.count
        case .compare: return 6
        case .rate: return 4
        case .review: return 7
        }
    }

    /// Option letters: A…Z, then AA, AB, … (tasks have at most 36 labels).
    public static func optionLetter(_ i: Int) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return i < 26 ? String(letters[i]) : "A" + String(letters[(i - 26) % 26])
    }

    /// The variants for one item, in a fixed order; nil when the item has
    /// nothing this task can ask about (no text, not exactly two responses)
    /// or the task kind is not supported (classify, multilabel, compare, rate and review are; compare items
    /// with more than two responses are rankings).
    public func variants(for item: Item, task: TaskSpec, askConfidence: Bool) -> [PromptVariant]? {
        var sys = system
        if let g = task.guidelines?.trimmingCharacters(in: .whitespacesAndNewlines), !g.isEmpty {
            sys += (sys.isEmpty ? "" : "\n\n") + "Annotation guidelines:\n" + g
        }
        let suffix = askConfidence ? confidence : ""
        func make(_ name: String, _ template: String, _ values: [String: String], _ answer: AnswerKind) -> PromptVariant {
            let user = PromptTemplates.fill(template, values) + suffix
            let messages = sys.isEmpty ? [Message.user(user)] : [.system(sys), .user(user)]
            return PromptVariant(name: name, messages: messages, answer: answer)
        }
        switch task.kind {
        case .classify:
            guard !task.labels.isEmpty, let text = PromptTemplates.itemText(item) else { return nil }
            let labels = task.labels.joined(separator: ", ")
            let options = task.labels.enumerated().map { "\(PromptTemplates.optionLetter($0.offset)). \($0.element)" }
                .joined(separator: "\n")
            let base = ["text": text, "labels": labels, "options": options]
            var out = [make("instruction", instruction, base, .label), make("swapped", swapped, base, .label),
                       make("paraphrase", paraphrase, base, .label)]
            for l in task.labels { out.append(make("tf:\(l)", trueFalse, base.merging(["label": l]) { $1 }, .yesNo(l))) }
            out.append(make("short", short, base, .label))
            out.append(make("choice", multipleChoice, base, .choice(task.labels)))
            for l in task.labels { out.append(make("agree:\(l)", agree, base.merging(["label": l]) { $1 }, .yesNo(l))) }
            return out
        case .multilabel:
            guard !task.labels.isEmpty, let text = PromptTemplates.itemText(item) else { return nil }
            return multilabelVariants(text: text, labels: task.labels, make: make)
        case .compare:
            if let r = item.fields.responses, r.count > 2 { return rankingVariants(item, responses: r, make: make) }
            guard let r = item.fields.responses, r.count == 2 else { return nil }
            let prompt = PromptTemplates.render(item.fields.prompt ?? [])
            let (r0, r1) = (PromptTemplates.render(r[0]), PromptTemplates.render(r[1]))
            var out: [PromptVariant] = []
            for (name, template) in [("instruction", pairInstruction), ("paraphrase", pairParaphrase), ("short", pairShort)] {
                out.append(make(MachineVote.perturbation(name, shown: .ab), template, ["prompt": prompt, "a": r0, "b": r1], .pair(.ab)))
                out.append(make(MachineVote.perturbation(name, shown: .ba), template, ["prompt": prompt, "a": r1, "b": r0], .pair(.ba)))
            }
            return out
        case .rate, .review:
            return judgeVariants(for: item, task: task, suffix: suffix)
        }
    }

    /// Multilabel perturbations asked about every label, in this order.
    public static let multilabelPerturbations = ["question", "paraphrase", "statement", "question-reversed"]

    /// One yes/no question per label and perturbation (`multilabelPerturbations`: the question, its
    /// paraphrase, a True/False statement, the question with the labels listed in reverse), label by
    /// label; the vote's variant names both ("question@toxic").
    func multilabelVariants(text: String, labels: [String], make: (String, String, [String: String], AnswerKind) -> PromptVariant) -> [PromptVariant] {
        let templates = [multilabelQuestion, multilabelParaphrase, multilabelStatement, multilabelQuestion]
        var out: [PromptVariant] = []
        for label in labels {
            for (name, template) in zip(PromptTemplates.multilabelPerturbations, templates) {
                let listed = (name == "question-reversed" ? labels.reversed() : labels).joined(separator: ", ")
                out.append(make(MachineVote.variant(name, facet: label), template, ["text": text, "label": label, "labels": listed], .applies))
            }
        }
        return out
    }

    /// The display orders a ranking item is asked in: stored, reversed, and two seeded shuffles unlike them.
    public static let rankingOrders = 4

    /// A ranking item's variants: the candidates shown in stored order and reversed (instruction
    /// template), and in two shuffles drawn from the item's id (numbered-list template).
    func rankingVariants(_ item: Item, responses: [[Message]], make: (String, String, [String: String], AnswerKind) -> PromptVariant) -> [PromptVariant] {
        let n = responses.count
        let prompt = PromptTemplates.render(item.fields.prompt ?? [])
        let letters = (0..<n).map { PromptTemplates.optionLetter($0) }
        // Two shuffles unlike the orders before them (when there are enough orders to pick from).
        var shown = [Array(0..<n), Array((0..<n).reversed())]
        var seed = 0
        while shown.count < PromptTemplates.rankingOrders {
            seed += 1
            let p = PairOrder.permutation(count: n, dataset: item.dataset, uid: item.uid, annotator: "llm-rank", seed: seed)
            if !shown.contains(p) || seed > 50 { shown.append(p) }
        }
        let orders: [(String, String, [Int])] = [
            ("rank:forward", rankInstruction, shown[0]), ("rank:reversed", rankInstruction, shown[1]),
            ("rank-list:shuffle-1", rankParaphrase, shown[2]), ("rank-list:shuffle-2", rankParaphrase, shown[3]),
        ]
        return orders.map { name, template, shown in
            let candidates = shown.enumerated().map { "Response \(letters[$0.offset]):\n" + PromptTemplates.render(responses[$0.element]) }
                .joined(separator: "\n\n")
            let values = ["prompt": prompt, "count": String(n), "letters": letters.joined(separator: ", "), "candidates": candidates]
            return make(name, template, values, .order(shown))
        }
    }

    /// The text to classify: a text item's text, or a demonstration rendered as a transcript.
    public static func itemText(_ item: Item) -> String? {
        if let t = item.fields.text, !t.isEmpty { return t }
        if let m = item.fields.messages, !m.isEmpty { return render(m) }
        return nil
    }

    /// A conversation as text: a lone user turn as itself, otherwise "Role: content" blocks.
    public static func render(_ conversation: [Message]) -> String {
        if conversation.count == 1 && conversation[0].role == "user" { return conversation[0].content }
        return conversation.map { m in
            let role = m.role.prefix(1).uppercased() + m.role.dropFirst()
            return "\(role): \(m.content)"
        }.joined(separator: "\n\n")
    }

    /// One-pass substitution of `{name}` placeholders found in `values`; others stay literal.
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let value = values[String(after[..<close])] {
                out += value
                rest = after[after.index(after: close)...]
            } else {
                out += "{"
                rest = after
            }
        }
        return out + rest
    }
}
