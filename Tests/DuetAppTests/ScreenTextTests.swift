import DuetCore
@testable import DuetStore
import Testing
import TermUI
@testable import DuetApp

/// Screens with awkward text: indented code in the diff, many long labels,
/// zero-width characters, very long items (issue 12).
@Suite struct ScreenTextTests {
    /// A store holding `items` (and the tasks), for a harness.
    static func store(_ tasks: [TaskSpec], dataset: String, _ items: [Item]) throws -> SQLiteStore {
        let store = try SQLiteStore.inMemory()
        try store.syncTasks(tasks)
        _ = try store.importBatch(dryRun: false) { w in
            try w.beginFile(path: "/data/\(dataset).jsonl", format: "jsonl", dataset: dataset)
            for item in items { try w.add(ImportedRecord(item: item)) }
        }
        return store
    }

    static let prefs = TaskSpec(name: "prefs", kind: .compare, dataset: "p")
    static let codeA = "def f(x):\n    if x:\n        return x + 1\n\treturn 0"
    static let codeB = "def f(x):\n    if x:\n        return x + 2\n\treturn 0"

    /// The diff highlight keeps each line's indentation (spaces and tabs), side by side and stacked.
    @Test(arguments: [(140, 40), (80, 30)])
    func diffKeepsIndentation(size: (Int, Int)) throws {
        let item = Item(uid: "py", dataset: "p", kind: .pair,
                        fields: ItemFields(prompt: [.user("Write f")], responses: [[.assistant(Self.codeA)], [.assistant(Self.codeB)]]))
        let store = try Self.store([Self.prefs], dataset: "p", [item])
        let h = try Harness(width: size.0, height: size.1, task: Self.prefs, store: store, tasks: [Self.prefs])
        let plain = h.screen
        h.press(.char("d"))
        #expect(h.label?.pair?.diff == true)
        let lines = h.screen
        for expected in ["│ def f(x):", "│     if x:", "│         return x + 1", "│         return x + 2", "│     return 0"] {
            #expect(lines.contains { $0.contains(expected) }, "no \"\(expected)\" in\n\(lines.joined(separator: "\n"))")
        }
        // Apart from the highlight (styles) and the panes' "diff on", the text is what the plain view shows.
        #expect(lines.joined().components(separatedBy: "diff on").count == 3)  // both panes say it
        func body(_ screen: [String]) -> [String] { screen.dropFirst().dropLast().filter { !$0.contains(" words ") } }
        #expect(body(lines) == body(plain))
    }

    static let longLabels = TaskSpec(name: "many", kind: .classify,
                                     labels: (1...25).map { "a rather long label number \($0) that goes on and on" }, dataset: "t")

    /// With 25 long labels the item keeps at least half the body, and the
    /// highlighted label is on screen wherever it is in the list.
    @Test(arguments: [(80, 24), (120, 40), (40, 12)])
    func manyLongLabelsLeaveRoomForTheItem(size: (Int, Int)) throws {
        let h = try Harness(width: size.0, height: size.1, task: Self.longLabels, tasks: [Self.longLabels])
        func check(highlighted: Int?) throws {
            let c = Render.screen(h.state)
            let lines = c.lines
            #expect(lines.contains { $0.contains("the coffee was") }, "item text hidden at \(size):\n\(lines.joined(separator: "\n"))")
            let itemTop = try #require(lines.firstIndex { $0.contains("┌ item ") })
            let itemBottom = try #require(lines.indices.first { $0 > itemTop && lines[$0].hasPrefix("└") })
            #expect(itemBottom - itemTop + 1 >= (size.1 - 2) / 2, "the item pane is smaller than half the body:\n\(lines.joined(separator: "\n"))")
            guard let highlighted else { return }
            let needle = "number \(highlighted + 1) "
            let row = try #require(lines.firstIndex { $0.contains(needle) }, "label \(highlighted + 1) not shown:\n\(lines.joined(separator: "\n"))")
            let x = DisplayWidth.of(String(lines[row][..<lines[row].range(of: needle)!.lowerBound]))
            #expect(c[x, row].style == h.state.theme[.selected])
        }
        try check(highlighted: nil)
        // Tab walks through every label; each, when highlighted, is visible.
        for i in 0..<25 {
            h.press(.tab)
            #expect(h.label?.highlighted == i)
            try check(highlighted: i)
        }
        // Enter takes the highlighted (last) label.
        h.press(.enter)
        #expect(try h.decisions(Self.longLabels).first?.1 == .string(Self.longLabels.labels[24]))
    }

    /// Zero-width characters and a BOM in an item are drawn as visible stand-ins.
    @Test func zeroWidthCharactersAreVisible() throws {
        let task = TaskSpec(name: "zw", kind: .classify, labels: ["a", "b"], dataset: "z")
        let text = "\u{FEFF}pass\u{200B}word and\u{2060}more\u{200C}x\u{200D}y soft\u{00AD}hyphen"
        let store = try Self.store([task], dataset: "z", [Item(uid: "z1", dataset: "z", kind: .text, fields: .text(text))])
        let h = try Harness(width: 130, height: 24, task: task, store: store, tasks: [task])
        let lines = h.screen
        #expect(lines.contains { $0.contains("<U+FEFF>pass<U+200B>word and<U+2060>more<U+200C>x<U+200D>y soft<U+00AD>hyphen") },
                "\(lines.joined(separator: "\n"))")
        // Nothing invisible reaches the canvas.
        let c = Render.screen(h.state)
        let invisible: Set<UInt32> = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD]
        #expect(!c.cells.contains { $0.text.unicodeScalars.contains { invisible.contains($0.value) } })
    }

    /// A very long one-line item: the wrapped lines are kept, and follow a change of width.
    @Test func longItemWrapsFollowTheWidth() throws {
        let task = TaskSpec(name: "long", kind: .classify, labels: ["a", "b"], dataset: "l")
        let text = (0..<20_000).map { "w\($0 % 97)" }.joined(separator: " ")
        let store = try Self.store([task], dataset: "l", [Item(uid: "l1", dataset: "l", kind: .text, fields: .text(text))])
        let h = try Harness(width: 80, height: 24, task: task, store: store, tasks: [task])
        func expectedMax() throws -> Int {
            let l = try #require(h.label)
            let r = LabelLayout(h.state, l).text
            // "text" and the wrapped text, from a wrap of its own.
            return Wrap.lines(text, width: r.width).count + 1 - r.height
        }
        let l = try #require(h.label)
        #expect(LabelLayout(h.state, l).maxScroll == (try expectedMax()))
        h.press(.end)
        #expect(h.label?.scroll == (try expectedMax()))
        let last = Wrap.lines(text, width: LabelLayout(h.state, l).text.width).last!
        #expect(h.screen.contains { $0.contains(last) })
        for (w, hh) in [(60, 24), (100, 30), (80, 24)] {
            h.runtime.send(.resized(width: w, height: hh))
            let l2 = try #require(h.label)
            #expect(LabelLayout(h.state, l2).maxScroll == (try expectedMax()), "at \(w)×\(hh)")
            h.press(.end)
            let tail = Wrap.lines(text, width: LabelLayout(h.state, l2).text.width).last!
            #expect(h.screen.contains { $0.contains(tail) }, "at \(w)×\(hh)")
        }
    }
}
