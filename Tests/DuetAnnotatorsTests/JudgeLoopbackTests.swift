@testable import DuetAnnotators
import DuetCore
import Foundation
import LLMLoopback
import Testing

/// Rate and review judges against the loopback server: prompts, parsing, votes, and answers that are
/// not a score becoming unparseable votes while the batch succeeds.
@Suite struct JudgeLoopbackTests {
    static func demo(_ id: Int64, _ tags: String, system: Bool = true) -> StoredItem {
        var messages: [Message] = system ? [.system("Answer like a pirate.")] : []
        messages += [.user("What is 2+2? (\(id))"), .assistant("Arr, it be 4. \(tags)")]
        return StoredItem(rowID: id, item: Item(uid: "d\(id)", dataset: "d", kind: .demonstration, fields: ItemFields(messages: messages)))
    }

    static func annotator(_ server: LoopbackServer) -> OpenAICompatibleAnnotator {
        OpenAICompatibleAnnotator(config: LLMConfig(baseURL: server.baseURL, model: "judge-1", timeout: 5, maxRetries: 1, backoffBase: 0.01))
    }

    @Test func rateJudgeScoresAndNonNumbersAreUnparseable() async throws {
        try await LoopbackServer.with(script: JudgeLLM.reply) { server in
            let items = [Self.demo(1, "[score=4]"), Self.demo(2, "[words]"), Self.demo(3, "[offscale]", system: false),
                         Self.demo(4, "[score=4] [swayed]")]
            let task = TaskSpec(name: "stars", kind: .rate)
            let votes = try await Self.annotator(server).annotate(items, task: task) { _ in }
            #expect(server.requestCount == 4 + 4 + 3 + 4)
            #expect(votes[1]?.map(\.label) == ["4", "4", "4", "4"])
            #expect(votes[1]?.map(\.variant) == ["rubric", "paraphrase", "reversed", "no-system"])
            // "Rating: high" and "Rating: 9" are votes without a label, their text kept; the batch went through.
            #expect(votes[2]?.count == 4 && votes[2]?.allSatisfy { $0.label == nil && $0.raw == "Rating: high" } == true)
            #expect(votes[3]?.count == 3 && votes[3]?.allSatisfy { $0.label == nil && $0.raw == "Rating: 9" } == true)
            #expect(votes[4]?.map(\.label) == ["4", "4", "1", "5"])
            let spread = ScoreSpread(votes: votes[4]!)
            #expect(spread.mean == 3.5 && spread.standardDeviation == 1.5)
            #expect(ScoreSpread(votes: votes[2]!).mean == nil && ScoreSpread(votes: votes[2]!).unparseable == 4)
            // The prompts: the rubric, the scale in both orders, the system prompt shown and left out.
            let prompts = server.requests.map(\.userText).filter { $0.contains("(4)") }
            #expect(prompts.filter { $0.contains("Scale: 5, 4, 3, 2, 1") }.count == 1)
            #expect(prompts.filter { !$0.contains("System: Answer like a pirate.") }.count == 1)
            #expect(prompts.allSatisfy { $0.contains(JudgeDefaults.rubric) || $0.contains(JudgeDefaults.rubricParaphrase) })
        }
    }

    @Test func reviewJudgeVotesOnRatingAndVerdictApart() async throws {
        try await LoopbackServer.with(script: JudgeLLM.reply) { server in
            let items = [Self.demo(1, "[score=2] [verdict=reject]"), Self.demo(2, "[score=5]", system: false), Self.demo(3, "[words]")]
            let task = TaskSpec(name: "review", kind: .review, guidelines: "Sums must be right.")
            let annotator = Self.annotator(server)
            let votes = try await annotator.annotate(items, task: task) { _ in }
            #expect(server.requestCount == 7 + 5 + 7)
            let first = try #require(votes[1])
            #expect(first.filter { $0.facet == nil }.map(\.label) == ["2", "2", "2", "2"])
            #expect(first.filter { $0.facet == "verdict" }.map(\.label) == ["reject", "reject", "reject"])
            #expect(first.filter { $0.facet == "verdict" }.map(\.perturbation) == ["rubric", "paraphrase", "no-system"])
            #expect(votes[2]?.filter { $0.facet == "verdict" }.map(\.label) == ["accept", "accept"])
            // Words only: every rating and verdict vote unparseable, none dropped.
            #expect(votes[3]?.count == 7 && votes[3]?.allSatisfy { $0.label == nil } == true)
            #expect(annotator.usage.failures.isEmpty)
            #expect(server.requests.allSatisfy { $0.userText.contains("Sums must be right.") })
            // The machine's decision has a person's review shape: the rating and the verdict the verdict votes give.
            #expect(task.kind.decisionValue(forLabel: "2", votes: first) == ["rating": 2, "verdict": "reject"])
        }
    }
}
