import DuetCore
import Foundation
import Testing
@testable import DuetProject

/// A repeated id with other content is never dropped silently: an error
/// naming both places (nothing imported), or skipped and counted with
/// `--on-change skip`. Unchanged repeats stay idempotent.
@Suite struct ImportChangedRowTests {
    let first = """
    {"id": "a", "text": "good", "gold": "positive"}
    {"id": "b", "text": "bad"}

    """

    @Test func changedRepeatInOneFileNamesBothLines() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("a.jsonl", first + "{\"id\": \"c\", \"text\": \"x\"}\n{\"id\": \"a\", \"text\": \"good!\", \"gold\": \"positive\"}\n")
        let e = await #expect(throws: ImportError.self) { try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store) }
        #expect(e?.file == path)
        #expect(e?.line == 4)
        #expect(e?.message == """
            id "a" was read before at \(path):1 with different content \
            (rows repeated unchanged are fine; --on-change skip would keep the first and skip this one)
            """)
        #expect(try project.sqlite.itemCount() == 0)
    }

    @Test func changedRepeatAcrossFilesOfOneInvocation() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let a = try tmp.file("a.jsonl", first)
        let b = try tmp.file("b.jsonl", "{\"id\": \"z\", \"text\": \"new\"}\n{\"id\": \"b\", \"text\": \"worse\"}\n")
        let e = await #expect(throws: ImportError.self) {
            try await ImportWorkflow.run(ImportRequest(paths: [a, b], dataset: "one"), into: project.store)
        }
        #expect(e?.description.hasPrefix("\(b):2: id \"b\" was read before at \(a):2 with different content") == true)
        #expect(try project.sqlite.itemCount() == 0)
    }

    @Test func changedRowAgainstTheStoreChangesNothing() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let a = try tmp.file("a.jsonl", first)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [a], dataset: "d"), into: project.store)
        let before = try project.sqlite.datasetSummaries()
        // Another gold label is other content too.
        let b = try tmp.file("b.jsonl", "{\"id\": \"new\", \"text\": \"n\"}\n{\"id\": \"a\", \"text\": \"good\", \"gold\": \"negative\"}\n")
        let e = await #expect(throws: ImportError.self) { try await ImportWorkflow.run(ImportRequest(paths: [b], dataset: "d"), into: project.store) }
        #expect(e?.description == """
            \(b):2: id "a" is already in the store from \(a):1 with different content \
            (rows repeated unchanged are fine; --on-change skip would keep the stored item and skip this row)
            """)
        #expect(try project.sqlite.datasetSummaries() == before)
        #expect(try project.sqlite.item(dataset: "d", uid: "new") == nil)
        #expect(try project.sqlite.item(dataset: "d", uid: "a")?.item.gold == "positive")
    }

    @Test func unchangedReimportChangesNothingAndSaysSo() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let a = try tmp.file("a.jsonl", first + first)
        let report = try await ImportWorkflow.run(ImportRequest(paths: [a]), into: project.store)
        #expect(report.counts == ImportCounts(rows: 4, added: 2, duplicates: 2, sourceAnnotations: 0))
        let again = try await ImportWorkflow.run(ImportRequest(paths: [a]), into: project.store)
        #expect(again.counts == ImportCounts(rows: 4, added: 0, duplicates: 4, sourceAnnotations: 0))
        #expect(again.summary == "4 rows read from 1 file; added 0 items, 4 already present unchanged; nothing changed")
    }

    @Test func onChangeSkipKeepsTheStoredItemAndReportsTheFirst() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let a = try tmp.file("a.jsonl", first)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [a], dataset: "d"), into: project.store)
        let b = try tmp.file("b.jsonl", """
            {"id": "a", "text": "changed"}
            {"id": "new", "text": "n"}
            {"id": "b", "text": "changed too"}
            {"id": "b", "text": "bad"}

            """)
        let report = try await ImportWorkflow.run(ImportRequest(paths: [b], dataset: "d", onChange: .skip), into: project.store)
        #expect(report.counts == ImportCounts(rows: 4, added: 1, duplicates: 1, sourceAnnotations: 0, changedSkipped: 2,
                                              firstChangedSkipped: "\(b):1 (id \"a\", kept from \(a):1)"))
        #expect(report.summary.hasSuffix("; skipped 2 changed rows (first: \(b):1 (id \"a\", kept from \(a):1))"))
        #expect(try project.sqlite.item(dataset: "d", uid: "a")?.item.fields.text == "good")
        #expect(try project.sqlite.item(dataset: "d", uid: "b")?.item.fields.text == "bad")
        #expect(try project.sqlite.item(dataset: "d", uid: "new") != nil)
    }

    @Test func numberStringAndFloatIdsAreOneIdButLeadingZerosAreNot() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("ids.jsonl", """
            {"id": 1, "text": "t"}
            {"id": "1", "text": "t"}
            {"id": 1.0, "text": "t"}
            {"id": 1e0, "text": "t"}
            {"id": "01", "text": "t"}
            {"id": -0, "text": "z"}

            """)
        let report = try await ImportWorkflow.run(ImportRequest(paths: [path], dataset: "d"), into: project.store)
        #expect(report.counts.added == 3)
        #expect(report.counts.duplicates == 3)
        #expect(try project.sqlite.item(dataset: "d", uid: "1") != nil)
        #expect(try project.sqlite.item(dataset: "d", uid: "01") != nil)
        #expect(try project.sqlite.item(dataset: "d", uid: "0") != nil)
        // A CSV cell is a string: "1" is the JSONL 1.
        let csv = try tmp.file("ids.csv", "id,text\n1,t\n")
        #expect(try await ImportWorkflow.run(ImportRequest(paths: [csv], dataset: "d"), into: project.store).counts.duplicates == 1)
        let changed = try tmp.file("changed.csv", "id,text\n1.0,t\n1,other\n")
        let e = await #expect(throws: ImportError.self) { try await ImportWorkflow.run(ImportRequest(paths: [changed], dataset: "d"), into: project.store) }
        #expect(e?.line == 3)
    }

    @Test(arguments: [
        ("{\"id\": 1.5, \"text\": \"t\"}", "field 'id': the id 1.5 is not a whole number; write such ids as strings"),
        ("{\"id\": 9007199254740993, \"text\": \"t\"}",
         "field 'id': the id 9007199254740992 is too large to be exact as a number (2^53 or more); write it as a string"),
        ("{\"id\": true, \"text\": \"t\"}", "field 'id': expected a string or a whole number, got boolean"),
    ])
    func idsThatCannotBeExactAreErrors(row: String, message: String) async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("ids.jsonl", row + "\n")
        let e = await #expect(throws: ImportError.self) { try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store) }
        #expect(e?.message == message)
    }
}
