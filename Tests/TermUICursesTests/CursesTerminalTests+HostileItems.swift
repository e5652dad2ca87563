import DuetCore
@testable import DuetStore
import Foundation
import Testing
@testable import DuetApp
@testable import TermUI
@testable import TermUICurses

/// Dataset text with terminal controls in it, through the app's label screen and the real curses
/// backend into a file: what the terminal would receive.
extension CursesTerminalTests {
    static let hostileTexts = [
        "osc52 bel \u{1B}]52;c;SGVsbG8gd29ybGQ=\u{07} end",
        "osc52 st \u{1B}]52;c;ZXZpbCBwYXlsb2Fk\u{1B}\\ end",
        "title \u{1B}]0;pwned title\u{07} and \u{1B}]2;other title\u{1B}\\ end",
        "moves \u{1B}[H home \u{1B}[2J clear \u{1B}[99;99H far \u{1B}[6n ask \u{1B}[?1049l alt \u{1B}c reset \u{1B}P+q544e\u{1B}\\ dcs",
        "c1 " + (0x80...0x9F).map { String(Unicode.Scalar(UInt32($0))!) }.joined(separator: " ") + " end",
        "c1 csi \u{9B}2J osc \u{9D}52;c;QzEgcGF5bG9hZA==\u{9C} \u{9D}0;c1title\u{07} end",
        "bidi \u{202E}txet desrever\u{202C} \u{2066}iso\u{2069} \u{2067}rtl\u{2069} \u{2068}fsi\u{2069} \u{202A}\u{202B}\u{202D}\u{200E}\u{200F}\u{061C} end",
        "c0 \u{07}bell \u{08}back \u{0D}cr \u{0B}vt \u{0C}ff \u{7F}del \u{0E}so end",
    ]

