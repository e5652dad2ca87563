import ArgumentParser
import DuetCore
import DuetProject
import Foundation
import TermUI

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import items from files (all or nothing: any bad row aborts and changes nothing).",
        discussion: """
        Formats: \(InputFormat.names). Files ending in .gz are read transparently.
        Examples:
          duet import tweets.jsonl.gz --gold-field label
          duet import a.csv b.csv --dataset reviews
        """)

    @OptionGroup var projectOptions: ProjectOptions
    @Argument(help: "Files to import.") var files: [String]
    @Option(help: "Dataset name (default: each file's name without extensions).") var dataset: String?
    @Option(help: "auto, or one of the formats above.") var format: InputFormat = .auto
    @Option(name: .customLong("id-field"), help: "Field holding the item id (default: id, else a content hash).") var idField: String?
    @Option(name: .customLong("text-field"), help: "Field holding the text (default: text, content or sentence).") var textField: String?
    @Option(name: .customLong("gold-field"), help: "Field holding a gold label (default: gold).") var goldField: String?
    @Flag(name: .customLong("dry-run"), help: "Read and check everything, store nothing.") var dryRun = false
    @Option(name: .customLong("on-change"), help: """
        A row whose id is already stored (or read earlier) with other content: error (default: stop, import nothing) \
        | skip (keep the stored item, count the row as skipped). Stored items are never rewritten.
        """) var onChange: ChangedRows = .error

    func run() async throws {
        let project = try await projectOptions.open()
        let request = ImportRequest(paths: files, dataset: dataset, format: format, idField: idField, textField: textField,
                                    goldField: goldField, dryRun: dryRun, onChange: onChange)
        let meter = ProgressMeter()
        defer { meter.finish(summary: false) }
        do {
            let report = try await ImportWorkflow.run(request, into: project.store, onFormat: { f in
                Console.note("\(f.path): \(f.format.rawValue) (\(f.detected ? "detected from the keys" : "as given")), \(f.container.rawValue) file → dataset \(f.dataset)")
            }, onProgress: { meter.show($0.work) })
            meter.finish(summary: false)
            Console.out(report.summary)
        } catch {
            meter.finish(summary: false)
            throw DuetError("\(error)\nnothing was imported (the store is unchanged)")
        }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export items and decisions with provenance.",
        discussion: """
            Formats: \(ExportFormat.names). Without --task: a project with one task exports that task; with no \
            tasks, the items as imported (with their source annotations); with several tasks, --task is needed, \
            unless --decisions all (every item with every current decision of every task).
            Compare tasks: dpo, dpo-messages, openai-dpo, kto, ultrafeedback-binarized, hh (chosen vs rejected; ties and \
            both-bad are left out and counted) or jsonl.
            Examples:
              duet export --task sentiment -o sentiment.jsonl
              duet export --task preference --format dpo --decisions human -o prefs.jsonl
            """)

    @OptionGroup var projectOptions: ProjectOptions
    @Option(help: "The task whose decisions to export.") var task: String?
    @Option(help: "\(ExportFormat.names)") var format: ExportFormat = .jsonl
    @Option(help: "final (one per item: human, else machine) | human | all") var decisions: DecisionScope = .final
    @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?
    @Argument(help: ArgumentHelp("Output file (the same as -o).", valueName: "file")) var file: String?
    @Option(name: .customLong("kto-ties"), help: "kto: exclude ties and both-bad (default) | false-rows (two label:false rows each)")
    var ktoTies: KTOTies = .exclude

    func validate() throws {
        if output != nil && file != nil { throw ValidationError("give the output file once: as an argument or with -o") }
    }

    func run() async throws {
        let project = try await projectOptions.open(.readOnly)
        let request = ExportRequest(task: task, format: format, scope: decisions, output: output ?? file, options: ExportOptions(ktoTies: ktoTies))
        let meter = ProgressMeter()
        defer { meter.finish(summary: false) }
        let report = try await ExportWorkflow.run(request, project: project, progress: meter.show)
        meter.finish(summary: false)
        Console.note(report.summary)
    }
}

extension KTOTies: ExpressibleByArgument {}
extension ChangedRows: ExpressibleByArgument {}
