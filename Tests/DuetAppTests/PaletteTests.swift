import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// The command palette (`:`): narrowing, going to an id, switching task, filtering the queue,
/// themes, route now; each command an action of the one key table.
@Suite struct PaletteTests {
    func titles(_ state: AppState) -> [String] {
        guard case .palette(let p)? = state.overlay else { return [] }
        return p.matches(state).map(\.title)
    }

    /// The reducer alone, on a copy of the harness's state: keys in, effects out.
    func press(_ state: inout AppState, _ keys: [Key]) -> [Effect] {
        keys.flatMap { App.update(&state, .key($0, at: Date())) }
    }

    func typed(_ text: String) -> [Key] { text.map { .char($0) } }

    @Test func typingNarrowsCaseInsensitiveThenFuzzy() throws {
        let h = try Harness()
        h.press(.char(":"))
        #expect(titles(h.state).first == "go to item… (go ID)")
        #expect(titles(h.state).contains("task: topics (multilabel)"))
        h.type("NEG")
        #expect(titles(h.state) == ["filter: machine label negative"])
        h.press(.ctrl("u"))
        h.type("flgd")
        #expect(titles(h.state) == ["filter: flagged"])
        h.press(.ctrl("u"))
        // Substring matches come before fuzzy ones.
        h.type("task")
        #expect(titles(h.state).prefix(6).allSatisfy { $0.hasPrefix("task: ") })
        h.press(.escape)
        #expect(h.state.overlay == nil)
    }

    @Test func goToAKnownIdShowsThatItem() throws {
        let h = try Harness()
        #expect(h.label?.item?.item.uid == "t1")
        h.press(.char(":"))
        h.type("go t4")
        #expect(titles(h.state) == ["go to item t4"])
        h.press(.enter)
        #expect(h.state.overlay == nil)
        #expect(h.label?.item?.item.uid == "t4")
        // Chosen from the list, "go to item…" asks for the id.
        h.press(.char(":"))
        h.press(.enter)
        guard case .palette(let p)? = h.state.overlay else { Issue.record("the palette closed"); return }
        #expect(p.query.text == "go ")
        h.type("t2")
        h.press(.enter)
        #expect(h.label?.item?.item.uid == "t2")
    }

    @Test func goToAnUnknownIdSaysSo() throws {
        let h = try Harness()
        h.press(.char(":"))
        h.type(":go nope\u{1B}[31m")
        h.press(.enter)
        #expect(h.state.status?.text == "No item \"nope\u{1B}[31m\" in task sentiment")
        #expect(h.state.status?.kind == .warning)
        #expect(h.label?.item?.item.uid == "t1")
        // Drawn through the canvas: the escape shows as a symbol.
        #expect(h.screen.last?.contains("No item \"nope␛[31m\" in task sentiment") == true)
    }

    @Test func switchTaskAndFilterTheQueue() throws {
        let h = try Harness()
        h.press(.char(":"))
        h.type("task: topics")
        h.press(.enter)
        #expect(h.label?.task.name == "topics")
        var state = h.state
        _ = press(&state, [.char(":")])
        _ = press(&state, typed("task: senti"))
        let effects = press(&state, [.enter])
        #expect(effects == [.loadNext(Harness.sentiment)])
        _ = press(&state, [.char(":")] + typed("flagged"))
        #expect(press(&state, [.enter]) == [.loadTriage(Harness.sentiment, TriageFilter(pendingOnly: false, flaggedOnly: true))])
        guard case .triage(let t) = state.screen else { Issue.record("no queue"); return }
        #expect(t.filter.flaggedOnly)
        _ = press(&state, [.char(":")] + typed("label positive"))
        #expect(press(&state, [.enter]) == [.loadTriage(Harness.sentiment, TriageFilter(label: "positive"))])
        _ = press(&state, [.char(":")] + typed("uncertain"))
        #expect(press(&state, [.enter]) == [.loadTriage(Harness.sentiment, TriageFilter(minScore: 0.5))])
        _ = press(&state, [.char(":")] + typed("routed"))
        #expect(press(&state, [.enter]) == [.loadTriage(Harness.sentiment, TriageFilter(pendingOnly: false))])
        _ = press(&state, [.char(":")] + typed("clear"))
        #expect(press(&state, [.enter]) == [.loadTriage(Harness.sentiment, TriageFilter())])
    }

