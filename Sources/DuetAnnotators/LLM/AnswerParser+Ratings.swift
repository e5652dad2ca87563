import DuetCore
import Foundation

/// Scores on a scale and review verdicts (see `AnswerParser`).
///
/// Ratings (rate and review judges, `AnswerKind.rating`): the answer is read after the confidence
/// clauses and percentages are cut, markdown ignored, as numbers with what stands around them.
/// 1. Not scores: numbers joined to a word ("GPT-5", "GPT-3.5", "v2", "Llama3", "7B", "5th"); the
///    scale echoed ("on a scale of 1 to 10", "(1-5)", "from 1 to 5", "between 1 and 5" with the
///    task's bounds, "5, 4, 3, 2, 1": three or more numbers in a list, "1 = poor"); list markers
///    ("1. …", "2) …" opening two or more lines).
/// 2. Explicit scores: a fraction of the scale's top ("4/5", "4 out of 5": another denominator, as
///    in "8/10" on a 1–5 scale, is off the scale); a number after a cue within five words of its
///    clause ("Rating: 4", "score of 4", "I would rate this response as a 4", "rated 4", "overall 4")
///    or before "stars"/"points" ("4 stars"); a number alone
///    on its line ("**4**"); a number opening the answer followed by punctuation ("4 - mostly
///    right"); and a number joined to an explicit one by "or", "and", "to", "-", "," ("3 or 4").
/// 3. Every explicit score the same whole number on the scale → that point. No explicit score, an
///    explicit score off the scale or not whole ("Rating: 7" on 1–5, "3.5"), or two different ones
///    ("Rating: 3 … Final rating: 4", "3-4") → unparseable. Words are not scores ("Rating: high").
///
/// Verdicts (review, `AnswerKind.verdict`): read as labels (`readLabel`) over "accept"/"reject",
/// with "accepted", "acceptable", "approve(d)" and "rejected", "unacceptable", "decline(d)" as
/// aliases; failing an explicit verdict, the one every mention names ("I would accept this
/// response"). Negated words are left out ("not acceptable" names nothing); both verdicts named
/// without a last explicit one, or none, are unparseable.
extension AnswerParser {
    /// The verdict reader of review judges.
    static let verdicts = AnswerParser(labels: ReviewDecision.verdicts, aliases: [
        "accepted": ReviewDecision.accept, "acceptable": ReviewDecision.accept, "approve": ReviewDecision.accept,
        "approved": ReviewDecision.accept, "rejected": ReviewDecision.reject, "unacceptable": ReviewDecision.reject,
        "decline": ReviewDecision.reject, "declined": ReviewDecision.reject,
    ])

    /// A review verdict: as a label (`readLabel`), else the verdict every mention that is not negated names
    /// ("I would accept this response"); nil when none, or both.
    func readVerdict(_ text: String, _ tokens: [Token]) -> String? {
        if let l = readLabel(text, tokens) { return l }
        let said = Set(mentions(tokens).filter { !AnswerParser.preceded(tokens, $0.position, by: AnswerParser.negators, window: 3) }.map(\.label))
        return said.count == 1 ? said.first : nil
    }

    /// A piece of a rating answer: a number (digits, maybe one decimal part), a word, a punctuation mark or a line break.
    struct RatingToken {
        enum Kind: Equatable { case number, word, mark, newline }
        var kind: Kind
        var text: String
        /// Whitespace stands right before it.
        var spaced: Bool
    }

    static let scoreCues: Set<String> = ["rating", "rate", "rated", "rates", "score", "scored", "scores", "grade", "graded",
                                         "give", "gives", "giving", "gave", "assign", "assigns", "award", "deserves", "deserve",
                                         "verdict", "answer", "overall", "final", "total", "therefore", "thus"]
    static let scoreUnits: Set<String> = ["star", "stars", "point", "points"]
    /// Marks a cue may stand across from its number ("Rating: 4", "score = 4", "rated (4)", "Rating: [[4]]").
    static let scoreGlue: Set<String> = [":", "=", "-", "–", "—", "(", ")", "[", "]", "'", "’"]
    static let scoreJoiners: Set<String> = ["or", "and", "to", "-", "–", "—", "/", ","]

    static func ratingTokens(_ text: String) -> [RatingToken] {
        var out: [RatingToken] = []
        let chars = Array(text)
        var i = 0, spaced = false
        while i < chars.count {
            let c = chars[i]
            if c.isNewline {
                out.append(RatingToken(kind: .newline, text: "\n", spaced: spaced))
                spaced = false
                i += 1
            } else if c.isWhitespace || ignoredPunctuation.contains(c) {
                if c.isWhitespace { spaced = true }
                i += 1
            } else if c.isASCII && c.isNumber {
                var j = i
                while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
                if j + 1 < chars.count, chars[j] == ".", chars[j + 1].isASCII, chars[j + 1].isNumber {
                    j += 1
                    while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
                }
                out.append(RatingToken(kind: .number, text: String(chars[i..<j]), spaced: spaced))
                spaced = false
                i = j
            } else if c.isLetter || c.isNumber {
                var j = i
                while j < chars.count, chars[j].isLetter || (chars[j].isNumber && !chars[j].isASCII) { j += 1 }
                out.append(RatingToken(kind: .word, text: String(chars[i..<j]).lowercased(), spaced: spaced))
                spaced = false
                i = j
            } else {
                out.append(RatingToken(kind: .mark, text: String(c), spaced: spaced))
                spaced = false
                i += 1
            }
        }
        return out
    }

