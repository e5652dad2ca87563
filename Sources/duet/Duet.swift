import ArgumentParser
import DuetCore
import DuetLaunch
import DuetProject
import Foundation

@main
struct Duet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duet",
        abstract: "Label fine-tuning data with people and LLMs together.",
        discussion: """
        A project is a folder with duet.toml (settings, tasks) and duet.sqlite (items and every decision).
        Commands find it from --project DIR, then $DUET_PROJECT, then the nearest folder above with a duet.toml.
        """,
        version: "0.1.0",
        subcommands: [
            Demo.self, Label.self, Init.self, TaskCommand.self, Import.self, Export.self, Status.self,
            Votes.self, RouteCommand.self, Plan.self, QualityCommand.self, Triage.self, Adjudicate.self, AgreementCommand.self, StoreCommand.self,
        ]
    )

    @OptionGroup var projectOptions: ProjectOptions
    @OptionGroup var screen: ScreenOptions

    /// ArgumentParser's `main`, with every message it would print (help, usage, errors that echo
    /// arguments or data) going out through `Console`.
    static func main() async {
        fixMallocMapThreshold()
        do {
            var command = try parseAsRoot(nil)
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            // File errors in plain words ("PATH: reason"), never a Foundation domain and code.
            Console.exit(with: FileErrors.plain(error))
        }
    }

    /// `duet` alone: the dashboard.
    func run() async throws {
        try TUI.run(project: await projectOptions.open(), options: LaunchOptions(annotator: screen.annotator, theme: screen.theme))
    }
}

/// glibc with a fixed mmap threshold: blocks of 256 KiB and more (vote tables, model weights, page
/// batches) are mapped and given back when freed. By default glibc raises the threshold after the
/// first such free, and freed big blocks then stay in the heap: `duet route --annotator local` at
/// 10^5 items peaked at 128 MB instead of 99 MB. `mallopt` is not in Swift's Glibc module, so it
/// is looked up by name (M_MMAP_THRESHOLD is -3 in malloc.h); elsewhere nothing happens.
func fixMallocMapThreshold() {
    #if os(Linux)
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(nil, "mallopt") else { return }
    _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 256 * 1024)
    #endif
}

/// `--project DIR`, shared by every command that works on a project.
struct ProjectOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The project folder (default: $DUET_PROJECT, else the nearest folder with a duet.toml).", valueName: "dir"))
    var project: String?

    /// `.readOnly` for commands that only read: they write nothing (and work on a read-only store).
    /// On a shared store whose tasks differ from duet.toml's, a note says so (the store's are served).
    func open(_ mode: Project.Mode = .readWrite) async throws -> Project {
        let opened = try await Self.open(project, mode: mode)
        if let changes = opened.taskChanges, !changes.isEmpty {
            Console.note("note: duet.toml's tasks differ from the shared store's (the store's are used): "
                         + changes.lines.filter { !$0.hasPrefix(" ") }.joined(separator: "; ")
                         + "; " + Invocation.line("task", "apply", "--project", opened.root.path) + " applies them")
        }
        return opened
    }

    /// The project at `explicit` (else found), with duet.toml's [keys] checked too: they are the app's
    /// (`ProjectKeymap`), checked on every open as the rest of duet.toml is.
    static func open(_ explicit: String?, mode: Project.Mode = .readWrite) async throws -> Project {
        let opened = try await Project.open(at: Project.locate(explicit: explicit), mode: mode)
        _ = try ProjectKeymap.keymap(for: opened)
        return opened
    }
}

extension InputFormat: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}
extension DecisionScope: ExpressibleByArgument {}
extension TaskKind: ExpressibleByArgument {}
extension Template: ExpressibleByArgument {}
