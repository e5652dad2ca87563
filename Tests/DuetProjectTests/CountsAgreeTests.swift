import DuetApp
import DuetCore
import DuetLaunch
import Foundation
import Testing
import TermUI
@testable import DuetProject

/// One fresh demo, every place that states its figures: the router's summary, `duet status --json`,
/// the dashboard, triage and the Quality screen must say the same numbers (blind audits are open for
/// people until people label them, not machine-done).
@Suite struct CountsAgreeTests {
    struct Routed { var keeps: Int, toPeople: Int, audits: Int }

    /// "…machine keeps 133, 60 to people (most uncertain first), 7 blind audits" → the numbers.
    static func parse(_ line: String) -> Routed? {
        func number(before word: String) -> Int? {
            guard let r = line.range(of: word) else { return nil }
            let head = line[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
            return Int(head.split(separator: " ").last ?? "")
        }
        guard let keepsRange = line.range(of: "machine keeps ") else { return nil }
        let keeps = Int(line[keepsRange.upperBound...].prefix { $0.isNumber })
        guard let keeps, let people = number(before: " to people"), let audits = number(before: " blind audit") else { return nil }
        return Routed(keeps: keeps, toPeople: people, audits: audits)
    }

    @Test func demoFiguresAgreeEverywhere() async throws {
        let tmp = try TempDir()
        let (project, _) = try await Demo.create(at: tmp.url.appendingPathComponent("demo"), sampleData: Demo.locateSampleData(explicit: nil))
        let lines = try await Demo.route(project)
        let task = try project.task("sentiment")
        guard let line = lines.first(where: { $0.hasPrefix("sentiment:") }), let routed = Self.parse(line) else {
            Issue.record("no routing summary for sentiment in \(lines)")
            return
        }
        #expect(routed.audits > 0 && routed.keeps > 0 && routed.toPeople > 0, "\(line)")

        // duet status --json
        let status = try JSONSerialization.jsonObject(with: Data(try await StatusReport.make(project).json().utf8)) as? [String: Any]
        let tasks = status?["tasks"] as? [[String: Any]] ?? []
        let row = try #require(tasks.first { $0["name"] as? String == "sentiment" })
        #expect(row["machine"] as? Int == routed.keeps, "status machine vs \(line)")
        #expect(row["remaining"] as? Int == routed.toPeople + routed.audits, "status remaining vs \(line)")
        #expect(row["human"] as? Int == 0)
        let audit = (row["audit"] as? [[String: Any]])?.first
        #expect(audit?["planned"] as? Int == routed.audits && audit?["audited"] as? Int == 0)
        let statusText = try await StatusReport.make(project).text
        #expect(statusText.contains("0 of \(routed.audits) audits labeled yet"), "\(statusText)")

        // The dashboard: its row for the task.
        let backend = MemoryBackend(width: 120, height: 40)
        let prepared = try AppLauncher.prepare(project: project, options: LaunchOptions(annotator: "ana"), size: (120, 40))
        let runtime = Runtime(state: prepared.state, store: project.store, backend: backend)
        runtime.start(prepared.startEffects)
        guard case .dashboard(let dash) = runtime.state.screen else { Issue.record("not on the dashboard"); return }
        let summary = try #require(dash.rows.first { $0.task.name == "sentiment" })
        #expect(summary.progress.machine == routed.keeps && summary.progress.remaining == routed.toPeople + routed.audits)
        let dashboard = Render.screen(runtime.state).lines.joined(separator: "\n")
        #expect(dashboard.contains("0 of \(routed.audits) audits labeled yet"), "\(dashboard)")

        // Triage: the rows people have to label are those sent to people and the blind audits.
        var triageOptions = LaunchOptions(task: "sentiment", annotator: "ana")
        triageOptions.triage = true
        let t = try AppLauncher.prepare(project: project, options: triageOptions, size: (120, 40))
        let triage = Runtime(state: t.state, store: project.store, backend: MemoryBackend(width: 120, height: 40))
        triage.start(t.startEffects)
        guard case .triage(let tri) = triage.state.screen else { Issue.record("not on triage"); return }
        #expect(tri.rows.count == routed.toPeople + routed.audits, "triage rows")
        let header = Render.screen(triage.state).lines[0]
        #expect(header.contains("\(routed.toPeople + routed.audits) rows"), "\(header)")

        // The Quality screen's audit section.
        let report = try await Runtime.storeQuality(project.store, task)
        #expect(report.audit.first?.planned == routed.audits && report.audit.first?.audited == 0)
        var q = prepared.state
        var qs = QualityState(task: task)
        qs.report = report
        q.screen = .quality(qs)
        let quality = Render.screen(q).lines.joined(separator: "\n")
        #expect(quality.contains("0 of \(routed.audits) audits labeled yet"), "\(quality)")
        #expect(!quality.contains("No blind audits"))
    }

    /// `duet export --task preference --format dpo` on the demo writes the pairs the machine kept:
    /// machine and people's pair decisions have one shape, so `--decisions final` reads both.
    @Test func demoExportsMachineKeptPairs() async throws {
        let tmp = try TempDir()
        let (project, _) = try await Demo.create(at: tmp.url.appendingPathComponent("demo"), sampleData: Demo.locateSampleData(explicit: nil))
        let lines = try await Demo.route(project)
        guard let line = lines.first(where: { $0.hasPrefix("preference:") }), let routed = Self.parse(line) else {
            Issue.record("no routing summary for preference in \(lines)")
            return
        }
        let out = tmp.url.appendingPathComponent("dpo.jsonl").path
        let report = try await ExportWorkflow.run(ExportRequest(task: "preference", format: .dpo, scope: .final, output: out), project: project)
        let rows = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        let tiesAndBad = (report.skipped[.tie] ?? 0) + (report.skipped[.bothBad] ?? 0)
        // Every item with a machine decision (kept or audited) is a row, unless the machine called it a tie or both bad.
        #expect(rows.count == report.written)
        #expect(report.written + tiesAndBad == routed.keeps + routed.audits, "\(report.summary) vs \(line)")
        #expect(report.written > 0)
    }
}
