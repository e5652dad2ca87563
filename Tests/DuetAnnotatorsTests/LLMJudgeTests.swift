@testable import DuetAnnotators
import DuetCore
import Foundation
import LLMLoopback
import Testing

/// The LLM as a judge of multilabel items (a yes/no question per label) and of rankings (an order of
/// the candidates shown in several orders), against the loopback server.
@Suite struct LLMJudgeTests {
    static let labels = ["hate", "offensive", "spam"]
    static let task = TaskSpec(name: "tags", kind: .multilabel, labels: labels)

    static func text(_ id: Int64, _ text: String) -> StoredItem {
        StoredItem(rowID: id, item: Item(uid: "\(id)", dataset: "d", kind: .text, fields: .text(text)))
    }

    @Test func multilabelAsksEveryLabelUnderEveryPerturbation() async throws {
        try await LoopbackServer.with { server in
            let items = [Self.text(1, "Post one [labels=hate,offensive]"), Self.text(2, "Post two [labels=]"),
                         Self.text(3, "Post three [labels=spam] [unreadable]")]
            let annotator = OpenAICompatibleAnnotator(config: LLMAnnotatorTests.config(server))
            let votes = try await annotator.annotate(items, task: Self.task) { _ in }
            let k = PromptTemplates.variantCount(for: Self.task)
            #expect(k == 4 * 3)
            #expect(server.requestCount == 3 * k, "an unreadable answer is a vote, never a failed batch")
            let one = try #require(votes[1])
            // Every (perturbation, label) once, label by label; a no is a vote too.
            #expect(one.map(\.variant) == Self.labels.flatMap { l in PromptTemplates.multilabelPerturbations.map { "\($0)@\(l)" } })
            #expect(one.map(\.facet) == Self.labels.flatMap { Array(repeating: $0, count: 4) })
            #expect(one.filter { $0.facet != "spam" }.allSatisfy { $0.label == Multilabel.yes && $0.confidence == 0.9 })
            #expect(one.filter { $0.facet == "spam" }.allSatisfy { $0.label == Multilabel.no })
            #expect(votes[2]!.allSatisfy { $0.label == Multilabel.no })
            #expect(votes[3]!.count == k && votes[3]!.allSatisfy { $0.label == nil && $0.raw != nil })
            // The machine's label sets and how unsure it is: sure about 1 and 2, nothing read on 3.
            let scorer = KindScorer.forTask(Self.task, votes: VoteTable(votes))!
            #expect(scorer.judge(one) == JudgedItem(label: "hate|offensive", spread: 0, score: 0))
            #expect(scorer.judge(votes[2]!).label == "")
            #expect(scorer.judge(votes[3]!).label == nil && scorer.judge(votes[3]!).score == .infinity)
            // The label order perturbation lists the labels reversed.
            let reversed = server.requests.first { $0.userText.contains("Post one") && $0.userText.contains("spam, offensive, hate") }
            #expect(reversed != nil)
            #expect(server.requests.allSatisfy { $0.userText.contains("hate, offensive, spam") || $0.userText.contains("spam, offensive, hate") })
        }
    }

    static func ranking(_ id: Int64, _ qualities: [Int], prompt: String = "Which is best?") -> StoredItem {
        StoredItem(rowID: id, item: Item(uid: "r\(id)", dataset: "d", kind: .ranking, fields: ItemFields(
            prompt: [.user(prompt)], responses: qualities.enumerated().map { [.assistant("QUALITY=\($0.element) reply \($0.offset)")] })))
    }

