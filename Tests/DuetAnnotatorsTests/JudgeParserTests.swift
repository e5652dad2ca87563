@testable import DuetAnnotators
import DuetCore
import Foundation
import Testing

/// Rate and review judges: the rating and verdict grammar (AnswerParser+Ratings.swift) and the prompts.
@Suite struct JudgeParserTests {
    static let parser = AnswerParser(labels: ["1", "2", "3", "4", "5"])
    static func rating(_ answer: String, scale: ClosedRange<Int> = 1...5) -> String? {
        if case .label(let l) = parser.read(answer, as: .rating(scale)) { return l }
        return nil
    }
    static func verdict(_ answer: String) -> String? {
        if case .label(let l) = parser.read(answer, as: .verdict) { return l }
        return nil
    }

    @Test func scoresOnTheScaleAreRead() {
        let cases: [(String, String)] = [
            ("Rating: 4", "4"), ("4/5", "4"), ("I'd give it a 4 out of 5.", "4"), ("**4**", "4"), ("4", "4"),
            ("Rating: **4**\n\nThe response is correct but terse.", "4"), ("Score = 2", "2"),
            ("The response fixes 2 bugs and misses 1, so I'd rate it 3.", "3"),
            ("On a scale of 1 to 5, I would rate this response a 4.", "4"), ("Rating (1-5): 5", "5"),
            ("Rating: 4\nConfidence: 0.9", "4"), ("4 - mostly right, one slip.", "4"),
            ("Compared with what GPT-5 would write, I rate it 2.", "2"), ("Rating: 3 (GPT-3.5 level)", "3"),
            ("5, 4, 3, 2, 1\nRating: 2", "2"), ("1. Helpfulness: good\n2. Correctness: one error\nOverall rating: 3", "3"),
            ("Rating: 4.\nI would give it 4 because it is right.", "4"), ("Verdict: 1 = poor, 5 = excellent. Rating: 5", "5"),
            ("I would rate this response as a 4.", "4"), ("4 stars", "4"), ("### Rating\n\n2", "2"), ("Rating: [[4]]", "4"),
            ("Final score: 4\n\nExplanation: the response says 2 + 2 = 4 and explains it.", "4"),
        ]
        for (answer, expected) in cases { #expect(Self.rating(answer) == expected, "\(answer)") }
        #expect(Self.rating("Rating: 8/10", scale: 1...10) == "8")
        #expect(Self.rating("Rating: 0", scale: 0...3) == "0")
    }

    @Test func anythingElseIsUnparseable() {
        for answer in ["Rating: high", "Rating: 7", "8/10", "Rating: 3.5", "Rating: 3\nOn reflection, final rating: 4", "3-4",
                       "I'd say 3 or 4", "GPT-5", "The response has 3 errors.", "Rating: 1-5", "It is good.", "", "Rating: -",
                       "Llama3 gives 7B parameters", "Rating: five"] {
            #expect(Self.rating(answer) == nil, "\(answer)")
        }
    }

    @Test func verdictsAreAcceptOrReject() {
        let cases: [(String, String?)] = [
            ("Accept", "accept"), ("Reject.", "reject"), ("**Verdict:** reject", "reject"), ("I would accept this response.", "accept"),
            ("Rejected: the code does not compile.", "reject"), ("This is unacceptable.", "reject"), ("Accepted", "accept"),
            ("The response is not acceptable.", nil), ("Maybe", nil), ("accept or reject", nil), ("Rating: 4", nil),
        ]
        for (answer, expected) in cases { #expect(Self.verdict(answer) == expected, "\(answer)") }
    }

    static let demo = Item(uid: "d1", dataset: "d", kind: .demonstration, fields: ItemFields(messages: [
        .system("You are a pirate."), .user("What is 2+2?"), .assistant("Arr, 4."),
    ]))

    @Test func rateAndReviewPromptsCarryTheirPerturbations() throws {
        let rate = TaskSpec(name: "r", kind: .rate)
        let vs = try #require(PromptTemplates.defaults.variants(for: Self.demo, task: rate, askConfidence: false))
        #expect(vs.map(\.name) == ["rubric", "paraphrase", "reversed", "no-system"] && vs.count == PromptTemplates.variantCount(for: rate))
        #expect(vs.allSatisfy { $0.answer == .rating(1...5) })
        func user(_ v: PromptVariant) -> String { v.messages.last!.content }
        #expect(user(vs[0]).contains("Scale: 1, 2, 3, 4, 5") && user(vs[2]).contains("Scale: 5, 4, 3, 2, 1"))
        #expect(user(vs[0]).contains(JudgeDefaults.rubric) && user(vs[1]).contains(JudgeDefaults.rubricParaphrase))
        #expect(user(vs[0]).contains("System: You are a pirate.") && !user(vs[3]).contains("pirate"))
        #expect(vs.allSatisfy { user($0).contains("Response to judge:\nArr, 4.") && user($0).contains("What is 2+2?") })

        let review = TaskSpec(name: "v", kind: .review, guidelines: "Pirate talk is fine; wrong sums are not.", scale: 1...7)
        let rv = try #require(PromptTemplates.defaults.variants(for: Self.demo, task: review, askConfidence: false))
        #expect(rv.map(\.name) == ["rubric", "paraphrase", "reversed", "no-system", "rubric@verdict", "paraphrase@verdict", "no-system@verdict"])
        #expect(rv.count == PromptTemplates.variantCount(for: review))
        #expect(rv.filter { $0.answer == .verdict }.map { MachineVote(annotator: "m", variant: $0.name, label: nil).facet } == Array(repeating: "verdict", count: 3))
        // The guidelines are the rubric in every prompt (no default rubric, no paraphrase of them).
        #expect(rv.allSatisfy { user($0).contains("Pirate talk is fine") && !user($0).contains("Helpfulness") })
        #expect(user(rv[0]).contains("1, 2, 3, 4, 5, 6, 7") && user(rv[0]).contains("(1 is the worst, 7 the best)"))

        // No system prompt: no "no-system" variants; a text rates as itself; a review needs a response.
        let plain = Item(uid: "d2", dataset: "d", kind: .demonstration, fields: ItemFields(messages: [.user("Hi"), .assistant("Hello")]))
        #expect(PromptTemplates.defaults.variants(for: plain, task: review, askConfidence: false)?.count == 5)
        let text = Item(uid: "t", dataset: "d", kind: .text, fields: .text("A haiku about rain."))
        #expect(try #require(PromptTemplates.defaults.variants(for: text, task: rate, askConfidence: false)).first?.messages.last?.content
            .contains("Text to judge:\nA haiku about rain.") == true)
        let unanswered = Item(uid: "d3", dataset: "d", kind: .demonstration, fields: ItemFields(messages: [.user("Hi")]))
        #expect(PromptTemplates.defaults.variants(for: unanswered, task: review, askConfidence: false) == nil)
    }

    @Test func judgeTemplatesAreOverridableByKey() throws {
        let json = #"{"rate": "Score {item} on {scale} per {rubric}", "judge_rubric": "Be kind.", "verdict_paraphrase": "ok? {item}"}"#
        let t = try JSONDecoder().decode(PromptTemplates.self, from: Data(json.utf8))
        #expect(t.rate == "Score {item} on {scale} per {rubric}" && t.judgeRubric == "Be kind." && t.verdictParaphrase == "ok? {item}")
        #expect(t.rateParaphrase == JudgeDefaults.rateParaphrase && t.verdict == JudgeDefaults.verdict)
        let back = try JSONDecoder().decode(PromptTemplates.self, from: JSONEncoder().encode(t))
        #expect(back == t)
        let vs = try #require(t.variants(for: Self.demo, task: TaskSpec(name: "r", kind: .rate, scale: 1...3), askConfidence: false))
        #expect(vs[2].messages.last?.content.hasPrefix("Score Conversation:") == true)
        #expect(vs[2].messages.last?.content.hasSuffix("on 3, 2, 1 per Be kind.") == true)
    }

    @Test func batchOutputOfAJudgeIsReadAsALiveRun() {
        let review = TaskSpec(name: "v", kind: .review)
        #expect(BatchReplay.kind("rubric", task: review) == .rating(1...5))
        #expect(BatchReplay.kind("paraphrase@verdict", task: review) == .verdict)
        #expect(PromptTemplates.schema(for: review) == ["1", "2", "3", "4", "5"])
    }
}
