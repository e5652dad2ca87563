import DuetCore
import DuetLaunch
import DuetStoreAPI
import Foundation
import Testing
@testable import DuetProject

/// Replayed panels from ../shared/data (13 LLMs each, and one model under 11 prompts), gold standing in for
/// people: `duet plan` with no annotator named plans on the whole panel, and the default is never below
/// CoAnnotating's entropy. Skipped when the data is absent.
@Suite struct PanelPlanTests {
    static let sets = ["panel-ibc", "panel-discourse", "panel-implicit_hate", "stance-es"]
    static let present = sets.allSatisfy { SharedData.path("\($0)-items.jsonl") != nil && SharedData.path("\($0)-llm-votes.jsonl") != nil }

    /// A project over `set` with one classify task whose labels are the gold labels, items and votes imported.
    static func project(_ set: String, in tmp: TempDir, panel: [String]? = nil) async throws -> Project {
        let items = SharedData.path("\(set)-items.jsonl")!
        var labels: [String] = []
        for line in try String(contentsOfFile: items, encoding: .utf8).split(separator: "\n") {
            if let g = try JSONValue.parse(String(line)).object?["gold"]?.string, !labels.contains(g) { labels.append(g) }
        }
        let root = tmp.url.appendingPathComponent(set)
        _ = try Project.create(at: root, template: .classify, example: true)
        let quoted = labels.map { "'" + $0.replacingOccurrences(of: "'", with: "’") + "'" }.joined(separator: ", ")
        var toml = "[project]\nname = \"p\"\n[router]\n"
        if let panel { toml += "annotators = [" + panel.map { "\"\($0)\"" }.joined(separator: ", ") + "]\n" }
        toml += "[[tasks]]\nname = \"t\"\nkind = \"classify\"\nlabels = [\(quoted)]\n"
        try toml.write(to: root.appendingPathComponent("duet.toml"), atomically: true, encoding: .utf8)
        let project = try await Project.open(at: root)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [items]), into: project.store)
        _ = try await VotesImportWorkflow.run(path: SharedData.path("\(set)-llm-votes.jsonl")!, task: project.task("t"), dataset: nil, store: project.store)
        return project
    }

    @Test(.enabled(if: present, "../shared/data panel sets are absent"))
    func defaultIsNeverBelowEntropyAndGainsOnAverage() async throws {
        let tmp = try TempDir()
        let budgets = [0.1, 0.2, 0.3, 0.4, 0.5]
        var gains: [Double] = []
        for set in Self.sets {
            let project = try await Self.project(set, in: tmp)
            let report = try await PlanWorkflow.run(PlanRequest(task: "t", budgets: budgets), project: project)
            func accuracy(_ s: String, _ b: Double) throws -> Double { try #require(report.rows.first { $0.strategy == s && $0.budget == b }).accuracy }
            for b in budgets {
                let (d, e) = (try accuracy("default", b), try accuracy("entropy", b))
                #expect(d >= e, "\(set) at \(b): default \(d) < entropy \(e)")
            }
            gains += [try accuracy("default", 0.2) - accuracy("entropy", 0.2), try accuracy("default", 0.3) - accuracy("entropy", 0.3)]
            // Every annotator with votes is in the panel when none is named.
            let members = try project.sqlite.voteAnnotators(task: project.task("t"))
            #expect(report.panel.count == (members.count > 1 ? members.count : 0))
        }
        let mean = gains.reduce(0, +) / Double(gains.count)
        #expect(mean >= 0.02, "mean gain at 20–30%: \(mean)")
    }

    /// Who to trust: members at chance are flagged, the interval holds the accuracy, and a named panel is what is planned.
    @Test(.enabled(if: present, "../shared/data panel sets are absent"))
    func whoToTrust() async throws {
        let tmp = try TempDir()
        let project = try await Self.project("panel-ibc", in: tmp, panel: ["text-davinci-002", "flan-t5-xxl", "text-curie-001"])
        let report = try await PlanWorkflow.run(PlanRequest(task: "t", budgets: [0.2]), project: project)
        #expect(report.panel.map(\.annotator) == ["text-davinci-002", "flan-t5-xxl", "text-curie-001"])
        for m in report.panel { #expect(m.low <= m.accuracy && m.accuracy <= m.high) }
        let flagged = Set(report.panel.filter(\.noBetterThanChance).map(\.annotator))
        #expect(flagged == ["text-curie-001"])
        let text = PlanWorkflow.text(report).advice.joined(separator: "\n")
        #expect(text.contains("who to trust"))
        #expect(text.contains("text-curie-001") && text.contains("no better than chance"))
        // One name on the command line picks one annotator.
        let one = try await PlanWorkflow.run(PlanRequest(task: "t", budgets: [0.2], annotators: ["flan-t5-xxl"]), project: project)
        #expect(one.annotator == "flan-t5-xxl")
        #expect(one.panel.isEmpty)
    }
}

/// `duet agreement` and the Quality screen list the machines against people's labels.
@Suite struct MachinesAgainstPeopleTests {
    @Test func agreementListsEachMachineAgainstPeople() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        let rows = (1...30).map { "{\"id\":\"t\($0)\",\"text\":\"text \($0)\"}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows.joined(separator: "\n"))]), into: project.store)
        let task = try project.task(nil)
        let items = try await project.sqlite.allItems(for: task)
        // People: negative on even items, positive on odd ones. "good" agrees on all, "constant" always says negative.
        var votes: [(item: Int64, vote: MachineVote)] = []
        for (i, item) in items.enumerated() {
            let truth = i % 2 == 0 ? "negative" : "positive"
            _ = try project.sqlite.record(NewAnnotation(itemRowID: item.rowID, task: task.name, annotatorKind: .human, annotator: "ann",
                                                       value: .string(truth)))
            votes.append((item.rowID, MachineVote(annotator: "good", variant: "v", label: truth)))
            votes.append((item.rowID, MachineVote(annotator: "constant", variant: "v", label: "negative")))
        }
        try project.sqlite.saveVotes(votes, task: task.name, at: Date())
        let report = try await AgreementReport.make(task: nil, project: project)
        let byName = Dictionary(uniqueKeysWithValues: report.machines.map { ($0.annotator, $0) })
        #expect(byName["good"]?.accuracy == 1 && byName["good"]?.noBetterThanChance == false)
        #expect(byName["constant"]?.accuracy == 0.5 && byName["constant"]?.noBetterThanChance == true)
        #expect(report.text.contains("constant: 0.500") && report.text.contains("no better than chance"))
    }
}
