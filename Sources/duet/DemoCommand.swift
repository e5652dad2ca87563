import ArgumentParser
import DuetLaunch
import DuetProject
import Foundation

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a project from the bundled sample data and show it.",
        discussion: """
        Makes a fresh project (in a temporary folder unless --dir), imports sample-data/, lets the built-in annotator
        route the sentiment and preference tasks (offline), and opens the dashboard.
        Without a terminal (or with --print) it prints the project's status instead.
        """)

    @Option(help: "Where to create the demo project (default: a new temporary folder).") var dir: String?
    @Option(name: .customLong("sample-data"), help: "The sample-data folder (default: ./sample-data or the source checkout's).")
    var sampleData: String?

    @Flag(help: "Print the status instead of opening the dashboard.") var print = false
    @OptionGroup var screen: ScreenOptions

    func run() async throws {
        let data = try DuetProject.Demo.locateSampleData(explicit: sampleData)
        let target = dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("duet-demo-\(ProcessInfo.processInfo.processIdentifier)-\(Int(Date().timeIntervalSince1970))")
        let (project, report) = try await DuetProject.Demo.create(at: target.standardizedFileURL, sampleData: data)
        let routed = try await DuetProject.Demo.route(project)
        let interactive = !self.print && isatty(0) == 1 && isatty(1) == 1
        if interactive {
            // Said before the dashboard opens too: the terminal shows it again when the dashboard closes.
            Console.out("demo project: \(project.root.path)")
            try TUI.run(project: project, options: LaunchOptions(annotator: screen.annotator, theme: screen.theme))
            Console.out("demo project: \(project.root.path)")
            Console.out("try:          " + Invocation.line("plan", "--project", project.root.path, "--task", "sentiment", "--chart"))
            return
        }
        for f in report.files {
            Console.out("imported \(URL(fileURLWithPath: f.path).lastPathComponent): \(f.rows) rows as \(f.format.rawValue) → dataset \(f.dataset)")
        }
        Console.out(report.summary)
        for line in routed { Console.out(line) }
        Console.out()
        Console.out(try await StatusReport.make(project).text)
        Console.out()
        Console.out("project: \(project.root.path)")
        let dir = project.root.path
        Console.out("try:     " + Invocation.line("status", "--project", dir))
        Console.out("         " + Invocation.line("--project", dir) + "   (the dashboard; v on a task: its Quality screen)")
        Console.out("         " + Invocation.line("plan", "--project", dir, "--task", "sentiment", "--chart"))
        Console.out("         " + Invocation.line("export", "--project", dir, "--task", "review", "--format", "alpaca", "--decisions", "all"))
    }
}
