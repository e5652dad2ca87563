import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// `e` runs $EDITOR through the terminal backend (which hands it the
/// terminal) on a private temporary file that ends with a newline.
@Suite struct EditorTests {
    @Test func theEditorGetsAFileEndingInANewlineAndItsEditComesBack() throws {
        var seen: String?
        var mode: Int?
        let result = try ExternalEditor.edit("one line", environment: ["EDITOR": "myed --wait"]) { args in
            #expect(Array(args.prefix(3)) == ["/bin/sh", "-c", "myed --wait \"$1\""])
            let path = try #require(args.last)
            seen = try String(contentsOfFile: path, encoding: .utf8)
            mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
            try "two\nlines\n".write(toFile: path, atomically: false, encoding: .utf8)
            return 0
        }
        #expect(seen == "one line\n")
        #expect(mode == 0o600)
        #expect(result == "two\nlines")
        // Saved unchanged: nothing edited; VISUAL wins over EDITOR; a failing editor is an error.
        var commands: [String] = []
        let unchanged = try ExternalEditor.edit("same\n", environment: [:]) { args in
            commands.append(args[2])
            return 0
        }
        #expect(unchanged == nil)
        _ = try ExternalEditor.edit("x", environment: ["VISUAL": "vis", "EDITOR": "ed"]) { args in
            commands.append(args[2])
            return 0
        }
        #expect(commands == ["vi \"$1\"", "vis \"$1\""])
        #expect(throws: ExternalEditor.EditorError.self) { try ExternalEditor.edit("x", environment: [:]) { _ in 1 } }
    }

    @Test func theRuntimeRunsTheEditorThroughTheBackend() throws {
        let h = try Harness(task: Harness.review)
        let backend = MemoryBackend(width: 80, height: 24)
        backend.foreground = { args in
            try "edited in the editor\n".write(toFile: args.last!, atomically: false, encoding: .utf8)
            return 0
        }
        let runtime = Runtime(state: h.state, store: h.store, backend: backend, clock: { Date(timeIntervalSince1970: 1_800_000_100) })
        runtime.send(.key(.char("e"), at: Date(timeIntervalSince1970: 1_800_000_101)))
        #expect(backend.suspensions == 1)
        guard case .label(let l) = runtime.state.screen else { Issue.record("not labeling"); return }
        #expect(l.edited == "edited in the editor")
    }
}
