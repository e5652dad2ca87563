import Foundation
import Testing

/// Two people label the same task at the same time with overlap 2, a third
/// settles where they disagree, the export takes the settled label, and the
/// dashboard's Quality screen shows their agreement and the plan.
@Suite(.serialized, .enabled(if: Tmux.available && Tmux.duetBinary != nil, "needs tmux and a built duet binary"))
struct TeamInTmuxTests {
    @Test func twoPeopleThenAdjudicationThenQuality() throws {
        let duet = try #require(Tmux.duetBinary)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Tmux.run(duet, ["init", dir.path, "--template", "classify", "--example"])
        try Tmux.run(duet, ["task", "add", "twice", "--kind", "classify", "--labels", "negative,neutral,positive", "--dataset", "sentiment",
                            "--overlap", "2", "--project", dir.path])
        try Tmux.run(duet, ["import", Tmux.repoRoot.appendingPathComponent("sample-data/sentiment.jsonl").path, "--project", dir.path])

        // Ana and Bob at once: both get the first two items (two seats each).
        let ana = Tmux(), bob = Tmux()
        defer { ana.kill(); bob.kill() }
        try ana.start("'\(duet)' label --task twice --as ana --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30")
        try bob.start("'\(duet)' label --task twice --as bob --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30")
        try ana.waitFor("twice · classify · 0/200")
        try bob.waitFor("twice · classify · 0/200")
        try ana.send("1")  // negative
        try bob.send("3")  // positive: they disagree on the first item
        try ana.waitFor("twice · classify · 1/200")
        try bob.waitFor("twice · classify · 1/200")
        try ana.send("2")
        try ana.waitFor("twice · classify · 2/200")
        try bob.send("2")  // agree on the second
        try bob.waitFor("· 2 with 2 people")
        try ana.send("q")
        try bob.send("q")
        try ana.waitFor("DUET-EXIT=0")
        try bob.waitFor("DUET-EXIT=0")

        let list = try Tmux.run(duet, ["adjudicate", "--list", "--task", "twice", "--project", dir.path])
        #expect(list.contains("ana=negative, bob=positive"))
        #expect(list.contains("1 disputed item, 1 not settled"))

        let cleo = Tmux()
        defer { cleo.kill() }
        try cleo.start("'\(duet)' adjudicate --task twice --as cleo --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30")
        // The screen opens before the store answers (the loop never waits on it): wait for the item's answers.
        let screen = try cleo.waitFor("who said what")
        #expect(screen.contains("item 1 of 1 disputed · 0 settled"))
        #expect(screen.contains("1 × negative · 1 × positive") || screen.contains("1 × positive · 1 × negative"))
        try cleo.send("2")  // neither: neutral
        try cleo.waitFor("The disputed item is settled")
        try cleo.send("q")
        try cleo.waitFor("DUET-EXIT=0")

        let rows = try Tmux.exportRows(duet, project: dir, task: "twice", ["--decisions", "final"], name: "final.jsonl")
        #expect(rows.count == 2)
        let settled = try #require(rows.first { ($0["annotation"] as? [String: Any])?["annotator"] as? String == "adjudicator:cleo" })
        #expect(settled["label"] as? String == "neutral")

        // The dashboard's Quality screen for the second task: agreement between ana and bob, and the plan's note.
        let dash = Tmux()
        defer { dash.kill() }
        try dash.start("'\(duet)' --as dana --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30", width: 130, height: 40)
        try dash.waitFor("v quality")
        try dash.send("j", "v")
        try dash.waitFor("quality · twice · classify")
        // The figures arrive once computed (the screen says "computing…" meanwhile).
        let quality = try dash.waitFor("ana – bob: 0.333 on 2 items")  // po 0.5, pe 0.25
        #expect(quality.contains("No plan"))
        try dash.send("q")
        try dash.waitFor("⏎ open")
        try dash.send("q")
        try dash.waitFor("DUET-EXIT=0")
    }
}
