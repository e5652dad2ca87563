import DuetCore
import Foundation

/// A pretend LLM that answers with **recorded real answers**: those of SmolLM2-135M in
/// Tests/DuetAnnotatorsTests/Fixtures/answer-corpus.jsonl (rambling, multi-line, "The statement is not
/// true.", "A. positive", …), each with the reading a person gave it. Routing tests run against it to see
/// what a small model's answers do to the votes and the routing, knowing what each answer says.
///
/// For classify prompts of the default templates on a task labeled negative / neutral / positive (the
/// corpus's labels), about items whose text is one line holding `[gold=LABEL]` and a mode. The answer
/// to a prompt is chosen by `pick(item:variant:)`, deterministically: among the recorded answers of the
/// prompt's kind (label, yes/no of the same template, multiple choice) whose reading is the one the
/// item's mode wants (the same variant's answers first), the one a hash of item and variant names.
///
/// Modes: none — every prompt read as the gold label (yes/no: yes to the gold label, no to the others);
/// `[mumble]` — every answer unparseable; `[split=LABEL]` — instruction, swapped and the yes/no prompts
/// about the gold label read gold, paraphrase, short and the yes/no prompts about LABEL read LABEL, the
/// multiple choice unparseable (a 4–4 tie); `[nay]` — yes/no prompts answered no, the rest unparseable
/// (nothing but no-votes and unreadable answers). Other prompts (pairs) get `FakeLLM`'s answers.
public struct RecordedAnswers: Sendable {
    public struct Answer: Sendable, Hashable {
        /// "label", "yesno", "choice" or "pair".
        public var kind: String
        /// The variant it was recorded for ("instruction", "tf:negative", "choice", …).
        public var variant: String
        /// The label a yes/no prompt asked about.
        public var label: String?
        public var text: String
        /// A person's reading: a label, "abstain" (a no to a yes/no prompt), nil (unparseable).
        public var expected: String?
    }

    public let answers: [Answer]

    public init(answers: [Answer]) {
        self.answers = answers
    }

    /// The corpus, read by path from the DuetAnnotatorsTests target's fixtures (excluded from that target's sources).
    public static func load() throws -> RecordedAnswers {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DuetAnnotatorsTests/Fixtures/answer-corpus.jsonl")
        let answers = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line -> Answer in
            let j = try JSONValue.parse(String(line))
            return Answer(kind: j["kind"]?.string ?? "", variant: j["variant"]?.string ?? "", label: j["label"]?.string,
                          text: j["answer"]?.string ?? "", expected: j["expected"]?.string)
        }
        return RecordedAnswers(answers: answers)
    }

    /// What a prompt's answer must read as.
    public enum Wanted: Sendable, Hashable {
        case label(String)
        case yes
        case no
        case unparseable
    }

    /// The reading the item's mode wants for the variant ("instruction", "tf:positive", "choice", …).
    public static func wanted(item: String, variant: String) -> Wanted {
        let gold = FakeLLM.between(item, "[gold=", "]") ?? ""
        let asked = variant.split(separator: ":").dropFirst().first.map(String.init)
        let yesNo = asked != nil
        if item.contains("[mumble]") { return .unparseable }
        if item.contains("[nay]") { return yesNo ? .no : .unparseable }
        if let other = FakeLLM.between(item, "[split=", "]") {
            if yesNo { return asked == gold || asked == other ? .yes : .no }
            switch variant {
            case "instruction", "swapped": return .label(gold)
            case "choice": return .unparseable
            default: return .label(other)
            }
        }
        if yesNo { return asked == gold ? .yes : .no }
        return .label(gold)
    }

    /// The recorded answer given to the item's prompt of `variant`.
    public func pick(item: String, variant: String) -> Answer {
        let base = String(variant.prefix { $0 != ":" })
        let kind = base == "tf" || base == "agree" ? "yesno" : base == "choice" ? "choice" : "label"
        let wanted = Self.wanted(item: item, variant: variant)
        let fits = answers.filter { a in
            guard a.kind == kind, kind != "yesno" || a.variant.hasPrefix(base + ":") else { return false }
            switch wanted {
            case .label(let l): return a.expected == l
            case .yes: return a.expected != nil && a.expected == a.label
            case .no: return a.expected == "abstain"
            case .unparseable: return a.expected == nil
            }
        }
        let sameVariant = fits.filter { $0.variant.prefix { $0 != ":" } == base }
        let pool = sameVariant.isEmpty ? fits : sameVariant
        precondition(!pool.isEmpty, "RecordedAnswers: no recorded \(kind) answer reads as \(wanted)")
        return pool[Int(Self.hash(item + "\u{0}" + variant) % UInt64(pool.count))]
    }

    /// The variant a prompt of the default templates is (nil: not a classify prompt) and the item's text in it.
    public static func prompt(_ text: String) -> (item: String, variant: String)? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains("[gold=") }) else { return nil }
        let item = line.hasPrefix("Text: ") ? String(line.dropFirst(6)) : String(line)
        let variant: String
        if text.contains("true or false") {
            variant = "tf:" + (FakeLLM.between(text, "label for this text is \"", "\"") ?? "")
        } else if text.contains("Do you agree?") {
            variant = "agree:" + (FakeLLM.between(text, "I think the label is \"", "\"") ?? "")
        } else if text.contains("Which option") {
            variant = "choice"
        } else if text.contains("Classify the text above") {
            variant = "swapped"
        } else if text.contains("Classify the text into") {
            variant = "instruction"
        } else if text.contains("Which of the following categories") {
            variant = "paraphrase"
        } else {
            variant = "short"
        }
        return (item, variant)
    }

    /// The loopback server's script: a recorded answer for classify prompts, `FakeLLM` for the rest.
    public func reply(_ r: ReceivedRequest) -> ScriptedReply {
        guard let (item, variant) = Self.prompt(r.userText) else { return FakeLLM.reply(r) }
        return ScriptedReply(body: FakeLLM.completion(pick(item: item, variant: variant).text, promptChars: r.userText.count, logprobs: false))
    }

    /// FNV-1a 64: the same pick in every process (Swift's `Hasher` is seeded per process).
    static func hash(_ s: String) -> UInt64 {
        s.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
