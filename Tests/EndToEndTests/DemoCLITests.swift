import Foundation
import Testing

/// `duet demo --print` from a fresh shell: its "try:" lines name a command that runs as typed — `duet`
/// only when that name on PATH is this binary, else the binary's full path (after `swift run`).
@Suite(.enabled(if: Tmux.duetBinary != nil, "no built duet binary"))
struct DemoCLITests {
    func tryCommand(path: String) throws -> (command: String, project: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-demo-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Tmux.capture(Tmux.duetBinary!, ["demo", "--print", "--dir", dir.path, "--sample-data", Tmux.repoRoot.appendingPathComponent("sample-data").path],
                                 environment: ["PATH": path, "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"])
        #expect(r.status == 0, "\(r.text)")
        let line = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("try:") })
        let words = line.split(separator: " ")
        return (String(words[1]), String(words[3]))
    }

    @Test func tryLinesRunAsTyped() throws {
        let off = try tryCommand(path: "/usr/bin:/bin")
        #expect(off.command.hasPrefix("/") && FileManager.default.isExecutableFile(atPath: off.command), "\(off.command)")
        let bin = URL(fileURLWithPath: Tmux.duetBinary!).deletingLastPathComponent().path
        let on = try tryCommand(path: bin + ":/usr/bin:/bin")
        #expect(on.command == "duet")
    }

    /// A project folder with a space and a quote in its name: the "try:" line, pasted into a shell, runs.
    @Test func tryLinesQuoteTheProjectPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet demo it's \(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]
        let r = try Tmux.capture(Tmux.duetBinary!, ["demo", "--print", "--dir", dir.path, "--sample-data", Tmux.repoRoot.appendingPathComponent("sample-data").path],
                                 environment: env)
        #expect(r.status == 0, "\(r.text)")
        let line = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("try:") })
        let command = String(line.dropFirst("try:".count)).trimmingCharacters(in: .whitespaces)
        let run = try Tmux.capture("/bin/sh", ["-c", command], environment: env)
        #expect(run.status == 0, "\(command): \(run.text)")
        #expect(run.out.contains("sentiment"), "\(run.out)")
    }
}
