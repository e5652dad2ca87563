import DuetCore
import DuetLaunch
import Foundation
import Testing
@testable import DuetProject

@Suite struct ExportWorkflowTests {
    func lines(_ path: String) throws -> [JSONValue] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    @Test func adjudicationIsTheFinalDecisionAndIsListed() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("t.jsonl", "{\"id\":\"1\",\"text\":\"a\"}\n{\"id\":\"2\",\"text\":\"b\"}\n")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        let one = try #require(try project.sqlite.item(dataset: "t", uid: "1")).rowID
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        for (i, (who, label)) in [("ana", "positive"), ("bob", "negative")].enumerated() {
            try project.sqlite.record(NewAnnotation(itemRowID: one, task: "sentiment", annotatorKind: .human, annotator: who,
                                                   value: .string(label), createdAt: t0.addingTimeInterval(Double(i))))
        }
        #expect(try await AdjudicationList.make(task: nil, peopleOnly: false, project: project)
            == "1: ana=positive, bob=negative\n1 disputed item, 1 not settled; `duet adjudicate --task sentiment` settles them")
        // Bob labeled last, so without adjudication his label is final; the adjudication overrides it.
        try project.sqlite.record(NewAnnotation(itemRowID: one, task: "sentiment", annotatorKind: .human, annotator: "adjudicator:cleo",
                                               value: "positive", createdAt: t0.addingTimeInterval(9)))
        let out = tmp.url.appendingPathComponent("final.jsonl").path
        _ = try await ExportWorkflow.run(ExportRequest(task: "sentiment", format: .jsonl, scope: .final, output: out), project: project)
        let rows = try lines(out)
        #expect(rows.map { $0["label"] } == ["positive"])
        #expect(rows[0]["annotation"]?["annotator"] == "adjudicator:cleo")
        #expect(try await AdjudicationList.make(task: nil, peopleOnly: false, project: project).hasSuffix("1 disputed item, all settled"))
        // Agreement leaves the adjudicator out.
        #expect(try await AgreementReport.make(task: nil, project: project).annotators.keys.sorted() == ["ana", "bob"])
    }

    @Test func finalHumanAllScopes() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()  // task "sentiment": negative/neutral/positive, all datasets
        let path = try tmp.file("t.jsonl", "{\"id\":\"1\",\"text\":\"a\"}\n{\"id\":\"2\",\"text\":\"b\"}\n{\"id\":\"3\",\"text\":\"c\"}\n")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        let one = try #require(try project.sqlite.item(dataset: "t", uid: "1")).rowID
        let two = try #require(try project.sqlite.item(dataset: "t", uid: "2")).rowID
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        try project.sqlite.record(NewAnnotation(itemRowID: one, task: "sentiment", annotatorKind: .machine, annotator: "local:ensemble",
                                               value: "neutral", confidence: 0.6, entropy: 0.9, createdAt: t0))
        try project.sqlite.record(NewAnnotation(itemRowID: one, task: "sentiment", annotatorKind: .human, annotator: "ana",
                                               value: "positive", createdAt: t0.addingTimeInterval(5), seconds: 3.2))
        try project.sqlite.record(NewAnnotation(itemRowID: two, task: "sentiment", annotatorKind: .machine, annotator: "local:ensemble",
                                               value: "negative", createdAt: t0.addingTimeInterval(6)))

        let finalPath = tmp.url.appendingPathComponent("final.jsonl").path
        let report = try await ExportWorkflow.run(ExportRequest(task: "sentiment", format: .jsonl, scope: .final, output: finalPath), project: project)
        #expect(report.written == 2)
        #expect(report.skipped[.undecided] == 1)
        let final = try lines(finalPath)
        #expect(final.map { $0["label"] } == ["positive", "negative"])
        #expect(final[0]["annotation"]?["annotator"] == "ana")
        #expect(final[0]["annotation"]?["seconds"] == 3.2)
        #expect(final[1]["annotation"]?["annotator_kind"] == "machine")

        let humanPath = tmp.url.appendingPathComponent("human.jsonl").path
        let human = try await ExportWorkflow.run(ExportRequest(task: "sentiment", format: .jsonl, scope: .human, output: humanPath), project: project)
        #expect(human.written == 1)
        #expect(try lines(humanPath).first?["id"] == "1")

        let allPath = tmp.url.appendingPathComponent("all.jsonl").path
        let all = try await ExportWorkflow.run(ExportRequest(task: "sentiment", format: .jsonl, scope: .all, output: allPath), project: project)
        #expect(all.written == 3)
        #expect(try lines(allPath)[0]["annotations"]?.array?.count == 2)
        // No temporary files are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp.url.path).filter { $0.contains("duet-tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func undoneDecisionIsNotExported() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("t.jsonl", "{\"id\":\"1\",\"text\":\"a\"}\n")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        let row = try #require(try project.sqlite.item(dataset: "t", uid: "1")).rowID
        try project.sqlite.record(NewAnnotation(itemRowID: row, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "positive"))
        #expect(try project.sqlite.undoLast(task: "sentiment", annotator: "ana", at: Date()) == row)
        let out = tmp.url.appendingPathComponent("o.jsonl").path
        let report = try await ExportWorkflow.run(ExportRequest(task: "sentiment", format: .jsonl, scope: .final, output: out), project: project)
        #expect(report.written == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).isEmpty)
    }

    @Test func reviewExportAppliesVerdictsAndEdits() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.review)
        let path = try tmp.file("demos.jsonl", """
            {"id": "d1", "instruction": "Add", "input": "2+2", "output": "5"}
            {"id": "d2", "instruction": "Greet", "input": "", "output": "Hello"}
            {"id": "d3", "instruction": "Insult me", "input": "", "output": "No."}
            """)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        func row(_ uid: String) throws -> Int64 { try #require(try project.sqlite.item(dataset: "demos", uid: uid)).rowID }
        try project.sqlite.record(NewAnnotation(itemRowID: row("d1"), task: "review", annotatorKind: .human, annotator: "ana",
                                               value: ["verdict": "accept", "rating": 3, "edited": "4"]))
        try project.sqlite.record(NewAnnotation(itemRowID: row("d2"), task: "review", annotatorKind: .human, annotator: "ana",
                                               value: ["verdict": "accept", "rating": 5]))
        try project.sqlite.record(NewAnnotation(itemRowID: row("d3"), task: "review", annotatorKind: .human, annotator: "ana",
                                               value: ["verdict": "reject", "rating": 1]))
        let out = tmp.url.appendingPathComponent("sft.jsonl").path
        let report = try await ExportWorkflow.run(ExportRequest(task: "review", format: .alpaca, scope: .final, output: out), project: project)
        #expect(report.written == 2)
        #expect(report.skipped[.rejected] == 1)
        let rows = try lines(out)
        #expect(rows.map { $0["output"] } == ["4", "Hello"])
        #expect(rows[0]["instruction"] == "Add")
        #expect(rows[0]["input"] == "2+2")
        // Provenance goes to the companion file, one line per exported row.
        let prov = try lines(out + ".provenance.jsonl")
        #expect(prov.map { $0["id"] } == ["d1", "d2"])
        #expect(prov[0]["annotator"] == "ana")
    }

    @Test func itemsOnlyExportRoundTrips() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        try await project.addTask(TaskSpec(name: "other", kind: .rate))
        let path = try tmp.file("src.jsonl", "{\"id\":\"x\",\"text\":\"tab\\there\",\"gold\":\"neutral\",\"lang\":\"en\"}\n")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        let out = tmp.url.appendingPathComponent("items.jsonl").path
        // Several tasks and no --task: the items themselves.
        let report = try await ExportWorkflow.run(ExportRequest(task: nil, format: .jsonl, scope: .all, output: out), project: project)
        #expect(report.written == 1)
        let project2 = try Project.create(at: tmp.url.appendingPathComponent("p2"), template: .classify, example: true)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [out], dataset: "src"), into: project2.store)
        let back = try #require(try project2.sqlite.item(dataset: "src", uid: "x"))
        #expect(back.item.fields.text == "tab\there")
        #expect(back.item.gold == "neutral")
        // Duet reads its own export back as it was: metadata stays metadata.
        #expect(back.item.metadata["lang"] == "en")
        #expect(back.item.metadata["meta"] == nil)
    }

    @Test func csvExportWithHeader() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("t.jsonl", "{\"id\":\"1\",\"text\":\"a, \\\"quoted\\\"\"}\n")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        let row = try #require(try project.sqlite.item(dataset: "t", uid: "1")).rowID
        try project.sqlite.record(NewAnnotation(itemRowID: row, task: "sentiment", annotatorKind: .human, annotator: "bo", value: "neutral",
                                               flagged: true, note: "unsure"))
        let out = tmp.url.appendingPathComponent("o.csv").path
        _ = try await ExportWorkflow.run(ExportRequest(task: "sentiment", format: .csv, scope: .final, output: out), project: project)
        let text = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(text[0] == ExportRenderer.csvHeader.joined(separator: ","))
        #expect(text[1].hasPrefix("1,t,\"a, \"\"quoted\"\"\",,neutral,bo,human,,,submitted,1,unsure,,"))
    }
}

