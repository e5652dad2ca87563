import DuetCore
import Testing
import TermUI
@testable import DuetApp

/// Screens rendered into a canvas and compared as text. Fixtures hold
/// 你好, 😀, e+U+0301, a tab and ESC sequences.
@Suite struct RenderTests {
    /// Every row must fill the width exactly: wide characters take two columns.
    func expectFullRows(_ c: Canvas, sourceLocation: SourceLocation = #_sourceLocation) {
        for y in 0..<c.height {
            #expect(DisplayWidth.of(c.row(y)) == c.width, "row \(y): \(c.row(y))", sourceLocation: sourceLocation)
        }
    }

    @Test func classifyAt80x24WithControlsTabAndCombining() throws {
        let h = try Harness(width: 80, height: 24)
        h.press(.char(" "))
        let lines = h.screen
        #expect(Array(lines.prefix(4)) == [
            " sentiment · classify · 0/6 (0%)                                            ana",
            "┌ item t2 · t ─────────────────────────────────────────────────────────────────┐",
            "│ text                                                                         │",
            "│ cafe\u{301} closed again ␛[31mred␛[0m                                               │",
        ])
        #expect(Array(lines.suffix(5)) == [
            "└──────────────────────────────────────────────────────────────────────────────┘",
            "┌ label ────────────────────────────────────────────┐┌ suggestion ─────────────┐",
            "│ 1 negative   2 neutral   3 positive               ││ no machine label yet    │",
            "└───────────────────────────────────────────────────┘└─────────────────────────┘",
            " skipped t1: it comes back at the end   1-9  ⏎  ␣  u  f  n  [ ]  ? help  q quit",
        ])
        expectFullRows(Render.screen(h.state))
        // No control character reaches the canvas.
        let c = Render.screen(h.state)
        #expect(!c.cells.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) } })
    }

    @Test func multilabelAt120x40WithWideCharacters() throws {
        let h = try Harness(width: 120, height: 40, task: Harness.topics)
        h.press(.char("1"))
        let lines = h.screen
        // The item in 80 columns, the side panel (40) beside it; the choices take the whole row under the item.
        #expect(lines[3] == "│ 你好, the coffee was great 😀" + String(repeating: " ", count: 48) + "││ no machine votes for this item       │")
        #expect(lines[36] == "┌ labels (toggle, ⏎ submit) ───────────────────────────────────────────────────┐│                                      │")
        #expect(lines[37] == "│ 1 [x] food   2 [ ] travel   3 [ ] tech                                       ││                                      │")
        #expect(lines[39] == " 1-9 label  ⏎ submit  ␣ skip  u undo  f flag  n note  [ ] prev/next  g guide  / search  ? help  q quit")
        let c = Render.screen(h.state)
        expectFullRows(c)
        // 你 and 好 take two cells each; the cell after each is a continuation.
        #expect(c[2, 3].text == "你" && c[2, 3].width == 2 && c[3, 3].isContinuation)
        #expect(c[4, 3].text == "好" && c[5, 3].isContinuation)
        #expect(c[29, 3].text == "😀" && c[30, 3].isContinuation)
    }

    @Test func smallestTerminal40x12() throws {
        let h = try Harness(width: 40, height: 12)
        h.press(.char(" "))
        #expect(h.screen == [
            " sentiment · classify · 0/6 (0%)    ana",
            "┌ item t2 · t ─────────────────────────┐",
            "│ text                                 │",
            "│ cafe\u{301} closed again ␛[31mred␛[0m       │",
            "│                                      │",
            "│                                      │",
            "└──────────────────────────────────────┘",
            "┌ label ───────────────────────────────┐",
            "│ 1 negative   2 neutral               │",
            "│ 3 positive                           │",
            "└──────────────────────────────────────┘",
            " skipped t1: it comes …  ? help  q quit",
        ])
        expectFullRows(Render.screen(h.state))
    }

    @Test func dashboardAt40x12() throws {
        let h = try Harness(width: 40, height: 12, task: nil)
        #expect(h.screen == [
            " Duet                               ana",
            "┌ Tasks ───────────────────────────────┐",
            "│▸ sentiment classify   ░░░░ 0/6 0%    │",
            "│  topics    multilabel ░░░░ 0/6 0%    │",
            "│  stars     rate       ░░░░ 0/6 0%    │",
            "│  review    review     ░░░░ 0/2 0%    │",
            "│                                      │",
            "│  sentiment: negative · neutral · posi│",
            "│  █ human 0   ▓ machine 0             │",
            "│                                      │",
            "└──────────────────────────────────────┘",
            " ⏎ open  v quality  :  ? help  q quit",
        ])
    }

    @Test func dashboardListScrollsToTheSelection() throws {
        let h = try Harness(width: 40, height: 12, task: nil)
        #expect(!h.screen.contains { $0.contains("prefs") })
        h.press(.char("j"), .char("j"), .char("j"), .char("j"))
        #expect(h.screen[2...5].map { String($0.prefix(14)) } == ["│  topics    m", "│  stars     r", "│  review    r", "│▸ prefs     c"])
        #expect(h.screen.contains { $0.contains("prefs: compare") })
    }

    @Test func dashboardBarsAfterWork() throws {
        let h = try Harness(width: 80, height: 24, task: nil)
        h.press(.enter)  // sentiment
        h.press(.char("1"), .char("2"), .char(" "), .char("f"), .char("3"))
        h.press(.char("q"))
        let row = try #require(h.screen.first { $0.contains("▸ sentiment") })
        // 3 human of 6 (half the 25-cell bar, rounding to the largest part), 1 skipped, 2 remaining.
        // Keys 2 s apart: 2 s + 2 s + 4 s (the item after the skip was shown at the skip) = 8 s → 1350/h.
        #expect(row.contains("█████████████▒▒▒▒░░░░░░░░ 3/6 50%  1350/h  ⚑1"))
        expectFullRows(Render.screen(h.state))
    }

    @Test func reviewShowsTurnsAndEdits() throws {
        let h = try Harness(width: 80, height: 24, task: Harness.review)
        h.press(.char("a"))  // d1 accepted; d2 has a system turn
        let lines = h.screen
        #expect(Array(lines[2...10]) == [
            "│ system                                                                       │",
            "│ Be brief.                                                                    │",
            "│                                                                              │",
            "│ user                                                                         │",
            "│ Greet me                                                                     │",
            "│                                                                              │",
            "│ response                                                                     │",
            "│ Hello!                                                                       │",
            "│                                                                              │",
        ])
        #expect(lines[21] == "│ 1  2  3  4  5                                     ││ no machine label yet    │")
    }

    @Test func helpIsGeneratedFromTheKeymap() throws {
        let h = try Harness(width: 80, height: 24)
        h.press(.char("?"))
        // Scroll through the whole overlay, collecting what it shows.
        var seen = Set<String>()
        for _ in 0..<80 {
            seen.formUnion(h.screen)
            h.press(.char("j"), seconds: 0.1)
        }
        let text = seen.joined(separator: "\n")
        for b in Keymap.defaults.bindings where b.action.pickIndex == nil {
            #expect(text.contains(b.help.prefix(30)), "\(b.action) missing from help")
        }
        #expect(text.contains("Review (demonstrations)"))
        expectFullRows(Render.screen(h.state))
    }

    @Test func allDoneScreen() throws {
        let h = try Harness(width: 60, height: 14, task: Harness.review)
        h.press(.char("a"), .char("x"))
        #expect(h.screen.contains("│ All done: nothing left in this task for you.             │"))
    }
}

