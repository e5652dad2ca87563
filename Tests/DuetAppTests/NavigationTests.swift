import DuetCore
@testable import DuetStore
import Foundation
import Testing
import TermUI
@testable import DuetApp

@Suite struct NavigationTests {
    @Test func helpGuidelinesAndSearchOverlays() throws {
        let h = try Harness()
        h.press(.char("?"))
        guard case .help? = h.state.overlay else { Issue.record("help not open"); return }
        #expect(h.screen.contains { $0.contains("Undo the last decision; its item shows again") })
        // Scrolling stops at the end: one k after many j moves back one line.
        for _ in 0..<120 { h.press(.char("j"), seconds: 0.1) }
        guard case .help(let end)? = h.state.overlay else { Issue.record("help closed"); return }
        #expect(end == OverlayLayout(h.state, .help(scroll: 0))?.maxScroll)
        #expect(end > 0)
        h.press(.char("k"))
        guard case .help(let back)? = h.state.overlay else { Issue.record("help closed"); return }
        #expect(back == end - 1)
        h.press(.escape)
        #expect(h.state.overlay == nil)
        h.press(.char("g"))
        #expect(h.screen.contains { $0.contains("neutral: facts and questions.") })
        h.press(.char("g"))
        #expect(h.state.overlay == nil)
        // Search: type, enter, pick, open.
        h.press(.char("/"))
        h.type("TRAINS")
        #expect(h.screen.contains { $0.contains("/ TRAINS") })
        h.press(.enter)
        guard case .search(let s)? = h.state.overlay else { Issue.record("search closed"); return }
        #expect(s.results?.map(\.item.uid) == ["t3"])
        h.press(.enter)
        #expect(h.state.overlay == nil)
        #expect(h.label?.item?.item.uid == "t3")
        // Keys typed into an overlay never reach the label screen.
        h.press(.char("n"))
        h.type("123")
        h.press(.escape)
        #expect(try h.decisions(Harness.sentiment).isEmpty)
    }

    @Test func dashboardOpensAndQuitReturns() throws {
        let h = try Harness(task: nil)
        guard case .dashboard(let d) = h.state.screen else { Issue.record("not on the dashboard"); return }
        #expect(d.rows.map(\.task.name) == ["sentiment", "topics", "stars", "review", "prefs", "ranks"])
        h.press(.char("j"), .char("j"))
        h.press(.enter)
        #expect(h.label?.task.name == "stars")
        h.press(.char("5"))
        h.press(.char("q"))
        guard case .dashboard(let back) = h.state.screen else { Issue.record("q did not return to the dashboard"); return }
        #expect(back.rows[2].progress.human == 1)
        #expect(h.screen.contains { $0.contains("1/6 16%") })
        h.press(.char("q"))
        #expect(h.state.quitting)
    }

    @Test func quitFromATaskOpenedDirectly() throws {
        let h = try Harness()
        h.press(.char("q"))
        #expect(h.state.quitting)
    }

    @Test func compareTasksOpenThePairScreen() throws {
        let h = try Harness(task: nil, tasks: [Harness.prefs])
        h.press(.enter)
        #expect(h.label?.task.name == "prefs")
        #expect(h.label?.pair != nil)
        #expect(h.screen.contains { $0.contains("prompt · item p1") })
    }

    @Test func tooSmallThenResized() throws {
        let h = try Harness()
        h.runtime.send(.resized(width: 39, height: 12))
        #expect(h.screen.contains { $0.contains("Terminal too small") })
        #expect(h.screen.contains { $0.contains("39×12, need 40×12") })
        h.press(.char("1"))
        #expect(try h.decisions(Harness.sentiment).isEmpty)
        h.runtime.send(.resized(width: 40, height: 12))
        #expect(h.screen[0].hasPrefix(" sentiment · classify"))
        h.press(.char("1"))
        #expect(try h.decisions(Harness.sentiment).count == 1)
        h.runtime.send(.resized(width: 20, height: 5))
        h.press(.char("q"))
        #expect(h.state.quitting)
    }

