import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// Every key goes through the one table: dispatch, the help overlay and the hint line read it,
/// on the screens and on the overlays alike.
@Suite struct KeyTableTests {
    /// The key a hint starts with ("j/k scroll" → j, "1-9 label" → 1, "[ ] prev/next" → [).
    static func firstKey(_ hint: String) -> Key? {
        let part = hint.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        let first = part.split(separator: "/").first.map(String.init) ?? part
        if first.count == 3, first.dropFirst().first == "-", let d = first.first, d.isNumber { return Key(hintName: String(d)) }
        return Key(hintName: first)
    }

    /// Every hint shown, on every screen and overlay, names a key that does that thing there.
    static func expectHintsDispatch(_ map: Keymap) {
        for contexts in Keymap.screens {
            for b in map.bindings {
                guard let hint = b.hint(in: contexts), !b.contexts.isDisjoint(with: contexts) else { continue }
                let key = firstKey(hint)
                #expect(key != nil, "hint '\(hint)' names no key")
                guard let key else { continue }
                #expect(map.action(for: key, in: contexts) == b.action,
                        "hint '\(hint)' in \(contexts.map(\.rawValue).sorted()): \(key.name) does \(String(describing: map.action(for: key, in: contexts)))")
            }
        }
    }

    @Test func hintsNameKeysTheTableDispatches() throws {
        Self.expectHintsDispatch(Keymap.defaults)
        // Remapped, the hints follow the keys.
        let map = try Keymap.defaults.remapped(["back": ["x"], "undo": ["z"], "save": ["ctrl-s"], "moveDown": ["ctrl-n"], "preferA": ["c"]])
        Self.expectHintsDispatch(map)
        #expect(map.hints(in: [.overlay]) == ["j/k scroll", "x close"])
        #expect(map.hints(in: [.label, .compare]).contains("c/b better"))
        #expect(map.hints(in: [.textInput]) == ["ctrl-s save", "esc cancel", "ctrl-u clear"])
    }

    /// A combined hint ("a/b better", "[ ] prev/next") names one key per action; remapping any one of
    /// them rewrites that key only, and every key the hint names does its action.
    @Test func remappingOneHalfOfACombinedHintRewritesThatKeyOnly() throws {
        let map = try Keymap.defaults.remapped(["preferB": ["c"], "scrollUp": ["i"], "next": ["}"], "muchA": ["Z"],
                                                "previousDisputed": ["P"], "moveUp": ["ctrl-p"]])
        #expect(map.hints(in: [.label, .compare]).contains("a/c better"))
        #expect(map.hints(in: [.label, .compare]).contains("Z/B much"))
        #expect(map.hints(in: [.overlay]).contains("j/i scroll"))
        #expect(map.hints(in: [.label, .classify]).contains("[ } prev/next"))
        #expect(map.hints(in: [.adjudicate]).contains("n/P item"))
        #expect(map.hints(in: [.searchResults]).contains("j/ctrl-p move"))
        // Every key of every combined hint, on every screen, does the action it stands for.
        for contexts in Keymap.screens {
            for b in map.bindings where !b.hintWith.isEmpty {
                guard let hint = b.hint(in: contexts) else { continue }
                let part = Keymap.keyPart(hint)
                let keys = part.split(separator: part.contains("/") ? "/" : " ").map(String.init)
                #expect(keys.count == 1 + b.hintWith.count, "\(hint)")
                for (name, action) in zip(keys, [b.action] + b.hintWith) {
                    #expect(Key(hintName: name).flatMap { map.action(for: $0, in: contexts) } == action, "'\(hint)': \(name)")
                }
            }
        }
    }

    /// The hint line is the table's hints where keys are read: no entry is written by hand.
    @Test func hintLineIsTheTables() throws {
        let h = try Harness()
        let footer = { h.screen.last ?? "" }
        #expect(Render.hints(h.state) == Keymap.defaults.hints(in: [.label, .classify]))
        h.press(.char("?"))
        #expect(Render.hints(h.state) == ["j/k scroll", "esc close"])
        #expect(footer().contains("j/k scroll") && footer().contains("esc close"))
        h.press(.escape)
        h.press(.char("n"))
        #expect(Render.hints(h.state) == ["⏎ save", "esc cancel", "ctrl-u clear"])
        h.press(.escape)
        h.press(.char("/"))
        #expect(Render.hints(h.state) == ["⏎ search", "esc close"])
        h.type("TRAINS")
        h.press(.enter)
        #expect(Render.hints(h.state) == ["j/k move", "⏎ open", "esc back"])
        h.press(.escape)
        #expect(Render.hints(h.state) == ["⏎ search", "esc close"])
    }

    /// Overlay and search keys are the table's: remapped, they move; the old keys no longer act.
    @Test func overlayAndSearchKeysFollowRemapping() throws {
        let map = try Keymap.defaults.remapped(["back": ["x"], "moveDown": ["ctrl-n"], "runSearch": ["ctrl-s"], "clearText": ["ctrl-w"],
                                                "dismiss": ["ctrl-e"], "save": ["ctrl-s"]])
        let h = try Harness(keymap: map)
        h.press(.char("?"))
        h.press(.escape)
        guard case .help? = h.state.overlay else { Issue.record("esc still closes help"); return }
        h.press(.char("x"))
        #expect(h.state.overlay == nil)
        h.press(.char("g"))
        h.press(.enter)
        guard case .guidelines? = h.state.overlay else { Issue.record("enter still closes the guidelines"); return }
        h.press(.ctrl("e"))
        #expect(h.state.overlay == nil)
        // Search: enter is typed text no more; the query runs on ctrl-s; ctrl-w clears, ctrl-u no longer does.
        h.press(.char("/"))
        h.type("zzz")
        h.press(.ctrl("w"))
        h.type("T")
        h.press(.ctrl("u"))
        guard case .search(let typed)? = h.state.overlay else { Issue.record("search closed"); return }
        #expect(typed.query.text == "T")
        h.press(.ctrl("s"))
        guard case .search(let found)? = h.state.overlay, let results = found.results else { Issue.record("no results"); return }
        #expect(results.count > 1)
        h.press(.char("j"))
        guard case .search(let same)? = h.state.overlay else { Issue.record("search closed"); return }
        #expect(same.selected == 0)
        h.press(.ctrl("n"))
        guard case .search(let moved)? = h.state.overlay else { Issue.record("search closed"); return }
        #expect(moved.selected == 1)
        // Back to the query (esc), closed (x); a note saves on the remapped key.
        h.press(.escape)
        h.press(.char("x"))
        #expect(h.state.overlay == nil)
        h.press(.char("n"))
        h.type("hi")
        h.press(.ctrl("s"))
        #expect(h.state.overlay == nil)
        #expect(h.label?.note == "hi")
    }

    @Test func ctrlCIsTheTablesAndCannotBeRemapped() throws {
        #expect(Keymap.defaults.action(for: .ctrl("c"), in: [.textInput]) == .interrupt)
        let e = #expect(throws: KeymapError.self) { try Keymap.defaults.remapped(["interrupt": ["x"]]) }
        #expect(e?.message.hasPrefix("keys.interrupt:") == true)
        let clash = #expect(throws: KeymapError.self) { try Keymap.defaults.remapped(["pageDown": ["ctrl-c"]]) }
        #expect(clash?.message.contains("'ctrl-c' is bound to both") == true)
    }
}

