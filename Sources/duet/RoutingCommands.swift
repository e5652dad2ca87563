import ArgumentParser
import DuetCore
import DuetLaunch
import DuetProject
import Foundation
import TermUI
import TermUICurses

extension RoutingStrategy: ExpressibleByArgument {}

struct Votes: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Machine votes.", subcommands: [ImportVotes.self, ListVotes.self])

    struct ListVotes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Stored votes with the raw answers: what a model said and how Duet read it (∅ = unparseable, \"no vote\" = a False / No answer).",
            discussion: "Example: duet votes list --task sentiment --unparseable --limit 20")
        @OptionGroup var projectOptions: ProjectOptions
        @Option(help: "The task.") var task: String?
        @Option(help: "Only this item's votes (its id in the dataset).") var item: String?
        @Option(help: "Only this annotator's votes (as stored, e.g. llm:MODEL).") var annotator: String?
        @Flag(help: "Only the answers that could not be read.") var unparseable = false
        @Option(help: "At most this many votes.") var limit: Int = 200
        @Flag(help: "Print JSON (every field, the whole raw answers).") var json = false

        func run() async throws {
            let project = try await projectOptions.open(.readOnly)
            let records = try await VotesListWorkflow.records(task: project.task(task), item: item, annotator: annotator,
                                                        unparseableOnly: unparseable, limit: max(0, limit), project: project)
            if json {
                try Console.json(encoding: records)
            } else if records.isEmpty {
                Console.note("no votes" + (unparseable ? " that could not be read" : ""))
            } else {
                for line in VotesListWorkflow.lines(records) { Console.out(line) }
            }
        }
    }

    struct ImportVotes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import replayed machine votes (all or nothing).",
            discussion: """
            JSONL lines {"item", "annotator", "variant", "label", "confidence"} (label null = unparseable), or OpenAI Batch API \
            output files whose custom_id is ITEM|VARIANT (answers are parsed as in a live run).
            """)
        @OptionGroup var projectOptions: ProjectOptions
        @Argument(help: "The votes file (.jsonl, .gz read transparently).") var file: String
        @Option(help: "The task the votes are for.") var task: String?
        @Option(help: "The dataset the votes' item ids belong to (default: the task's).") var dataset: String?

        func run() async throws {
            let project = try await projectOptions.open()
            let meter = ProgressMeter()
            defer { meter.finish(summary: false) }
            let report = try await VotesImportWorkflow.run(path: file, task: project.task(task), dataset: dataset, store: project.store,
                                                     progress: meter.show)
            meter.finish(summary: false)
            Console.out("imported \(report.votes) votes on \(report.items) items by \(report.annotators.joined(separator: ", "))"
                + (report.unparseable > 0 ? " (\(report.unparseable) unparseable)" : "")
                + (report.noVotes > 0 ? ", \(report.noVotes) False / No answers (no vote)" : ""))
        }
    }
}

struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Let the machine keep the items it is sure about and send the rest to people, most uncertain first.",
        discussion: """
        Running it again after more human labels re-routes what is still undecided; people's decisions are never overwritten.
        With no --annotator, the panel is [router] annotators, else every annotator with votes.
        Examples:
          duet route --task sentiment
          duet route --task sentiment --annotator gpt,local --budget 0.2
          duet route --task sentiment --dry-run
        """)
    @OptionGroup var projectOptions: ProjectOptions
    @Option(help: "The task.") var task: String?
    @Option(help: "Whose votes to route by, one name or a comma-separated panel (default: [router] annotators, else every annotator with votes).") var annotator: String?
    @Option(help: "Share of items sent to people, 0–1 (default: [router] budget).") var budget: Double?
    @Option(help: "Send every item whose uncertainty is above this instead of a share.") var threshold: Double?
    @Option(help: "entropy | confidence | calibrated | random | default") var strategy: RoutingStrategy = .default
    @Option(help: "Share of machine-kept items also sent to people, blind (default: [router] audit).") var audit: Double?
    @Option(help: "Seed for random choices (audits, the random strategy).") var seed: Int = 0
    @Flag(name: .customLong("no-run"), help: "Route by the votes already stored; do not run the annotator first.") var noRun = false
    @Flag(name: .customLong("dry-run"), help: "LLM annotators: print prompts and the estimated tokens and cost; send nothing.") var dryRun = false

    func validate() throws {
        if let b = budget, !(0...1).contains(b) { throw ValidationError("--budget: a share from 0 to 1") }
        if let a = audit, !(0...1).contains(a) { throw ValidationError("--audit: a share from 0 to 1") }
        if budget != nil && threshold != nil { throw ValidationError("give --budget or --threshold, not both") }
    }

    func run() async throws {
        let project = try await projectOptions.open()
        let panel = try annotator.map(PanelOption.parse)
        let spec = try project.task(task)
        let runs = try await RouteWorkflow.annotatorsToRun(panel, project: project, task: spec)
        if dryRun {
            // The LLM members' prompts and estimates (naming another annotator says why there is nothing to show).
            let llms = runs.filter { (try? MachineRunWorkflow.spec($0, in: project.config))?.kind == .llm }
            for name in llms.isEmpty ? [panel?.first ?? project.config.router.annotator] : llms {
                Console.out(try await MachineRunWorkflow.dryRun(annotator: name, task: spec, project: project))
            }
            return
        }
        // The built-in and LLM annotators run first (the LLM's answers are cached); replayed votes are used as imported.
        if !noRun, panel == nil, let stages = project.config.router.cascade {
            let meter = ProgressMeter(resumeHint: "run `duet route` again to resume without paying twice")
            defer { meter.finish() }
            let runs = try await RouteWorkflow.runCascade(stages, task: spec, project: project) { meter.show($0) }
            meter.finish(summary: false)
            for run in runs { Console.note(run.summary) }
        }
        for name in runs where !noRun && (panel != nil || project.config.router.cascade == nil) {
            let meter = ProgressMeter(resumeHint: "run `duet route` again to resume without paying twice")
            defer { meter.finish() }
            let run = try await MachineRunWorkflow.run(annotator: name, task: spec, project: project) { meter.show($0) }
            meter.finish(summary: false)
            Console.note(run.summary)
        }
        let report = try await RouteWorkflow.run(RouteRequest(task: task, annotators: panel, budget: budget, threshold: threshold,
                                                        strategy: strategy, audit: audit, seed: seed), project: project)
        Console.out(report.summary)
    }
}

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quality and cost of the mixed labels for each strategy and human budget, with the Pareto frontier and a recommendation.",
        discussion: """
        Rows are measured on the items with truth (people's labels, else gold): people are assumed right on the items they \
        get, the machine's label counts on the rest. Costs count the task's items with votes: people's mean measured seconds \
        per item (else [cost] seconds_per_item) at [cost] hourly_rate, plus the annotator's stored tokens at its prices. \
        The recommendation is the cheapest frontier row that reaches [router] target_accuracy. The built-in annotator's \
        votes on the labels it learned from are cross-fitted (5 folds, in memory) so the plan is not optimistic.
        Examples:
          duet plan --task sentiment --chart
          duet plan --task sentiment --annotator gpt,local --budgets 0,0.1,0.2,0.3 --json
        """)
    @OptionGroup var projectOptions: ProjectOptions
    @Option(help: "The task.") var task: String?
    @Option(help: "Comma-separated shares sent to people.") var budgets: String = "0,0.1,0.2,0.3,0.4,0.5"
    @Option(help: "Whose votes, one name or a comma-separated panel (default: [router] annotators, else every annotator with votes).") var annotator: String?
    @Flag(help: "Print JSON (rows with cost and frontier, the cost basis, the recommendation).") var json = false
    @Flag(help: "Draw the chart even when standard output is not a terminal (it is drawn on a terminal anyway).") var chart = false
    @Option(help: ArgumentHelp("Also write the chart as an SVG file.", valueName: "file")) var svg: String?

    func run() async throws {
        let list = try budgets.split(separator: ",").map { s -> Double in
            guard let b = Double(s.trimmingCharacters(in: .whitespaces)), (0...1).contains(b) else {
                throw ValidationError("--budgets: shares from 0 to 1, like 0,0.1,0.3")
            }
            return b
        }
        let project = try await projectOptions.open(.readOnly)
        if let svg { try PlanWorkflow.checkSVGPath(svg, project: project) }  // before the work, not after
        let meter = ProgressMeter()
        defer { meter.finish() }
        let report = try await PlanWorkflow.run(PlanRequest(task: task, budgets: list, annotators: annotator.map(PanelOption.parse)), project: project,
                                                progress: meter.show)
        meter.finish()
        if let svg {
            try PlanWorkflow.writeSVG(report, to: svg, project: project)
            Console.note("wrote \(svg)")
        }
        if json {
            try Console.json(encoding: report)
            return
        }
        let tty = Console.stdoutIsTerminal
        let width = min(100, max(40, TerminalSize.of(fd: 1)?.width ?? 100))
        let text = PlanWorkflow.text(report, width: width)
        for line in text.head + [""] + text.table { Console.out(line) }
        if tty || chart {
            let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            let canvas = PlanWorkflow.chartCanvas(report, width: width, height: 18, colors: tty && !noColor)
            Console.out()
            Console.canvas(canvas, colors: tty && !noColor)
        }
        Console.out()
        for line in text.advice { Console.out(line) }
    }
}

struct AgreementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Agreement between annotators (people and machines): percent, Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha.")
    @OptionGroup var projectOptions: ProjectOptions
    @Option(help: "The task.") var task: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let report = try await AgreementReport.make(task: task, project: projectOptions.open(.readOnly))
        if json {
            try Console.json(encoding: report)
        } else {
            Console.out(report.text)
        }
    }
}

/// `--annotator a,b,c`: one annotator or a panel.
enum PanelOption {
    static func parse(_ text: String) throws -> [String] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for name in names {
            if let problem = Names.problem(name) { throw ValidationError("--annotator: \"\(Names.shown(name))\" \(problem)") }
        }
        guard Set(names).count == names.count else { throw ValidationError("--annotator: a name repeats") }
        return names
    }
}
