import DuetCore
import Foundation
import Testing
@testable import DuetProject

/// Every long command reports through `WorkProgress` and is shown by `ProgressPrinter`'s one rule: on a
/// terminal the line with counts and the time left, redrawn in place after the first second; elsewhere one
/// summary line at the end.
@Suite struct CommandProgressTests {
    final class Collected<T: Sendable>: @unchecked Sendable {
        let lock = NSLock()
        var all: [T] = []
        func add(_ x: T) { lock.withLock { all.append(x) } }
        var values: [T] { lock.withLock { all } }
    }

    /// A clock the test moves.
    final class Clock: @unchecked Sendable {
        let lock = NSLock()
        var t = Date(timeIntervalSince1970: 1_800_000_000)
        var now: Date { lock.withLock { t } }
        func advance(_ s: Double) { lock.withLock { t = t.addingTimeInterval(s) } }
    }

    /// What the printer writes for `reports` shown `every` seconds apart, on a terminal and elsewhere.
    static func printed(_ reports: [any ProgressReport], every: Double, tty: Bool) -> [ProgressOutput] {
        let clock = Clock(), out = Collected<ProgressOutput>()
        let printer = ProgressPrinter(tty: tty, clock: { clock.now }, write: out.add)
        for r in reports {
            clock.advance(every)
            printer.show(r)
        }
        printer.finish()
        return out.values
    }

    @Test func theLineHasCountsRateAndTimeLeft() async {
        let p = WorkProgress(label: "export", done: 2_000, total: 10_000, unit: "items", elapsed: 4)
        #expect(p.line == "export ████░░░░░░░░░░░░░░░░ 20%  2,000/10,000 items · 16s left · 500 items/s")
        #expect(p.summary(after: 4.2) == "export: 2,000/10,000 items in 4.2s")
        let step = WorkProgress(label: "plan", step: "cross-fitting local:ensemble", done: 1, total: 5, unit: "folds", elapsed: 2)
        #expect(step.line == "plan ████░░░░░░░░░░░░░░░░ 20%  1/5 folds · 8.0s left · cross-fitting local:ensemble · 0.5 folds/s")
        // Without a total: a share measured apart (bytes of a file), else counts only.
        let read = WorkProgress(label: "a.jsonl", done: 60_000, total: nil, unit: "rows", fraction: 0.75, elapsed: 3)
        #expect(read.line.hasSuffix("75%  60,000 rows · 1.0s left · 20,000 rows/s"))
        #expect(WorkProgress(label: "x", done: 5, total: nil, unit: "rows", elapsed: 0).line == "x  5 rows")
    }

    @Test func aTerminalGetsTheLineRedrawnAfterTheFirstSecondElsewhereOneSummary() async {
        let reports = (0...10).map { WorkProgress(label: "export", done: $0 * 100, total: 1_000, unit: "items", elapsed: Double($0) * 0.3) }
        let tty = Self.printed(reports, every: 0.3, tty: true)
        // Quiet for the first second, then every report (0.3 s apart ≥ 0.2 s), then the line ended.
        #expect(tty.first == .redraw(reports[3].line) && tty.last == .end)
        #expect(tty.count == 8 + 1)
        #expect(tty.contains(.redraw(reports[10].line)) && !tty.contains(.redraw(reports[2].line)))
        // The summary counts the time until the end (the last report came 0.3 s before it).
        #expect(Self.printed(reports, every: 0.3, tty: false) == [.line("export: 1,000/1,000 items in 3.3s")])
        // Reports closer than 0.2 s are held back, but the line left on the terminal has the final counts.
        let quick = Self.printed([reports[0], reports[5], reports[9], reports[10]], every: 0.6, tty: true)
        #expect(quick == [.redraw(reports[5].line), .redraw(reports[9].line), .redraw(reports[10].line), .end])
        // (0.15 s apart from 1.05 s: reports 6 and 8 drawn, 9 held back, then drawn as the line ends.)
        let held = Self.printed(Array(reports.prefix(10)), every: 0.15, tty: true)
        #expect(held == [.redraw(reports[6].line), .redraw(reports[8].line), .redraw(reports[9].line), .end], "\(held)")
        // Quick work prints nothing at all, on a terminal or not.
        #expect(Self.printed(reports, every: 0.01, tty: true).isEmpty && Self.printed(reports, every: 0.01, tty: false).isEmpty)
        // A long run not on a terminal: a line a minute, then the summary.
        let slow = Self.printed(Array(reports.prefix(3)), every: 61, tty: false)
        #expect(slow == [.line(reports[0].line), .line(reports[1].line), .line(reports[2].line), .line("export: 200/1,000 items in 3m03s")])
    }

