import DuetCore
import Foundation

/// Reads an LLM's free-text answer as a label of the task's schema, by a small grammar per prompt kind.
/// Small and rambling models are the norm locally, so the whole answer is read (every line), words are
/// compared folded (case, diacritics; markdown, quotes and punctuation ignored), and an answer that
/// says two different things is **unparseable**, never a guess.
///
/// Before reading:
/// - A confidence is only a number: "Confidence: 0.8", "confidence 80%", "Confidence level: 7/10" are cut
///   out (see `statedConfidence`); an echoed placeholder ("Confidence: <a number from 0 to 1>") is cut
///   and gives no confidence; "Confidence:" followed by words ("Confidence: Positive.") is only a lead-in.
/// - "n't" reads as "not" ("isn't" → "is not").
///
/// Labels (instruction, swapped, paraphrase, short prompts):
/// 1. The whole answer, or its first line after a short lead-in ("Label: X"), equal to a label or an
///    alias → that label.
/// 2. Otherwise the labels named anywhere in the answer, leaving out **negated** ones ("not positive",
///    "is not a positive one": "not", "no", "never", "neither", "nor", "without" up to three words
///    before, within the same clause) and **lists** of labels ("positive, negative or neutral", an
///    echo of the prompt). All the same → that label. Different → the last **explicit verdict** (a label
///    right after "is", "as", "be", "answer", "label", "category", "sentiment", …); none → unparseable.
///
/// Yes/no (True/False and agree prompts about one label): verdicts are a sentence opening with yes / no
/// / true / false / correct / incorrect (not "Correct label…"), "is [not] [entirely] true/false/correct/
/// right/wrong/accurate", "[do not] agree / disagree", "answer is yes/no". The last verdict counts:
/// yes → the prompt's label, no → `.abstain` (no vote); none → unparseable. "The statement is not true"
/// is a no; "False. The correct label would be …" is a no.
///
/// Multiple choice: option letters ("B", "(B)", "B)", "B.", "B:", "Option B", "the answer is B"; an "A"
/// that starts a sentence as an article is not a letter) and labels are read as above; a letter and a
/// label that agree → that label; that disagree ("A. positive" when A is negative) → unparseable.
///
/// Pairs: verdicts are the answer "A"/"B" alone, "X is better/best/preferred", "the better response is
/// X", "prefer/choose/pick/select [response] X", "answer is X", an answer opening with "X:"/"X."/"(X)",
/// tie / draw / equal(ly), both bad / neither; the last verdict counts. Without a verdict, mentions
/// ("Response B", "Assistant A") all naming one side → that side. A side maps back to the stored
/// response through the display order; "tie" and "both-bad" only when the schema has them.
/// "A carefully designed response would be: …" names no side.
///
/// Ratings and review verdicts: see AnswerParser+Ratings.swift.
/// Multilabel questions about one label: the yes/no verdicts above, read as a vote "yes" or "no" (a no is
/// a vote, not an abstention); none → unparseable. Rankings: an order of the candidates' letters ("B > A >
/// C", "1. C 2. A 3. B"), mapped back to stored indices ("2>0>1"); see `readOrder`.
public struct AnswerParser: Sendable, Hashable {
    public enum Reading: Sendable, Hashable {
        case label(String)
        /// A False / No answer to a prompt about one label: no vote.
        case abstain
        case unparseable
    }

    public let labels: [String]
    /// Each label's and alias's spelling as words, longest first.
    let spellings: [(words: [String], label: String)]

    public static func == (a: AnswerParser, b: AnswerParser) -> Bool {
        a.labels == b.labels && a.spellings.map(\.words) == b.spellings.map(\.words) && a.spellings.map(\.label) == b.spellings.map(\.label)
    }

    public func hash(into h: inout Hasher) {
        h.combine(labels)
        for s in spellings { h.combine(s.words); h.combine(s.label) }
    }

    /// `aliases` maps other words to labels (e.g. "en contra" → "against");
    /// aliases to labels outside `labels` are ignored.
    public init(labels: [String], aliases: [String: String] = [:]) {
        self.labels = labels
        var s: [[String]: String] = [:]
        for (alias, label) in aliases where labels.contains(label) {
            let words = AnswerParser.words(alias)
            if !words.isEmpty { s[words] = label }
        }
        for l in labels {
            let words = AnswerParser.words(l)
            s[words.isEmpty ? [l.lowercased()] : words] = l
        }
        spellings = s.map { (words: $0.key, label: $0.value) }
            .sorted { ($0.words.count, $0.words.joined(separator: " ")) > ($1.words.count, $1.words.joined(separator: " ")) }
    }

    public func read(_ raw: String, as kind: AnswerKind) -> Reading {
        let text = AnswerParser.clean(raw)
        let tokens = AnswerParser.tokens(text)
        guard !tokens.isEmpty else { return .unparseable }
        switch kind {
        case .label:
            return readLabel(text, tokens).map(Reading.label) ?? .unparseable
        case .choice(let options):
            return readChoice(text, tokens, options: options)
        case .yesNo(let label):
            switch AnswerParser.polarity(tokens) {
            case true?: return labels.contains(label) ? .label(label) : .unparseable
            case false?: return .abstain
            case nil: return .unparseable
            }
        case .pair(let order):
            return readPair(tokens, order: order)
        case .rating(let scale):
            return AnswerParser.readRating(text, scale: scale).map(Reading.label) ?? .unparseable
        case .verdict:
            return AnswerParser.verdicts.readVerdict(text, tokens).map(Reading.label) ?? .unparseable
        case .applies:
            return AnswerParser.readApplies(tokens)
        case .order(let shown):
            return readOrder(tokens, shown: shown)
        }
    }

    // MARK: Confidence

    /// A stated confidence, only as a number: "Confidence: 0.8", "confidence 80%", "Confidence level: 7/10",
    /// "**Confidence:** 1"; failing that, a bare percentage ("80%"). Values above 1 are read as percent;
    /// words ("Confidence: high") and placeholders ("<a number from 0 to 1>") give nil.
    public static func statedConfidence(_ raw: String) -> Double? {
        let text = raw.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        if let m = text.firstMatch(of: confidencePattern) {
            return scale(m.output.1, unit: m.output.2.map { String($0).replacingOccurrences(of: " ", with: "") })
        }
        if text.range(of: "confidence", options: .caseInsensitive) != nil { return nil }
        if let m = text.firstMatch(of: /(\d+(?:\.\d+)?)\s*%/) { return scale(m.output.1, unit: "%") }
        return nil
    }

    private static func scale(_ number: Substring, unit: String?) -> Double? {
        guard var v = Double(number) else { return nil }
        if unit == "%" {
            v /= 100
        } else if let unit, unit.hasPrefix("/") || unit.hasPrefix("outof") {
            v /= 10
        } else if v > 1 {
            v /= 100
        }
        return (0...1).contains(v) ? v : nil
    }

    /// exp(mean log probability) of the answer tokens, in 0…1.
    public static func confidence(logprobs: [Double]) -> Double? {
        let finite = logprobs.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        return min(1, max(0, Foundation.exp(finite.reduce(0, +) / Double(finite.count))))
    }

    // MARK: Text helpers

    /// Drops a short lead-in before a colon: "Label: X" → "X" (at most three words before it).
    static func dropLeadIn(_ text: String) -> String {
        guard let colon = text.firstIndex(of: ":") else { return text }
        let head = words(String(text[..<colon])), tail = String(text[text.index(after: colon)...])
        guard !head.isEmpty, head.count <= 3, !words(tail).isEmpty else { return text }
        return tail
    }
}
