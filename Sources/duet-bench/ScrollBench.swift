import DuetApp
import DuetCore
import DuetLaunch
import DuetProject
import Foundation
import TermUI
import TermUICurses

/// Scrolling a very long one-line item: key → frame drawn, for each scroll key.
/// The item is `megabytes` MB of words on one line (no newline), as found in
/// scraped or concatenated datasets.
func runScrollBench(megabytes: Int) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-scroll-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dir) }
    let project0 = try Project.create(at: dir, template: .classify, example: true)
    let words = ["lorem", "ipsum", "dolor", "sit", "amet", "你好", "café", "consectetur", "adipiscing", "elit"]
    var text = ""
    var k = 0
    while text.utf8.count < megabytes << 20 {
        text += words[k % words.count] + " "
        k += 1
    }
    let data = try writeLines(to: dir.appendingPathComponent("big.jsonl"), count: 1) { _ in "{\"id\":\"big\",\"text\":\"\(text)\"}" }
    _ = try await ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "big"), into: project0.store)
    try? FileManager.default.removeItem(at: data)

    let (backend, runtime, firstFrame) = try openLabelScreen(dir)
    defer { backend.close() }
    // Scroll keys: down, page down, end, up, page up, home; each is update + render + draw.
    var keys: [Double] = []
    let sequence: [Key] = Array(repeating: .down, count: 40) + [.pageDown, .pageDown, .end, .up, .up, .pageUp, .home] + Array(repeating: .down, count: 40)
    for key in sequence + sequence {
        let (_, s) = try time {
            runtime.send(.key(key, at: Date()))
            try backend.draw(Render.screen(runtime.state))
        }
        keys.append(s)
    }
    // A new width wraps the item again, once.
    let (_, resize) = try time {
        runtime.send(.resized(width: 100, height: 30))
        try backend.draw(Render.screen(runtime.state))
    }
    var afterResize: [Double] = []
    for key in sequence {
        let (_, s) = try time {
            runtime.send(.key(key, at: Date()))
            try backend.draw(Render.screen(runtime.state))
        }
        afterResize.append(s)
    }
    let all = keys + afterResize
    print("Duet scroll benchmark: one item of \(text.utf8.count / 1024) KiB on one line, \(all.count) scroll keys")
    print(String(repeating: "-", count: 64))
    print("open to first frame (one wrap)   \(ms(firstFrame))")
    print("scroll key → frame   p50         \(ms(percentile(all, 0.5)))")
    print("scroll key → frame   max         \(ms(all.max() ?? 0))   (goal ≤ 50 ms)")
    print("resize (wraps again)             \(ms(resize))")
    print("peak RSS                         \(String(format: "%.1f", peakRSSMB())) MB")
    figure("scroll \(megabytes) MB one-line item: key → frame p50 ms", percentile(all, 0.5) * 1000)
    figure("scroll \(megabytes) MB one-line item: key → frame max ms", (all.max() ?? 0) * 1000, goal: "≤ 50")
    figure("scroll \(megabytes) MB one-line item: open to first frame ms", firstFrame * 1000)
    figure("scroll \(megabytes) MB one-line item: resize ms", resize * 1000)
}

/// The curses backend drawing to /dev/null (ncurses still computes every
/// update) and the label screen of the project in `dir`; with the time from
/// opening the project to the first frame drawn (prepare, load the first item, render, draw).
func openLabelScreen(_ dir: URL) throws -> (CursesTerminal, Runtime, Double) {
    setlocale(LC_ALL, "C.UTF-8")
    let backend = try CursesTerminal(termName: "xterm-256color", input: fopen("/dev/null", "r"), output: fopen("/dev/null", "w"))
    let (runtime, seconds) = try time { () -> Runtime in
        let project = try Project.open(at: dir)
        let prepared = try AppLauncher.prepare(project: project, options: LaunchOptions(label: true, annotator: "bench"), size: backend.size)
        let runtime = Runtime(state: prepared.state, store: project.store, backend: backend)
        runtime.start(prepared.startEffects)
        try backend.draw(Render.screen(runtime.state))
        return runtime
    }
    return (backend, runtime, seconds)
}
