import DuetCore
import Foundation

/// Yes/no and pair verdicts (see `AnswerParser`).
extension AnswerParser {
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

    func readPair(_ tokens: [Token], order: DisplayOrder) -> Reading {
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
}
