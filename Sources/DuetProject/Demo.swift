import DuetCore
import Foundation

/// `duet demo`: a project made from the bundled sample data.
public enum Demo {
    public static let files = ["sentiment.jsonl", "pairs.jsonl", "demonstrations.jsonl"]

    /// Where the sample data is: the given folder, else ./sample-data, else
    /// the sample-data folder of the source checkout this binary was built from.
    public static func locateSampleData(explicit: String?, sourceFile: String = #filePath) throws -> URL {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let explicit { candidates.append(URL(fileURLWithPath: explicit)) }
        if let env = ProcessInfo.processInfo.environment["DUET_SAMPLE_DATA"], !env.isEmpty { candidates.append(URL(fileURLWithPath: env)) }
        candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("sample-data"))
        // Sources/DuetProject/Demo.swift → repository root.
        candidates.append(URL(fileURLWithPath: sourceFile).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sample-data"))
        for c in candidates where fm.fileExists(atPath: c.appendingPathComponent("duet.toml").path) {
            return c.standardizedFileURL
        }
        throw DuetError("cannot find the sample data (a folder with duet.toml and \(files.joined(separator: ", "))); pass --sample-data DIR")
    }

    /// Creates the demo project in `dir` (which must not be a project yet)
    /// and imports the sample files.
    public static func create(at dir: URL, sampleData: URL) async throws -> (Project, ImportReport) {
        let fm = FileManager.default
        if fm.fileExists(atPath: dir.appendingPathComponent(ConfigFile.fileName).path) {
            throw DuetError("\(dir.path) is a Duet project already; choose another --dir")
        }
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        try fm.copyItem(at: sampleData.appendingPathComponent(ConfigFile.fileName), to: dir.appendingPathComponent(ConfigFile.fileName))
        // A new project: its store is made here (opening an existing project never makes one).
        let project = try Project.open(at: dir, mode: .readWrite, creating: true)
        let paths = files.map { sampleData.appendingPathComponent($0).path }
        let report = try await ImportWorkflow.run(ImportRequest(paths: paths), into: project.store)
        return (project, report)
    }

    /// Routes the demo's classify and compare tasks with the built-in
    /// annotator, so the whole loop runs offline. Returns one line per task.
    public static func route(_ project: Project) async throws -> [String] {
        var lines: [String] = []
        for task in project.config.tasks where task.kind == .classify || task.kind == .compare {
            let run = try await MachineRunWorkflow.run(annotator: "local", task: task, project: project, trainOnGold: true)
            let report = try await RouteWorkflow.run(RouteRequest(task: task.name, annotators: ["local"]), project: project)
            lines.append("\(task.name): \(run.summary); \(report.summary)")
        }
        return lines
    }
}
