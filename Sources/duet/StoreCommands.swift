import ArgumentParser
import DuetCore
import DuetProject
import Foundation

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Move a project's store between SQLite and PostgreSQL.", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the project's store to a PostgreSQL database or a new SQLite file, and prove the copy.",
            discussion: """
            Every table moves with its ids, in one transaction: all of it or nothing. Then the copy is checked \\
            against the project's store: the rows of every table, a checksum of the log and every task's \\
            progress must be equal. The project keeps using its own store until duet.toml says otherwise.
            Examples:
              duet store copy --to postgres://ana@db.example:5432/labels --password-env DUET_PG_PASSWORD
              duet store copy --to backup.sqlite      (from a shared project back to a file)
            """)
        @OptionGroup var projectOptions: ProjectOptions
        @Option(help: ArgumentHelp("postgres://user@host:5432/database (an empty database), or a new .sqlite file.", valueName: "url|file"))
        var to: String
        @Option(help: ArgumentHelp("The environment variable that holds the target's password.", valueName: "name"))
        var passwordEnv: String?

        func run() async throws {
            let project = try await projectOptions.open(.readOnly)
            let meter = ProgressMeter()
            defer { meter.finish(summary: false) }
            let started = Date()
            let report = try await StoreCopyWorkflow.run(project: project, to: to, passwordEnv: passwordEnv) { table, rows in
                meter.show(WorkProgress(label: "store copy", step: table, done: rows, total: nil, unit: "rows",
                                        elapsed: Date().timeIntervalSince(started)))
            }
            meter.finish(summary: false)
            for table in report.tables { Console.out("\(table.name)\t" + Plural.count(table.rows, "row")) }
            Console.out("copied to \(report.target): " + Plural.count(report.tables.reduce(0) { $0 + $1.rows }, "row")
                        + " in \(report.tables.count) tables; log checksum \(report.logChecksum) on both sides; progress equal for "
                        + Plural.count(report.tasksCompared, "task"))
            Console.out(report.next)
        }
    }
}
