import DuetCore
import Foundation
import Testing
@testable import DuetProject

@Suite struct ProjectTests {
    @Test func initWritesCommentedConfigAndWALStore() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.compare)
        let text = try String(contentsOf: project.configURL, encoding: .utf8)
        #expect(text.contains("# Duet project settings"))
        #expect(text.contains("api_key_env"))
        #expect(project.config.tasks.map(\.name) == ["preference"])
        #expect(project.config.tasks[0].kind == .compare)
        let sqlite = project.root.appendingPathComponent(Project.storeFileName).path
        #expect(FileManager.default.fileExists(atPath: sqlite))
        // A second init in the same folder is refused.
        #expect(throws: DuetError.self) { try Project.create(at: project.root, template: .classify, example: true) }
    }

    /// A template adds no task nobody asked for: its example is a comment to copy, a real task only with
    /// `example` (`duet init --example`); uncommented, the comment is exactly that task.
    @Test(arguments: Template.allCases) func everyTemplateParsesAndAddsATaskOnlyWhenAsked(_ template: Template) async throws {
        let plain = try ConfigFile.parse(template.render(projectName: "x \"quoted\""), file: "duet.toml")
        #expect(plain.name == "x \"quoted\"")
        #expect(plain.tasks.isEmpty)
        #expect(plain.annotators.map(\.name) == ["local"])
        #expect(plain.router.budget == 0.3)
        let text = template.render(projectName: "x")
        #expect(text.contains("# name = \"\(template.exampleTask.name)\""))
        #expect(text.contains("`duet task add NAME --kind \(template.exampleTask.kind.rawValue)"))
        let withExample = try ConfigFile.parse(template.render(projectName: "x", example: true), file: "duet.toml")
        #expect(withExample.tasks == [template.exampleTask])
        // The commented example, uncommented, is the example task.
        let marker = try #require(text.range(of: "or uncomment this example:\n"))
        let example = text[marker.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0 == "#" ? "" : $0.hasPrefix("# ") ? String($0.dropFirst(2)) : String($0) }.joined(separator: "\n")
        let tasks = try ConfigFile.parse(String(text[..<marker.upperBound]) + example, file: "duet.toml").tasks
        #expect(tasks == [template.exampleTask])
    }

    @Test func initAddsNoTaskUnlessAsked() async throws {
        let tmp = try TempDir()
        let plain = try Project.create(at: tmp.url.appendingPathComponent("plain"), template: .classify)
        #expect(plain.config.tasks.isEmpty)
        try await plain.addTask(TaskSpec(name: "topic", kind: .classify, labels: ["a", "b"]))
        #expect(try await Project.open(at: plain.root).config.tasks.map(\.name) == ["topic"])
        let example = try Project.create(at: tmp.url.appendingPathComponent("ex"), template: .classify, example: true)
        #expect(example.config.tasks.map(\.name) == ["sentiment"])
    }

    @Test func locateOrder() async throws {
        let tmp = try TempDir()
        let a = try Project.create(at: tmp.url.appendingPathComponent("a"), template: .classify, example: true).root
        let b = try Project.create(at: tmp.url.appendingPathComponent("b"), template: .classify, example: true).root
        let deep = a.appendingPathComponent("x/y")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        // Nearest ancestor.
        #expect(try Project.locate(explicit: nil, environment: [:], cwd: deep).path == a.standardizedFileURL.path)
        // DUET_PROJECT beats the ancestor search; --project beats DUET_PROJECT.
        #expect(try Project.locate(explicit: nil, environment: ["DUET_PROJECT": b.path], cwd: deep).path == b.standardizedFileURL.path)
        #expect(try Project.locate(explicit: a.path, environment: ["DUET_PROJECT": b.path], cwd: deep).path == a.standardizedFileURL.path)
        // Nothing found: the error says how to create one.
        let error = #expect(throws: DuetError.self) { try Project.locate(explicit: nil, environment: [:], cwd: URL(fileURLWithPath: "/")) }
        #expect(error?.description.contains("duet init") == true)
        let bad = #expect(throws: DuetError.self) { try Project.locate(explicit: tmp.url.path, environment: [:], cwd: deep) }
        #expect(bad?.description.contains("--project") == true)
    }

    @Test func taskAddAppendsAndKeepsComments() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        let before = try String(contentsOf: project.configURL, encoding: .utf8)
        try await project.addTask(TaskSpec(name: "topic", kind: .multilabel, labels: ["a", "b c", "ü"], dataset: "tweets",
                                     guidelines: "Pick all that apply.\nNo guessing."))
        let after = try String(contentsOf: project.configURL, encoding: .utf8)
        #expect(after.hasPrefix(before))
        let reopened = try await Project.open(at: project.root)
        let topic = try #require(reopened.config.task(named: "topic"))
        #expect(topic.kind == .multilabel)
        #expect(topic.labels == ["a", "b c", "ü"])
        #expect(topic.dataset == "tweets")
        #expect(topic.guidelines == "Pick all that apply.\nNo guessing.")
        // Duplicates and label-less classify tasks are refused, and the file stays as it was.
        await #expect(throws: DuetError.self) { try await reopened.addTask(TaskSpec(name: "topic", kind: .classify, labels: ["x"])) }
        await #expect(throws: DuetError.self) { try await reopened.addTask(TaskSpec(name: "t2", kind: .classify)) }
        #expect(try String(contentsOf: project.configURL, encoding: .utf8) == after)
    }

    @Test func taskSelection() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        #expect(try project.task(nil).name == "sentiment")
        try await project.addTask(TaskSpec(name: "rating", kind: .rate))
        #expect(throws: DuetError.self) { try project.task(nil) }
        #expect(try project.task("rating").scale == 1...5)
        let err = #expect(throws: DuetError.self) { try project.task("nope") }
        #expect(err?.description.contains("sentiment, rating") == true)
    }
}

