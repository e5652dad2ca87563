import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// The hint line keeps `? help` and `q quit` on every screen and at every width; the other hints shorten
/// to their keys, then drop, to fit.
@Suite struct HintLineTests {
    @Test func fittingShortensThenDropsButKeepsHelpAndQuit() {
        let entries: [(action: Action, text: String)] = [(.submit, "⏎ submit"), (.skip, "␣ skip"), (.flag, "f flag"),
                                                         (.help, "? help"), (.quit, "q quit")]
        #expect(Render.fitHints(entries, width: 80) == ["⏎ submit", "␣ skip", "f flag", "? help", "q quit"])
        // 30 columns: the last others lose their words first.
        #expect(Render.fitHints(entries, width: 30) == ["⏎ submit", "␣", "f", "? help", "q quit"])
        // 20: all others are keys only; 15: some dropped; `? help  q quit` (14) always stays.
        #expect(Render.fitHints(entries, width: 20) == ["⏎", "␣", "? help", "q quit"])
        #expect(Render.fitHints(entries, width: 8) == ["? help", "q quit"])
        #expect(Render.keyPart("[ ] prev/next") == "[ ]" && Render.keyPart("x both bad") == "x" && Render.keyPart("u ≥H") == "u ≥H")
    }

    /// Every screen a person works in, at 80×24, 120×40 and 40×12.
    @Test(arguments: [(80, 24), (120, 40), (40, 12)])
    func everyScreenKeepsHelpAndQuit(size: (Int, Int)) throws {
        for task in [Harness.sentiment, Harness.topics, Harness.stars, Harness.review, Harness.prefs, Harness.ranks, nil] as [TaskSpec?] {
            let h = try Harness(width: size.0, height: size.1, task: task)
            let last = try #require(h.screen.last)
            #expect(last.contains("? help") && last.contains("q quit"), "\(task?.name ?? "dashboard") at \(size.0)×\(size.1): \(last)")
            #expect(DisplayWidth.of(last) <= size.0)
            // The side panel only from 100 columns, on the task screens (the hint line keeps its keys either way).
            #expect(h.screen.contains { $0.contains("┌ context") } == (size.0 >= 100 && task != nil), "\(task?.name ?? "dashboard") at \(size.0)×\(size.1)")
        }
    }
}

/// A status message (a decision saved, an error) shares the bottom line with the hints: `? help` and
/// `q quit` stay while it shows, and the message is cut before they are.
@Suite struct StatusWithHintsTests {
    @Test(arguments: [(80, 24), (120, 40), (40, 12)])
    func savedConfirmationKeepsHelpAndQuit(size: (Int, Int)) throws {
        let h = try Harness(width: size.0, height: size.1)
        h.press(.char("1"))
        let last = try #require(h.screen.last)
        #expect(last.contains("? help") && last.contains("q quit"), "\(size.0)×\(size.1): \(last)")
        #expect(DisplayWidth.of(last) <= size.0)
        if size.0 >= 80 { #expect(last.contains("saved t1 → negative"), "\(last)") } else { #expect(last.contains("saved")) }
    }
}

/// `?` opens on the current screen's keys, then the rest; nothing is cut; End scrolls to the bottom.
@Suite struct HelpOverlayTests {
    func helpTitles(_ task: TaskSpec?, width: Int = 120, height: Int = 40) throws -> (Harness, [String]) {
        let h = try Harness(width: width, height: height, task: task)
        h.press(.char("?"))
        let titles = OverlayLayout.helpLines(h.state, width: 80).filter { !$0.text.hasPrefix(" ") && !$0.text.isEmpty }.map(\.text)
        return (h, titles)
    }

    @Test func opensOnTheCurrentScreensKeys() throws {
        #expect(try helpTitles(Harness.prefs).1.first == "Pairs and rankings")
        #expect(try helpTitles(Harness.review).1.first == "Review (demonstrations)")
        #expect(try helpTitles(Harness.sentiment).1.first == "Labeling")
        #expect(try helpTitles(nil).1.first == "Dashboard")
        // Every section is still there, once.
        let all = try helpTitles(Harness.prefs).1
        #expect(Set(all).count == all.count && all.contains("Dashboard") && all.contains("Labeling"))
    }

    @Test func nothingIsCutAndEndScrollsToTheBottom() throws {
        let (h, _) = try helpTitles(Harness.sentiment, width: 60, height: 20)
        #expect(!OverlayLayout.helpLines(h.state, width: 40).contains { $0.text.contains("…") })
        h.press(.end)
        guard case .help(let scroll)? = h.state.overlay else { Issue.record("help closed"); return }
        let limit = try #require(OverlayLayout(h.state, .help(scroll: 0))?.maxScroll)
        #expect(limit > 0 && scroll == limit)
    }
}

/// A pair whose responses cannot be shown cannot be judged: the screen says so and a/b/t/x/⏎ record nothing.
@Suite struct PairTooSmallTests {
    @Test func tooSmallToShowTheResponsesJudgesNothing() throws {
        let h = try Harness(width: 40, height: 12, task: Harness.prefs)
        #expect(h.screen.joined().contains("too small to show the"))
        for key: Key in [.char("a"), .char("b"), .char("t"), .char("x"), .enter] { h.press(key) }
        #expect(try h.decisions(Harness.prefs).isEmpty)
        #expect(h.state.status?.text.hasPrefix("The window is too small") == true)
        // Made bigger, the same keys judge.
        h.runtime.send(.resized(width: 80, height: 24))
        #expect(!h.screen.dropLast().joined().contains("too small") && h.screen.joined().contains("2+2 is 4."))
        h.press(.char("a"))
        #expect(try h.decisions(Harness.prefs).count == 1)
    }
}
