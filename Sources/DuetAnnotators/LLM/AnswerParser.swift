import DuetCore
import Foundation

/// Reads an LLM's free-text answer as a label of the task's schema.
///
/// Rules (all comparisons fold case and diacritics; punctuation, quotes and
/// markdown around words are ignored, so `**Positive**.`, `"positive"` and
/// `POSITIVE` are the same answer):
/// - A "Confidence: …" part and bare percentages are cut off before reading.
/// - A short lead-in before a colon is dropped ("Label: X", "Final answer: X").
/// - The answer (or its first line) equal to a label or to an alias → that label.
/// - Otherwise, exactly one label (or alias) named as a whole word in the first
///   line, not right after "not" → that label.
/// - Multiple choice: "B", "(B)", "B)", "B.", "B:", "Option B" → the B-th label;
///   an answer naming the label itself is read as a label.
/// - True/False and agree prompts: true / yes / agree → the prompt's label;
///   false / no / disagree → `.abstain` (says nothing about which label).
/// - Pairs: "A", "Response B", "(B) is better" → the stored index of that side
///   in the display order; tie / equal / same → "tie"; "both bad" / "neither"
///   → "both-bad" when the schema has it.
/// - Anything else, or a label outside the schema → `.unparseable`.
public struct AnswerParser: Sendable, Hashable {
    public enum Reading: Sendable, Hashable {
        case label(String)
        /// A False / No answer to a prompt about one label: no vote.
        case abstain
        case unparseable
    }

    public let labels: [String]
    /// Normalised spelling → label (labels themselves and the user's aliases).
    private let spellings: [String: String]

    /// `aliases` maps other words to labels (e.g. "en contra" → "against");
    /// aliases to labels outside `labels` are ignored.
    public init(labels: [String], aliases: [String: String] = [:]) {
        self.labels = labels
        var s: [String: String] = [:]
        for (alias, label) in aliases where labels.contains(label) {
            let key = AnswerParser.normalize(alias)
            if !key.isEmpty { s[key] = label }
        }
        for l in labels {
            let key = AnswerParser.normalize(l)
            s[key.isEmpty ? l.lowercased() : key] = l
        }
        spellings = s
    }

    public func read(_ raw: String, as kind: AnswerKind) -> Reading {
        let lines = AnswerParser.answerLines(raw)
        guard let first = lines.first else { return .unparseable }
        switch kind {
        case .label:
            return readLabel(lines).map(Reading.label) ?? .unparseable
        case .choice(let options):
            if let letter = AnswerParser.leadingLetter(first),
               let i = (0..<options.count).first(where: { PromptTemplates.optionLetter($0).lowercased() == letter }) {
                return .label(options[i])
            }
            return readLabel(lines).map(Reading.label) ?? .unparseable
        case .yesNo(let label):
            switch AnswerParser.polarity(first) {
            case true?: return labels.contains(label) ? .label(label) : .unparseable
            case false?: return .abstain
            case nil: return .unparseable
            }
        case .pair(let order):
            return readPair(first, order: order)
        }
    }

    // MARK: Labels

    private func readLabel(_ lines: [String]) -> String? {
        let whole = lines.joined(separator: " ")
        for candidate in [whole, lines[0], AnswerParser.dropLeadIn(whole), AnswerParser.dropLeadIn(lines[0])] {
            if let l = exact(candidate) { return l }
        }
        return mentioned(AnswerParser.dropLeadIn(lines[0]))
    }

    private func exact(_ text: String) -> String? {
        spellings[AnswerParser.normalize(text)] ?? spellings[text.trimmingCharacters(in: .whitespaces).lowercased()]
    }

    /// The one label named as a whole word (nil if none, several, or negated).
    private func mentioned(_ text: String) -> String? {
        let padded = " " + AnswerParser.normalize(text) + " "
        var found: Set<String> = []
        for (spelling, label) in spellings where spelling.count >= 2 {
            guard let r = padded.range(of: " " + spelling + " ") else { continue }
            if padded[..<r.lowerBound].hasSuffix(" not") { return nil }
            found.insert(label)
        }
        return found.count == 1 ? found.first : nil
    }

    // MARK: Pairs

    private func readPair(_ line: String, order: DisplayOrder) -> Reading {
        let norm = AnswerParser.normalize(AnswerParser.dropLeadIn(line))
        let words = norm.split(separator: " ").map(String.init)
        let padded = " " + norm + " "
        if [" both bad ", " both are bad ", " neither "].contains(where: padded.contains) {
            return labels.contains("both-bad") ? .label("both-bad") : .unparseable
        }
        if words.contains(where: { ["tie", "equal", "equally", "same", "draw"].contains($0) }) {
            return labels.contains("tie") ? .label("tie") : .unparseable
        }
        let lead: Set<String> = ["response", "reply", "assistant", "answer", "option", "output", "model", "candidate"]
        var side: Int?
        if let w = words.drop(while: { lead.contains($0) }).first, w == "a" || w == "b" {
            side = w == "a" ? 0 : 1
        } else {
            let a = lead.contains { padded.contains(" \($0) a ") }, b = lead.contains { padded.contains(" \($0) b ") }
            if a != b { side = a ? 0 : 1 }
        }
        guard let side else { return .unparseable }
        return .label(String(PairOrder.storedIndex(side: side, order: order)))
    }