@Suite struct ConfigErrorTests {
    @Test func syntaxErrorNamesFileAndLine() async throws {
        let text = "[project]\nname = \"x\"\n\n[[tasks]]\nname = \"t\"\nkind = classify\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, file: "/p/duet.toml") }
        #expect(e?.file == "/p/duet.toml:6")
    }

    @Test func wrongTypeNamesTheKey() async throws {
        let text = "[[tasks]]\nname = \"t\"\nkind = \"classify\"\nlabels = \"a,b\"\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, file: "duet.toml") }
        #expect(e?.message.contains("tasks[0].labels") == true)
    }

    @Test func unknownKindAndBadShares() async throws {
        let kind = #expect(throws: ConfigError.self) {
            try ConfigFile.parse("[[tasks]]\nname = \"t\"\nkind = \"sort\"\n", file: "duet.toml")
        }
        #expect(kind?.message.contains("tasks[0].kind") == true)
        let budget = #expect(throws: ConfigError.self) { try ConfigFile.parse("[router]\nbudget = 1.5\n", file: "duet.toml") }
        #expect(budget?.message.contains("router.budget") == true)
    }

    @Test func costTableWithDefaultsAndCheckedValues() async throws {
        let none = try ConfigFile.parse("", file: "duet.toml").cost
        #expect(none == CostSettings(hourlyRate: 0, secondsPerItem: 30, currency: "$"))
        // Whole numbers and decimals alike (TOMLKit reads `20` only as an integer).
        let c = try ConfigFile.parse("[cost]\nhourly_rate = 20\nseconds_per_item = 12.5\ncurrency = \"€\"\n", file: "duet.toml").cost
        #expect(c == CostSettings(hourlyRate: 20, secondsPerItem: 12.5, currency: "€"))
        #expect(try ConfigFile.parse("[router]\nbudget = 1\ntarget_accuracy = 1\n", file: "duet.toml").router.budget == 1)
        let rate = #expect(throws: ConfigError.self) { try ConfigFile.parse("[cost]\nhourly_rate = -5\n", file: "duet.toml") }
        #expect(rate?.message.contains("cost.hourly_rate") == true)
        let seconds = #expect(throws: ConfigError.self) { try ConfigFile.parse("[cost]\nseconds_per_item = 0\n", file: "duet.toml") }
        #expect(seconds?.message.contains("cost.seconds_per_item") == true)
        let text = #expect(throws: ConfigError.self) { try ConfigFile.parse("[cost]\nhourly_rate = \"20\"\n", file: "duet.toml") }
        #expect(text?.message.contains("cost.hourly_rate") == true && text?.message.contains("a number") == true)
        // The sample project's duet.toml parses and prices people's time.
        let sample = try ConfigFile.load(SharedData.repoRoot.appendingPathComponent("sample-data/duet.toml"))
        #expect(sample.cost.hourlyRate == 20)
    }

    @Test func apiKeyMustBeAVariableName() async throws {
        let text = "[[annotators]]\nname = \"g\"\nkind = \"llm\"\nbase_url = \"http://127.0.0.1:1/v1\"\nmodel = \"m\"\napi_key_env = \"sk-abc123-secret\"\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, file: "duet.toml") }
        #expect(e?.message.contains("never the key itself") == true)
        // The error does not echo the secret.
        #expect(e?.description.contains("sk-abc123") == false)
        let ok = try ConfigFile.parse(text.replacingOccurrences(of: "sk-abc123-secret", with: "OPENAI_API_KEY"), file: "duet.toml")
        #expect(ok.annotators[0].apiKeyEnv == "OPENAI_API_KEY")
    }

    @Test func llmTimeoutAndRetriesAreRead() async throws {
        let base = "[[annotators]]\nname = \"g\"\nkind = \"llm\"\nbase_url = \"http://127.0.0.1:1/v1\"\nmodel = \"m\"\n"
        let whole = try ConfigFile.parse(base + "timeout = 90\nmax_retries = 0\n", file: "duet.toml").annotators[0]
        #expect(whole.timeout == 90 && whole.maxRetries == 0)
        #expect(try ConfigFile.parse(base + "timeout = 2.5\n", file: "duet.toml").annotators[0].timeout == 2.5)
        #expect(try ConfigFile.parse(base, file: "duet.toml").annotators[0].timeout == nil)
        let zero = #expect(throws: ConfigError.self) { try ConfigFile.parse(base + "timeout = 0\n", file: "duet.toml") }
        #expect(zero?.message.contains("annotators[0].timeout") == true)
        let negative = #expect(throws: ConfigError.self) { try ConfigFile.parse(base + "max_retries = -1\n", file: "duet.toml") }
        #expect(negative?.message.contains("annotators[0].max_retries") == true)
    }

    @Test func sampleConfigParses() async throws {
        let url = SharedData.repoRoot.appendingPathComponent("sample-data/duet.toml")
        let config = try ConfigFile.load(url)
        #expect(config.tasks.map(\.name) == ["sentiment", "preference", "review"])
        #expect(config.tasks.map(\.kind) == [.classify, .compare, .review])
        #expect(config.tasks[0].labels == ["negative", "neutral", "positive"])
    }
}
