import DuetApp
import DuetCore
import DuetLaunch
import Foundation
import Testing
@testable import DuetProject

@Suite struct QualityLoaderTests {
    @Test func theQualityScreenGetsThePlanAgreementAndAudits() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        let rows = (1...10).map { "{\"id\":\"t\($0)\",\"text\":\"text \($0)\",\"gold\":\"\($0 % 2 == 0 ? "positive" : "negative")\"}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows.joined(separator: "\n"))]), into: project.store)
        let task = try project.task(nil)
        let load = QualityLoader.make(project: project, colors: false)

        // No votes yet: the figures load and say why there is no plan.
        let empty = try await load(task)
        #expect(empty.plan == nil)
        #expect(empty.planNote?.hasPrefix("No plan: no votes") == true)

        // Replayed votes (right on even items, split on odd ones) and two people on one item.
        var votes: [(item: Int64, vote: MachineVote)] = []
        for i in 1...10 {
            let id = try #require(try project.sqlite.item(dataset: "t", uid: "t\(i)")).rowID
            let gold = i % 2 == 0 ? "positive" : "negative"
            for v in 0..<3 { votes.append((id, MachineVote(annotator: "replay", variant: "v\(v)", label: i % 2 == 0 || v == 0 ? gold : "neutral"))) }
            if i == 1 {
                for who in ["ana", "bob"] {
                    try project.sqlite.record(NewAnnotation(itemRowID: id, task: task.name, annotatorKind: .human, annotator: who,
                                                           value: .string(who == "ana" ? "negative" : "neutral")))
                }
            }
        }
        try project.sqlite.saveVotes(votes, task: task.name, at: Date())
        let report = try await load(task)
        let plan = try #require(report.plan)
        #expect(plan.curves.map(\.strategy) == RoutingStrategy.allCases.map(\.rawValue))
        #expect(plan.chart.series.count == RoutingStrategy.allCases.count)
        #expect(plan.curves.allSatisfy { $0.points.map(\.budget) == PlanWorkflow.defaultBudgets })
        // Entropy sends the split (odd) items first: at 50% every item is right.
        #expect(plan.curves.first { $0.strategy == "entropy" }?.points.last?.accuracy == 1)
        #expect(plan.reachesTarget)
        #expect(!plan.basis.isEmpty)
        #expect(report.agreement.annotators == ["ana": 1, "bob": 1])
    }
}
