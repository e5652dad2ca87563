import DuetAnnotators
import DuetCore
import Foundation
import Testing
@testable import DuetProject

@Suite struct RoutingWorkflowTests {
    /// A classify project with 10 texts; votes by "llm:x": items 1–4 split, 5–10 unanimous.
    func project(_ tmp: TempDir) async throws -> Project {
        let project = try tmp.project(.classify)
        let rows = (1...10).map { "{\"id\":\"t\($0)\",\"text\":\"text \($0)\",\"gold\":\"\($0 % 2 == 0 ? "positive" : "negative")\"}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows.joined(separator: "\n"))]), into: project.store)
        var votes: [String] = []
        for i in 1...10 {
            let gold = i % 2 == 0 ? "positive" : "negative"
            let other = i % 2 == 0 ? "negative" : "positive"
            for v in 0..<4 {
                let label = i <= 4 && v >= 2 ? other : gold
                votes.append("{\"item\":\"t\(i)\",\"annotator\":\"llm:x\",\"variant\":\"p\(v)\",\"label\":\"\(label)\",\"confidence\":0.9}")
            }
        }
        let file = try tmp.file("votes.jsonl", votes.joined(separator: "\n"))
        let r = try await VotesImportWorkflow.run(path: file, task: try project.task(nil), dataset: "t", store: project.store)
        #expect(r.votes == 40 && r.items == 10 && r.annotators == ["llm:x"])
        return project
    }

    /// What `duet route` runs first with no panel named: the built-in annotator on a fresh task, nothing
    /// on a task of replayed votes (they are routed as imported), an LLM router annotator always.
    @Test func whatRouteRunsFirst() async throws {
        let tmp = try TempDir()
        let fresh = try tmp.project(.classify)
        #expect(try await RouteWorkflow.annotatorsToRun(nil, project: fresh, task: fresh.task(nil)) == ["local"])
        let kept = try TempDir()
        let replayed = try await project(kept)
        #expect(try await RouteWorkflow.annotatorsToRun(nil, project: replayed, task: replayed.task(nil)) == [])
        #expect(try await RouteWorkflow.annotatorsToRun(["local", "llm:x"], project: replayed, task: replayed.task(nil)) == ["local"])
        let text = try String(contentsOf: replayed.configURL, encoding: .utf8)
            .replacingOccurrences(of: "annotator = \"local\"", with: "annotator = \"gpt\"")
            + "\n[[annotators]]\nname = \"gpt\"\nkind = \"llm\"\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"m\"\n"
        try text.write(to: replayed.configURL, atomically: true, encoding: .utf8)
        let withLLM = try await Project.open(at: replayed.root)
        #expect(try await RouteWorkflow.annotatorsToRun(nil, project: withLLM, task: withLLM.task(nil)) == ["gpt"])
    }

    /// `--threshold` alone sends exactly the items whose uncertainty is above it to people; the machine keeps the rest.
    @Test func aThresholdSendsOnlyTheItemsAboveIt() async throws {
        let tmp = try TempDir()
        let project = try await project(tmp)
        // Items 1–4 split 2:2 (entropy ln 2 ≈ 0.69), 5–10 unanimous (0).
        let report = try await RouteWorkflow.run(RouteRequest(threshold: 0.5, strategy: .entropy, audit: 0), project: project)
        #expect(report.toPeople == 4 && report.kept == 6)
        let routes = try await project.sqlite.routes(task: try project.task(nil))
        #expect(routes.values.filter { $0.route == .human }.allSatisfy { $0.score > 0.5 })
        #expect(routes.values.filter { $0.route == .machine }.allSatisfy { $0.score <= 0.5 && $0.machineLabel != nil })
    }

    @Test func routeSendsTheSplitItemsToPeople() async throws {
        let tmp = try TempDir()
        let project = try await project(tmp)
        let report = try await RouteWorkflow.run(RouteRequest(budget: 0.4, strategy: .entropy, audit: 0.2), project: project)
        #expect(report.routed == 10)
        #expect(report.toPeople == 4)
        #expect(report.audit == 1)  // 20% of the 6 kept, rounded
        #expect(report.kept == 5)
        let task = try project.task(nil)
        // People get the split items (1–4) first, in item order among equal entropies.
        let first = try #require(try project.sqlite.nextItem(for: task, annotator: "ana"))
        #expect(first.item.uid == "t1")
        // The machine's labels on kept items are its majority votes (= gold here).
        let decisions = try await project.sqlite.currentDecisions(task: task).filter { $0.annotatorKind == .machine }
        #expect(decisions.count == 6)
        #expect(decisions.allSatisfy { d in
            let uid = Int(String((try? project.sqlite.item(rowID: d.itemRowID))??.item.uid.dropFirst() ?? "0"))!
            return d.value == .string(uid % 2 == 0 ? "positive" : "negative")
        })
    }

    @Test func rerouteAfterPeopleLabelKeepsTheirLabels() async throws {
        let tmp = try TempDir()
        let project = try await project(tmp)
        let task = try project.task(nil)
        _ = try await RouteWorkflow.run(RouteRequest(budget: 0.4, strategy: .entropy, audit: 0), project: project)
        let first = try #require(try project.sqlite.nextItem(for: task, annotator: "ana"))
        try project.sqlite.record(NewAnnotation(itemRowID: first.rowID, task: task.name, annotatorKind: .human, annotator: "ana", value: "neutral"))
        let again = try await RouteWorkflow.run(RouteRequest(budget: 0.4, strategy: .entropy, audit: 0), project: project)
        #expect(again.alreadyLabeled == 1)
        #expect(again.routed == 9)
        let mine = try await project.sqlite.currentDecisions(task: task).filter { $0.annotator == "ana" }
        #expect(mine.map(\.value) == ["neutral"])
    }

    @Test func badVotesNameTheLineAndChangeNothing() async throws {
        let tmp = try TempDir()
        let project = try await project(tmp)
        let file = try tmp.file("bad.jsonl", "{\"item\":\"t1\",\"annotator\":\"b\",\"label\":\"positive\"}\n{\"item\":\"t99\",\"annotator\":\"b\",\"label\":\"x\"}\n")
        let e = await #expect(throws: ImportError.self) { try await VotesImportWorkflow.run(path: file, task: try project.task(nil), dataset: "t", store: project.store) }
        #expect(e?.line == 2)
        #expect(e?.message.contains("t99") == true)
        let votes = try await project.sqlite.votes(task: try project.task(nil)).byItem
        #expect(!votes.values.flatMap { $0 }.contains { $0.annotator == "b" })
        let confidence = try tmp.file("c.jsonl", "{\"item\":\"t1\",\"annotator\":\"b\",\"label\":\"positive\",\"confidence\":7}\n")
        let c = await #expect(throws: ImportError.self) { try await VotesImportWorkflow.run(path: confidence, task: try project.task(nil), dataset: "t", store: project.store) }
        #expect(c?.message.contains("confidence") == true)
    }

    @Test func openAIBatchOutputIsReadLikeALiveRun() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)  // labels negative, neutral, positive
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":\"y\"}\n")]),
                                   into: project.store)
        func line(_ id: String, _ content: String?, status: Int = 200) -> String {
            let choices = content.map { "[{\"message\":{\"role\":\"assistant\",\"content\":\(JSONValue.string($0).canonicalJSON)}}]" } ?? "[]"
            return "{\"custom_id\":\"\(id)\",\"response\":{\"status_code\":\(status),\"body\":{\"model\":\"m1\",\"choices\":\(choices)}},\"error\":null}"
        }
        let file = try tmp.file("batch.jsonl", [
            line("a|instruction", "Neutral.\nConfidence: 0.7"), line("a|tf:positive", "False"), line("a|tf:neutral", "True"),
            line("a::choice", "(A)"), line("b|instruction", "banana"), line("b|short", nil, status: 500),
        ].joined(separator: "\n"))
        let report = try await VotesImportWorkflow.run(path: file, task: try project.task(nil), dataset: "t", store: project.store)
        #expect(report.annotators == ["llm:m1"])
        #expect(report.votes == 5)  // the "False" abstains
        #expect(report.unparseable == 2)
        let votes = try await project.sqlite.votes(task: try project.task(nil)).byItem
        let a = try #require(try project.sqlite.item(dataset: "t", uid: "a")).rowID
        #expect(votes[a]?.map(\.label) == ["neutral", "neutral", "negative"])
        #expect(votes[a]?.first?.confidence == 0.7)
        let bad = try tmp.file("bad.jsonl", line("nobar", "x"))
        let e = await #expect(throws: ImportError.self) { try await VotesImportWorkflow.run(path: bad, task: try project.task(nil), dataset: "t", store: project.store) }
        #expect(e?.message.contains("ITEM|VARIANT") == true)
    }
}

