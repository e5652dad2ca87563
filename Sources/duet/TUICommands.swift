import ArgumentParser
import DuetApp
import DuetLaunch
import DuetProject
import Foundation
import Logging
import TermUICurses

/// Options of the screens: who labels, in which theme.
struct ScreenOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: ArgumentHelp("Your annotator name (default: $USER).", valueName: "name"))
    var annotator: String?

    @Option(help: "Theme: dark, light, high-contrast, mono, or a file name in themes/ (default: duet.toml's [ui] theme).")
    var theme: String?
}

struct Label: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Label a task's items in the terminal.",
        discussion: "Example: duet label --task sentiment --as ana   (press ? for the keys)")
    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var screen: ScreenOptions
    @Option(help: "The task (default: the only task, else the dashboard).") var task: String?

    func run() async throws {
        try TUI.run(project: await projectOptions.open(), options: LaunchOptions(label: true, task: task, annotator: screen.annotator, theme: screen.theme))
    }
}

/// Opens the terminal, runs the app, restores the terminal on every way out.
enum TUI {
    static func run(project: Project, options: LaunchOptions) throws {
        // Check everything that can fail before the screen is taken over.
        _ = try AppLauncher.prepare(project: project, options: options, size: (80, 24))
        // While the screen is up, logs go to duet.log in the project folder.
        let makeHandler = try FileLogHandler.open(project.root.appendingPathComponent(Project.logFileName))
        // Log lines that could not be written are dropped; say so once the screen is down.
        defer { if let failure = makeHandler("duet").failure { Console.note(failure) } }
        LoggingSystem.bootstrap { label in
            var h = makeHandler(label)
            h.logLevel = ProcessInfo.processInfo.environment["DUET_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return h
        }
        // Before open(): ncurses installs its own handlers only where none exist.
        CursesTerminal.installSignalHandlers()
        let summary: SessionSummary?
        do {
            let terminal = try CursesTerminal.open()
            defer { terminal.close() }
            let prepared = try AppLauncher.prepare(project: project, options: options, size: terminal.size)
            if prepared.state.mouse { terminal.enableMouse() }
            nonisolated(unsafe) let routed = project  // read only (its config and store), on the runtime's worker
            let runtime = Runtime(state: prepared.state, store: project.store, backend: terminal,
                                  quality: QualityLoader.make(project: project, colors: prepared.state.theme.name != "mono"),
                                  router: { task in try await RouteWorkflow.run(RouteRequest(task: task.name), project: routed).summary })
            // The first effects go to the store's worker too: the loop never waits on the store.
            try runtime.run(starting: prepared.startEffects)
            summary = runtime.state.sessionSummary
        }
        // The terminal is restored: what this session saved, and what to run next.
        if let summary {
            let next = Invocation.line("export", "--project", project.root.path, "--task", summary.task, "-o", summary.task + ".jsonl")
            Console.out(summary.text(next: next))
        }
    }
}

struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The routed queue as a table: the machine's least sure items first; open one, or accept the machine's labels.")
    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var screen: ScreenOptions
    @Option(help: "The task (default: the only task).") var task: String?

    func run() async throws {
        var options = LaunchOptions(task: task, annotator: screen.annotator, theme: screen.theme)
        options.triage = true
        try TUI.run(project: await projectOptions.open(), options: options)
    }
}

struct Adjudicate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Settle the items where annotators (people or machines) disagree: see who said what, record the final decision.",
        discussion: """
        The final decision is stored as adjudicator:<your name>; `duet export` (--decisions final) takes it over everyone \
        else's, and agreement figures leave it out. u undoes the last one.
        """)
    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var screen: ScreenOptions
    @Option(help: "The task (default: the only task).") var task: String?
    @Flag(name: .customLong("people-only"), help: "Only disagreements among people (machines' answers are still shown).") var peopleOnly = false
    @Flag(help: "Print the disputed items instead of opening the screen.") var list = false
    @Flag(help: "The doubt queue: only people's labels that a kept machine label, or two other people who agree, contradict.")
    var doubts = false

    func run() async throws {
        let project = try await projectOptions.open()
        if list {
            Console.out(try await AdjudicationList.make(task: task, peopleOnly: peopleOnly, doubts: doubts, project: project))
            return
        }
        var options = LaunchOptions(task: task, annotator: screen.annotator, theme: screen.theme)
        options.adjudicate = true
        options.peopleOnly = peopleOnly
        options.doubtsOnly = doubts
        try TUI.run(project: project, options: options)
    }
}
