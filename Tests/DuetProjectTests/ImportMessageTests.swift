import DuetCore
import Foundation
import Testing
@testable import DuetProject

/// Messages that used to mislead: a --text-field that is not there, a CSV
/// with a header and no rows, votes import on a task over one dataset.
@Suite struct ImportMessageTests {
    @Test func absentTextFieldListsTheRowsFields() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("r.jsonl", "{\"id\": \"1\", \"text\": \"x\", \"gold\": \"a\"}\n")
        let e = await #expect(throws: ImportError.self) {
            try await ImportWorkflow.run(ImportRequest(paths: [path], textField: "body"), into: project.store)
        }
        #expect(e?.description == "\(path):1: missing field 'body' (the row has 'gold', 'id', 'text')")
        let csv = try tmp.file("r.csv", "id,review\n1,fine\n")
        let c = await #expect(throws: ImportError.self) {
            try await ImportWorkflow.run(ImportRequest(paths: [csv], textField: "body"), into: project.store)
        }
        #expect(c?.message == "missing field 'body' (the row has 'id', 'review')")
    }

    @Test func headerOnlyCSVSaysSo() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("h.csv", "id,text,gold\n")
        let e = await #expect(throws: ImportError.self) { try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store) }
        #expect(e?.description == "\(path): no records: the file has a header (id, text, gold) and no rows")
    }

    @Test func votesForATaskOverEveryDatasetUseTheOnlyDataset() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        #expect(try project.task(nil).dataset == nil)
        let vote = "{\"item\":\"t1\",\"annotator\":\"llm:x\",\"variant\":\"p0\",\"label\":\"positive\",\"confidence\":0.9}\n"
        let votes = try tmp.file("votes.jsonl", vote)
        let none = await #expect(throws: DuetError.self) {
            try await VotesImportWorkflow.run(path: votes, task: try project.task(nil), dataset: nil, store: project.store)
        }
        #expect(none?.description == "no items imported yet: import the items the votes are on first (`duet import`)")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", "{\"id\":\"t1\",\"text\":\"x\"}\n")]), into: project.store)
        let r = try await VotesImportWorkflow.run(path: votes, task: try project.task(nil), dataset: nil, store: project.store)
        #expect(r.votes == 1 && r.items == 1)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("u.jsonl", "{\"id\":\"t1\",\"text\":\"y\"}\n")]), into: project.store)
        let two = await #expect(throws: DuetError.self) {
            try await VotesImportWorkflow.run(path: votes, task: try project.task(nil), dataset: nil, store: project.store)
        }
        #expect(two?.description == "task '\(try project.task(nil).name)' covers every dataset and the store holds 2 (t, u): "
            + "say which one the votes' item ids belong to with --dataset")
    }
}
