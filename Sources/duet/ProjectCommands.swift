import ArgumentParser
import DuetCore
import DuetProject
import Foundation

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a project: duet.toml and duet.sqlite.",
        discussion: """
        duet.toml holds the template's example task commented out; add your own with `duet task add`, or \
        take the example with --example (classify: sentiment, compare: preference, review: review).
        Examples:
          duet init myproject --template classify
          duet init prefs --template compare --name "preference pairs" --example
          duet init team --store postgres://ana@db.example:5432/labels --password-env DUET_PG_PASSWORD
        With --store the project's store is that PostgreSQL database: created there when the database is \
        empty, joined when it holds a Duet project already (a teammate runs the same command; nothing is wiped).
        """)

    @Argument(help: "Folder for the project (created if missing).")
    var dir: String = "."

    @Option(help: "Start from a template: classify, compare or review.")
    var template: Template = .classify

    @Option(help: "Project name (default: the folder's name).")
    var name: String?

    @Flag(help: "Also add the template's example task (otherwise it is only a comment in duet.toml).")
    var example = false

    @Option(help: ArgumentHelp("A shared PostgreSQL store instead of duet.sqlite: postgres://user@host:5432/database.", valueName: "url"))
    var store: String?

    @Option(help: ArgumentHelp("The environment variable that holds the store's password (never the password).", valueName: "name"))
    var passwordEnv: String?

    func run() async throws {
        let url = URL(fileURLWithPath: dir).standardizedFileURL
        let project: Project
        if let store {
            let made = try await Project.create(at: url, template: template, name: name, example: example,
                                                store: StoreSettings(url: store, passwordEnv: passwordEnv))
            project = made.project
            let items = try await project.store.itemCount()
            Console.out(made.created
                ? "created \(project.configURL.path) and the project in \(project.storeDescription) (template \(template.rawValue))"
                : "created \(project.configURL.path) and joined the project in \(project.storeDescription): "
                    + Plural.count(project.config.tasks.count, "task") + ", " + Plural.count(items, "item"))
            if let changes = project.taskChanges, !changes.isEmpty, !made.created {
                Console.out("duet.toml's tasks differ from the team's (the team's are used): " + changes.lines.joined(separator: "; "))
            }
        } else {
            guard passwordEnv == nil else { throw ValidationError("--password-env goes with --store") }
            project = try Project.create(at: url, template: template, name: name, example: example)
            Console.out("created \(project.configURL.path) and \(Project.storeFileName) (template \(template.rawValue))")
        }
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
        commandName: "task", abstract: "Add, list and apply labeling tasks.", subcommands: [Add.self, List.self, Apply.self],
        defaultSubcommand: List.self)

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
            let project = try await projectOptions.open()
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

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a shared store's tasks duet.toml's (added and changed tasks; none is deleted).",
            discussion: """
            A shared (PostgreSQL) store keeps the team's tasks: editing duet.toml changes nothing until this \
            command applies it. It prints each change first; --dry-run stops there. (A SQLite project applies \
            duet.toml's tasks on every open.)
            """)
        @OptionGroup var projectOptions: ProjectOptions
        @Flag(help: "Show what would change, change nothing.") var dryRun = false

        func run() async throws {
            let project = try await ProjectOptions.open(projectOptions.project)
            let changes = try await project.applyTasks(dryRun: dryRun)
            for line in changes.lines { Console.out(line) }
            if changes.isEmpty {
                Console.out("the store's tasks are duet.toml's; nothing to apply")
            } else {
                Console.out(dryRun ? "dry run: nothing changed" : "applied to \(project.storeDescription)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tasks.")
        @OptionGroup var projectOptions: ProjectOptions

        func run() async throws {
            let project = try await projectOptions.open()
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
