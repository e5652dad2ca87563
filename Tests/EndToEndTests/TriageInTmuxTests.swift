import Foundation
import Testing

/// Triage in the real binary: a bulk accept asks once with its count, `u` undoes all of it, and
/// `duet status` and `duet export` agree with the screen at each step.
@Suite(.serialized, .enabled(if: Tmux.available && Tmux.duetBinary != nil, "needs tmux and a built duet binary"))
struct TriageInTmuxTests {
    /// The demo project: the sample data imported and routed by the built-in annotator.
    func demoProject() throws -> (duet: String, dir: URL) {
        let duet = try #require(Tmux.duetBinary)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-triage-e2e-\(UUID().uuidString)")
        let r = try Tmux.capture(duet, ["demo", "--print", "--dir", dir.path, "--sample-data", Tmux.repoRoot.appendingPathComponent("sample-data").path],
                                 environment: ["HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"])
        #expect(r.status == 0, "\(r.text)")
        return (duet, dir)
    }

    /// `duet status --json`: the sentiment task's human decisions.
    func humanDecisions(_ duet: String, _ dir: URL) throws -> Int {
        let out = try Tmux.run(duet, ["status", "--json", "--project", dir.path])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let tasks = try #require(json["tasks"] as? [[String: Any]])
        let task = try #require(tasks.first { $0["name"] as? String == "sentiment" })
        let progress = task["progress"] as? [String: Any] ?? task
        return try #require(progress["human"] as? Int)
    }

    /// People's decisions in an export of the sentiment task.
    func exported(_ duet: String, _ dir: URL, _ name: String) throws -> Int {
        try Tmux.exportRows(duet, project: dir, task: "sentiment", ["--decisions", "human"], name: name).count
    }

    @Test func bulkAcceptConfirmThenUndo() throws {
        let (duet, dir) = try demoProject()
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try humanDecisions(duet, dir)
        let exportedBefore = try exported(duet, dir, "before.jsonl")

        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("'\(duet)' triage --task sentiment --as e2e --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30")
        try tmux.waitForSettled("triage · sentiment")
        try tmux.send("Space", "Space", "Space")
        try tmux.waitFor("3 marked")
        try tmux.send("A")
        let asked = try tmux.waitForSettled("machine label")
        let question = try #require(asked.split(separator: "\n").first { $0.contains("Accept ") && $0.contains("y yes") }, "\(asked)")
        let count = try #require(Int(question.split(separator: "Accept ")[1].split(separator: " ")[0]))
        #expect(count >= 1 && count <= 3)
        // Nothing is written before the yes.
        #expect(try humanDecisions(duet, dir) == before)
        try tmux.send("y")
        try tmux.waitForSettled("Accepted the machine's label on \(count) item")
        #expect(try humanDecisions(duet, dir) == before + count)
        #expect(try exported(duet, dir, "accepted.jsonl") == exportedBefore + count)

        try tmux.send("u")
        let undone = try tmux.waitForSettled("Undone: \(count) item")
        #expect(undone.contains("0 marked") == false)
        #expect(try humanDecisions(duet, dir) == before)
        #expect(try exported(duet, dir, "undone.jsonl") == exportedBefore)
        try tmux.send("q")
        try tmux.waitFor("DUET-EXIT=0")
    }
}
