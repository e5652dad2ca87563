import DuetCore
import Foundation
import ProcessSpawn
@testable import DuetProject

/// A temporary folder removed when the value goes away.
final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("duet-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String, _ contents: String) throws -> String {
        let u = url.appendingPathComponent(name)
        try contents.write(to: u, atomically: true, encoding: .utf8)
        return u.path
    }

    func file(_ name: String, bytes: [UInt8]) throws -> String {
        let u = url.appendingPathComponent(name)
        try Data(bytes).write(to: u)
        return u.path
    }

    /// A project with the template's example task, asked for explicitly (`duet init` adds none by itself).
    func project(_ template: Template = .classify) throws -> Project {
        try Project.create(at: url.appendingPathComponent("p"), template: template, example: true)
    }
}

/// ../shared/data beside the repository, or nil when absent (tests skip).
enum SharedData {
    static var directory: URL? {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = repo.deletingLastPathComponent().appendingPathComponent("shared/data")
        return FileManager.default.fileExists(atPath: dir.path) ? dir : nil
    }

    static func path(_ name: String) -> String? {
        guard let d = directory else { return nil }
        let p = d.appendingPathComponent(name).path
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }

    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

func gzip(_ path: String) throws -> String {
    let status = try ProcessSpawn.wait(try ProcessSpawn.spawn(["gzip", "-kf", path], searchPath: true))
    guard status == 0 else { throw ProcessSpawn.Failure("gzip -kf \(path) exited \(status)") }
    return path + ".gz"
}
