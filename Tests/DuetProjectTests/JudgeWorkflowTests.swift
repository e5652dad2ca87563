import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation
import LLMLoopback
import Testing
@testable import DuetProject

/// Rate and review tasks through `duet votes import`, `duet route` and `duet plan`, and the built-in
/// annotator learning to review.
@Suite struct JudgeWorkflowTests {
    static let ratingVariants = ["rubric", "paraphrase", "reversed", "no-system"]
    static let verdictVariants = ["rubric@verdict", "paraphrase@verdict", "no-system@verdict"]

    /// Demonstrations d1…dN, each a system prompt, a question and an answer.
    static func demos(_ tmp: TempDir, _ project: Project, _ answers: [String]) async throws {
        let rows = answers.enumerated().map { i, a in
            let messages: JSONValue = [["role": "system", "content": "Be brief."], ["role": "user", "content": .string("Question \(i + 1)?")],
                                       ["role": "assistant", "content": .string(a)]]
            return JSONValue.object(["id": .string("d\(i + 1)"), "messages": messages]).canonicalJSON
        }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("d.jsonl", rows.joined(separator: "\n"))]), into: project.store)
    }

    static func voteLines(_ item: String, ratings: [String?], verdicts: [String?]) -> [String] {
        zip(ratingVariants, ratings).map { v, l in
            JSONValue.object(["item": .string(item), "annotator": "judge", "variant": .string(v), "label": l.map(JSONValue.string) ?? .null]).canonicalJSON
        } + zip(verdictVariants, verdicts).map { v, l in
            JSONValue.object(["item": .string(item), "annotator": "judge", "variant": .string(v), "label": l.map(JSONValue.string) ?? .null]).canonicalJSON
        }
    }

    @Test func reviewRoutesOnItsRatingsAndKeepsAPersonsShape() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.review)
        let task = try project.task(nil)
        try await Self.demos(tmp, project, ["a1", "a2", "a3", "a4"])
        // d1's ratings split 3/4 and its verdicts agree: pooled, "accept" would outvote every scale point.
        let lines = Self.voteLines("d1", ratings: ["3", "4", "3", "4"], verdicts: ["accept", "accept", "accept"])
            + Self.voteLines("d2", ratings: ["5", "5", "5", "5"], verdicts: ["accept", "accept", nil])
            + Self.voteLines("d3", ratings: ["2", "2", "2", nil], verdicts: ["reject", "reject", "accept"])
            + Self.voteLines("d4", ratings: ["1", "1", "1", "1"], verdicts: ["reject", "accept", nil])
        let imported = try await VotesImportWorkflow.run(path: try tmp.file("v.jsonl", lines.joined(separator: "\n")), task: task, dataset: nil,
                                                   store: project.store)
        #expect(imported.votes == 28 && imported.unparseable == 3)
        let report = try await RouteWorkflow.run(RouteRequest(budget: 0, strategy: .entropy, audit: 0), project: project)
        #expect(report.kept == 4 && report.toPeople == 0)
        let ids = await Dictionary(uniqueKeysWithValues: try project.sqlite.allItems(for: task).map { ($0.item.uid, $0.rowID) })
        let machine = await Dictionary(uniqueKeysWithValues: try project.sqlite.currentDecisions(task: task).filter { $0.annotatorKind == .machine }
            .map { ($0.itemRowID, $0.value) })
        #expect(machine[ids["d1"]!] == ["rating": 3, "verdict": "accept"])
        #expect(machine[ids["d2"]!] == ["rating": 5, "verdict": "accept"])
        #expect(machine[ids["d3"]!] == ["rating": 2, "verdict": "reject"])
        #expect(machine[ids["d4"]!] == ["rating": 1])  // verdicts 1 : 1 : 1 unparseable have no support
        // The uncertainty is the ratings' alone: d1 ln 2, d2 0.
        let routes = try await project.sqlite.routes(task: task)
        #expect(abs(routes[ids["d1"]!]!.score - log(2)) < 1e-12 && routes[ids["d2"]!]!.score == 0)

        // People's reviews are the plan's truth, read as their ratings.
        for (uid, rating) in [("d1", 4), ("d2", 5), ("d3", 2), ("d4", 2)] {
            try project.sqlite.record(NewAnnotation(itemRowID: ids[uid]!, task: task.name, annotatorKind: .human, annotator: "ana",
                                                   value: ["verdict": "accept", "rating": .number(Double(rating))]))
        }
        let plan = try await PlanWorkflow.run(PlanRequest(budgets: [0, 0.25]), project: project)
        #expect(plan.evaluation.humanLabels == 4)
        let entropy = plan.rows.filter { $0.strategy == "entropy" }
        #expect(entropy.map(\.accuracy) == [0.5, 0.75])  // d1 and d4 wrong; d1, the least sure, goes to people first
    }

    @Test func rateTasksRouteAndPlanOnScalePoints() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        try await project.addTask(TaskSpec(name: "stars", kind: .rate, dataset: "t"))
        let rows = (1...10).map { "{\"id\":\"t\($0)\",\"text\":\"text \($0)\",\"gold\":\($0 % 5 + 1)}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows.joined(separator: "\n"))]), into: project.store)
        let task = try project.task("stars")
        var lines: [String] = []
        for i in 1...10 {
            let gold = String(i % 5 + 1)
            // Items 1–3 spread over the scale, the others agree with gold; item 10 answered in words only.
            let labels: [String?] = i == 10 ? [nil, nil, nil, nil] : i <= 3 ? ["1", "3", "5", gold] : [gold, gold, gold, gold]
            lines += zip(Self.ratingVariants, labels).map { v, l in
                JSONValue.object(["item": .string("t\(i)"), "annotator": "judge", "variant": .string(v), "label": l.map(JSONValue.string) ?? .null]).canonicalJSON
            }
        }
        _ = try await VotesImportWorkflow.run(path: try tmp.file("v.jsonl", lines.joined(separator: "\n")), task: task, dataset: nil, store: project.store)
        let report = try await RouteWorkflow.run(RouteRequest(task: "stars", budget: 0.4, strategy: .default, audit: 0), project: project)
        #expect(report.toPeople == 4 && report.kept == 6)
        let machine = try await project.sqlite.currentDecisions(task: task).filter { $0.annotatorKind == .machine }
        #expect(machine.count == 6 && machine.allSatisfy { $0.value?.number != nil })
        let plan = try await PlanWorkflow.run(PlanRequest(task: "stars", budgets: [0, 0.4]), project: project)
        #expect(plan.annotator == "judge" && plan.evaluation.goldLabels == 10)
        // Item 10 (words only) has no label: `default` sends it to people first, with the three spread ones.
        #expect(plan.rows.first { $0.strategy == "default" && $0.budget == 0.4 }?.accuracy == 1)
    }

    @Test func llmJudgeReviewsThroughRouteAndWordsGoToPeople() async throws {
        try await LoopbackServer.with(script: JudgeLLM.reply) { server in
            let tmp = try TempDir()
            let project = try LLMProject.withLLM(try tmp.project(.review), server: server)
            try await Self.demos(tmp, project, ["4 [score=4]", "wrong [score=1] [verdict=reject]", "[words]", "[offscale]"])
            let (run, route) = try await LLMProject.route(project)
            // 7 prompts an item (4 ratings, 3 verdicts: every demo has a system prompt); the two answered in words
            // or off the scale are unparseable votes of a run that succeeded.
            #expect(run.items == 4 && run.votes == 28 && run.unparseable == 7 + 4)
            #expect(route.routed == 4)
            let task = try project.task(nil)
            let ids = await Dictionary(uniqueKeysWithValues: try project.sqlite.allItems(for: task).map { ($0.item.uid, $0.rowID) })
            let routes = try await project.sqlite.routes(task: task)
            #expect(routes[ids["d3"]!]?.route == .human && routes[ids["d4"]!]?.route == .human)
            let machine = await Dictionary(uniqueKeysWithValues: try project.sqlite.currentDecisions(task: task).filter { $0.annotatorKind == .machine }
                .map { ($0.itemRowID, $0.value) })
            #expect(machine[ids["d2"]!] == ["rating": 1, "verdict": "reject"])
            #expect(machine[ids["d1"]!] == ["rating": 4, "verdict": "accept"] || routes[ids["d1"]!]?.route == .human)
        }
    }

    /// Answers carrying a planted signal: "correct" → 5 and accept, "partly" → 3 and accept, "wrong" → 1 and reject,
    /// among filler words.
    static func planted(_ n: Int) -> [(answer: String, rating: Int, verdict: String)] {
        let fillers = ["the", "river", "blue", "code", "seven", "lamp", "quick", "paper", "north", "green", "stone", "music", "table", "cloud"]
        return (0..<n).map { i in
            let (word, rating, verdict) = [("correct", 5, "accept"), ("partly", 3, "accept"), ("wrong", 1, "reject")][(i * 7 + i / 3) % 3]
            let filler = (0..<6).map { fillers[(i * 31 + $0 * 17 + $0 * i) % fillers.count] }
            var words = filler
            words.insert(word, at: (i * 5) % 6)
            return (words.joined(separator: " "), rating, verdict)
        }
    }

    @Test func builtInAnnotatorLearnsToReviewAndIsCrossFitted() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.review)
        let task = try project.task(nil)
        let data = Self.planted(150)
        try await Self.demos(tmp, project, data.map(\.answer))
        let items = try await project.sqlite.allItems(for: task)
        // People review the first 100 items; the last 50 are held out.
        for (item, d) in zip(items, data).prefix(100) {
            try project.sqlite.record(NewAnnotation(itemRowID: item.rowID, task: task.name, annotatorKind: .human, annotator: "ana",
                                                   value: ["verdict": .string(d.verdict), "rating": .number(Double(d.rating))]))
        }
        let run = try await MachineRunWorkflow.run(annotator: "local", task: task, project: project)
        #expect(run.items == 150 && run.trainedOn == 200)
        let votes = try project.sqlite.votes(task: task, annotator: "local:ensemble")
        var ratingRight = 0, verdictRight = 0
        for (item, d) in zip(items, data).suffix(50) {
            let v = try #require(votes[item.rowID])
            #expect(v.filter { $0.facet == nil }.count == 7 && v.filter { $0.facet == "verdict" }.count == 7)
            if Uncertainty.majority(task.routingLabels(v)) == String(d.rating) { ratingRight += 1 }
            if Uncertainty.majority(v.filter { $0.facet == "verdict" }.map(\.label)) == d.verdict { verdictRight += 1 }
        }
        // Chance is 1/3 for ratings (three planted points) and about 2/3 for verdicts (always "accept").
        #expect(ratingRight >= 40, "ratings right on \(ratingRight) of 50 held-out items")
        #expect(verdictRight >= 43, "verdicts right on \(verdictRight) of 50 held-out items")
        _ = try await RouteWorkflow.run(RouteRequest(budget: 0.2, audit: 0), project: project)
        let machine = try await project.sqlite.currentDecisions(task: task).filter { $0.annotatorKind == .machine }
        #expect(!machine.isEmpty && machine.allSatisfy { ReviewDecision($0.value)?.rating != nil && ReviewDecision($0.value)?.verdict != nil })
        // `duet plan` re-trains it without each fold of the reviews it learned from.
        let plan = try await PlanWorkflow.run(PlanRequest(), project: project)
        #expect(plan.evaluation.crossFitFolds == 5 && plan.evaluation.crossFitItems == 100)
        let alone = try #require(plan.rows.first { $0.strategy == "entropy" && $0.budget == 0 })
        #expect(alone.accuracy >= 0.7, "cross-fitted machine alone: \(alone.accuracy)")
    }
}
