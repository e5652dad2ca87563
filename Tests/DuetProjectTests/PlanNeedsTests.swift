import DuetCore
import DuetLaunch
import Foundation
import Testing
@testable import DuetProject

/// `duet plan` without truth says what it needs; compare tasks report the machine's own position bias.
@Suite struct PlanNeedsTests {
    /// A compare project of `n` DPO pairs (the source prefers "chosen": never truth) and an LLM's votes on
    /// every pair in both orders, always for the response shown first.
    func pairs(_ tmp: TempDir, n: Int = 8) async throws -> (Project, TaskSpec) {
        let project = try tmp.project(.compare)
        let rows = (1...n).map { i in
            "{\"id\": \"pair-\(i)\", \"prompt\": \"question \(i)\", \"chosen\": \"good answer \(i)\", \"rejected\": \"bad answer \(i)\"}"
        }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("prefs.jsonl", rows.joined(separator: "\n"))]), into: project.store)
        let task = try project.task(nil)
        var votes: [(item: Int64, vote: MachineVote)] = []
        for id in try project.sqlite.itemRowIDs(for: task) {
            for name in ["instruction", "paraphrase", "short"] {
                votes.append((id, MachineVote(annotator: "llm:small", variant: MachineVote.perturbation(name, shown: .ab), label: "0")))
                votes.append((id, MachineVote(annotator: "llm:small", variant: MachineVote.perturbation(name, shown: .ba),
                                              label: name == "short" ? nil : "1")))
            }
        }
        try project.sqlite.saveVotes(votes, task: task.name, at: Date())
        return (project, task)
    }

    @Test func compareTaskWithoutTruthSaysWhatItNeeds() async throws {
        let tmp = try TempDir()
        let (project, _) = try await pairs(tmp)
        let error = await #expect(throws: DuetError.self) { try await PlanWorkflow.run(PlanRequest(), project: project) }
        let text = try #require(error?.description)
        #expect(text.contains("none of the 8 pairs it voted on has a person's judgment or a gold label"))
        #expect(text.contains("Judge them in `duet label --task preference`"))
        #expect(text.contains("chosen/rejected, on 8 of these pairs"))
        // 8 pairs × 5 readable prompts (AB and BA of two, AB of "short"), all for the response shown first; "short" BA unread.
        #expect(text.contains("llm:small chose the response shown first in 40 of 40 votes for one response (100%, 95% CI 91%–100%): position bias; 8 unparseable not counted"))
    }

    @Test func compareTaskWithPeoplesJudgmentsPlansAndReportsTheBias() async throws {
        let tmp = try TempDir()
        let (project, task) = try await pairs(tmp)
        for id in try project.sqlite.itemRowIDs(for: task).prefix(4) {
            try project.sqlite.record(NewAnnotation(itemRowID: id, task: task.name, annotatorKind: .human, annotator: "ana",
                                                   value: PairJudgment(choice: .response(0)).json, display: .ba))
        }
        let report = try await PlanWorkflow.run(PlanRequest(budgets: [0, 0.5]), project: project)
        #expect(report.evaluation.items == 4 && report.evaluation.humanLabels == 4)
        let bias = try #require(report.positionBias)
        #expect(bias.chose == 40 && bias.choseFirst == 40 && bias.biased)
        #expect(PlanWorkflow.text(report).advice.joined(separator: " ").contains("warning: position bias: llm:small chose the response shown first in 40 of 40"))
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"position_bias\":{"))
        // People's bias and the machine's, side by side in `duet status`.
        let status = try await StatusReport.make(project)
        #expect(status.text.contains("preference pairs: machine llm:small chose the response shown first in 40 of 40"))
        #expect(status.tasks.first?.pairs?.machines.first?.choseFirst == 40)
    }

    @Test func classifyTaskWithoutGoldOrLabelsSaysWhatItNeeds() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        let rows = (1...5).map { "{\"id\": \"t\($0)\", \"text\": \"text \($0)\"}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows.joined(separator: "\n"))]), into: project.store)
        let task = try project.task(nil)
        let ids = try project.sqlite.itemRowIDs(for: task)
        try project.sqlite.saveVotes(ids.prefix(3).map { (item: $0, vote: MachineVote(annotator: "llm:x", variant: "instruction", label: "positive")) },
                                    task: task.name, at: Date())
        // A person labeled an item the machine did not vote on: still nothing to measure against.
        try project.sqlite.record(NewAnnotation(itemRowID: ids[4], task: task.name, annotatorKind: .human, annotator: "ana", value: "neutral"))
        let error = await #expect(throws: DuetError.self) { try await PlanWorkflow.run(PlanRequest(), project: project) }
        #expect(error?.description == "nothing to measure llm:x against in task 'sentiment': none of the 3 items it voted on has a "
            + "person's label or a gold label (people labeled 1 other item, without its votes). Label them in `duet label --task sentiment`: "
            + "people's labels are the truth, and all 3 measure its accuracy within ±57 points (95%).")
    }
}
