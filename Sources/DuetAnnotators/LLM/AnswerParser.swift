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
public struct AnswerParser: Sendable, Hashable {
    public enum Reading: Sendable, Hashable {
        case label(String)
        /// A False / No answer to a prompt about one label: no vote.
        case abstain
        case unparseable
    }

    public let labels: [String]
    /// Each label's and alias's spelling as words, longest first.
    private let spellings: [(words: [String], label: String)]

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
        }
    }

    // MARK: Tokens

    /// A word of the answer, folded, with the punctuation around it.
    struct Token: Hashable {
        var word: String
        /// The word as written (case kept).
        var raw: String
        /// Punctuation right before and right after it (markdown and quotes left out).
        var before: String
        var after: String
        var sentence: Int
        /// A line break (or the end) comes before the next word.
        var endsLine: Bool
        /// A clause break (, ; : or a sentence end) comes right after it.
        var endsClause: Bool { !after.isEmpty && after.contains(where: { ",;:.!?".contains($0) }) || endsLine }
    }

    static let ignoredPunctuation: Set<Character> = ["*", "_", "`", "\"", "'", "“", "”", "‘", "’", "«", "»", "#"]

    /// The answer's words with their punctuation and sentence numbers.
    static func tokens(_ text: String) -> [Token] {
        var out: [Token] = []
        var word = "", raw = "", gap = "", newline = false, sentence = 0
        func finishWord() {
            guard !word.isEmpty else { return }
            if var last = out.last {
                last.after = gap
                last.endsLine = newline
                out[out.count - 1] = last
                if newline || gap.contains(where: { ".!?;".contains($0) }) { sentence += 1 }
            }
            out.append(Token(word: word, raw: raw, before: gap, after: "", sentence: sentence, endsLine: false))
            word = ""; raw = ""; gap = ""; newline = false
        }
        for c in text {
            if c.isLetter || c.isNumber {
                word += String(c).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
                raw.append(c)
                continue
            }
            finishWord()
            if c.isNewline { newline = true }
            if !c.isWhitespace && !ignoredPunctuation.contains(c) { gap.append(c) }
        }
        finishWord()
        if !out.isEmpty {
            out[out.count - 1].after = gap
            out[out.count - 1].endsLine = true
        }
        return out
    }

    /// A text's folded words (for labels and aliases).
    static func words(_ text: String) -> [String] { tokens(text).map(\.word) }

    /// The answer with confidence clauses and percentages cut, "n't" as " not".
    static func clean(_ raw: String) -> String {
        var s = raw
        // An echoed placeholder, then numbers stated as confidence, then a bare "Confidence:" lead-in.
        s = s.replacing(/(?i)confidence[^\n<]{0,24}<[^>\n]*>/, with: " ")
        s = s.replacing(confidencePattern, with: " ")
        s = s.replacing(/(?i)\bconfidence(?:\s+(?:level|score))?\s*[*_`]*\s*[:=]/, with: " ")
        s = s.replacing(/\(?\s*\d+(?:\.\d+)?\s*%\s*\)?/, with: " ")
        s = s.replacing(/(?i)n['’]t\b/, with: " not")
        return s
    }

    nonisolated(unsafe) static let confidencePattern =
        /(?i)confidence(?:\s+(?:level|score))?[\s*_`:=]*(?:is\s+|of\s+)?(\d+(?:\.\d+)?|\.\d+)\s*(%|\/\s*10\b|out\s+of\s+10\b)?/

    // MARK: Labels

    /// A label named at `position`, `length` words long.
    struct Mention {
        var position: Int
        var length: Int
        var label: String
    }

    private func mentions(_ tokens: [Token]) -> [Mention] {
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
    private func readLabel(_ text: String, _ tokens: [Token]) -> String? {
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
    private func exact(_ tokens: [Token]) -> String? {
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

    private func readChoice(_ text: String, _ tokens: [Token], options: [String]) -> Reading {
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

    // MARK: Yes / no

    /// Words that answer a yes/no question on their own.
    static let yesWords: Set<String> = ["yes", "si", "oui", "ja", "yeah", "yep", "affirmative"]
    static let noWords: Set<String> = ["no", "non", "nein", "nope"]
    /// Adjectives that judge the statement ("is true", "True.").
    static let trueWords: Set<String> = ["true", "correct", "right", "accurate", "cierto", "verdadero", "vrai"]
    static let falseWords: Set<String> = ["false", "incorrect", "wrong", "inaccurate", "falso", "fals", "faux", "untrue"]
    static let copulas: Set<String> = ["is", "are", "was", "be", "s", "seems", "sounds", "looks", "appears", "re", "m", "am"]
    static let hedges: Set<String> = ["entirely", "completely", "quite", "really", "totally", "fully", "necessarily", "strictly",
                                      "exactly", "very", "actually", "definitely", "absolutely", "indeed", "also", "clearly",
                                      "obviously", "simply", "certainly", "100", "not"]
    /// Hedges that leave no verdict: "partially true", "not entirely false".
    static let partial: Set<String> = ["partially", "partly", "mostly", "somewhat", "half", "technically", "probably", "likely",
                                       "maybe", "possibly"]
    static let nouns: Set<String> = ["label", "labels", "answer", "answers", "statement", "one", "category", "option", "choice",
                                     "sentiment", "way", "idea", "evidence"]
    /// Words after a sentence-opening yes/no that still leave it an answer ("Yes, …", "No it is not", "Yes I agree").
    static let answerFollowers: Set<String> = ["i", "it", "that", "this", "the", "your", "you", "we", "my", "they"]

    /// Sentences that ask rather than answer (they end with "?"): an echoed "Do you agree? Answer Yes or No".
    static func questions(_ tokens: [Token]) -> Set<Int> {
        Set(tokens.indices.filter { tokens[$0].after.contains("?") }.map { tokens[$0].sentence })
    }

    /// Whether the token at `i` is one of two answer words offered as a choice: "yes or no", "True/False", "true and false".
    static func offered(_ tokens: [Token], _ i: Int, among words: Set<String>) -> Bool {
        let t = tokens[i]
        let joined = { (a: Token, between: String?) in between == nil || ["or", "and", "nor"].contains(between!) }
        if i + 1 < tokens.count, tokens[i + 1].sentence == t.sentence {
            if t.after.contains("/"), words.contains(tokens[i + 1].word) { return true }
            if i + 2 < tokens.count, joined(t, tokens[i + 1].word), words.contains(tokens[i + 2].word),
               tokens[i + 2].sentence == t.sentence { return true }
        }
        if i >= 1, tokens[i - 1].sentence == t.sentence {
            if tokens[i - 1].after.contains("/"), words.contains(tokens[i - 1].word) { return true }
            if i >= 2, joined(t, tokens[i - 1].word), words.contains(tokens[i - 2].word), tokens[i - 2].sentence == t.sentence { return true }
        }
        return false
    }

    /// The verdict: true for yes, false for no, nil when there is none or the verdicts disagree.
    static func polarity(_ tokens: [Token]) -> Bool? {
        let asked = questions(tokens)
        let all = yesWords.union(noWords).union(trueWords).union(falseWords)
        var verdicts: [Bool] = []
        for (i, t) in tokens.enumerated() where !asked.contains(t.sentence) {
            let next = i + 1 < tokens.count && tokens[i + 1].sentence == t.sentence ? tokens[i + 1].word : nil
            let opensSentence = i == 0 || tokens[i - 1].sentence != t.sentence
            let answerWord = yesWords.contains(t.word) || noWords.contains(t.word)
            let judgement = trueWords.contains(t.word) || falseWords.contains(t.word)
            if t.word == "agree" || t.word == "disagree" {
                // "I agree", "I do not agree", "I completely disagree": the speaker's own answer.
                guard preceded(tokens, i, by: ["i", "we"], window: 4) else { continue }
                let negated = preceded(tokens, i, by: ["not", "never"], window: 3)
                verdicts.append((t.word == "agree") != negated)
                continue
            }
            guard answerWord || judgement, !offered(tokens, i, among: all) else { continue }
            if let next, nouns.contains(next) || next == "that", !t.endsClause { continue }  // "the correct label", "It's true that"
            let previous = i > 0 && tokens[i - 1].sentence == t.sentence ? tokens[i - 1].word : nil
            if answerWord {
                // "Yes.", "No, …", "Yes I agree", "… and yes.", "the answer is no", "Answer: No".
                let answered = previous == "answer" || (previous == "is" && i >= 2 && tokens[i - 2].word == "answer")
                if answered || t.endsClause || next == nil || (opensSentence && answerFollowers.contains(next ?? "")) {
                    verdicts.append(yesWords.contains(t.word))
                }
                continue
            }
            if opensSentence || ((previous == "answer" || previous == "verdict") && tokens[i - 1].after.contains(":")) {
                verdicts.append(trueWords.contains(t.word))
                continue
            }
            // "is [not] [entirely] true": "not" flips it; "not entirely false" and "partially true" say nothing.
            var j = i - 1
            var between: [String] = []
            while j >= 0, tokens[j].sentence == t.sentence, hedges.contains(tokens[j].word) || partial.contains(tokens[j].word) {
                between.append(tokens[j].word)
                j -= 1
            }
            guard j >= 0, tokens[j].sentence == t.sentence, copulas.contains(tokens[j].word) else { continue }
            // "labels that are correct": a relative clause, not the answer.
            if j >= 2, tokens[j - 2].sentence == t.sentence, ["that", "which", "who"].contains(tokens[j - 1].word) { continue }
            let negated = between.filter { $0 == "not" }.count % 2 == 1
            let softened = negated && between.contains { $0 != "not" && $0 != "indeed" && $0 != "also" }
            if between.contains(where: partial.contains) { continue }
            let isTrue = trueWords.contains(t.word)
            if softened {
                if isTrue { verdicts.append(false) }  // "not entirely true": a no
                continue  // "not entirely false": neither
            }
            verdicts.append(isTrue != negated)
        }
        guard let first = verdicts.first, verdicts.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    // MARK: Pairs

    static let pairLeads: Set<String> = ["response", "reply", "assistant", "answer", "option", "output", "model", "candidate",
                                         "completion", "text"]
    static let preferVerbs: Set<String> = ["prefer", "choose", "chose", "pick", "select", "favor", "favour", "recommend"]
    static let betterWords: Set<String> = ["better", "best", "preferred", "preferable", "superior", "stronger", "winner", "wins"]
    static let badWords: Set<String> = ["bad", "wrong", "poor", "unhelpful", "harmful", "incorrect", "inadequate", "unacceptable"]

    private func readPair(_ tokens: [Token], order: DisplayOrder) -> Reading {
        enum Verdict: Equatable { case side(Int), tie, bothBad }
        var verdicts: [Verdict] = []
        var mentioned = Set<Int>()
        let words = tokens.map(\.word)
        let asked = AnswerParser.questions(tokens)
        func sideOf(_ t: Token) -> Int? { t.word == "a" ? 0 : t.word == "b" ? 1 : nil }
        // Lines opening with a letter and punctuation ("A. …", "B) …"): a list of options, unless only one side opens one.
        let openers = Set(tokens.indices.filter { i in
            (i == 0 || tokens[i - 1].endsLine) && sideOf(tokens[i]) != nil
                && (tokens[i].after.hasPrefix(".") || tokens[i].after.hasPrefix(")"))
        }.map { words[$0] })
        for (i, t) in tokens.enumerated() where !asked.contains(t.sentence) {
            let sameSentence = { (k: Int) in k >= 0 && k < tokens.count && tokens[k].sentence == t.sentence }
            let previous = sameSentence(i - 1) ? words[i - 1] : nil
            if ["tie", "draw", "equally", "equal"].contains(t.word) {
                // "… or tie" offers a choice; "not equal" is no tie.
                if previous != "or" && !AnswerParser.preceded(tokens, i, by: AnswerParser.negators, window: 2) { verdicts.append(.tie) }
                continue
            }
            if t.word == "neither" || t.word == "both" {
                // "neither is better" is a tie; "both (responses are) bad", "neither is good" are both bad.
                let following = (i + 1..<min(tokens.count, i + 5)).filter(sameSentence).map { words[$0] }
                if t.word == "neither" {
                    verdicts.append(following.contains(where: AnswerParser.betterWords.contains) ? .tie : .bothBad)
                } else if following.contains(where: AnswerParser.badWords.contains) {
                    verdicts.append(.bothBad)
                }
                continue
            }
            if ["first", "second"].contains(t.word), sameSentence(i + 1), AnswerParser.pairLeads.contains(words[i + 1]) {
                mentioned.insert(t.word == "first" ? 0 : 1)  // "the second response …": a side, in words
                continue
            }
            guard let side = sideOf(t) else { continue }
            let afterLead = previous.map(AnswerParser.pairLeads.contains) ?? false
            // The article "a" is lower case; "A, B or tie", "A/B" offer the sides rather than choose one.
            if t.raw == "a" && !afterLead { continue }
            let nextIsSide = sameSentence(i + 1) && sideOf(tokens[i + 1]) != nil && sideOf(tokens[i + 1]) != side
            let prevIsSide = sameSentence(i - 1) && sideOf(tokens[i - 1]) != nil && sideOf(tokens[i - 1]) != side
            let secondNext = sameSentence(i + 2) && ["or", "and"].contains(words[i + 1]) && sideOf(tokens[i + 2]) != nil
            let secondPrev = sameSentence(i - 2) && ["or", "and"].contains(words[i - 1]) && sideOf(tokens[i - 2]) != nil
            if nextIsSide || prevIsSide || secondNext || secondPrev { continue }
            // "A: …" opening a line is a speaker or a list item, not a choice ("Answer A:" still names A).
            if t.after.hasPrefix(":") && !afterLead { continue }
            // "X is better", "X is the better one" (not "A better approach").
            var k = i + 1
            if sameSentence(k), ["is", "s", "was", "would", "seems"].contains(words[k]) { k += 1 }
            if sameSentence(k), ["the", "clearly", "much", "far", "be", "definitely"].contains(words[k]) { k += 1 }
            let saysBetter = k > i + 1 && sameSentence(k) && AnswerParser.betterWords.contains(words[k])
            // "the better response is X", "answer is X", "prefer [response] X", "Answer: X", "verdict X"
            var j = i - 1
            if j >= 0, sameSentence(j), AnswerParser.pairLeads.contains(words[j]), words[j] != "answer" || afterLead { j -= 1 }
            let before = j >= 0 && sameSentence(j) ? words[j] : nil
            let beforeBefore = j >= 1 && sameSentence(j - 1) ? words[j - 1] : nil
            let chosen = before.map(AnswerParser.preferVerbs.contains) ?? false
            let named = before == "is" && (beforeBefore.map { AnswerParser.betterWords.contains($0) || AnswerParser.pairLeads.contains($0)
                || ["choice", "verdict", "winner", "pick"].contains($0) } ?? false)
            let labelled = i >= 1 && ["answer", "verdict", "winner", "choice"].contains(words[i - 1]) && tokens[i - 1].after.contains(":")
            // The whole answer, or its first word set off ("B.", "(A)") when no other line opens with the other letter.
            let alone = tokens.count == 1
            let opening = i == 0 && (t.before.hasSuffix("(") || t.after.hasPrefix(")") || t.after.hasPrefix(".") || t.endsLine)
                && openers.subtracting([t.word]).isEmpty
            if saysBetter || chosen || named || labelled || alone || opening {
                verdicts.append(.side(side))
            } else if afterLead {
                mentioned.insert(side)
            }
        }
        let result: Verdict?
        if let first = verdicts.first {
            result = verdicts.allSatisfy { $0 == first } ? first : nil
        } else {
            result = mentioned.count == 1 ? .side(mentioned.first!) : nil
        }
        switch result {
        case .side(let s)?: return .label(String(PairOrder.storedIndex(side: s, order: order)))
        case .tie?: return labels.contains("tie") ? .label("tie") : .unparseable
        case .bothBad?: return labels.contains("both-bad") ? .label("both-bad") : .unparseable
        case nil: return .unparseable
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