    @Test func changeTheme() throws {
        let h = try Harness()
        var state = h.state
        let light = Theme(name: "light", styles: [.text: Style(fg: .index(4))])
        state.themes = [.mono, light]
        _ = press(&state, [.char(":")] + typed("theme"))
        #expect(titles(state) == ["theme: mono", "theme: light"])
        _ = press(&state, [.down, .enter])
        #expect(state.theme == light)
        #expect(state.status?.text == "Theme: light")
    }

    @Test func routeNowRunsAsAnEffectAndReports() throws {
        let h = try Harness()
        var state = h.state
        _ = press(&state, [.char(":")] + typed("route now"))
        #expect(press(&state, [.enter]) == [.routeNow(Harness.sentiment)])
        #expect(state.status?.text == "Routing sentiment…")
        _ = App.update(&state, .routedNow(Harness.sentiment, "routed 6 items by local"))
        #expect(state.status?.text == "routed 6 items by local")
        // A runtime without a router says how to route instead.
        h.press(.char(":"))
        h.type("route now")
        h.press(.enter)
        #expect(h.state.status?.text.contains("duet route --task sentiment") == true)
    }

    @Test func everyCommandIsAnActionOfTheTableAndInHelp() throws {
        let h = try Harness()
        var state = h.state
        _ = press(&state, [.char(":")])
        guard case .palette(let p)? = state.overlay else { Issue.record("no palette"); return }
        let help = OverlayLayout.helpLines(h.state, width: 74).map(\.text).joined(separator: "\n")
        for entry in p.matches(state) {
            let binding = try #require(Keymap.defaults.binding(entry.command.action))
            #expect(help.contains(binding.help.prefix(30)), "\(entry.title): \(binding.help) not in help")
        }
        #expect(help.contains("Command palette"))
        // A command bound to a key of its own in [keys] acts from the screen.
        let map = try Keymap.defaults.remapped(["routeNow": ["R"], "goToItem": ["G"]])
        var mapped = h.state
        mapped.keymap = map
        #expect(App.update(&mapped, .key(.char("R"), at: Date())) == [.routeNow(Harness.sentiment)])
        _ = App.update(&mapped, .key(.char("G"), at: Date()))
        guard case .palette(let asked)? = mapped.overlay else { Issue.record("G opened nothing"); return }
        #expect(asked.query.text == "go ")
    }

    /// The palette at 80×24, 120×40 and 40×12: a CJK task name keeps the box's right border in line.
    @Test(arguments: [(80, 24), (120, 40), (40, 12)])
    func rendersAndCJKLinesUp(width: Int, height: Int) throws {
        let cjk = TaskSpec(name: "情感分析", kind: .classify, labels: ["好", "坏"], dataset: "t")
        let h = try Harness(width: width, height: height, tasks: [Harness.sentiment, cjk])
        h.press(.char(":"))
        let lines = h.screen
        let query = try #require(lines.firstIndex { $0.contains("│: ") })
        let row = try #require(lines.firstIndex { $0.contains("task: 情感分析") })
        func border(_ line: String) -> Int? {
            guard let i = line.lastIndex(of: "│") else { return nil }
            return DisplayWidth.of(String(line[..<i]))
        }
        #expect(border(lines[row]) != nil)
        #expect(border(lines[row]) == border(lines[query]))
        #expect(lines[query + 1].contains("▸ go to item"))
        #expect(lines.last?.contains("⏎ run") == true)
        #expect(lines.last?.contains("esc close") == true)
    }
}