@Suite struct OfflineRoutingTests {
    @Test func demoRoutesWithTheBuiltInAnnotator() async throws {
        let tmp = try TempDir()
        let (project, _) = try await Demo.create(at: tmp.url.appendingPathComponent("demo"), sampleData: SharedData.repoRoot.appendingPathComponent("sample-data"))
        let lines = try await Demo.route(project)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("sentiment: local:ensemble: learned from 30 labels, 1400 votes on 200 items"))
        let sentiment = try project.task("sentiment")
        // 7 members vote on every item; 30% go to people, 5% of the rest are audits.
        let votes = try await project.sqlite.votes(task: sentiment).byItem
        #expect(votes.count == 200 && votes.values.allSatisfy { $0.count == 7 })
        let routes = try await project.sqlite.routes(task: sentiment)
        #expect(routes.values.filter { $0.route == .human }.count == 60)
        #expect(routes.values.filter { $0.route == .audit }.count == 7)
        // The people's queue starts at the most uncertain item.
        let next = try #require(try project.sqlite.nextItem(for: sentiment, annotator: "ana"))
        let top = routes.values.filter { $0.route != .machine }.map(\.score).max()
        #expect(routes[next.rowID]?.score == top)
        // Deterministic: the same data and seed give the same routing.
        let again = try await Demo.create(at: tmp.url.appendingPathComponent("demo2"), sampleData: SharedData.repoRoot.appendingPathComponent("sample-data")).0
        _ = try await Demo.route(again)
        await #expect(try again.sqlite.routes(task: sentiment).mapValues(\.route) == routes.mapValues(\.route))
    }

    @Test func localAnnotatorExplainsWhatItNeeds() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n")]), into: project.store)
        let e = await #expect(throws: DuetError.self) { try await MachineRunWorkflow.run(annotator: "local", task: try project.task(nil), project: project) }
        #expect(e?.description.contains("train_on_gold") == true)
        let unknown = await #expect(throws: DuetError.self) { try await MachineRunWorkflow.run(annotator: "gpt", task: try project.task(nil), project: project) }
        #expect(unknown?.description.contains("no annotator 'gpt'") == true)
    }
}

