import DuetCore
import DuetStore
import Foundation
import Testing

/// `duet quality` through the real binary: a routed project whose audits a person labeled, read back as
/// text, JSON and SVG.
@Suite(.enabled(if: Tmux.duetBinary != nil, "no built duet binary"))
struct QualityCLITests {
    @Test func auditEstimateAsTextJSONAndSVG() throws {
        // 10 items; llm:x's 4 votes of confidence 0.9 split 2:2 on items 1–4, unanimous on 5–10.
        let items = (1...10).map { "{\"id\": \"t\($0)\", \"text\": \"text number \($0)\"}" }
        let votes = (1...10).flatMap { i in
            (0..<4).map { v in
                let label = i <= 4 && v >= 2 ? "negative" : "positive"
                return "{\"item\": \"t\(i)\", \"annotator\": \"llm:x\", \"variant\": \"p\(v)\", \"label\": \"\(label)\", \"confidence\": 0.9}"
            }
        }
        let (dir, root) = try PlanCLITests.project(template: "classify", items: items.joined(separator: "\n"),
                                                   votes: votes.joined(separator: "\n"), task: "sentiment")
        defer { try? FileManager.default.removeItem(at: dir) }
        let route = try PlanCLITests.duet(["route", "--task", "sentiment", "--annotator", "llm:x", "--budget", "0.4", "--strategy", "entropy",
                                           "--audit", "0.5", "--no-run"], in: root)
        #expect(route.status == 0, "\(route.text)")
        #expect(route.text.contains("3 blind audits"), "\(route.text)")
        // A person labels the 3 audits: agreeing with the machine on 2.
        let store = try SQLiteStore.open(path: root.appendingPathComponent("duet.sqlite").path)
        let task = TaskSpec(name: "sentiment", kind: .classify, labels: ["negative", "neutral", "positive"], dataset: "items")
        let audits = try store.routes(task: task, route: .audit).values.sorted { $0.itemRowID < $1.itemRowID }
        #expect(audits.count == 3 && audits.allSatisfy { $0.auditProbability == 0.5 })
        for (n, r) in audits.enumerated() {
            _ = try store.record(NewAnnotation(itemRowID: r.itemRowID, task: "sentiment", annotatorKind: .human, annotator: "ana",
                                               value: .string(n == 0 ? "neutral" : r.machineLabel ?? "")))
        }
        let json = try PlanCLITests.duet(["quality", "--task", "sentiment", "--json"], in: root)
        #expect(json.status == 0, "\(json.text)")
        let value = try JSONValue.parse(json.out)
        let audit = try #require(value["audit"])
        #expect(audit["estimate"]?.number.map { abs($0 - 2.0 / 3) < 1e-9 } == true, "\(json.out)")
        #expect(audit["method"] == .string("stratified_ppi") && audit["audits"]?.number == 3)
        let wilson = try #require(Audit.wilson(successes: 2, trials: 3))
        #expect(audit["wilson_low"]?.number.map { abs($0 - wilson.low) < 1e-12 } == true)
        for key in ["ci_low", "ci_high", "wilson_high", "final_set", "limit"] { #expect(audit[key] != nil, "audit.\(key)") }
        #expect(value["calibration"]?["ece"] != nil && value["calibration"]?["brier"] != nil && value["alt_test"] != nil)
        // The people: ana answered the 3 blind audits, agreeing with the machine on 2; no gold items here.
        guard case .array(let people)? = value["people"] else { Issue.record("no people array: \(json.out)"); return }
        #expect(people.count == 1 && people.first?["name"] == .string("ana"), "\(json.out)")
        let ana = try #require(people.first)
        #expect(ana["gold_items"]?.number == 0 && ana["blind_audits"]?.number == 3 && ana["blind_agreeing"]?.number == 2)
        for key in ["gold_accuracy", "ci_low", "ci_high", "too_fast"] { #expect(ana[key] != nil, "people[0].\(key)") }
        let svg = dir.appendingPathComponent("calibration.svg")
        let text = try PlanCLITests.duet(["quality", "--task", "sentiment", "--svg", svg.path], in: root)
        #expect(text.status == 0, "\(text.text)")
        #expect(text.out.contains("Machine-kept labels: accuracy 0.67 (95% 0.13–1.00) by stratified PPI++, on 3 audits of 6 items."), "\(text.out)")
        #expect(text.out.contains("Calibration on 3 items"))
        #expect(text.out.contains("  ana: no gold answers yet; too few timed answers to judge speed; blind 0.67 of 3 audits"), "\(text.out)")
        let drawn = try String(contentsOf: svg, encoding: .utf8)
        #expect(drawn.hasPrefix("<?xml") && drawn.contains("Reliability") && drawn.contains("Risk–coverage"))
    }
}
