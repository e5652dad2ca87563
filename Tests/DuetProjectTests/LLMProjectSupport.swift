import DuetCore
import Foundation
import LLMLoopback
import Logging
@testable import DuetProject

/// A classify project (task sentiment: negative, neutral, positive) whose router annotator is
/// `gpt`, an llm at a loopback server, and items `Item N [gold=LABEL] MODE` the pretend LLM answers.
enum LLMProject {
    static let labels = ["negative", "neutral", "positive"]
    /// Requests per item (5 + 2C) and the votes a clean item ends with (the pretend LLM answers
    /// False / No to the 2(C − 1) prompts about other labels: no vote).
    static let k = 11, answered = 7
    static let keyVariable = "DUET_TEST_LLM_KEY"

    static func gold(_ i: Int) -> String { labels[i % labels.count] }

    /// `settings`: more lines for the llm annotator's block (timeout, max_retries, concurrency).
    static func make(_ tmp: TempDir, server: LoopbackServer, modes: [String], settings: [String] = []) async throws -> Project {
        let project = try withLLM(try tmp.project(.classify), server: server, settings: settings)
        let rows = modes.enumerated().map { i, mode in
            JSONValue.object(["id": .string("i\(i)"), "text": .string("Item \(i) [gold=\(gold(i))] \(mode)"),
                              "gold": .string(gold(i))]).canonicalJSON
        }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("items.jsonl", rows.joined(separator: "\n"))]), into: project.store)
        return project
    }

    /// A new project of any template with `gpt` (the loopback server) declared and made the router's annotator.
    static func withLLM(_ created: Project, server: LoopbackServer, settings: [String] = []) throws -> Project {
        let block = ["[[annotators]]", "name = \"local\"", "kind = \"local\"", "", "[[annotators]]", "name = \"gpt\"", "kind = \"llm\"",
                     "base_url = \"\(server.baseURL)\"", "model = \"fake-1\"", "api_key_env = \"\(keyVariable)\"",
                     "prompt_price = 0.15", "completion_price = 0.6"] + settings
        let original = try String(contentsOf: created.configURL, encoding: .utf8)
        let config = original
            .replacingOccurrences(of: "[[annotators]]\nname = \"local\"\nkind = \"local\"\n", with: block.joined(separator: "\n") + "\n")
            .replacingOccurrences(of: "annotator = \"local\" ", with: "annotator = \"gpt\"   ")
        precondition(config != original)
        try config.write(to: created.configURL, atomically: true, encoding: .utf8)
        return try Project.open(at: created.root)
    }

    /// Runs the annotator as `duet route` does, then routes.
    static func route(_ project: Project, key: String = "sk-test", logger: Logger = Logger(label: "duet.llm")) async throws
        -> (run: MachineRunWorkflow.Report, route: RouteReport) {
        let run = try await MachineRunWorkflow.run(annotator: "gpt", task: project.task(nil), project: project,
                                                   environment: [keyVariable: key], logger: logger)
        return (run, try await RouteWorkflow.run(RouteRequest(), project: project))
    }

    /// The item's place in `modes` (its id is "i<place>").
    static func index(_ item: StoredItem) -> Int {
        Int(item.item.uid.dropFirst())!
    }

    /// What the pretend LLM bills for one request: prompt characters / 4 and 7 completion tokens.
    static func billed(_ requests: [ReceivedRequest]) -> (prompt: Int, completion: Int) {
        (requests.reduce(0) { $0 + $1.userText.count / 4 }, 7 * requests.count)
    }
}
