import DuetCore
import DuetLaunch
import Foundation
import Testing
@testable import DuetProject

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct PlanWorkflowTests {
    /// A classify project of 10 texts (gold: even positive, odd negative) whose
    /// duet.toml gets `extra` appended and `replacing` applied, reopened.
    func project(_ tmp: TempDir, extra: String = "", replacing: [String: String] = [:], texts: [String]? = nil,
                 gold: ((Int) -> String)? = nil) async throws -> Project {
        let created = try tmp.project(.classify)
        let texts = texts ?? (1...10).map { "text \($0)" }
        let gold = gold ?? { $0 % 2 == 0 ? "positive" : "negative" }
        let rows = texts.enumerated().map { i, t in "{\"id\":\"t\(i + 1)\",\"text\":\(JSONValue.string(t).canonicalJSON),\"gold\":\"\(gold(i + 1))\"}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows.joined(separator: "\n"))]), into: created.store)
        var toml = try String(contentsOf: created.configURL, encoding: .utf8)
        for (a, b) in replacing { toml = toml.replacingOccurrences(of: a, with: b) }
        try (toml + extra).write(to: created.configURL, atomically: true, encoding: .utf8)
        return try await Project.open(at: created.root)
    }

    func rowID(_ project: Project, _ uid: String) throws -> Int64 { try #require(try project.sqlite.item(dataset: "t", uid: uid)).rowID }

    @Test func costFromMeasuredSecondsTokensAndTheSVGFile() async throws {
        let tmp = try TempDir()
        let project = try await project(tmp, extra: """

            [[annotators]]
            name = "gpt"
            kind = "llm"
            base_url = "http://localhost:9/v1"
            model = "x"
            prompt_price = 1
            completion_price = 10

            [cost]
            hourly_rate = 36
            currency = "€"

            """, replacing: ["annotator = \"local\"       # which": "annotator = \"gpt\"       # which"])
        let task = try project.task(nil)
        // llm:x votes 4 per item, 100 prompt + 10 completion tokens each: items 1–4 split, the rest unanimous and right.
        var votes: [(item: Int64, vote: MachineVote)] = []
        for i in 1...10 {
            let right = i % 2 == 0 ? "positive" : "negative", wrong = i % 2 == 0 ? "negative" : "positive"
            for v in 0..<4 {
                votes.append((try rowID(project, "t\(i)"), MachineVote(annotator: "llm:x", variant: "p\(v)", label: i <= 4 && v >= 2 ? wrong : right,
                                                                       promptTokens: 100, completionTokens: 10)))
            }
        }
        try project.sqlite.saveVotes(votes, task: task.name, at: Date())
        // People labeled 3 items: 20 s and 40 s measured, one bulk accept without time.
        for (uid, seconds) in [("t1", 20.0), ("t2", 40.0), ("t3", nil)] as [(String, Double?)] {
            try project.sqlite.record(NewAnnotation(itemRowID: try rowID(project, uid), task: task.name, annotatorKind: .human, annotator: "ana",
                                                   value: .string(uid == "t2" ? "positive" : "negative"), seconds: seconds))
        }
        let report = try await PlanWorkflow.run(PlanRequest(), project: project)
        #expect(report.annotator == "llm:x")
        #expect(report.rows.count == RoutingStrategy.allCases.count * PlanWorkflow.defaultBudgets.count)
        #expect(report.evaluation.items == 10 && report.evaluation.humanLabels == 3 && report.evaluation.goldLabels == 7)
        #expect(report.evaluation.crossFitFolds == 0)  // an LLM never saw the labels
        let c = report.cost
        #expect(c.isMeasured && c.measuredDecisions == 2 && c.secondsPerItem == 30)
        #expect(c.tokens == VoteTokens(votes: 40, promptTokens: 4000, completionTokens: 400))
        #expect(abs(c.machineCost - 0.008) < 1e-12)  // 4000 × 1 + 400 × 10 per million
        // 30% of 10 = 3 items × 30 s = 1/40 hour × 36 = 0.9, plus the tokens.
        let row = try #require(report.rows.first { $0.strategy == "entropy" && $0.budget == 0.3 })
        #expect(row.peopleItems == 3 && abs(row.cost - 0.908) < 1e-9)
        // Entropy sends the split items first: at 40% every item is right.
        #expect(report.rows.first { $0.strategy == "entropy" && $0.budget == 0.4 }?.accuracy == 1)
        #expect(report.recommendation.reachesTarget)
        let text = PlanWorkflow.text(report, width: 300)
        #expect(text.head.contains { $0.contains("people 30 s per item at €36 per person-hour; machine 4400 tokens, <€0.01 (in every row). Seconds measured over 2 human decisions.") })
        // Prose wraps to the width; the tables do not.
        #expect(PlanWorkflow.text(report, width: 60).head.allSatisfy { $0.count <= 60 })
        #expect(text.table.contains { $0.hasPrefix("      30%      3     €0.91") })
        #expect(text.table.allSatisfy { $0.count <= 80 })

        let svgPath = tmp.url.appendingPathComponent("plan.svg").path
        try PlanWorkflow.writeSVG(report, to: svgPath, project: project)
        try PlanWorkflow.writeSVG(report, to: svgPath, project: project)  // replaces it
        // Never over a project file, by any name (see OutputFileTests).
        let store = project.root.appendingPathComponent("duet.sqlite").path
        let storeBytes = FileManager.default.contents(atPath: store)
        let hardLink = tmp.url.appendingPathComponent("chart.svg").path
        #expect(link(store, hardLink) == 0)
        for path in [store, project.root.path + "/../p/duet.toml", project.root.path + "/duet.sqlite-wal", hardLink] {
            let refused = #expect(throws: DuetError.self) { try PlanWorkflow.writeSVG(report, to: path, project: project) }
            #expect(refused?.description.contains("refusing to write over the project's own file") == true)
        }
        #expect(FileManager.default.contents(atPath: store) == storeBytes)
        let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
        let parser = XMLParser(data: Data(svg.utf8))
        final class Lines: NSObject, XMLParserDelegate {
            var points: [Int] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                if name == "polyline" { points.append(attributes["points"]?.split(separator: " ").count ?? 0) }
            }
        }
        let lines = Lines()
        parser.delegate = lines
        #expect(parser.parse())
        #expect(lines.points == Array(repeating: PlanWorkflow.defaultBudgets.count, count: RoutingStrategy.allCases.count))
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.url.path).filter { $0.hasSuffix(".tmp") }.isEmpty)

        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        for key in ["\"pareto\"", "\"cost\"", "\"recommendation\"", "\"seconds_source\":\"measured\"", "\"person_hours\"", "\"macro_f1\""] {
            #expect(json.contains(key), "\(key)")
        }
    }

    @Test func theBuiltInAnnotatorIsCrossFittedOnTheLabelsItLearnedFrom() async throws {
        let tmp = try TempDir()
        // Texts share no words with each other, so what the model knows about an item comes only from its own label.
        let labels = ["negative", "neutral", "positive"]
        let texts = (1...30).map { "q\($0)zx w\($0 * 7)vk" }
        let project = try await project(tmp, replacing: ["train_on_gold = false": "train_on_gold = true"], texts: texts, gold: { labels[($0 * 7) % 3] })
        let task = try project.task(nil)
        _ = try await MachineRunWorkflow.run(annotator: "local", task: task, project: project)
        let stored = try await project.sqlite.votes(task: task)
        let report = try await PlanWorkflow.run(PlanRequest(budgets: [0]), project: project)
        #expect(report.evaluation.crossFitFolds == 5 && report.evaluation.crossFitItems == 30)
        #expect(PlanWorkflow.text(report).head.contains { $0.contains("cross-fitted") })
        // With the stored votes (made by a model that saw every label) the machine alone looks far better than out of fold.
        var truth: [Int64: String] = [:]
        for i in 1...30 { truth[try rowID(project, "t\(i)")] = labels[(i * 7) % 3] }
        let inSample = Router.plan(votes: stored, order: Array(truth.keys).sorted(), truth: truth, labels: labels, strategies: [.entropy], budgets: [0])
        let crossFitted = try #require(report.rows.first { $0.strategy == "entropy" })
        #expect(inSample[0].accuracy > 0.8)
        #expect(crossFitted.accuracy < inSample[0].accuracy - 0.3)
        // Nothing was written: the store's votes are as they were.
        await #expect(try project.sqlite.votes(task: task) == stored)
        // Without train_on_gold and without people's labels there is nothing it learned from to hold out.
        let plainDir = try TempDir()
        let plain = try await self.project(plainDir, texts: texts, gold: { labels[($0 * 7) % 3] })
        try plain.sqlite.saveVotes(try (1...30).map { (item: try rowID(plain, "t\($0)"), vote: MachineVote(annotator: "local:ensemble", variant: "m0", label: "neutral")) },
                                  task: task.name, at: Date())
        #expect(try await PlanWorkflow.run(PlanRequest(budgets: [0]), project: plain).evaluation.crossFitFolds == 0)
    }
}
