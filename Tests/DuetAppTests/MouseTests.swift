import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// Clicks and the wheel, mapped by the layouts the views draw with.
@Suite struct MouseTests {
    /// Where `text` is drawn: the display column and row of its first occurrence.
    func cell(of text: String, in lines: [String], below top: Int = 0) -> (x: Int, y: Int)? {
        for (y, line) in lines.enumerated() where y >= top {
            if let r = line.range(of: text) { return (DisplayWidth.of(String(line[..<r.lowerBound])), y) }
        }
        return nil
    }

    @Test(arguments: [(80, 24), (120, 40), (40, 12)])
    func clickOnALabelChoosesIt(width: Int, height: Int) throws {
        let h = try Harness(width: width, height: height)
        let choices = try #require(h.screen.firstIndex { $0.contains("label") && $0.contains("┌") })
        let neutral = try #require(cell(of: "neutral", in: h.screen, below: choices))
        // The label's text and its key both choose it; the cell just before the key does not.
        #expect(App.mouseTarget(h.state, Mouse(.click, x: neutral.x, y: neutral.y)) == .action(.pick2, times: 1))
        #expect(App.mouseTarget(h.state, Mouse(.click, x: neutral.x - 2, y: neutral.y)) == .action(.pick2, times: 1))
        #expect(App.mouseTarget(h.state, Mouse(.click, x: neutral.x - 3, y: neutral.y)) == nil)
        // Outside every label: the header, the item pane, the hint line.
        #expect(App.mouseTarget(h.state, Mouse(.click, x: 0, y: 0)) == nil)
        #expect(App.mouseTarget(h.state, Mouse(.click, x: 5, y: 3)) == nil)
        #expect(App.mouseTarget(h.state, Mouse(.click, x: 5, y: height - 1)) == nil)
        // The click is the key: saved the same way, and the next item shows.
        h.runtime.send(.mouse(Mouse(.click, x: neutral.x, y: neutral.y), at: Date()))
        let saved = try h.decisions(Harness.sentiment)
        #expect(saved.map(\.0) == ["t1"])
        #expect(saved.first?.1 == .string("neutral"))
        #expect(h.label?.item?.item.uid == "t2")
    }

    @Test func wheelScrollsThePaneUnderThePointer() throws {
        let h = try Harness(width: 80, height: 24)
        #expect(App.mouseTarget(h.state, Mouse(.wheelDown, x: 10, y: 3)) == .action(.scrollDown, times: App.wheelStep))
        #expect(App.mouseTarget(h.state, Mouse(.wheelUp, x: 10, y: 3)) == .action(.scrollUp, times: App.wheelStep))
        #expect(App.mouseTarget(h.state, Mouse(.wheelDown, x: 10, y: 23)) == nil)
        // Help: the wheel scrolls it.
        h.press(.char("?"))
        h.runtime.send(.mouse(Mouse(.wheelDown, x: 10, y: 5), at: Date()))
        guard case .help(let scroll)? = h.state.overlay else { Issue.record("help closed"); return }
        #expect(scroll == App.wheelStep)
    }

    @Test func mouseOffDoesNothing() throws {
        let h = try Harness()
        var state = h.state
        state.mouse = false
        let choices = try #require(h.screen.firstIndex { $0.contains("label") && $0.contains("┌") })
        let neutral = try #require(cell(of: "neutral", in: h.screen, below: choices))
        #expect(App.update(&state, .mouse(Mouse(.click, x: neutral.x, y: neutral.y), at: Date())).isEmpty)
        state.mouse = true
        #expect(!App.update(&state, .mouse(Mouse(.click, x: neutral.x, y: neutral.y), at: Date())).isEmpty)
    }

    @Test func clickOnATriageRowSelectsItAndTheWheelMoves() throws {
        let t = TriageTests()
        let h = try t.routed()
        let r = t.open(h)
        let lines = Render.screen(r.state).lines
        let row = try #require(cell(of: " t2 ", in: lines))
        r.send(.mouse(Mouse(.click, x: row.x + 1, y: row.y), at: Date()))
        guard case .triage(let after) = r.state.screen else { Issue.record("left triage"); return }
        #expect(after.rows[after.selected].item.item.uid == "t2")
        // The column titles select nothing.
        #expect(App.mouseTarget(r.state, Mouse(.click, x: row.x + 1, y: row.y - 2)) == nil)
        #expect(App.mouseTarget(r.state, Mouse(.wheelDown, x: row.x, y: row.y)) == .action(.moveDown, times: App.wheelStep))
    }

    @Test(arguments: [(80, 24), (120, 40), (40, 12)])
    func clickOnADashboardTaskSelectsItAndASecondClickOpensIt(width: Int, height: Int) throws {
        let h = try Harness(width: width, height: height, task: nil)
        guard case .dashboard(let d) = h.state.screen, d.rows.count > 1 else { Issue.record("no dashboard with tasks"); return }
        let name = d.rows[1].task.name
        let row = try #require(cell(of: " " + name + " ", in: h.screen, below: 1))
        // The detail under the list and the header select nothing.
        #expect(App.mouseTarget(h.state, Mouse(.click, x: row.x + 1, y: 0)) == nil)
        #expect(App.mouseTarget(h.state, Mouse(.click, x: row.x + 1, y: height - 3)) == nil)
        h.runtime.send(.mouse(Mouse(.click, x: row.x + 1, y: row.y), at: Date()))
        guard case .dashboard(let after) = h.state.screen else { Issue.record("left the dashboard on the first click"); return }
        #expect(after.selected == 1)
        h.runtime.send(.mouse(Mouse(.click, x: row.x + 1, y: row.y), at: Date()))
        #expect(h.label?.task.name == name, "\(h.screen.joined(separator: "\n"))")
    }

    @Test func clickOnAPairPaneFocusesIt() throws {
        let h = try Harness(width: 120, height: 40, task: Harness.prefs)
        let layout = PairLayout(h.state, try #require(h.label))
        let b = layout.panes[1]
        h.runtime.send(.mouse(Mouse(.click, x: b.x + 2, y: b.y + 1), at: Date()))
        #expect(h.label?.pair?.focus == 2)
        h.runtime.send(.mouse(Mouse(.click, x: layout.prompt.x + 2, y: layout.prompt.y + 1), at: Date()))
        #expect(h.label?.pair?.focus == 0)
    }
}