    @Test func exportReportsItemsReadOfTheTasks() async throws {
        let tmp = try TempDir()
        let project = try tmp.project()
        let rows = (1...4_500).map { "{\"id\":\"\($0)\",\"text\":\"t\($0)\"}" }.joined(separator: "\n")
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows)]), into: project.store)
        let seen = Collected<WorkProgress>()
        let out = tmp.url.appendingPathComponent("out.jsonl").path
        _ = try await ExportWorkflow.run(ExportRequest(task: "sentiment", format: .jsonl, scope: .all, output: out), project: project, progress: seen.add)
        let all = seen.values
        // Before the first page and after each page of 2,000.
        #expect(all.map(\.done) == [0, 2_000, 4_000, 4_500] && all.allSatisfy { $0.total == 4_500 && $0.label == "export" })
        #expect(all[1].line.contains("2,000/4,500 items"))
        let printed = Self.printed(all, every: 0.5, tty: true)
        #expect(printed.contains(.redraw(all[3].line)) && printed.last == .end)
        #expect(Self.printed(all, every: 0.5, tty: false) == [.line("export: 4,500/4,500 items in 2.0s")])
    }

    @Test func planCountsTheFoldsItCrossFits() async throws {
        let tmp = try TempDir()
        let created = try tmp.project(.classify)
        let labels = ["negative", "neutral", "positive"]
        let rows = (1...30).map { "{\"id\":\"t\($0)\",\"text\":\"q\($0)zx w\($0 * 7)vk\",\"gold\":\"\(labels[($0 * 7) % 3])\"}" }
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", rows.joined(separator: "\n"))]), into: created.store)
        let toml = try String(contentsOf: created.configURL, encoding: .utf8).replacingOccurrences(of: "train_on_gold = false", with: "train_on_gold = true")
        try toml.write(to: created.configURL, atomically: true, encoding: .utf8)
        let project = try await Project.open(at: created.root)
        _ = try await MachineRunWorkflow.run(annotator: "local", task: project.task(nil), project: project)
        let seen = Collected<WorkProgress>()
        _ = try await PlanWorkflow.run(PlanRequest(budgets: [0]), project: project, progress: seen.add)
        let all = seen.values
        let folds = all.filter { $0.unit == "folds" }
        #expect(folds.map(\.done) == [0, 1, 2, 3, 4, 5] && folds.allSatisfy { $0.total == 5 && $0.step == "cross-fitting local:ensemble" })
        #expect(all.first?.step == "reading the votes" && all.last?.step == "scoring strategies × budgets")
        #expect(folds[2].line.contains("2/5 folds"))
        #expect(Self.printed(all, every: 0.5, tty: false).count == 1)
        #expect(Self.printed(all, every: 0.5, tty: true).contains(.redraw(folds[5].line)))
    }

    @Test func votesImportReportsReadingMatchingAndSaving() async throws {
        let tmp = try TempDir()
        let project = try tmp.project(.classify)
        _ = try await ImportWorkflow.run(ImportRequest(paths: [try tmp.file("t.jsonl", (1...20).map { "{\"id\":\"t\($0)\",\"text\":\"x\($0)\"}" }
            .joined(separator: "\n"))]), into: project.store)
        let votes = (1...20).map { "{\"item\":\"t\($0)\",\"annotator\":\"llm:x\",\"variant\":\"p0\",\"label\":\"positive\",\"confidence\":0.9}" }
        let path = try tmp.file("votes.jsonl", votes.joined(separator: "\n") + "\n")
        let seen = Collected<WorkProgress>()
        let r = try await VotesImportWorkflow.run(path: path, task: project.task(nil), dataset: nil, store: project.store, progress: seen.add)
        #expect(r.votes == 20)
        let all = seen.values
        #expect(all.contains { $0.step == "reading" && $0.fraction == 1 })
        #expect(all.contains { $0.step == "matching items" && $0.done == 0 && $0.total == 20 })
        #expect(all.last?.step == "saving" && all.last?.position == "20/20 votes" && all.allSatisfy { $0.label == "votes import" })
        #expect(Self.printed(all, every: 0.5, tty: false).count == 1)
        #expect(Self.printed(all, every: 0.5, tty: true).last == .end)
    }
}
