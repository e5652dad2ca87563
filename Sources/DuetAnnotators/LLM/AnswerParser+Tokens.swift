import DuetCore
import Foundation

/// The words of an answer, as the grammar reads them (see `AnswerParser`).
extension AnswerParser {
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
}
