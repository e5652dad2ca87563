// Duet's benchmarks. Run: swift run -c release duet-bench [ui|route|panel|local|export|scroll|store] [N]
//   ui     frame time, keystroke → decision committed, open-to-first-frame on N items (default 10^6), peak RSS
//   route  re-routing N items (default 10^5) from stored votes (11 per item): items/s; `duet route` as its own process: items/s, peak RSS
//   panel  `duet route` as its own process with a 13-member panel over N items (default 10^5): items/s, peak RSS
//   local  the built-in ensemble: train on N/10, predict N (default 10^5)
//   export `duet export` of N machine decisions (default 10^6) as JSONL and CSV: items/s
//   pgimport  N rows (default 10^5) into PostgreSQL by Duet's import vs `psql \copy` of the same rows as CSV: seconds, ratio
//   pgexport  `duet export` of N decisions (default 10^6) from a project on PostgreSQL: items/s, peak RSS
//   pgroute   a first routing and a re-route of N items (default 10^5) written to PostgreSQL: seconds; an export after them
//   scroll ms per scroll key on one item of N MB (default 5) on one line
//   store  the store port on SQLite and PostgreSQL: import, next item, 8 labelers' key → commit (default 10^5), peak RSS
// Lines starting with FIGURE are for benchmarks/run.sh's summary table.
import DuetApp
import DuetCore
import DuetProject
import DuetStore
import Foundation
import TermUI
import TermUICurses

func ms(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000) }
func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s[min(s.count - 1, Int(Double(s.count - 1) * p))]
}
func peakRSSMB() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}
func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let t = DispatchTime.now().uptimeNanoseconds
    let r = try body()
    return (r, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
}
func timeAsync<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let t = DispatchTime.now().uptimeNanoseconds
    let r = try await body()
    return (r, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
}

let mode = CommandLine.arguments.dropFirst().first { Int($0) == nil } ?? "ui"
let sizeArgument = CommandLine.arguments.dropFirst().compactMap { Int($0) }.first
switch mode {
case "route":
    try await runRouteBench(n: sizeArgument ?? 100_000)
    exit(0)
case "panel":
    try await runPanelBench(n: sizeArgument ?? 100_000)
    exit(0)
case "local":
    try await runLocalBench(n: sizeArgument ?? 100_000)
    exit(0)
case "export":
    try await runExportBench(n: sizeArgument ?? 1_000_000)
    exit(0)
case "store":
    try await runStoreBench(n: sizeArgument ?? 100_000)
    exit(0)
case "pgimport":
    try await runPostgresImportBench(n: sizeArgument ?? 100_000)
    exit(0)
case "pgexport":
    try await runPostgresExportBench(n: sizeArgument ?? 1_000_000)
    exit(0)
case "pgroute":
    try await runPostgresRouteBench(n: sizeArgument ?? 100_000)
    exit(0)
case "scroll":
    try await runScrollBench(megabytes: sizeArgument ?? 5)
    exit(0)
case "ui":
    break
default:
    print("usage: duet-bench [ui|route|panel|local|export|pgimport|pgexport|pgroute|scroll|store] [N]")
    exit(2)
}
let n = sizeArgument ?? 1_000_000
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-bench-ui-\(getpid())")
defer { try? FileManager.default.removeItem(at: dir) }

// A project with N short texts (some with CJK and emoji), imported the normal way.
let project0 = try Project.create(at: dir, template: .classify, example: true)
let words = ["good", "bad", "slow", "fast", "你好", "世界", "😀", "café", "update", "battery", "service", "train"]
let data = try writeLines(to: dir.appendingPathComponent("items.jsonl"), count: n) { i in
    var text = ""
    for k in 0..<(8 + i % 20) { text += words[(i &* 31 &+ k &* 7) % words.count] + " " }
    return "{\"id\":\"i\(i)\",\"text\":\"\(text)\"}"
}
let (_, importSeconds) = try await timeAsync { try await ImportWorkflow.run(ImportRequest(paths: [data.path], dataset: "items"), into: project0.store) }
try? FileManager.default.removeItem(at: data)

let (backend, runtime, firstFrame) = try openLabelScreen(dir)
defer { backend.close() }

// Frame time: render + draw while scrolling and toggling overlays (no store work).
var frames: [Double] = []
let keys: [Key] = [.char("?"), .char("j"), .char("j"), .escape, .char("g"), .escape, .tab, .tab, .char("f"), .char("f")]
for i in 0..<3000 {
    runtime.send(.key(keys[i % keys.count], at: Date()))
    let (_, s) = try time { try backend.draw(Render.screen(runtime.state)) }
    frames.append(s)
}

// Keystroke → decision committed (update, store write with fsync, next item) → next frame.
var decisions: [Double] = []
for i in 0..<1000 {
    let (_, s) = try time {
        runtime.send(.key(.char(["1", "2", "3"][i % 3]), at: Date()))
        try backend.draw(Render.screen(runtime.state))
    }
    decisions.append(s)
}

print("Duet UI benchmark: \(n) items (import took \(String(format: "%.2f", importSeconds)) s)")
print(String(repeating: "-", count: 64))
print("open to first frame            \(ms(firstFrame))   (goal ≤ 150 ms)")
print("frame render+draw   p50        \(ms(percentile(frames, 0.5)))")
print("frame render+draw   p99        \(ms(percentile(frames, 0.99)))   (goal ≤ 5 ms)")
print("key → decision committed p50   \(ms(percentile(decisions, 0.5)))")
print("key → decision committed p99   \(ms(percentile(decisions, 0.99)))")
print("peak RSS                       \(String(format: "%.1f", peakRSSMB())) MB   (goal ≤ 100 MB; includes the import)")
figure("ui open to first frame ms", firstFrame * 1000, goal: "≤ 150")
figure("ui frame p50 ms", percentile(frames, 0.5) * 1000)
figure("ui frame p99 ms", percentile(frames, 0.99) * 1000, goal: "≤ 5")
figure("ui key to decision committed p50 ms", percentile(decisions, 0.5) * 1000)
figure("ui key to decision committed p99 ms", percentile(decisions, 0.99) * 1000)
figure("ui peak RSS MB (with import)", peakRSSMB(), goal: "≤ 100")
