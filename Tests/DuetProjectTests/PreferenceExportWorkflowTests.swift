import DuetCore
import DuetStoreAPI
import Foundation
import Testing
@testable import DuetProject

/// A DPO file imported into a compare project, judged by people (sometimes
/// against the file's own `chosen`), exported again.
@Suite struct PreferenceExportWorkflowTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func lines(_ path: String) throws -> [JSONValue] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    /// q1–q5 with chosen "Ck" / rejected "Rk". ana prefers the file's rejected
    /// response on q1 (shown BA) and q3 (shown AB, much better), its chosen on
    /// q2 (shown BA), calls q4 a tie and leaves q5; bo prefers q1's chosen.
    func judgedProject(_ tmp: TempDir) async throws -> Project {
        let project = try tmp.project(.compare)  // task "preference"
        let rows = (1...5).map { k in
            #"{"id": "q\#(k)", "prompt": "Question \#(k)?", "chosen": "C\#(k)", "rejected": "R\#(k)"}"#
        }
        let path = try tmp.file("pairs.jsonl", rows.joined(separator: "\n") + "\n")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        func row(_ uid: String) throws -> Int64 { try #require(try project.sqlite.item(dataset: "pairs", uid: uid)).rowID }
        func judge(_ uid: String, _ j: PairJudgment, _ display: DisplayOrder, by who: String = "ana", at t: Double) throws {
            try project.sqlite.record(NewAnnotation(itemRowID: row(uid), task: "preference", annotatorKind: .human, annotator: who,
                                                   value: j.json, createdAt: Self.t0.addingTimeInterval(t), seconds: 2, display: display))
        }
        try judge("q1", PairJudgment(choice: .response(1), rationale: "R1 answers it"), .ba, at: 1)
        try judge("q2", PairJudgment(choice: .response(0)), .ba, at: 2)
        try judge("q3", PairJudgment(choice: .response(1), strength: 2), .ab, at: 3)
        try judge("q4", PairJudgment(choice: .tie), .ab, at: 4)
        try judge("q1", PairJudgment(choice: .response(0)), .ab, by: "bo", at: 5)
        return project
    }

    @Test func dpoAndDPOMessagesRoundTrip() async throws {
        let tmp = try TempDir()
        let project = try await judgedProject(tmp)
        // Stored order is the file's order: response 0 = chosen, 1 = rejected.
        let q1 = try #require(try project.sqlite.item(dataset: "pairs", uid: "q1"))
        #expect(q1.item.fields.responses?.map { $0.map(\.content) } == [["C1"], ["R1"]])

        let dpo = tmp.url.appendingPathComponent("dpo.jsonl").path
        // `final`: bo's later decision on q1 (the file's chosen) is the final one.
        let report = try await ExportWorkflow.run(ExportRequest(task: "preference", format: .dpo, scope: .final, output: dpo), project: project)
        #expect(report.written == 3)
        #expect(report.skipped == [.tie: 1, .undecided: 1])
        #expect(report.summary == "exported 3 rows; left out: 1 no decision, 1 tie; provenance in \(dpo).provenance.jsonl")
        let rows = try lines(dpo)
        #expect(rows == [
            ["prompt": "Question 1?", "chosen": "C1", "rejected": "R1"],
            ["prompt": "Question 2?", "chosen": "C2", "rejected": "R2"],
            ["prompt": "Question 3?", "chosen": "R3", "rejected": "C3"],
        ])
        let prov = try lines(dpo + ".provenance.jsonl")
        #expect(prov.map { $0["id"] } == ["q1", "q2", "q3"])
        #expect(prov.map { $0["annotator"] } == ["bo", "ana", "ana"])
        #expect(prov.map { $0["display"] } == ["AB", "BA", "AB"])
        #expect(prov.map { $0["chosen_index"] } == [0, 0, 1])
        #expect(prov.map { $0["strength"] } == [1, 1, 2])

        // `human` scope with every person: `all` gives one row per annotator.
        let msgs = tmp.url.appendingPathComponent("msgs.jsonl").path
        let all = try await ExportWorkflow.run(ExportRequest(task: "preference", format: .dpoMessages, scope: .all, output: msgs), project: project)
        #expect(all.written == 4)
        #expect(all.skipped == [.tie: 1, .undecided: 1])
        func m(_ role: String, _ s: String) -> JSONValue { ["role": .string(role), "content": .string(s)] }
        #expect(try lines(msgs) == [
            ["prompt": [m("user", "Question 1?")], "chosen": [m("assistant", "R1")], "rejected": [m("assistant", "C1")]],
            ["prompt": [m("user", "Question 1?")], "chosen": [m("assistant", "C1")], "rejected": [m("assistant", "R1")]],
            ["prompt": [m("user", "Question 2?")], "chosen": [m("assistant", "C2")], "rejected": [m("assistant", "R2")]],
            ["prompt": [m("user", "Question 3?")], "chosen": [m("assistant", "R3")], "rejected": [m("assistant", "C3")]],
        ])
        let allProv = try lines(msgs + ".provenance.jsonl")
        #expect(allProv.map { $0["annotator"] } == ["ana", "bo", "ana", "ana"])
        #expect(allProv.first?["rationale"] == "R1 answers it")
    }

    @Test func ktoWithFalseRows() async throws {
        let tmp = try TempDir()
        let project = try await judgedProject(tmp)
        let out = tmp.url.appendingPathComponent("kto.jsonl").path
        let excluded = try await ExportWorkflow.run(ExportRequest(task: "preference", format: .kto, output: out), project: project)
        #expect(excluded.written == 6)
        #expect(excluded.summary.contains("left out: 1 no decision, 1 tie (--kto-ties false-rows writes"))
        let request = ExportRequest(task: "preference", format: .kto, output: out, options: ExportOptions(ktoTies: .falseRows))
        let report = try await ExportWorkflow.run(request, project: project)
        #expect(report.written == 8)
        #expect(report.falseRows == [.tie: 1])
        #expect(report.skipped == [.undecided: 1])
        #expect(report.summary.contains("written as two label:false rows each: 1 tie"))
        let rows = try lines(out)
        #expect(rows.map { $0["label"] } == [true, false, true, false, true, false, false, false])
        #expect(rows.map { $0["completion"]?.array?.first?["content"] } == ["C1", "R1", "C2", "R2", "R3", "C3", "C4", "R4"])
        #expect(try lines(out + ".provenance.jsonl").count == 8)
    }

    @Test func formatsMustFitTheTask() async throws {
        let tmp = try TempDir()
        let compare = try await judgedProject(tmp)
        let out = tmp.url.appendingPathComponent("x.jsonl").path
        await #expect(throws: DuetError.self) {
            try await ExportWorkflow.run(ExportRequest(task: "preference", format: .alpaca, output: out), project: compare)
        }
        await #expect(throws: DuetError.self) {
            try await ExportWorkflow.run(ExportRequest(task: "preference", format: .dpo, output: out, options: ExportOptions(ktoTies: .falseRows)),
                                   project: compare)
        }
        let classify = try Project.create(at: tmp.url.appendingPathComponent("c"), template: .classify, example: true)
        do {
            _ = try await ExportWorkflow.run(ExportRequest(task: "sentiment", format: .dpo, output: out), project: classify)
            Issue.record("dpo export of a classify task did not fail")
        } catch {
            #expect("\(error)" == "format dpo needs a compare task (task 'sentiment' is classify)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        // Duet's own jsonl still exports pairs, with the judgment as the label.
        let jsonl = tmp.url.appendingPathComponent("own.jsonl").path
        let report = try await ExportWorkflow.run(ExportRequest(task: "preference", format: .jsonl, output: jsonl), project: compare)
        #expect(report.written == 4)
        #expect(try lines(jsonl).first?["label"] == ["choice": 0, "strength": 1])
    }

    @Test func statusCarriesPairFigures() async throws {
        let tmp = try TempDir()
        let project = try await judgedProject(tmp)
        let json = try await JSONValue.parse(StatusReport.make(project).json())
        let task = try #require(json["tasks"]?.array?.first)
        #expect(task["kind"] == "compare")
        #expect(task["human"] == 4)
        let pairs = try #require(task["pairs"])
        // ana: q1 R shown left (BA, 1), q2 C shown right (BA, 0), q3 R shown right (AB, 1), q4 tie.
        // The source (the file's chosen = 0) agrees with q2 only.
        #expect(pairs["annotators"]?.array?.first == [
            "name": "ana", "decisions": 4, "left_share": 0.333, "tie_rate": 0.25, "both_bad_rate": 0,
            "strength": ["1": 2, "2": 1], "source_agreement": 0.333,
        ])
        #expect(pairs["annotators"]?.array?.map { $0["name"] } == ["ana", "bo"])
        #expect(pairs["overall"] == [
            "decisions": 5, "left_share": 0.5, "tie_rate": 0.2, "both_bad_rate": 0,
            "strength": ["1": 3, "2": 1], "source_agreement": 0.5,
        ])
        let text = try await StatusReport.make(project).text
        #expect(text.contains("preference pairs: 5 decisions, preferred shown left 50%, tie 20%, both bad 0%, agrees with source 50%"))

        // Other tasks have no pairs block; a compare task without decisions has nulls.
        let other = try Project.create(at: tmp.url.appendingPathComponent("o"), template: .compare, example: true)
        try await other.addTask(TaskSpec(name: "sentiment", kind: .classify, labels: ["a", "b"]))
        let tasks = try await #require(try JSONValue.parse(StatusReport.make(other).json())["tasks"]?.array)
        #expect(tasks.map { $0["pairs"] == nil } == [false, true])
        #expect(tasks[0]["pairs"]?["overall"]?["left_share"] == .null)
        #expect(tasks[0]["pairs"]?["annotators"] == [])
    }

    @Test func pairStatsFromTheStore() async throws {
        let tmp = try TempDir()
        let project = try await judgedProject(tmp)
        let stats = try await PairStats.compute(store: project.store, task: try project.task("preference"))
        #expect(stats.annotators.map(\.name) == ["ana", "bo"])
        #expect(stats.annotators[1].figures.sourceAgreement == 1)
        #expect(stats.overall.sourceAgreement == 0.5)
    }
}