    /// The scale point an answer gives (see the grammar above), or nil.
    static func readRating(_ text: String, scale: ClosedRange<Int>) -> String? {
        let t = ratingTokens(text)
        let bounds: Set<Int> = [scale.lowerBound, scale.upperBound]
        var skip = Set<Int>()
        var explicit = Set<Int>()
        var offScale = false
        func isNumber(_ i: Int) -> Bool { t.indices.contains(i) && t[i].kind == .number }
        func word(_ i: Int) -> String? { t.indices.contains(i) && t[i].kind != .number ? t[i].text : nil }
        func value(_ i: Int) -> Int? { Int(t[i].text) }
        /// The number after `i`, past "out of", "/", "to", "-", "and".
        func partner(_ i: Int, _ joiners: Set<String>) -> Int? {
            if let w = word(i + 1), joiners.contains(w), isNumber(i + 2) { return i + 2 }
            if word(i + 1) == "out", word(i + 2) == "of", joiners.contains("out of"), isNumber(i + 3) { return i + 3 }
            return nil
        }
        // 1. Numbers that are not scores.
        var lineStartMarkers: [Int] = []
        for i in t.indices where t[i].kind == .number {
            let joinedBefore = i > 0 && !t[i].spaced && (t[i - 1].kind == .word
                || (["-", "."].contains(t[i - 1].text) && i > 1 && !t[i - 1].spaced && t[i - 2].kind == .word))
            let joinedAfter = i + 1 < t.count && !t[i + 1].spaced && t[i + 1].kind == .word
            if joinedBefore || joinedAfter { skip.insert(i) }
            if word(i + 1) == "=" { skip.insert(i) }
            if (i == 0 || t[i - 1].kind == .newline), [".", ")"].contains(word(i + 1) ?? ""),
               t.indices.contains(i + 2), t[i + 2].kind != .newline {
                lineStartMarkers.append(i)
            }
            if let j = partner(i, ["to", "-", "–", "—", "and"]), let a = value(i), let b = value(j) {
                let afterScale = (max(0, i - 4)..<i).contains { word($0) == "scale" }
                if Set([a, b]) == bounds || afterScale { skip.formUnion([i, j]) }
            }
        }
        if lineStartMarkers.count >= 2 { skip.formUnion(lineStartMarkers) }
        var run: [Int] = []
        func endRun() {
            if run.count >= 3 { skip.formUnion(run) }
            run = []
        }
        for i in t.indices where t[i].kind == .number && !skip.contains(i) {
            if let last = run.last, (last + 1..<i).allSatisfy({ [",", "or", "and"].contains(t[$0].text) }), i - last <= 3 {
                run.append(i)
            } else {
                endRun()
                run = [i]
            }
        }
        endRun()
        // 2. Explicit scores.
        var consumed = Set<Int>()
        for i in t.indices where t[i].kind == .number && !skip.contains(i) && !consumed.contains(i) {
            if let j = partner(i, ["/", "out of"]), !skip.contains(j) {
                consumed.insert(j)
                explicit.insert(i)
                if value(j) != scale.upperBound { offScale = true }
                continue
            }
            // A cue within five words, the clause unbroken; or a unit after it ("4 stars").
            if let unit = word(i + 1), scoreUnits.contains(unit) { explicit.insert(i) }
            var k = i - 1, words = 0
            while k >= 0, words < 5, t[k].kind != .newline {
                if t[k].kind == .mark && !scoreGlue.contains(t[k].text) { break }
                if t[k].kind == .word {
                    if scoreCues.contains(t[k].text) { explicit.insert(i); break }
                    words += 1
                }
                k -= 1
            }
            let lineStart = t[..<i].lastIndex { $0.kind == .newline }.map { $0 + 1 } ?? 0
            let lineEnd = t[i...].firstIndex { $0.kind == .newline } ?? t.count
            if t[lineStart..<lineEnd].allSatisfy({ $0.kind == .mark || $0.text == t[i].text }) { explicit.insert(i) }
            if !t[..<i].contains(where: { $0.kind != .mark && $0.kind != .newline }),
               i + 1 == t.count || t[i + 1].kind != .word {
                explicit.insert(i)
            }
        }
        // Joined to an explicit score: "3 or 4", "3-4", "4, 5".
        for i in t.indices where explicit.contains(i) {
            var j = i
            while let next = partner(j, scoreJoiners), !skip.contains(next), !consumed.contains(next) {
                explicit.insert(next)
                j = next
            }
        }
        // 3. One whole number on the scale.
        guard !explicit.isEmpty, !offScale else { return nil }
        let values = Set(explicit.map { t[$0].text })
        guard values.count == 1, let v = Int(values.first!), scale.contains(v) else { return nil }
        return String(v)
    }
}