    // MARK: Confidence

    /// A stated confidence: "Confidence: 0.8", "confidence 80%", "Confidence: 8/10";
    /// failing that, a bare percentage ("80%"). Values above 1 are read as percent.
    public static func statedConfidence(_ raw: String) -> Double? {
        let text = raw.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        if let m = text.firstMatch(of: /confidence[^0-9.\n]{0,24}?(\d+(?:\.\d+)?|\.\d+)\s*(%|\/\s*10\b)?/) {
            return scale(m.output.1, unit: m.output.2.map(String.init))
        }
        if let m = text.firstMatch(of: /(\d+(?:\.\d+)?)\s*%/) { return scale(m.output.1, unit: "%") }
        return nil
    }

    private static func scale(_ number: Substring, unit: String?) -> Double? {
        guard var v = Double(number) else { return nil }
        if unit == "%" { v /= 100 } else if let unit, unit.hasPrefix("/") { v /= 10 } else if v > 1 { v /= 100 }
        return (0...1).contains(v) ? v : nil
    }

    /// exp(mean log probability) of the answer tokens, in 0…1.
    public static func confidence(logprobs: [Double]) -> Double? {
        let finite = logprobs.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        return min(1, max(0, Foundation.exp(finite.reduce(0, +) / Double(finite.count))))
    }

    // MARK: Text helpers

    /// The answer's lines without the confidence part or percentages, blank lines dropped.
    static func answerLines(_ raw: String) -> [String] {
        raw.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            var s = String(line)
            if let r = s.range(of: "confidence", options: [.caseInsensitive, .diacriticInsensitive]) {
                s = String(s[..<r.lowerBound])
            }
            s = s.replacing(/\(?\s*\d+(?:\.\d+)?\s*%\s*\)?/, with: "")
            return fold(s).isEmpty ? nil : s
        }
    }

    /// Drops a short lead-in before a colon: "Label: X" → "X" (at most three words before it).
    static func dropLeadIn(_ text: String) -> String {
        guard let colon = text.firstIndex(of: ":") else { return text }
        let head = normalize(String(text[..<colon])), tail = String(text[text.index(after: colon)...])
        guard !head.isEmpty, head.split(separator: " ").count <= 3, !normalize(tail).isEmpty else { return text }
        return tail
    }

    /// An option letter at the start: "B", "(B)", "B)", "B.", "B:", "Option B", "Answer: (B) …".
    static func leadingLetter(_ line: String) -> String? {
        let f = fold(line).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "*_`#\"'“”"))
        let words = normalize(line).split(separator: " ").map(String.init)
        if words.count == 1, words[0].count <= 2, words[0].allSatisfy({ $0.isLetter }) { return words[0] }
        if let m = f.firstMatch(of: /^(?:(?:option|answer|choice|the answer is)\s*:?\s*)?\(?([a-z]{1,2})(?:[).:]|\s*$)/) {
            return String(m.output.1)
        }
        if let m = f.firstMatch(of: /^(?:option|answer|choice)\s*:?\s*\(?([a-z]{1,2})\)?(?:\s|$)/) { return String(m.output.1) }
        return nil
    }

    /// true for yes / true / agree, false for no / false / disagree, nil otherwise.
    static func polarity(_ line: String) -> Bool? {
        let yes: Set<String> = ["true", "yes", "y", "agree", "correct", "right", "si", "cierto", "verdadero", "oui", "vrai", "ja"]
        let no: Set<String> = ["false", "no", "n", "disagree", "incorrect", "wrong", "falso", "fals", "non", "nein"]
        let norm = normalize(dropLeadIn(line)), padded = " " + norm + " "
        if [" disagree ", " do not agree ", " don t agree ", " dont agree ", " not agree "].contains(where: padded.contains) {
            return false
        }
        let words = norm.split(separator: " ").map(String.init)
        if let w = words.first(where: { $0 != "i" }) {
            if yes.contains(w) { return true }
            if no.contains(w) { return false }
        }
        let y = words.contains(where: yes.contains), n = words.contains(where: no.contains)
        return y != n ? y : nil
    }

    static let junk = CharacterSet.whitespacesAndNewlines.union(.punctuationCharacters).union(.symbols)

    /// Case and diacritics folded.
    static func fold(_ s: String) -> String {
        s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .trimmingCharacters(in: junk)
    }

    /// Folded, every run of non-alphanumerics turned into one space, trimmed.
    static func normalize(_ s: String) -> String {
        var out = ""
        var space = false
        for ch in s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) {
            if ch.isLetter || ch.isNumber {
                if space && !out.isEmpty { out.append(" ") }
                out.append(ch)
                space = false
            } else {
                space = true
            }
        }
        return out
    }
}