    /// The label screen of every item (skipping to the next), drawn by curses at 150×30 (the item pane beside the side panel as wide as the whole screen was at 100, so each text stays on one line); the bytes written.
    func labelScreenBytes(_ texts: [String]) throws -> [UInt8] {
        let store = try SQLiteStore.inMemory()
        let task = TaskSpec(name: "t", kind: .classify, labels: ["yes", "no"], dataset: "d")
        try store.syncTasks([task])
        _ = try store.importBatch(dryRun: false) { w in
            try w.beginFile(path: "/data/d.jsonl", format: "jsonl", dataset: "d")
            for (i, text) in texts.enumerated() {
                try w.add(ImportedRecord(item: Item(uid: "h\(i)", dataset: "d", kind: .text, fields: .text(text))))
            }
        }
        let path = Headless.temporaryPath("hostile")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let term = try Headless.terminal(output: path, width: 150, height: 30)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var state = AppState(width: 150, height: 30, tasks: [task], annotator: "ana")
        state.startedOnDashboard = false
        let effects = App.openTask(&state, task)
        let runtime = Runtime(state: state, store: store, backend: term, clock: { now })
        runtime.start(effects)
        var shown: [String] = []
        for _ in texts {
            if case .label(let l) = runtime.state.screen, let item = l.item { shown.append(item.item.uid) }
            try term.draw(Render.screen(runtime.state))
            runtime.send(.key(.char(" "), at: now))
        }
        term.close()
        #expect(Set(shown).count == texts.count, "every item was on the screen")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func hostileItemTextsReachTheTerminalOnlyAsVisibleStandIns() throws {
        let bytes = try labelScreenBytes(Self.hostileTexts)
        func has(_ s: String) -> Bool { contains(bytes, Array(s.utf8)) }

        // What curses wrote is exactly what it writes for the texts made safe beforehand: nothing
        // from the data became a sequence of its own.
        let safe = try labelScreenBytes(Self.hostileTexts.map { TerminalText.sanitize($0, keepNewlines: true, keepTabs: true) })
        #expect(bytes == safe)

        // Valid UTF-8 without a C1 or bidi control; no control string (OSC, DCS, APC, PM, SOS, ST), no BEL, no RIS.
        let text = try #require(String(validating: bytes, as: UTF8.self))
        let unsafe = text.unicodeScalars.filter { (0x80...0x9F).contains($0.value) || TerminalText.isBidiControl($0.value) }
        #expect(unsafe.isEmpty, "\(unsafe.map { String($0.value, radix: 16) })")
        for introducer in ["\u{1B}]", "\u{1B}P", "\u{1B}_", "\u{1B}^", "\u{1B}X", "\u{1B}\\", "\u{1B}c"] {
            #expect(!has(introducer), "\(introducer.debugDescription)")
        }
        #expect(!bytes.contains(0x07) && !bytes.contains(0x0E) && !bytes.contains(0x0B) && !bytes.contains(0x0C))
        // Sequences curses never sends by itself.
        for payload in ["\u{1B}[99;99H", "\u{1B}[6n", "\u{1B}[2Jclear", "SGVsbG8gd29ybGQ=\u{07}"] { #expect(!has(payload)) }

        // The person sees each of them, as symbols.
        for visible in ["␛]52;c;SGVsbG8gd29ybGQ=␇", "␛]52;c;ZXZpbCBwYXlsb2Fk␛\\", "␛]0;pwned title␇", "␛]2;other title␛\\",
                        "␛[H home", "␛[2J clear", "␛[99;99H far", "␛[6n ask", "␛[?1049l alt", "␛c reset", "␛P+q544e␛\\",
                        "<U+009B>2J", "<U+009D>52;c;QzEgcGF5bG9hZA==<U+009C>", "<U+009D>0;c1title␇",
                        "<U+202E>txet desrever<U+202C>", "<U+2066>iso<U+2069>", "<U+2067>rtl<U+2069>", "<U+2068>fsi<U+2069>",
                        "<U+202A><U+202B><U+202D><U+200E><U+200F><U+061C>", "␇bell", "␈back", "␍cr", "␋vt", "␌ff", "␡del", "␎so"] {
            #expect(has(visible), "\(visible)")
        }
        for v in 0x80...0x9F { #expect(has(String(format: "<U+%04X>", v)), "U+\(String(v, radix: 16))") }
    }

    @Test func controlCharactersPlantedInCellsAreDrawnInert() throws {
        // Cells filled behind Canvas.put's back: the backend is the last line of defence.
        let path = Headless.temporaryPath("cells")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let term = try Headless.terminal(output: path)
        var canvas = Canvas(width: 80, height: 24)
        let planted: [String] = ["\u{1B}", "\u{07}", "\u{9B}", "\u{9D}", "\u{9C}", "\u{85}", "\u{202E}", "\u{2066}", "\u{2069}",
                                 "\u{7F}", "a\u{1B}", "e\u{9B}"]
        for (x, text) in planted.enumerated() { canvas.set(x * 2, 3, Cell(text: text, width: 1, style: .plain)) }
        try term.draw(canvas)
        term.close()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let text = try #require(String(validating: bytes, as: UTF8.self))
        #expect(!text.unicodeScalars.contains { (0x80...0x9F).contains($0.value) || TerminalText.isBidiControl($0.value) })
        #expect(!bytes.contains(0x07) && !contains(bytes, Array("\u{1B}]".utf8)))
        #expect(contains(bytes, Array("␛".utf8)) && contains(bytes, Array("\u{FFFD}".utf8)))
        // The ESC bytes written are curses' own sequences: each one opens a CSI or a charset/keypad switch.
        for (i, b) in bytes.enumerated() where b == 0x1B {
            #expect(i + 1 < bytes.count && [UInt8(ascii: "["), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "="),
                                            UInt8(ascii: ">")].contains(bytes[i + 1]), "ESC \(i + 1 < bytes.count ? bytes[i + 1] : 0)")
        }
    }
}