extension KeyTableTests {
    /// The palette's commands are the table's actions: each has a binding that applies where the palette
    /// opens, a key given in [keys] dispatches it there, and `:` and the palette's own keys are the table's too.
    @Test func paletteCommandsAreTheTables() throws {
        let map = try Keymap.defaults.remapped(["goToItem": ["f2"], "switchTask": ["f3"], "filterQueue": ["f4"], "changeTheme": ["f5"],
                                                "routeNow": ["f6"], "palette": ["ctrl-k"], "runCommand": ["ctrl-r"]])
        let keys: [Action: Key] = [.goToItem: .function(2), .switchTask: .function(3), .filterQueue: .function(4), .changeTheme: .function(5),
                                   .routeNow: .function(6)]
        #expect(Set(keys.keys) == PaletteCommand.actions)
        for screen in Keymap.screens where !screen.isDisjoint(with: Keymap.commanding) {
            for (action, key) in keys { #expect(map.action(for: key, in: screen) == action, "\(action) in \(screen)") }
            #expect(map.action(for: .ctrl("k"), in: screen) == .palette)
            #expect(map.action(for: .char(":"), in: screen) == nil)
        }
        #expect(map.action(for: .ctrl("r"), in: [.palette]) == .runCommand)
        #expect(map.hints(in: [.dashboard]).contains("ctrl-k palette"))
        Self.expectHintsDispatch(map)
        // Typed in the palette, letters are text, not the screen's keys.
        #expect(Keymap.defaults.action(for: .char("q"), in: [.palette]) == nil)
        #expect(Keymap.defaults.action(for: .char("j"), in: [.palette]) == nil)
    }
}
