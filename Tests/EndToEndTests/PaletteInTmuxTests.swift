import DuetCore
import DuetStore
import Foundation
import Testing

/// The palette and the mouse in the real binary, in tmux.
@Suite(.serialized, .enabled(if: Tmux.available && Tmux.duetBinary != nil, "needs tmux and a built duet binary"))
struct PaletteInTmuxTests {
    /// `:`, "go s042", Enter: the item shown is s042.
    @Test func paletteJumpsToAnID() throws {
        let (duet, dir) = try sampleProject()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("'\(duet)' label --task sentiment --as e2e --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30")
        try tmux.waitFor("item s001")
        try tmux.send(":")
        try tmux.waitFor("go to item…")
        try tmux.tmux(["send-keys", "-t", tmux.session, "-l", "go s042"])
        try tmux.waitFor("go to item s042")
        try tmux.send("Enter")
        let screen = try tmux.waitForSettled("item s042")
        #expect(!screen.contains("item s001"))
        try tmux.send(":")
        try tmux.waitFor("go to item…")
        try tmux.tmux(["send-keys", "-t", tmux.session, "-l", "go nosuch"])
        try tmux.send("Enter")
        try tmux.waitFor("No item \"nosuch\" in task sentiment")
        try tmux.send("q")
        try tmux.waitFor("DUET-EXIT=0")
    }

    /// A click (an SGR mouse report, as a terminal sends it) on the label "positive" saves it, as its key does.
    @Test func mouseClickChoosesALabel() throws {
        let (duet, dir) = try sampleProject()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("'\(duet)' label --task sentiment --as e2e --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30")
        let screen = try tmux.waitForSettled("item s001")
        let lines = screen.components(separatedBy: "\n")
        let y = try #require(lines.lastIndex { $0.contains("3 positive") })
        let range = try #require(lines[y].range(of: "positive"))
        let x = lines[y][..<range.lowerBound].unicodeScalars.count
        // 1-based cells: press, then release.
        try tmux.tmux(["send-keys", "-t", tmux.session, "-l", "\u{1B}[<0;\(x + 2);\(y + 1)M\u{1B}[<0;\(x + 2);\(y + 1)m"])
        try tmux.waitFor("sentiment · classify · 1/200")
        try tmux.send("q")
        try tmux.waitFor("DUET-EXIT=0")
        let export = try Tmux.run(duet, ["export", "--task", "sentiment", "--decisions", "human", "--project", dir.path])
        let first = try #require(export.split(separator: "\n").first { $0.contains("s001") })
        #expect(first.contains("positive"))
    }
}
