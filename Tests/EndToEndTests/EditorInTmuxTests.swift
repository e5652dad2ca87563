import DuetCore
import DuetStore
import Foundation
import Testing

/// `e` on a review item hands the terminal to a real editor (vim, nano, and vi
/// when EDITOR is unset), which must be able to take it (foreground process
/// group, shell modes); the edit is stored and Duet answers keys afterwards.
@Suite(.serialized, .enabled(if: Tmux.available && Tmux.duetBinary != nil, "needs tmux and a built duet binary"))
struct EditorInTmuxTests {
    /// A project with the sample demonstrations under the review task.
    static func reviewProject() throws -> (duet: String, dir: URL) {
        let duet = try #require(Tmux.duetBinary)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-e2e-\(UUID().uuidString)")
        try Tmux.run(duet, ["init", dir.path, "--template", "review", "--example"])
        try Tmux.run(duet, ["import", Tmux.repoRoot.appendingPathComponent("sample-data/demonstrations.jsonl").path, "--project", dir.path])
        return (duet, dir)
    }

    enum Editor: String, CaseIterable, CustomTestStringConvertible {
        case vim, nano, unsetFallsBackToVi
        var testDescription: String { rawValue }
        /// The program that must exist for the case to run.
        var program: String { self == .nano ? "nano" : self == .vim ? "vim" : "vi" }
        /// The shell assignment before `duet` (VISUAL would win over EDITOR: always unset).
        var environment: String {
            switch self {
            case .vim: return "unset VISUAL; EDITOR='vim -u NONE -i NONE -n'"
            case .nano: return "unset VISUAL; EDITOR='nano --ignorercfiles'"
            case .unsetFallsBackToVi: return "unset VISUAL EDITOR;"
            }
        }
    }

    @Test(arguments: Editor.allCases)
    func editInARealEditor(_ editor: Editor) throws {
        guard Tmux.which(editor.program) != nil else { return }  // not installed here (CI installs vim and nano)
        let (duet, dir) = try Self.reviewProject()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tmux = Tmux()
        defer { tmux.kill() }
        let replacement = "EDITED IN \(editor.rawValue.uppercased())"
        try tmux.start("\(editor.environment) '\(duet)' label --task review --as e2e --project '\(dir.path)'; echo DUET-EXIT=$?; sleep 30",
                       width: 100, height: 30)
        try tmux.waitFor("review · review · 0/60")
        try tmux.send("e")
        // The editor has the terminal: it shows the temporary file's name (Duet's screen never does).
        try tmux.waitFor("duet-edit-")
        switch editor {
        case .vim, .unsetFallsBackToVi:
            // Normal-mode and ex commands only (no Escape timing): empty the buffer, write one line, save and quit.
            try tmux.send("g", "g", "d", "G")
            try tmux.send(":s/^/\(replacement)/", "Enter")
            try tmux.waitFor(replacement)
            try tmux.send(":wq", "Enter")
        case .nano:
            for _ in 0..<5 { try tmux.send("C-k") }
            try tmux.send(replacement)
            try tmux.waitFor(replacement)
            try tmux.send("C-o")
            try tmux.waitFor("File Name to Write")
            try tmux.send("Enter")
            try tmux.waitFor("Wrote")
            try tmux.send("C-x")
        }
        // Back in Duet, which shows the edit and still answers keys.
        try tmux.waitFor("response (edited)")
        try tmux.waitFor(replacement)
        try tmux.send("4", "a")
        try tmux.waitFor("review · review · 1/60")
        try tmux.send("q")
        try tmux.waitFor("DUET-EXIT=0")

        let store = try SQLiteStore.open(path: dir.appendingPathComponent("duet.sqlite").path)
        let decisions = try store.currentDecisions(task: TaskSpec(name: "review", kind: .review, scale: 1...5), kind: .human)
        let value = try #require(decisions.first?.value)
        #expect(value["edited"]?.string == replacement)
        #expect(value["verdict"]?.string == "accept")
    }
}
