import DuetCore
import Foundation

/// Labels and option letters (see `AnswerParser`).
extension AnswerParser {
    // MARK: Labels

    /// A label named at `position`, `length` words long.
    struct Mention {
        var position: Int
        var length: Int
        var label: String
    }

    func mentions(_ tokens: [Token]) -> [Mention] {
        var out: [Mention] = []
        var i = 0
        while i < tokens.count {
            var found: Mention?
            for s in spellings where i + s.words.count <= tokens.count {
                if zip(s.words, tokens[i..<(i + s.words.count)]).allSatisfy({ $0 == $1.word })
                    && tokens[i..<(i + s.words.count)].allSatisfy({ $0.sentence == tokens[i].sentence }) {
                    found = Mention(position: i, length: s.words.count, label: s.label)
                    break
                }
            }
            if let found {
                out.append(found)
                i += found.length
            } else {
                i += 1
            }
        }
        return out
    }

    static let negators: Set<String> = ["not", "no", "never", "neither", "nor", "without", "non", "hardly", "nothing"]
    static let labelCues: Set<String> = ["is", "as", "be", "answer", "label", "category", "classification", "class", "sentiment",
                                         "stance", "verdict", "choose", "chose", "pick", "select", "classify", "classified", "labeled",
                                         "labelled", "s", "therefore", "thus", "so", "say", "think", "call", "consider", "rate"]
    static let listJoiners: Set<String> = ["or", "and", "nor"]
    static let sentimentNouns: Set<String> = ["sentiment", "tone", "feeling", "feelings", "label", "message", "text", "tweet",
                                              "statement", "one", "category", "stance", "attitude", "view", "opinion", "post",
                                              "comment", "review", "emotion", "mood", "class", "classification"]

    /// Whether a word in `words` stands within `window` words before `position`, in the same clause.
    static func preceded(_ tokens: [Token], _ position: Int, by words: Set<String>, window: Int) -> Bool {
        var j = position - 1
        while j >= 0, position - j <= window, tokens[j].sentence == tokens[position].sentence, !tokens[j].endsClause {
            if words.contains(tokens[j].word) { return true }
            j -= 1
        }
        return false
    }

    /// The label the answer gives, or nil (none, or two that conflict).
    func readLabel(_ text: String, _ tokens: [Token]) -> String? {
        if let l = exact(tokens) { return l }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !AnswerParser.tokens($0).isEmpty }
        if let first = lines.first {
            let firstTokens = AnswerParser.tokens(AnswerParser.dropLeadIn(first))
            if let l = exact(firstTokens) { return l }
        }
        let all = mentions(tokens)
        // Lists: labels one after another joined only by commas, slashes, "or", "and".
        var inList = Set<Int>()
        for (a, b) in zip(all.indices, all.indices.dropFirst()) {
            let between = tokens[(all[a].position + all[a].length)..<all[b].position]
            if between.allSatisfy({ AnswerParser.listJoiners.contains($0.word) }) && all[a].label != all[b].label
                && tokens[all[a].position].sentence == tokens[all[b].position].sentence {
                inList.insert(a)
                inList.insert(b)
            }
        }
        // A mention is a verdict when it is cued ("is positive", "label: …"), names the text's sentiment
        // ("a positive tone"), opens the answer, or stands alone in its sentence; "many negative words" is not.
        let explicit = all.indices.filter { i in
            let m = all[i], end = m.position + m.length
            guard !inList.contains(i), !AnswerParser.preceded(tokens, m.position, by: AnswerParser.negators, window: 3) else { return false }
            let next = end < tokens.count && tokens[end].sentence == tokens[m.position].sentence ? tokens[end].word : nil
            let alone = (m.position == 0 || tokens[m.position - 1].sentence != tokens[m.position].sentence) && next == nil
            return m.position == 0 || alone || next.map(AnswerParser.sentimentNouns.contains) == true
                || AnswerParser.preceded(tokens, m.position, by: AnswerParser.labelCues, window: 3)
        }.map { all[$0] }
        guard let last = explicit.last else { return nil }
        if explicit.allSatisfy({ $0.label == last.label }) { return last.label }
        let cued = explicit.filter { AnswerParser.preceded(tokens, $0.position, by: AnswerParser.labelCues, window: 3) }
        return cued.last?.label
    }

    /// The label whose spelling is exactly these words.
    func exact(_ tokens: [Token]) -> String? {
        let words = tokens.map(\.word)
        return spellings.first { $0.words == words }?.label
    }

    // MARK: Multiple choice

    static let letterCues: Set<String> = ["option", "choice", "letter", "answer"]

    /// Option letters the answer gives as letters (not as the article "a"), with whether each is cued.
    static func letters(_ tokens: [Token], count: Int) -> [(index: Int, cued: Bool)] {
        var out: [(Int, Bool)] = []
        for (i, t) in tokens.enumerated() where t.word.count == 1 {
            guard let index = (0..<count).first(where: { PromptTemplates.optionLetter($0).lowercased() == t.word }) else { continue }
            let previous = i > 0 ? tokens[i - 1].word : ""
            let cued = letterCues.contains(previous)
                || (previous == "is" && i > 1 && letterCues.contains(tokens[i - 2].word) && tokens[i - 2].sentence == t.sentence)
            let marked = t.before.hasSuffix("(") || t.after.hasPrefix(")") || t.after.hasPrefix(".") || t.after.hasPrefix(":")
                || t.endsLine || tokens.count == 1
            // A capital A/I opening a sentence and running on into words is an article or a pronoun.
            if cued || marked { out.append((index, cued)) }
        }
        return out
    }

    func readChoice(_ text: String, _ tokens: [Token], options: [String]) -> Reading {
        let found = AnswerParser.letters(tokens, count: options.count)
        var letter: Int?
        if let last = found.last {
            if found.allSatisfy({ $0.index == last.index }) {
                letter = last.index
            } else if let cued = found.last(where: \.cued) {
                letter = cued.index
            } else {
                return .unparseable
            }
        }
        // Labels, read without the letters themselves.
        let letterPositions = Set(tokens.indices.filter { i in
            tokens[i].word.count == 1 && found.contains { PromptTemplates.optionLetter($0.index).lowercased() == tokens[i].word }
        })
        let words = tokens.indices.filter { !letterPositions.contains($0) }.map { tokens[$0] }
        let label = words.isEmpty ? nil : readLabel(words.map(\.raw).joined(separator: " "), words)
        switch (letter, label) {
        case let (l?, x?): return options.indices.contains(l) && options[l] == x ? .label(x) : .unparseable
        case let (l?, nil): return options.indices.contains(l) ? .label(options[l]) : .unparseable
        case let (nil, x?): return .label(x)
        case (nil, nil): return .unparseable
        }
    }
}
