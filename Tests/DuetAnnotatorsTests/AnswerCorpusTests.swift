@testable import DuetAnnotators
import DuetCore
import Foundation
import Testing

/// 442 real answers of a small model (SmolLM2-135M-Instruct, Q4_1, llama.cpp's server from
/// `llama-cpp-python`) to Duet's prompts: 32 tweets × 11 sentiment variants and 15 HH-RLHF pairs × 6
/// pair variants, each with the reading a person gave it (`expected`: a label, "abstain" for a no to a
/// yes/no prompt, null for unparseable). Collected with `AnswerCorpusCollector` (DuetProjectTests);
/// how to run the server: benchmarks/README.md, "A real small model".
@Suite struct AnswerCorpusTests {
    struct Case: Decodable {
        var item: String
        var variant: String
        var kind: String
        var labels: [String]
        var options: [String]?
        var label: String?
        var order: String?
        var answer: String
        var expected: String?
    }

    static func corpus() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/answer-corpus.jsonl")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Case.self, from: Data($0.utf8))
        }
    }

    static func reading(_ c: Case) -> String? {
        let parser = AnswerParser(labels: c.labels)
        let kind: AnswerKind
        switch c.kind {
        case "choice": kind = .choice(c.options ?? [])
        case "yesno": kind = .yesNo(c.label ?? "")
        case "pair": kind = .pair(c.order == "BA" ? .ba : .ab)
        case "applies": kind = .applies
        case "order": kind = .order((c.order ?? "").split(separator: ",").compactMap { Int($0) })
        default: kind = .label
        }
        switch parser.read(c.answer, as: kind) {
        case .label(let l): return l
        case .abstain: return "abstain"
        case .unparseable: return nil
        }
    }

    @Test func readsTheCorpusAsAPersonDid() throws {
        let cases = try Self.corpus()
        #expect(cases.count >= 300)
        #expect(Set(cases.map(\.kind)) == ["label", "choice", "yesno", "pair"])
        var right: [String: (Int, Int)] = [:]
        var wrong: [String] = []
        for c in cases {
            let got = Self.reading(c)
            var tally = right[c.kind] ?? (0, 0)
            tally.1 += 1
            if got == c.expected { tally.0 += 1 } else {
                wrong.append("\(c.kind) \(c.variant): expected \(c.expected ?? "unparseable"), read \(got ?? "unparseable"): \(c.answer.prefix(160))")
            }
            right[c.kind] = tally
        }
        let total = right.values.reduce(0) { $0 + $1.0 }
        let accuracy = Double(total) / Double(cases.count)
        // Measured when the corpus was committed: 434 of 442 (the first-line parser before it: 342); a regression fails here.
        #expect(accuracy >= 0.98, "read \(total) of \(cases.count) as a person did:\n\(wrong.joined(separator: "\n"))")
        for (kind, (ok, n)) in right { #expect(Double(ok) / Double(n) >= 0.95, "\(kind): \(ok)/\(n)") }
        // Nothing a person read as unparseable or as a no may be read as a vote for a label the model did not give.
        let votedWrongly = cases.filter { c in
            guard let got = Self.reading(c), got != "abstain" else { return false }
            return c.expected != got && c.expected != nil && c.expected != "abstain"
        }
        #expect(votedWrongly.isEmpty, "\(votedWrongly.map { "\($0.variant): \($0.answer.prefix(120))" })")
    }

    /// The small model's own position bias on the 15 pairs, its answers read as a live run reads them:
    /// 85 of its 90 pair answers are unparseable (a person reads one more); of the 5 for one response,
    /// 3 chose the one shown first: too few to show a bias either way.
    @Test func positionBiasOfTheSmallModelsPairAnswers() throws {
        var counts: [String: VoteCount] = [:]
        for c in try Self.corpus() where c.kind == "pair" {
            let label = Self.reading(c)
            #expect(MachineVote.displayOrder(variant: c.variant)?.rawValue == c.order)
            counts[c.variant + "|" + (label ?? "∅"), default: VoteCount(annotator: "llm:smollm2", variant: c.variant, label: label, count: 0)].count += 1
        }
        let bias = try #require(MachinePositionBias.make(Array(counts.values)).first)
        #expect(bias.unparseable == 85 && bias.chose == 5 && bias.choseFirst == 3 && !bias.biased)
        #expect(bias.text == "llm:smollm2 chose the response shown first in 3 of 5 votes for one response (60%, 95% CI 23%–88%); 85 unparseable not counted")
    }

    /// Multilabel questions are read by the same yes/no grammar, a no being a vote: every real answer to
    /// a True/False or agree prompt reads as "yes" where a person read the label, "no" where they read a
    /// no, unparseable where they did.
    @Test func yesNoAnswersReadAsMultilabelVotes() throws {
        let cases = try Self.corpus().filter { $0.kind == "yesno" }
        #expect(cases.count >= 100)
        var right = 0
        var wrong: [String] = []
        for c in cases {
            let expected: String? = c.expected == nil ? nil : c.expected == "abstain" ? Multilabel.no : Multilabel.yes
            let got: String?
            switch AnswerParser(labels: c.labels).read(c.answer, as: .applies) {
            case .label(let l): got = l
            case .abstain: got = "abstain"
            case .unparseable: got = nil
            }
            if got == expected { right += 1 } else { wrong.append("expected \(expected ?? "unparseable"), read \(got ?? "unparseable"): \(c.answer.prefix(120))") }
        }
        // As the yes/no prompts: at least 95% (the grammar is the same; only a no's meaning differs).
        #expect(Double(right) / Double(cases.count) >= 0.95, "\(right)/\(cases.count):\n\(wrong.joined(separator: "\n"))")
    }
}