@Suite struct StatusTests {
    @Test func jsonShape() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("t.jsonl", "{\"id\":\"1\",\"text\":\"a\"}\n{\"id\":\"2\",\"text\":\"b\"}\n")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        let row = try #require(try project.sqlite.item(dataset: "t", uid: "1")).rowID
        try project.sqlite.record(NewAnnotation(itemRowID: row, task: "sentiment", annotatorKind: .human, annotator: "ana", value: "positive", seconds: 7.2))
        let json = try await JSONValue.parse(StatusReport.make(project).json())
        #expect(json["items"] == 2)
        #expect(json["datasets"]?.array?.first?["name"] == "t")
        #expect(json["datasets"]?.array?.first?["items"] == 2)
        #expect(json["datasets"]?.array?.first?["kinds"]?["text"] == 2)
        let task = try #require(json["tasks"]?.array?.first)
        #expect(task["name"] == "sentiment")
        #expect(task["kind"] == "classify")
        #expect(task["human"] == 1)
        #expect(task["machine"] == 0)
        #expect(task["skipped"] == 0)
        #expect(task["remaining"] == 1)
        #expect(task["items_per_hour"] == 500)  // 1 decision in 7.2 s
        #expect(task["overlap"] == 1 && task["complete"] == 1)
        // With two people per item, one label does not complete the item.
        var twice = try #require(project.config.tasks.first)
        twice.overlap = 2
        try project.sqlite.syncTasks([twice])
        let p = try project.sqlite.taskProgress(twice)
        #expect(p.human == 1 && p.complete == 0)
    }
}

@Suite struct OwnExportRoundTripTests {
    @Test func pairsSurviveExportAndReimport() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.compare)
        let path = try tmp.file("pairs.jsonl", """
            {"id": "p1", "prompt": [{"role": "user", "content": "你好?"}], "chosen": [{"role": "assistant", "content": "你好!"}], "rejected": [{"role": "assistant", "content": "Bye."}]}
            """)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store)
        let out = tmp.url.appendingPathComponent("out.jsonl").path
        _ = try await ExportWorkflow.run(ExportRequest(task: "preference", format: .jsonl, scope: .all, output: out), project: project)
        let project2 = try Project.create(at: tmp.url.appendingPathComponent("p2"), template: .compare, example: true)
        let report = try await ImportWorkflow.run(ImportRequest(paths: [out], dataset: "pairs"), into: project2.store)
        #expect(report.files.first?.format == .duet)
        let original = try #require(try project.sqlite.item(dataset: "pairs", uid: "p1"))
        let back = try #require(try project2.sqlite.item(dataset: "pairs", uid: "p1"))
        #expect(back.item.kind == .pair)
        #expect(back.item.fields == original.item.fields)
    }
}
