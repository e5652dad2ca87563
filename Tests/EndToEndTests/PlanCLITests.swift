import Foundation
import Testing

/// `duet plan` from the command line when there is nothing to measure against: it says what it needs
/// (with counts and the command) instead of a generic error, and for pairs the machine's own position bias.
@Suite(.enabled(if: Tmux.duetBinary != nil, "no built duet binary"))
struct PlanCLITests {
    static func duet(_ args: [String], in cwd: URL) throws -> Tmux.Ran { try Tmux.capture(Tmux.duetBinary!, args, cwd: cwd) }

    /// A project from `template` with `items` imported and `votes` (JSONL) imported for its task.
    static func project(template: String, items: String, votes: String, task: String) throws -> (dir: URL, root: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-plan-\(UUID().uuidString)")
        let root = dir.appendingPathComponent("p")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try items.write(to: dir.appendingPathComponent("items.jsonl"), atomically: true, encoding: .utf8)
        try votes.write(to: dir.appendingPathComponent("votes.jsonl"), atomically: true, encoding: .utf8)
        for args in [["init", root.path, "--template", template, "--example"], ["import", dir.appendingPathComponent("items.jsonl").path],
                     ["votes", "import", dir.appendingPathComponent("votes.jsonl").path, "--task", task]] {
            let r = try duet(args, in: args[0] == "init" ? dir : root)
            guard r.status == 0 else { throw E2EError("duet \(args.joined(separator: " ")): \(r.text)") }
        }
        return (dir, root)
    }

    @Test func compareTaskWithoutTruth() throws {
        let items = (1...6).map { "{\"id\": \"pair-\($0)\", \"prompt\": \"q\($0)\", \"chosen\": \"good \($0)\", \"rejected\": \"bad \($0)\"}" }
        let votes = (1...6).flatMap { i in
            [("AB", "0"), ("BA", "1")].map { "{\"item\": \"pair-\(i)\", \"annotator\": \"llm:small\", \"variant\": \"instruction:\($0.0)\", \"label\": \"\($0.1)\"}" }
        }
        let (dir, root) = try Self.project(template: "compare", items: items.joined(separator: "\n"), votes: votes.joined(separator: "\n"), task: "preference")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try Self.duet(["plan", "--task", "preference"], in: root)
        #expect(plan.status != 0)
        #expect(plan.err.contains("none of the 6 pairs it voted on has a person's judgment or a gold label"), "\(plan.text)")
        #expect(plan.err.contains("Judge them in `duet label --task preference`"))
        #expect(plan.err.contains("chosen/rejected, on 6 of these pairs"))
        #expect(plan.err.contains("llm:small chose the response shown first in 12 of 12 votes for one response (100%, 95% CI 76%–100%): position bias"))
        #expect(!plan.text.contains("has no gold or human labels"))
        let status = try Self.duet(["status"], in: root)
        #expect(status.out.contains("preference pairs: machine llm:small chose the response shown first in 12 of 12"), "\(status.text)")
    }

    @Test func classifyTaskWithoutTruth() throws {
        let items = (1...4).map { "{\"id\": \"t\($0)\", \"text\": \"text number \($0)\"}" }
        let votes = (1...4).map { "{\"item\": \"t\($0)\", \"annotator\": \"llm:x\", \"variant\": \"instruction\", \"label\": \"positive\"}" }
        let (dir, root) = try Self.project(template: "classify", items: items.joined(separator: "\n"), votes: votes.joined(separator: "\n"), task: "sentiment")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try Self.duet(["plan", "--task", "sentiment"], in: root)
        #expect(plan.status != 0)
        #expect(plan.err.contains("nothing to measure llm:x against in task 'sentiment': none of the 4 items it voted on"), "\(plan.text)")
        #expect(plan.err.contains("Label them in `duet label --task sentiment`"))
    }
}
