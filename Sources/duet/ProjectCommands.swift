import ArgumentParser
import DuetCore
import DuetProject
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a project: duet.toml and duet.sqlite.",
        discussion: """
        duet.toml holds the template's example task commented out; add your own with `duet task add`, or \
        take the example with --example (classify: sentiment, compare: preference, review: review).
        Examples:
          duet init myproject --template classify
          duet init prefs --template compare --name "preference pairs" --example
        """)

    @Argument(help: "Folder for the project (created if missing).")
    var dir: String = "."

    @Option(help: "Start from a template: classify, compare or review.")
    var template: Template = .classify

    @Option(help: "Project name (default: the folder's name).")
    var name: String?

    @Flag(help: "Also add the template's example task (otherwise it is only a comment in duet.toml).")
    var example = false

    func run() throws {
        let url = URL(fileURLWithPath: dir).standardizedFileURL
        let project = try Project.create(at: url, template: template, name: name, example: example)
        Console.out("created \(project.configURL.path) and \(Project.storeFileName) (template \(template.rawValue))")
        if project.config.tasks.isEmpty {
            let t = template.exampleTask
            let labels = t.labels.isEmpty ? [] : ["--labels", "a,b,c"]
            Console.out("next: " + Invocation.line(["task", "add", "NAME", "--kind", t.kind.rawValue] + labels + ["--project", url.path]))
        } else {
            Console.out("task: \(project.config.tasks.map(\.name).joined(separator: ", "))")
        }
        Console.out("then: " + Invocation.line("import", "FILE", "--project", url.path))
    }
}

struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Add and list labeling tasks.", subcommands: [Add.self, List.self], defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a task (written to duet.toml).",
            discussion: "Example: duet task add topic --kind multilabel --labels sports,politics,tech")
        @OptionGroup var projectOptions: ProjectOptions
        @Argument(help: "Task name (letters, digits, - _ .).") var name: String
        @Option(help: "classify | multilabel | rate | review | compare") var kind: TaskKind
        @Option(help: "Comma-separated labels (classify, multilabel).") var labels: String?
        @Option(help: "Only items of this dataset.") var dataset: String?
        @Option(help: "Guidelines shown to annotators.") var guidelines: String?
        @Option(help: "Rating scale for rate/review, as LOW-HIGH (default 1-5).") var scale: String?
        @Option(help: "How many different people label each item (default 1).") var overlap: Int = 1

        func run() async throws {
            let project = try projectOptions.open()
            var range = 1...5
            if let scale {
                let parts = scale.split(separator: "-").compactMap { Int($0) }
                guard parts.count == 2, parts[0] < parts[1] else { throw ValidationError("--scale: expected LOW-HIGH, like 1-5") }
                range = parts[0]...parts[1]
            }
            let labelList = labels?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            let spec = TaskSpec(name: name, kind: kind, labels: labelList, dataset: dataset, guidelines: guidelines, scale: range,
                                overlap: overlap)
            try await project.addTask(spec)
            Console.out("added task \(name) (\(kind.rawValue)) to \(project.configURL.path)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tasks.")
        @OptionGroup var projectOptions: ProjectOptions

        func run() throws {
            let project = try projectOptions.open()
            if project.config.tasks.isEmpty {
                Console.out("no tasks; add one with `duet task add NAME --kind classify --labels a,b,c`")
                return
            }
            for t in project.config.tasks {
                var line = "\(t.name)\t\(t.kind.rawValue)"
                line += "\tdataset=\(t.dataset ?? "*")"
                if !t.labels.isEmpty { line += "\tlabels=\(t.labels.joined(separator: ","))" }
                if t.kind == .rate || t.kind == .review { line += "\tscale=\(t.scale.lowerBound)-\(t.scale.upperBound)" }
                if t.overlap > 1 { line += "\toverlap=\(t.overlap)" }
                Console.out(line)
            }
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Items, datasets and task progress.",
        discussion: "Examples: duet status · duet status --json · duet status --project ~/labels/tweets")
    @OptionGroup var projectOptions: ProjectOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let report = try await StatusReport.make(projectOptions.open(.readOnly))
        if json { Console.json(Data(try report.json().utf8)) } else { Console.out(report.text) }
    }
}