@Suite struct AgreementWorkflowTests {
    @Test func twoPeopleOnTheSameItems() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        let rows = (1...4).map { "{\"id\":\"t\($0)\",\"text\":\"text \($0)\"}" }.joined(separator: "\n")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows)]), into: project.store)
        let task = try project.task(nil)
        let ana = ["positive", "positive", "negative", "negative"], bo = ["positive", "negative", "negative", "negative"]
        for i in 0..<4 {
            let id = try #require(try project.sqlite.item(dataset: "t", uid: "t\(i + 1)")).rowID
            try project.sqlite.record(NewAnnotation(itemRowID: id, task: task.name, annotatorKind: .human, annotator: "ana", value: .string(ana[i])))
            try project.sqlite.record(NewAnnotation(itemRowID: id, task: task.name, annotatorKind: .human, annotator: "bo", value: .string(bo[i])))
        }
        let r = try await AgreementReport.make(task: nil, project: project)
        #expect(r.items == 4)
        #expect(r.annotators == ["ana": 4, "bo": 4])
        // 3 of 4 items agree; κ: p_o = 3/4, p_e = .5·.25 + .5·.75 = .5 → (.75 − .5)/(1 − .5) = 0.5.
        #expect(r.percentAgreement == 0.75)
        #expect(r.cohenKappa.count == 1)
        #expect(abs((r.cohenKappa.first?.kappa ?? 0) - 0.5) < 1e-12)
        #expect(r.cohenKappa.first?.overlap == 4)
        #expect(r.fleissRaters == 2)
        #expect(r.text.contains("ana – bo: 0.500 on 4 items"))
    }
}

