import Foundation
import Testing

/// Real HH-RLHF pairs judged with keystrokes; the DPO export must put the
/// response that was on the named side in `chosen`.
/// ../shared/data's HH-RLHF pairs, or nil (the suite is skipped).
let sharedHH: String? = {
    let p = Tmux.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/data/hh-rlhf-harmless-test.jsonl.gz").path
    return FileManager.default.fileExists(atPath: p) ? p : nil
}()

@Suite(.serialized, .enabled(if: Tmux.available && Tmux.duetBinary != nil && sharedHH != nil,
                             "needs tmux, a built duet binary and ../shared/data/hh-rlhf-harmless-test.jsonl.gz"))
struct PairsInTmuxTests {
    /// The first text line inside the pane titled `title` (side by side: A left, B right).
    static func firstLine(of side: String, in screen: String) -> String? {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let titleRow = lines.firstIndex(where: { $0.contains(" \(side) · ") }) else { return nil }
        for row in lines[(titleRow + 1)...] {
            let cells = row.components(separatedBy: "│").map { $0.trimmingCharacters(in: .whitespaces) }
            // "│ left │" + "│ right │" → ["", left, "", right, ""]
            guard cells.count >= 5 else { return nil }
            let text = side == "A" ? cells[1] : cells[3]
            if !text.isEmpty { return text }
        }
        return nil
    }

    static func collapsed(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    @Test func judgedSidesMapBackInTheExport() throws {
        let duet = try #require(Tmux.duetBinary)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Tmux.run(duet, ["init", dir.path, "--template", "compare", "--example"])
        try Tmux.run(duet, ["import", try #require(sharedHH), "--project", dir.path])

        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("'\(duet)' label --as e2e --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30", width: 140, height: 40)
        var screen = try tmux.waitForSettled("preference · compare · 0/2312")
        var expected: [(chosen: String, rejected: String)] = []
        for (i, key) in ["a", "b", "B", "a"].enumerated() {
            let a = try #require(Self.firstLine(of: "A", in: screen), "no A pane:\n\(screen)")
            let b = try #require(Self.firstLine(of: "B", in: screen), "no B pane:\n\(screen)")
            expected.append(key.lowercased() == "a" ? (a, b) : (b, a))
            try tmux.send(key)
            screen = try tmux.waitForSettled("preference · compare · \(i + 1)/2312")
        }
        try tmux.send("q")
        try tmux.waitFor("DUET-EXIT=0")

        let rows = try Tmux.exportRows(duet, project: dir, task: "preference", ["--format", "dpo"], name: "dpo.jsonl")
        #expect(rows.count == 4)
        for e in expected {
            // The row whose chosen begins with the text that was on the named side…
            let match = rows.first { Self.collapsed($0["chosen"] as? String ?? "").hasPrefix(Self.collapsed(e.chosen)) }
            #expect(match != nil, "no exported chosen starts with \(e.chosen)")
            // …has the other side's text as rejected.
            let rejected = Self.collapsed(match?["rejected"] as? String ?? "")
            #expect(rejected.hasPrefix(Self.collapsed(e.rejected)), "rejected was \(rejected.prefix(80))")
        }
    }
}
