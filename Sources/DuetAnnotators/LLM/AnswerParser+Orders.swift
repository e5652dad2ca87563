import DuetCore
import Foundation

/// Orders of ranking candidates and yes/no votes about one label (see `AnswerParser`).
extension AnswerParser {
    // MARK: Yes / no about one label (multilabel)

    /// A yes/no verdict (the grammar of True/False and agree prompts, `polarity`) as a vote: "yes", "no",
    /// or unparseable. A no is a vote here, not an abstention: it says the label does not apply.
    static func readApplies(_ tokens: [Token]) -> Reading {
        switch polarity(tokens) {
        case true?: return .label(Multilabel.yes)
        case false?: return .label(Multilabel.no)
        case nil: return .unparseable
        }
    }

    // MARK: Orders (rankings)

    /// Words that may stand before a candidate's letter ("Response B").
    static let candidateLeads: Set<String> = ["response", "reply", "candidate", "option", "answer", "completion", "output"]
    /// Words that join a chain like ">" does ("B, then A, then C", "B followed by A").
    static let chainWords: Set<String> = ["then", "followed", "by"]
    /// Punctuation that orders two candidates ("B > A", "B ≻ A", "B → A", "B -> A", "B >> A").
    static func ordersTwo(_ gap: String) -> Bool { gap.contains(">") || gap.contains("≻") || gap.contains("→") }

    /// An order of the `shown.count` candidates shown as letters A, B, C… (`shown[k]` = the stored index
    /// shown as letter k), read as the stored indices best first (`RankingOrder` text: "2>0>1").
    ///
    /// Readings: a chain of letters joined by ">" (≻, →, ->, "then", "followed by"): "B > A > C",
    /// "Response B > Response A > Response C", "B, then A, then C"; a numbered list "1. C 2. A 3. B"
    /// (one item a line or not, "1) Response C", "2: A"); a list of the letters alone with commas or
    /// spaces ("B, A, C", "Ranking: B A C") when it is the whole answer but a short lead-in. Every
    /// candidate exactly once; readings that disagree (an echoed example and an answer), ties
    /// ("A = B > C"), a letter outside the candidates or a missing candidate: unparseable.
    func readOrder(_ tokens: [Token], shown: [Int]) -> Reading {
        let n = shown.count
        guard n >= 2 else { return .unparseable }
        let letters = (0..<n).map { PromptTemplates.optionLetter($0) }
        // A candidate letter: upper case ("A" lower case is the article), or any case after a lead word.
        func letter(_ i: Int) -> Int? {
            let t = tokens[i]
            guard let k = letters.firstIndex(of: t.raw.uppercased()) else { return nil }
            let afterLead = i > 0 && AnswerParser.candidateLeads.contains(tokens[i - 1].word)
            return t.raw == t.raw.uppercased() || afterLead ? k : nil
        }
        var readings: [[Int]] = []
        func accept(_ order: [Int]) {
            if order.count == n && Set(order).count == n { readings.append(order) }
        }

        // Chains: letters linked by ordering punctuation or words; lead words may stand between.
        var chain: [Int] = [], strong = false, start = 0, last = -1
        func close() {
            defer { chain = []; strong = false }
            guard chain.count >= 2 else { return }
            // A weak chain (commas, spaces) counts only as the whole answer, after at most three words of lead-in.
            let outside = tokens.count - (last - start + 1)
            if strong || (outside <= 3 && last == tokens.count - 1) { accept(chain) }
        }
        for i in tokens.indices {
            guard let k = letter(i) else { continue }
            if !chain.isEmpty {
                let between = tokens[(last + 1)..<i]
                let gaps = ([tokens[last].after] + between.map(\.after)).joined()
                let joinedByWords = between.contains { AnswerParser.chainWords.contains($0.word) }
                let onlyJoins = between.allSatisfy { AnswerParser.candidateLeads.contains($0.word) || AnswerParser.chainWords.contains($0.word) }
                let ordered = AnswerParser.ordersTwo(gaps) || joinedByWords
                let weak = gaps.allSatisfy { $0 == "," || $0 == ";" } && !tokens[last].endsLine
                if onlyJoins && (ordered || weak) && !gaps.contains("=") {
                    chain.append(k)
                    strong = strong || ordered
                    last = i
                    continue
                }
                close()
            }
            chain = [k]
            start = i > 0 && AnswerParser.candidateLeads.contains(tokens[i - 1].word) ? i - 1 : i
            last = i
        }
        close()

        // Numbered lists: "1. C", "2) Response A", "3: B".
        var numbered: [Int: Int] = [:]
        var clash = false
        for i in tokens.indices {
            guard let rank = Int(tokens[i].word), (1...n).contains(rank),
                  tokens[i].after.hasPrefix(".") || tokens[i].after.hasPrefix(")") || tokens[i].after.hasPrefix(":") else { continue }
            var j = i + 1
            while j < tokens.count, AnswerParser.candidateLeads.contains(tokens[j].word) { j += 1 }
            guard j < tokens.count, let k = letter(j) else { continue }
            if let seen = numbered[rank], seen != k { clash = true }
            numbered[rank] = k
        }
        if !clash, numbered.count == n { accept((1...n).map { numbered[$0]! }) }

        guard let first = readings.first, readings.allSatisfy({ $0 == first }) else { return .unparseable }
        return .label(RankingOrder(first.map { shown[$0] }).text)
    }
}
