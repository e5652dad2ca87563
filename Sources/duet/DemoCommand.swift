import ArgumentParser
import DuetProject
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a project from the bundled sample data and show it.",
        discussion: "Makes a fresh project (in a temporary folder unless --dir), imports sample-data/, and prints its status.")

    @Option(help: "Where to create the demo project (default: a new temporary folder).") var dir: String?
    @Option(name: .customLong("sample-data"), help: "The sample-data folder (default: ./sample-data or the source checkout's).")
    var sampleData: String?

    func run() throws {
        let data = try DuetProject.Demo.locateSampleData(explicit: sampleData)
        let target = dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("duet-demo-\(ProcessInfo.processInfo.processIdentifier)-\(Int(Date().timeIntervalSince1970))")
        let (project, report) = try DuetProject.Demo.create(at: target.standardizedFileURL, sampleData: data)
        for f in report.files {
            print("imported \(URL(fileURLWithPath: f.path).lastPathComponent): \(f.rows) rows as \(f.format.rawValue) → dataset \(f.dataset)")
        }
        print(report.summary)
        print("")
        print(try StatusReport.make(project).text)
        print("")
        print("project: \(project.root.path)")
        print("try:     duet status --project \(project.root.path)")
        print("         duet export --project \(project.root.path) --task review --format alpaca --decisions all")
    }
}