/// The pair screen as text: stacked at 80×24, side by side at 140×40.
@Suite struct PairRenderTests {
    @Test func stackedAt80x24WithCJKAndEmoji() throws {
        let h = try Harness(width: 80, height: 24, task: Harness.prefs, annotator: "ana")
        // For ana, p1 shows response 1 ("2+2 is 5.") as A.
        try #require(h.label?.pair?.shown == [1, 0])
        #expect(h.screen == [
            " prefs · compare · 0/4 (0%)                                                 ana",
            "┌ prompt · item p1 ────────────────────────────────────────────────────────────┐",
            "│ user                                                                         │",
            "│ 你好! What is 2+2?                                                           │",
            "└──────────────────────────────────────────────────────────────────────────────┘",
            "┌ ▸ A · 3 words ───────────────────────────────────────────────────────────────┐",
            "│ 2+2 is 5.                                                                    │",
            "│                                                                              │",
            "│                                                                              │",
            "│                                                                              │",
            "│                                                                              │",
            "└──────────────────────────────────────────────────────────────────────────────┘",
            "┌ B · 4 words ─────────────────────────────────────────────────────────────────┐",
            "│ 2+2 is 4. 😀                                                                 │",
            "│                                                                              │",
            "│                                                                              │",
            "│                                                                              │",
            "│                                                                              │",
            "│                                                                              │",
            "└──────────────────────────────────────────────────────────────────────────────┘",
            "┌ judge ───────────────────────────────────────────────────────────────────────┐",
            "│ a A better  b B better  A/B much better  t tie  x both bad                   │",
            "└──────────────────────────────────────────────────────────────────────────────┘",
            " ␣ skip  u undo  f flag  n  a/b  A/B  t  x  r  d  tab  [ ]  g  /  ? help  q quit",
        ])
        let c = Render.screen(h.state)
        for y in 0..<c.height { #expect(DisplayWidth.of(c.row(y)) == 80, "row \(y)") }
    }

    @Test func sideBySideAt140x40WithLongResponses() throws {
        let h = try Harness(width: 140, height: 40, task: Harness.prefs, annotator: "ana")
        h.press(.char("t"), .char("t"), .char("t"))
        #expect(h.label?.item?.item.uid == "p4")
        let lines = h.screen
        #expect(lines[5].hasPrefix("┌ ▸ A · 240 words ─"))
        #expect(lines[5].contains("┐┌ B · 240 words ─"))
        // Side by side in the 94 columns beside the side panel (46).
        #expect(lines[6] == "│ Sentence 1 of the first answer. Sentence 2 ┃││ Sentence 1 of the second answer. Sentence 2┃││ done 3 · left 1                            │")
        #expect(lines[37] == "│ a A better  b B better  A/B much better  t tie  x both bad                                 ││                                            │")
        #expect(lines[3].hasSuffix("│ no machine votes for this item             │"))
        let c = Render.screen(h.state)
        for y in 0..<c.height { #expect(DisplayWidth.of(c.row(y)) == 140, "row \(y)") }
    }

    @Test func panesScrollOnTheirOwn() throws {
        let h = try Harness(width: 140, height: 24, task: Harness.prefs, annotator: "ana")
        h.press(.char("t"), .char("t"), .char("t"))
        let before = h.screen
        let row = try #require(before.firstIndex { $0.hasPrefix("│ Sentence 1 of the first answer.") })
        h.press(.tab, .pageDown)  // focus B, page it
        let after = h.screen
        // A is the first 47 columns, B the next 47 (the side panel the rest).
        func b(_ line: String) -> Substring { line.dropFirst(47).prefix(47) }
        #expect(after[row].prefix(47) == before[row].prefix(47))
        #expect(b(after[row]) != b(before[row]))
        #expect(!after.contains { b($0).contains("Sentence 1 of the second answer.") })
    }

    @Test func longPromptOpensAtItsLastTurn() throws {
        let h = try Harness(width: 140, height: 40, task: Harness.prefs, annotator: "ana")
        h.press(.char("t"))
        #expect(h.label?.item?.item.uid == "p2")
        #expect(h.label?.pair?.scrolls[0] ?? 0 > 0)
        #expect(h.screen[1..<12].contains { $0.contains("Winter, please.") })
    }
}
