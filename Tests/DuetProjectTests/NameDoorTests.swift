import DuetCore
import DuetLaunch
import Foundation
import Testing
@testable import DuetProject

/// Names that become identifiers are checked where they come in, by
/// `Names.check`: import (file name or --dataset), task add, duet.toml,
/// votes import (annotators), --as.
@Suite struct NameDoorTests {
    static let hostile = ["a\u{1B}[31mb", "a\u{9B}31mb", "evil\u{202E}gnp", "zero\u{200B}width", "\u{FEFF}bom", "del\u{7F}", "tab\there"]

    /// (A leading U+FEFF is dropped from file names by Foundation's URL: no case here.)
    @Test(arguments: hostile.filter { !$0.hasPrefix("\u{FEFF}") })
    func importRefusesAFileNameThatMakesABadDatasetName(name: String) async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file(name + ".jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n")
        let e = await #expect(throws: DuetError.self) { try await ImportWorkflow.run(ImportRequest(paths: [path]), into: project.store) }
        let text = e?.description ?? ""
        #expect(text.hasSuffix("; name the dataset with --dataset NAME"))
        #expect(text.contains("the file name gives the dataset name \"\(Names.shown(name))\""))
        #expect(!text.unicodeScalars.contains(where: Names.isForbidden))
        #expect(try project.sqlite.itemCount() == 0)
        // --dataset is the way out.
        #expect(try await ImportWorkflow.run(ImportRequest(paths: [path], dataset: "clean"), into: project.store).counts.added == 1)
    }

    @Test func importRefusesABadDatasetOption() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let path = try tmp.file("ok.jsonl", "{\"id\": \"a\", \"text\": \"x\"}\n")
        let e = await #expect(throws: DuetError.self) {
            try await ImportWorkflow.run(ImportRequest(paths: [path], dataset: "x\u{1B}]0;pwned\u{7}"), into: project.store)
        }
        #expect(e?.description == "--dataset: dataset name \"x<U+001B>]0;pwned<U+0007>\" contains a control character (U+001B); "
            + "names may not contain control, bidirectional or invisible characters")
        await #expect(throws: DuetError.self) { try await ImportWorkflow.run(ImportRequest(paths: [path], dataset: ""), into: project.store) }
    }

    @Test func taskAddRefusesBadLabelsAndDatasets() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let label = await #expect(throws: DuetError.self) {
            try await project.addTask(TaskSpec(name: "topic", kind: .classify, labels: ["ok", "bad\u{202E}"]))
        }
        #expect(label?.description == "task 'topic': label \"bad<U+202E>\" contains a bidirectional control (U+202E); "
            + "names may not contain control, bidirectional or invisible characters")
        await #expect(throws: DuetError.self) {
            try await project.addTask(TaskSpec(name: "topic", kind: .classify, labels: ["a", "b"], dataset: "d\u{200B}"))
        }
        #expect(project.config.task(named: "topic") == nil)
    }

    @Test func duetTomlRefusesBadNames() async {
        let label = "[[tasks]]\nname = \"t\"\nkind = \"classify\"\nlabels = [\"a\", \"b\\u001b[2J\"]\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(label, file: "duet.toml") }
        #expect(e?.description.hasPrefix("duet.toml:1: tasks[0]: task 't': label \"b<U+001B>[2J\" contains a control character") == true)
        let annotator = "[[annotators]]\nname = \"x\\u202e\"\nkind = \"local\"\n"
        let a = #expect(throws: ConfigError.self) { try ConfigFile.parse(annotator, file: "duet.toml") }
        #expect(a?.description.hasPrefix("duet.toml:2: annotators[0].name: \"x<U+202E>\" contains a bidirectional control") == true)
        #expect(throws: ConfigError.self) { try ConfigFile.parse("[project]\nname = \"p\\u0085\"\n", file: "duet.toml") }
    }

    @Test func votesImportRefusesBadAnnotatorNames() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", "{\"id\":\"t1\",\"text\":\"x\"}\n")]), into: project.store)
        let votes = """
            {"item":"t1","annotator":"llm:x","variant":"p0","label":"positive","confidence":0.9}
            {"item":"t1","annotator":"llm:\\u009b31m","variant":"p0","label":"positive","confidence":0.9}

            """
        let file = try tmp.file("votes.jsonl", votes)
        let e = await #expect(throws: ImportError.self) {
            try await VotesImportWorkflow.run(path: file, task: try project.task(nil), dataset: "t", store: project.store)
        }
        #expect(e?.line == 2)
        #expect(e?.message.hasPrefix("annotator name \"llm:<U+009B>31m\" contains a control character (U+009B)") == true)
    }

    @Test(arguments: hostile)
    func asRefusesBadNames(name: String) async {
        let e = #expect(throws: DuetError.self) { try AppLauncher.annotatorName(name, environment: [:]) }
        #expect(e.map { !$0.description.unicodeScalars.contains(where: Names.isForbidden) } == true)
        #expect(e?.description.hasSuffix("(--as NAME)") == true)
    }
}