@Suite struct AuditStatusTests {
    @Test func blindAuditsGiveAnAccuracyWithAnInterval() async throws {
        let tmp = try TempDir()
        let project = try await RoutingWorkflowTests().project(tmp)
        let task = try project.task(nil)
        // Everything the machine keeps is also audited.
        _ = try await RouteWorkflow.run(RouteRequest(budget: 0.4, strategy: .entropy, audit: 1), project: project)
        let routes = try await project.sqlite.routes(task: task)
        let audits = routes.values.filter { $0.route == .audit }.sorted { $0.itemRowID < $1.itemRowID }
        #expect(audits.count == 6)
        // A person agrees with the machine on 5 of the 6 audits.
        for (i, r) in audits.enumerated() {
            let value = i == 0 ? "neutral" : try #require(r.machineLabel)
            try project.sqlite.record(NewAnnotation(itemRowID: r.itemRowID, task: task.name, annotatorKind: .human, annotator: "ana", value: .string(value)))
        }
        let status = try await StatusReport.make(project)
        let estimate = try #require(status.tasks.first?.audit?.first)
        #expect(estimate.annotator == "llm:x")
        #expect(estimate.audited == 6 && estimate.agreeing == 5)
        let ci = try #require(Audit.wilson(successes: 5, trials: 6))
        #expect(estimate.low == ci.low && estimate.high == ci.high)
        // 5/6 with a lower bound of 0.44 is below the default target 0.9: the status says so.
        #expect(status.text.contains("audits of llm:x: 5/6 right, 0.83 (95% 0.44–0.97); 6 of 6 audits labeled — WARNING"))
        let json = try JSONValue.parse(status.json())
        #expect(json["tasks"]?.array?.first?["audit"]?.array?.first?["ci_low"]?.number == ci.low)
        #expect(json["target_accuracy"] == 0.9)
    }

    @Test func machineRunSummaryReportsWhatAnLLMRunCost() async {
        var report = MachineRunWorkflow.Report()
        report.annotator = "llm:m"
        report.items = 3
        report.votes = 9
        #expect(report.summary == "llm:m: 9 votes on 3 items")
        var usage = OpenAICompatibleAnnotator.Usage()
        usage.attempts = 7
        usage.received = 7
        usage.cacheHits = 2
        usage.promptTokens = 100
        usage.completionTokens = 20
        usage.costUSD = 0.0125
        report.usage = usage
        #expect(report.summary == "llm:m: 9 votes on 3 items; 7 requests answered by the server, 2 answered from the cache, 120 tokens, $0.0125")
        // Attempts the server never saw are counted apart from the requests it received (940 "sent" were 38 received).
        usage.attempts = 940
        usage.received = 38
        usage.failedAttempts = ["connection": 902]
        usage.failures = ["connection": 2]
        report.usage = usage
        report.noVotes = 4
        #expect(report.summary == "llm:m: 9 votes on 3 items, 4 False / No answers (no vote); 38 requests answered by the server, 940 attempts "
            + "(902 failed: connection 902), 2 answered from the cache, 120 tokens, $0.0125; 2 requests failed after their retries "
            + "(connection 2): not cached, sent again next run")
    }
}

@Suite struct RouteSummaryTests {
    @Test func aLongPanelIsNamedBySizeAndFirstMembers() async {
        var r = RouteReport()
        r.members = (1...13).map { "m\($0)" }
        r.annotator = r.members.joined(separator: ", ")
        r.routed = 10
        #expect(r.summary.hasPrefix("routed 10 items by a panel of 13 (m1, m2, m3, …): machine keeps"))
        r.members = ["a", "b"]
        r.annotator = "a, b"
        #expect(r.summary.hasPrefix("routed 10 items by a, b: machine keeps"))
    }
}
