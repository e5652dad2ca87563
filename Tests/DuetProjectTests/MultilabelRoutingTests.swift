import DuetAnnotators
import DuetCore
import DuetLaunch
import DuetStoreAPI
import Foundation
import LLMLoopback
import Testing
@testable import DuetProject

/// `duet votes import`, `duet route` and `duet plan` on a multilabel task and on rankings, end to end.
@Suite struct MultilabelRoutingTests {
    static let gold: [[String]] = [["a"], ["b"], ["a", "b"], [], ["a"], ["b"], ["a", "b"], ["a"]]

    /// A multilabel task "tags" (labels a, b) over 8 texts with gold sets; votes by "llm:x" under two
    /// perturbations per label: t1–t6 as their gold, t7 split on b, t8 unreadable on a (and "no" on b).
    /// A person labeled t6 {b}.
    func project(_ tmp: TempDir, votes: Bool = true) async throws -> Project {
        let created = try tmp.project(.classify)
        try await created.addTask(TaskSpec(name: "tags", kind: .multilabel, labels: ["a", "b"]))
        let rows = Self.gold.enumerated().map { i, g in
            "{\"id\":\"t\(i + 1)\",\"text\":\"text \(i + 1)\",\"gold\":\(JSONValue.array(g.map(JSONValue.string)).canonicalJSON)}"
        }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows.joined(separator: "\n"))]), into: created.store)
        let project = try await Project.open(at: created.root)
        let task = try project.task("tags")
        if votes {
            var lines: [String] = []
            for (i, g) in Self.gold.enumerated() {
                for label in ["a", "b"] {
                    for p in ["q", "p"] {
                        var answer: String? = g.contains(label) ? "yes" : "no"
                        if i == 6 && label == "b" && p == "p" { answer = "no" }
                        if i == 7 && label == "a" { answer = nil }
                        let l = answer.map { "\"\($0)\"" } ?? "null"
                        lines.append("{\"item\":\"t\(i + 1)\",\"annotator\":\"llm:x\",\"variant\":\"\(p)@\(label)\",\"label\":\(l)}")
                    }
                }
            }
            // A vote about a label the task does not have, or not yes/no, is an unparseable answer.
            lines.append("{\"item\":\"t1\",\"annotator\":\"llm:y\",\"variant\":\"q@zzz\",\"label\":\"yes\"}")
            lines.append("{\"item\":\"t1\",\"annotator\":\"llm:y\",\"variant\":\"q@a\",\"label\":\"a\"}")
            let r = try await VotesImportWorkflow.run(path: try tmp.file("v.jsonl", lines.joined(separator: "\n")), task: task, dataset: "t",
                                                store: project.store)
            #expect(r.votes == 34 && r.unparseable == 4)
        }
        let t6 = try #require(try project.sqlite.item(dataset: "t", uid: "t6")).rowID
        _ = try project.sqlite.record(NewAnnotation(itemRowID: t6, task: "tags", annotatorKind: .human, annotator: "ann",
                                                   value: .array(["b"])))
        return project
    }

    func uid(_ project: Project, _ rowID: Int64) throws -> String { try #require(try project.sqlite.item(rowID: rowID)).item.uid }

    @Test func routeSendsItemsWithAnyUnsureLabelToPeopleAndKeepsLabelSets() async throws {
        let tmp = try TempDir()
        let project = try await project(tmp)
        let task = try project.task("tags")
        #expect(Router.humanLabels(try project.sqlite.currentDecisions(task: task, kind: .human), kind: task.kind).values.sorted() == ["b"])
        let report = try await RouteWorkflow.run(RouteRequest(task: "tags", annotators: ["llm:x"], budget: 0.3, strategy: .default, audit: 0), project: project)
        #expect(report.routed == 7 && report.alreadyLabeled == 1 && report.toPeople == 2 && report.kept == 5)
        var machine: [String: JSONValue] = [:]
        for d in try project.sqlite.currentDecisions(task: task, kind: .machine) where d.status == .submitted {
            machine[try uid(project, d.itemRowID)] = d.value
        }
        // The machine's decisions have a person's shape: label sets as arrays, the empty set included.
        #expect(machine == ["t1": ["a"], "t2": ["b"], "t3": ["a", "b"], "t4": [], "t5": ["a"]])
        // t8 (nothing read about a) first, then t7 (b split).
        let queue = try await project.sqlite.routes(task: task).values.filter { $0.route == .human }.sorted { $0.score > $1.score }
        #expect(try queue.map { try uid(project, $0.itemRowID) } == ["t8", "t7"])
        #expect(queue.first?.score == .infinity)
        #expect(queue.last?.machineLabel == "a")
    }

    @Test func planMeasuresExactSetsAndPerLabelF1() async throws {
        let tmp = try TempDir()
        let project = try await project(tmp)
        let report = try await PlanWorkflow.run(PlanRequest(task: "tags", budgets: [0, 0.25], annotators: ["llm:x"]), project: project)
        #expect(Set(report.strategies) == ["default", "entropy", "confidence", "random"])
        let d0 = try #require(report.rows.first { $0.strategy == "default" && $0.budget == 0 })
        let d25 = try #require(report.rows.first { $0.strategy == "default" && $0.budget == 0.25 })
        // Alone: t7 gets {a} (truth {a, b}), t8 {} (truth {a}); the rest right: 6/8.
        #expect(d0.accuracy == 0.75)
        // a: predicted on t1 t3 t5 t7 (tp 4), missed t8 (fn 1): F1 8/9; b: tp t2 t3 t6, fn t7: F1 6/7.
        #expect(abs(d0.macroF1 - (8.0 / 9 + 6.0 / 7) / 2) < 1e-12)
        #expect(d25.accuracy == 1 && d25.humanItems == 2)
        let text = PlanWorkflow.text(report)
        #expect(text.table.contains { $0.contains("0.750") })
        #expect(report.baseline?.machineAccuracy == 0.75)
        #expect(report.evaluation.note == KindScorer.multilabel(labels: ["a", "b"]).planNote)
    }

    @Test func anLLMJudgeRoutesAMultilabelTaskAndAnUnreadableAnswerGoesToPeople() async throws {
        try await LoopbackServer.with { server in
            let tmp = try TempDir()
            let project = try await LLMProject.make(tmp, server: server, modes: [""])
            try await project.addTask(TaskSpec(name: "tags", kind: .multilabel, labels: ["a", "b"], dataset: "tags"))
            let rows = ["[labels=a]", "[labels=a,b]", "[labels=]", "[labels=b] [unreadable]"].enumerated().map { i, tag in
                "{\"id\":\"g\(i)\",\"text\":\"Post \(i) \(tag)\"}"
            }
            _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("tags.jsonl", rows.joined(separator: "\n"))]), into: project.store)
            let task = try project.task("tags")
            let run = try await MachineRunWorkflow.run(annotator: "gpt", task: task, project: project,
                                                       environment: [LLMProject.keyVariable: "sk-test"])
            #expect(run.items == 4 && run.votes == 4 * 8 && run.unparseable == 8)
            let report = try await RouteWorkflow.run(RouteRequest(task: "tags", budget: 0.25, audit: 0), project: project)
            #expect(report.toPeople == 1 && report.kept == 3)
            var machine: [String: JSONValue] = [:]
            for d in try project.sqlite.currentDecisions(task: task, kind: .machine) where d.status == .submitted {
                machine[try uid(project, d.itemRowID)] = d.value
            }
            #expect(machine == ["g0": ["a"], "g1": ["a", "b"], "g2": []])
            let queue = try await project.sqlite.routes(task: task).values.filter { $0.route == .human }
            #expect(try queue.map { try uid(project, $0.itemRowID) } == ["g3"])
        }
    }

    @Test func theBuiltInAnnotatorLearnsLabelSetsAndRoutes() async throws {
        let tmp = try TempDir()
        let created = try tmp.project(.classify)
        try await created.addTask(TaskSpec(name: "tags", kind: .multilabel, labels: ["sport", "food"]))
        var toml = try String(contentsOf: created.configURL, encoding: .utf8)
        toml = toml.replacingOccurrences(of: "train_on_gold = false", with: "train_on_gold = true")
        try toml.write(to: created.configURL, atomically: true, encoding: .utf8)
        let words = ["sport": ["football", "match", "goal"], "food": ["pasta", "recipe", "dinner"]]
        var rows: [String] = []
        for i in 0..<24 {
            let set = [i % 2 == 0 ? "sport" : nil, i % 3 == 0 ? "food" : nil].compactMap { $0 }
            let text = (["item\(i)", "today"] + set.flatMap { words[$0]! }).joined(separator: " ")
            rows.append("{\"id\":\"m\(i)\",\"text\":\"\(text)\",\"gold\":\(JSONValue.array(set.map(JSONValue.string)).canonicalJSON)}")
        }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("m.jsonl", rows.joined(separator: "\n"))]), into: created.store)
        let project = try await Project.open(at: created.root)
        let task = try project.task("tags")
        let run = try await MachineRunWorkflow.run(annotator: "local", task: task, project: project)
        #expect(run.items == 24 && run.votes == 24 * 2 * 7 && run.trainedOn == 24)
        let votes = try project.sqlite.votes(task: task, annotator: "local:ensemble")
        let first = try #require(votes[votes.items[0]])
        #expect(Set(first.compactMap(\.facet)) == ["sport", "food"] && first.allSatisfy { $0.label == "yes" || $0.label == "no" })
        let report = try await RouteWorkflow.run(RouteRequest(task: "tags", annotators: ["local:ensemble"], budget: 0, audit: 0), project: project)
        #expect(report.kept == 24)
        let plan = try await PlanWorkflow.run(PlanRequest(task: "tags", budgets: [0], annotators: ["local:ensemble"]), project: project)
        #expect(plan.evaluation.crossFitFolds == 5)
    }

    @Test func rankingsRouteAndPlanByTheirOrders() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.compare)
        func line(_ id: String, _ n: Int) -> String {
            // UltraFeedback's raw shape: N completions make a ranking item.
            let completions = (0..<n).map { "{\"response\":\"r\($0) of \(id)\"}" }.joined(separator: ",")
            return "{\"id\":\"\(id)\",\"instruction\":\"q \(id)\",\"completions\":[\(completions)]}"
        }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("r.jsonl", ["k1", "k2", "k3"].map { line($0, 3) }.joined(separator: "\n"))]),
                                   into: project.store)
        let task = try project.task(nil)
        let items = try await project.sqlite.allItems(for: task)
        #expect(items.count == 3 && items.allSatisfy { $0.item.kind == .ranking })
        var lines: [String] = []
        for (id, orders) in [("k1", ["2>0>1", "2>0>1", "2>0>1"]), ("k2", ["0>1>2", "2>1>0", "1>0>2"]), ("k3", ["1>2>0", "1>2>0", "bogus"])] {
            for (v, o) in orders.enumerated() { lines.append("{\"item\":\"\(id)\",\"annotator\":\"llm:r\",\"variant\":\"o\(v)\",\"label\":\"\(o)\"}") }
        }
        let imported = try await VotesImportWorkflow.run(path: try tmp.file("v.jsonl", lines.joined(separator: "\n")), task: task, dataset: nil,
                                                   store: project.store)
        #expect(imported.votes == 9 && imported.unparseable == 1)
        // A person ranked k3 (shown in some order): truth in the machine's shape.
        let k3 = try #require(items.first { $0.item.uid == "k3" }).rowID
        _ = try project.sqlite.record(NewAnnotation(itemRowID: k3, task: task.name, annotatorKind: .human, annotator: "ann",
                                                   value: ["ranks": [3, 1, 2], "shown": [2, 0, 1]]))
        #expect(Router.humanLabels(try project.sqlite.currentDecisions(task: task, kind: .human), kind: task.kind)[k3] == "1>2>0")
        let report = try await RouteWorkflow.run(RouteRequest(annotators: ["llm:r"], budget: 0.5, strategy: .entropy, audit: 0), project: project)
        #expect(report.routed == 2 && report.toPeople == 1 && report.kept == 1)
        let kept = try project.sqlite.currentDecisions(task: task, kind: .machine).filter { $0.status == .submitted }
        #expect(kept.map(\.value) == [Ranking(ranks: [2, 3, 1]).json])
        let plan = try await PlanWorkflow.run(PlanRequest(budgets: [0], annotators: ["llm:r"]), project: project)
        let entropy = try #require(plan.rows.first { $0.strategy == "entropy" })
        // Truth: the person's order on k3 only (no gold); the machine's consensus 1>2>0 matches it.
        #expect(plan.evaluation.items == 1 && entropy.accuracy == 1)
    }
}