    @Test func scrollingIsBounded() throws {
        let long = (1...60).map { "line \($0) of a long response" }.joined(separator: "\n")
        let h = try Harness(height: 12, task: Harness.review)
        _ = try h.store.importBatch(dryRun: false) { w in
            try w.beginFile(path: "/d2.jsonl", format: "messages", dataset: "d")
            try w.add(ImportedRecord(item: Item(uid: "long", dataset: "d", kind: .demonstration, fields: ItemFields(messages: [.user("Write"), .assistant(long)]))))
        }
        h.press(.char("a"), .char("a"))
        #expect(h.label?.item?.item.uid == "long")
        h.press(.char("j"), .char("j"))
        #expect(h.label?.scroll == 2)
        h.press(.end)
        let max = try #require(h.label?.scroll)
        #expect(max == LabelLayout(h.state, h.label!).maxScroll)
        #expect(max > 50)
        h.press(.char("j"))
        #expect(h.label?.scroll == max)
        #expect(h.screen.contains { $0.contains("line 60 of a long response") })
        h.press(.home, .char("k"))
        #expect(h.label?.scroll == 0)
    }

    @Test func ctrlCQuitsAnywhere() throws {
        let h = try Harness()
        h.press(.char("/"))
        h.press(.ctrl("c"))
        #expect(h.state.quitting)
    }
}

@Suite struct KeymapTests {
    @Test func everyActionHasHelpAndKeys() {
        for action in Action.allCases {
            let b = Keymap.defaults.binding(action)
            #expect(b != nil, "\(action) is missing from the table")
            // The palette's commands run from the palette (`:`); a key of their own is optional ([keys]).
            #expect(b?.keys.isEmpty == false || PaletteCommand.actions.contains(action), "\(action) has no key")
            #expect(b?.help.isEmpty == false)
        }
        // The defaults have no conflicts.
        #expect(throws: Never.self) { try Keymap.defaults.remapped([:]) }
    }

    @Test func remapChangesDispatchHelpAndHints() throws {
        let map = try Keymap.defaults.remapped(["skip": ["s"], "undo": ["z", "backspace"]])
        #expect(map.action(for: .char("s"), in: [.label, .classify]) == .skip)
        #expect(map.action(for: .char(" "), in: [.label, .classify]) == nil)
        #expect(map.action(for: .char("z"), in: [.label]) == .undo)
        var state = AppState(width: 80, height: 24, tasks: [], annotator: "a", keymap: map)
        state.overlay = .help(scroll: 0)
        let lines = OverlayLayout.helpLines(state, width: 70).map(\.text)
        #expect(lines.contains { $0.contains("z, backspace") && $0.contains("Undo") })
    }

    @Test func remapErrorsNameTheEntry() {
        let unknown = #expect(throws: KeymapError.self) { try Keymap.defaults.remapped(["skipp": ["s"]]) }
        #expect(unknown?.message.hasPrefix("keys.skipp: no such action") == true)
        let badKey = #expect(throws: KeymapError.self) { try Keymap.defaults.remapped(["skip": ["ctrl-"]]) }
        #expect(badKey?.message.contains("'ctrl-' is not a key name") == true)
        let clash = #expect(throws: KeymapError.self) { try Keymap.defaults.remapped(["skip": ["u"]]) }
        #expect(clash?.message.contains("'u' is bound to both") == true)
        // On the review screen, accept and undo meet: a clash there too.
        let review = #expect(throws: KeymapError.self) { try Keymap.defaults.remapped(["accept": ["f"]]) }
        #expect(review?.message.contains("'f'") == true)
    }

    @Test func keyNamesRoundTrip() {
        let keys: [Key] = [.char("a"), .char("A"), .char(" "), .enter, .escape, .ctrl("d"), .pageDown, .function(2), .backTab, .char("[")]
        for k in keys { #expect(Key(name: k.name) == k, "\(k.name)") }
    }
}