    @Test func rankingsAreAskedInSeveralOrdersAndReadInStoredTerms() async throws {
        try await LoopbackServer.with { server in
            let items = [Self.ranking(1, [2, 3, 1]), Self.ranking(2, [1, 2, 3, 4]), Self.ranking(3, [3, 2, 1], prompt: "Hm [unreadable]")]
            let task = TaskSpec(name: "rank", kind: .compare)
            let annotator = OpenAICompatibleAnnotator(config: LLMAnnotatorTests.config(server))
            let votes = try await annotator.annotate(items, task: task) { _ in }
            #expect(server.requestCount == 3 * PromptTemplates.rankingOrders)
            let v1 = try #require(votes[1])
            #expect(v1.map(\.variant) == ["rank:forward", "rank:reversed", "rank-list:shuffle-1", "rank-list:shuffle-2"])
            // Whatever order the candidates were shown in, the vote is the stored order: 1 (quality 3), 0, 2.
            #expect(v1.allSatisfy { $0.label == "1>0>2" })
            #expect(votes[2]!.allSatisfy { $0.label == "3>2>1>0" })
            #expect(votes[3]!.count == 4 && votes[3]!.allSatisfy { $0.label == nil })
            let judged = KindScorer.ranking.judge(v1)
            #expect(judged.label == "1>0>2" && judged.spread == 0)
            #expect(KindScorer.ranking.judge(votes[3]!).score == .infinity)
            // A plan prices an order as about 3 tokens per candidate (and the confidence line).
            let planned = await annotator.plan([Self.ranking(9, [1, 2, 3, 4, 5])], task: task)
            #expect(planned.count == 4 && planned.allSatisfy { $0.estimatedCompletionTokens == 3 * 5 + 7 })
            // The reversed prompt shows the last stored response as A.
            let reversed = try #require(server.requests.first { $0.userText.contains("Which is best?") && $0.userText.contains("joined by") && $0.userText.contains("Response A:\nAssistant: QUALITY=1 reply 2") })
            #expect(reversed.userText.contains("3 candidate responses, A, B, C"))
        }
    }
}

/// Orders and yes/no votes as the parser reads them (hand-written answers in the shapes small models give).
@Suite struct OrderParserTests {
    let parser = AnswerParser(labels: ["0", "1", "tie"])

    func read(_ answer: String, shown: [Int] = [0, 1, 2]) -> String? {
        if case .label(let l) = parser.read(answer, as: .order(shown)) { return l }
        return nil
    }

    @Test func ordersInTheirUsualShapes() {
        #expect(read("B > A > C") == "1>0>2")
        #expect(read("**B > A > C**\nConfidence: 0.8") == "1>0>2")
        #expect(read("Response B > Response A > Response C") == "1>0>2")
        #expect(read("1. C\n2. A\n3. B") == "2>0>1")
        #expect(read("1. C 2. A 3. B") == "2>0>1")
        #expect(read("1) Response C\n2) Response A\n3) Response B") == "2>0>1")
        #expect(read("Ranking: B, A, C") == "1>0>2")
        #expect(read("B A C") == "1>0>2")
        #expect(read("The best is B, then A, then C.") == "1>0>2")
        #expect(read("B ≻ C ≻ A") == "1>2>0")
        #expect(read("B -> C -> A") == "1>2>0")
        // Display letters map back to the stored responses: A shows response 2, B 0, C 1.
        #expect(read("A > C > B", shown: [2, 0, 1]) == "2>1>0")
    }

    @Test func whatIsNoOrderIsUnparseable() {
        #expect(read("They are all good.") == nil)
        #expect(read("B > A") == nil, "a candidate missing")
        #expect(read("A = B > C") == nil, "ties are no strict order")
        #expect(read("B > D > A") == nil, "no candidate D")
        #expect(read("B > B > A") == nil)
        #expect(read("B > A > C\nOr maybe C > A > B.") == nil, "two orders that disagree")
        #expect(read("A, B and C are all fine, but B is best.") == nil, "an echo of the letters, not an order")
        #expect(read("1. C\n2. A\n3. C") == nil)
        #expect(read("") == nil)
    }

    @Test func yesNoVotesAboutOneLabel() {
        func applies(_ answer: String) -> String? {
            if case .label(let l) = parser.read(answer, as: .applies) { return l }
            return nil
        }
        #expect(applies("Yes.") == "yes")
        #expect(applies("True") == "yes")
        #expect(applies("No, it does not.") == "no")
        #expect(applies("The statement is not true.") == "no")
        #expect(applies("False. The text is about sports.") == "no")
        #expect(applies("I do not agree.") == "no")
        #expect(applies("Yes or no?") == nil)
        #expect(applies("Hard to say, it is partially true.") == nil)
        #expect(applies("Yes. No.") == nil, "verdicts that disagree")
    }
}
