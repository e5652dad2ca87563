import DuetCore
import DuetLaunch
import Foundation
import LLMLoopback
import Testing
@testable import DuetProject

/// `[router] cascade`: the cheap annotator answers every item, the dear one only the items the cheap one
/// left least sure, and `duet plan` prices each stage.
@Suite struct CascadeTests {
    @Test func escalatesTheMostUncertainShare() async {
        let votes = VoteTable([
            1: ["a", "a", "a"].map { MachineVote(annotator: "m", variant: "v", label: $0) },
            2: ["a", "b", "a"].map { MachineVote(annotator: "m", variant: "v", label: $0) },
            3: ["a", "b", nil].map { MachineVote(annotator: "m", variant: "v", label: $0) },  // tied: no support
            4: [nil, nil].map { MachineVote(annotator: "m", variant: "v", label: $0) },  // nothing parsed
        ])
        #expect(Cascade.escalate(votes: votes, open: [1, 2, 3, 4, 5], share: 0.6) == [4, 5, 3])
        #expect(Cascade.escalate(votes: votes, open: [1, 2, 3, 4], share: 0.25) == [4])
        #expect(Cascade.escalate(votes: votes, open: [1, 2, 3, 4], share: 1, above: 0.5) == [4, 3, 2])
        #expect(Cascade.escalate(votes: votes, open: [1, 2], share: 0) == [])
    }

    @Test func theSecondAnnotatorIsAskedOnlyAboutUncertainItems() async throws {
        // Items 2, 5 and 8 of 12 are [hard]: the cheap model cannot answer them; the dear one answers everything.
        let hard: Set<Int> = [2, 5, 8]
        let modes = (0..<12).map { hard.contains($0) ? "[hard]" : "" }
        let script: LoopbackServer.Script = { r in
            if r.json?["model"]?.string == "fake-1" && r.userText.contains("[hard]") {
                return ScriptedReply(body: FakeLLM.completion("I am not sure what this is about.", promptChars: r.userText.count, logprobs: false))
            }
            return FakeLLM.reply(r)
        }
        try await LoopbackServer.with(script: script) { server in
            let tmp = try TempDir()
            let created = try await LLMProject.make(tmp, server: server, modes: modes)
            let original = try String(contentsOf: created.configURL, encoding: .utf8)
            let config = original.replacingOccurrences(of: "[router]\n", with: "[router]\ncascade = [\"gpt\", \"big\"]\nescalate = 0.25\n")
                + "\n[[annotators]]\nname = \"big\"\nkind = \"llm\"\nbase_url = \"\(server.baseURL)\"\nmodel = \"fake-2\"\n"
                + "api_key_env = \"\(LLMProject.keyVariable)\"\nprompt_price = 2.5\ncompletion_price = 10\n"
            try config.write(to: created.configURL, atomically: true, encoding: .utf8)
            let project = try await Project.open(at: created.root)
            let task = try project.task(nil)
            let runs = try await RouteWorkflow.runCascade(["gpt", "big"], task: task, project: project,
                                                          environment: [LLMProject.keyVariable: "sk-test"])
            #expect(runs.map(\.annotator) == ["llm:fake-1", "llm:fake-2"])
            #expect(runs.map(\.items) == [12, 3])
            // The dear model saw exactly the hard items: 25% of 12, the three the cheap one could not read.
            let asked = Set(server.requests.filter { $0.json?["model"]?.string == "fake-2" }.compactMap { r in
                modes.indices.first { r.userText.contains("Item \($0) [") }
            })
            #expect(asked == hard)
            // The panel is the cascade; the plan prices each stage.
            let report = try await PlanWorkflow.run(PlanRequest(budgets: [0, 0.25]), project: project)
            #expect(report.annotator == "llm:fake-1, llm:fake-2")
            #expect(report.cascade.map(\.annotator) == ["llm:fake-1", "llm:fake-2"])
            #expect(report.cascade.map(\.items) == [12, 3])
            #expect(report.cascade[1].cost > 0 && report.cascade[0].cost > 0)
            let text = PlanWorkflow.text(report).advice.joined(separator: " ")
            #expect(text.contains("cascade: llm:fake-1 on 12 items"))
            // Routed: the hard items have the dear model's votes, and the machine keeps the rest.
            let route = try await RouteWorkflow.run(RouteRequest(budget: 0, audit: 0), project: project)
            #expect(route.kept == 12)
        }
    }
}
