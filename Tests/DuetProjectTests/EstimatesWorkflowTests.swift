@testable import DuetCore
import Foundation
import Testing
@testable import DuetProject

/// The estimates assembly (`EstimatesWorkflow` → `QualityEstimates`) on a project: hand-computed figures
/// through the store, the router and the assembly.
@Suite struct EstimatesWorkflowTests {
    /// The 10-item project of `RoutingWorkflowTests` (llm:x, 4 votes of confidence 0.9 each: items 1–4 split
    /// 2:2, 5–10 unanimous), routed by entropy with 40% to people: items 1–4 to people (support 0.45 for the
    /// machine's label), 5–10 kept (support 0.9).
    func routed(_ tmp: TempDir, audit: Double) async throws -> (Project, TaskSpec, [Int64: RouteRecord]) {
        let project = try await RoutingWorkflowTests().project(tmp)
        let task = try project.task(nil)
        _ = try await RouteWorkflow.run(RouteRequest(budget: 0.4, strategy: .entropy, audit: audit), project: project)
        return (project, task, try await project.sqlite.routes(task: task))
    }

    func label(_ project: Project, _ task: TaskSpec, _ item: Int64, _ value: String, by who: String) throws {
        try project.sqlite.record(NewAnnotation(itemRowID: item, task: task.name, annotatorKind: .human, annotator: who, value: .string(value)))
    }

    /// ECE, Brier and the alt-test by hand. ana labels every item as the machine did except items 1 and 5;
    /// bo labels every item as the machine did.
    /// - Calibration: 4 items at confidence 0.45 (3 agreed) and 6 at 0.9 (5 agreed):
    ///   ECE = 0.4·|0.75 − 0.45| + 0.6·|5/6 − 0.9| = 0.12 + 0.04 = 0.16;
    ///   Brier = (0.45² + 3·0.55² + 0.9² + 5·0.1²)/10 = 1.97/10 = 0.197.
    /// - Alt-test (ε 0.2): for ana (others: bo) the machine ties bo on every item and ana misses 2:
    ///   d = (0 ×8, −1 ×2), d̄ = −0.2, s_d = √(1.6/9), t = (−0.2 − 0.2)/(s_d/√10) = −3, p = P(T₉ ≤ −3) = 0.0074782;
    ///   for bo (others: ana) the machine and bo give the same label everywhere: d ≡ 0 < ε, p = 0.
    ///   Benjamini–Yekutieli (m = 2, Σ1/i = 1.5): 0 ≤ 0.05/3 and 0.0075 ≤ 0.1/3, both rejected: ω = 1, passed.
    @Test func calibrationAndAltTestHandComputed() async throws {
        let tmp = try TempDir()
        let (project, task, routes) = try await routed(tmp, audit: 0)
        let ids = routes.keys.sorted()
        #expect(ids.count == 10)
        for (n, id) in ids.enumerated() {
            let machine = try #require(routes[id]?.machineLabel)
            let other = machine == "positive" ? "negative" : "positive"
            try label(project, task, id, n == 0 || n == 4 ? other : machine, by: "ana")
            try label(project, task, id, machine, by: "bo")
        }
        let e = try await EstimatesWorkflow.estimates(task: task, store: project.store, quality: QualitySettings(), tTestItems: 2)
        #expect(e.calibration.items == 10)
        #expect(abs((e.calibration.ece ?? -1) - 0.16) < 1e-12)
        #expect(abs((e.calibration.brier ?? -1) - 0.197) < 1e-12)
        let bins = e.calibration.bins.filter { $0.count > 0 }
        #expect(bins.map(\.count) == [4, 6] && bins.map(\.accuracy) == [0.75, 5.0 / 6])
        let alt = try #require(e.altTest)
        #expect(alt.people.map(\.name) == ["ana", "bo"] && alt.tested == 2)
        let ana = alt.people[0], bo = alt.people[1]
        #expect(ana.items == 10 && ana.machineAdvantage == 1 && abs(ana.personAdvantage - 0.8) < 1e-12)
        #expect(abs((ana.t ?? 0) + 3) < 1e-12)
        #expect(abs((ana.pValue ?? 1) - 0.0074782) < 1e-6)
        #expect(bo.t == nil && bo.pValue == 0 && bo.personAdvantage == 1)
        #expect(ana.rejected && bo.rejected && alt.winningRate == 1 && alt.passed)
        // Two people on every item: 10 pairs, 8 agreeing; no audits, so no estimate.
        #expect(e.audit.estimate == nil && e.audit.planned == 0)
        #expect(EstimatesWorkflowTests.text(e).contains("Alt-test (ε 0.20, α 0.05): 2 of 2 people tested beaten, winning rate 1.00"))
    }

    /// `[quality] audit_uniform_share` and `alt_test_epsilon` reach `duet route`'s audit draw and the
    /// estimates. Every item kept (budget 0), half audited: items 1–4 are split 2:2 (unsure), 5–10 unanimous,
    /// so the default γ = 0.5 draws them with different probabilities; γ = 1 draws each with the audit share,
    /// 5/10. The alt-test reports the configured ε.
    @Test func qualityKeysReachTheAuditDrawAndTheAltTest() async throws {
        let tmp = try TempDir()
        let made = try await RoutingWorkflowTests().project(tmp)
        let request = RouteRequest(budget: 0, strategy: .entropy, audit: 0.5)
        _ = try await RouteWorkflow.run(request, project: made)
        let mixed = try await made.sqlite.routes(task: try made.task(nil)).values.compactMap(\.auditProbability)
        #expect(mixed.count == 5 && Set(mixed).count > 1)
        let toml = try String(contentsOf: made.configURL, encoding: .utf8) + "\n[quality]\naudit_uniform_share = 1\nalt_test_epsilon = 0.1\n"
        try toml.write(to: made.configURL, atomically: true, encoding: .utf8)
        let project = try await Project.open(at: made.root)
        #expect(project.config.quality.auditUniformShare == 1 && project.config.quality.altTestEpsilon == 0.1)
        let task = try project.task(nil)
        _ = try await RouteWorkflow.run(RouteRequest(budget: 0, strategy: .entropy, audit: 0.5, seed: 1), project: project)
        let routes = try await project.sqlite.routes(task: task)
        let uniform = routes.values.compactMap(\.auditProbability)
        #expect(uniform.count == 5 && uniform.allSatisfy { abs($0 - 0.5) < 1e-12 })
        for id in routes.keys.sorted().prefix(2) {
            try label(project, task, id, "positive", by: "ana")
            try label(project, task, id, "negative", by: "bo")
        }
        #expect(try await EstimatesWorkflow.run(task: nil, project: project).altTest?.epsilon == 0.1)
        #expect(try await EstimatesWorkflow.run(task: nil, project: made).altTest?.epsilon == 0.2)
    }

    /// Half the kept items audited (3 of 6, exactly); ana agrees with the machine on 2 of the 3. Every kept
    /// item has confidence 0.9, so PPI's λ̂ is 0 and the estimate is the audits' mean: 2/3 ± 1.96·√((2/9)/3).
    /// The JSON carries the keys with these values, and each audit's inclusion probability (1/2).
    @Test func auditEstimateAndItsJSON() async throws {
        let tmp = try TempDir()
        let (project, task, routes) = try await routed(tmp, audit: 0.5)
        let audits = routes.values.filter { $0.route == .audit }.sorted { $0.itemRowID < $1.itemRowID }
        #expect(audits.count == 3)
        #expect(audits.allSatisfy { $0.auditProbability == 0.5 })
        #expect(routes.values.filter { $0.route != .audit }.allSatisfy { $0.auditProbability == nil })
        for (n, r) in audits.enumerated() {
            let machine = try #require(r.machineLabel)
            try label(project, task, r.itemRowID, n == 0 ? (machine == "positive" ? "negative" : "positive") : machine, by: "ana")
        }
        let e = try await EstimatesWorkflow.estimates(task: task, store: project.store, quality: QualitySettings())
        let est = try #require(e.audit.estimate)
        let half = Audit.z95 * (2.0 / 9 / 3).squareRoot()
        #expect(est.method == .stratifiedPPI && est.audits == 3 && est.items == 6)
        #expect(abs(est.estimate - 2.0 / 3) < 1e-12 && abs(est.low - (2.0 / 3 - half)) < 1e-12 && est.high == 1)
        let wilson = try #require(Audit.wilson(successes: 2, trials: 3))
        #expect(est.wilsonLow == wilson.low && est.wilsonHigh == wilson.high)
        // The exported set: 3 labeled by people (right by definition), 3 kept by the machine alone.
        let final = try #require(e.audit.finalSet)
        #expect(e.audit.peopleItems == 3 && e.audit.machineItems == 3 && abs(final.estimate - (3 + 3 * 2.0 / 3) / 6) < 1e-12)
        #expect(e.audit.limit?.contains("No item has two people's labels") == true)
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let json = try JSONValue.parse(String(decoding: try enc.encode(e), as: UTF8.self))
        let audit = try #require(json["audit"])
        #expect(audit["estimate"]?.number.map { abs($0 - 2.0 / 3) < 1e-12 } == true)
        #expect(audit["ci_low"]?.number == est.low && audit["ci_high"]?.number == 1)
        #expect(audit["method"] == .string("stratified_ppi") && audit["audits"]?.number == 3)
        #expect(audit["wilson_low"]?.number == wilson.low && audit["wilson_high"]?.number == wilson.high)
        #expect(audit["final_set"]?["estimate"]?.number != nil && audit["planned"]?.number == 3 && audit["pending"]?.number == 0)
        #expect(json["calibration"]?["ece"]?.number != nil && json["calibration"]?["brier"]?.number != nil)
        #expect(json["calibration"]?["bins"]?.array?.count == 10 && json["calibration"]?["risk_coverage"]?.array != nil)
        #expect(json["alt_test"] == .null)
        // The people's figures are the estimates' own (one home for `duet quality` and the Quality screen).
        #expect(e.people.map(\.name) == ["ana"])
        #expect(json["people"]?.array?.count == 1 && json["people"]?.array?.first?["name"] == .string("ana"))
    }

    /// Audits drawn with unequal probabilities are weighted by them (`active_ipw`), not averaged.
    @Test func unequalProbabilitiesAreWeightedByThem() {
        func item(_ id: Int64, _ p: Double?, audited: Bool, right: Bool = true) -> QualityEstimates.Item {
            QualityEstimates.Item(id: id, route: audited ? .audit : .machine, machineLabel: "a", confidence: 0.8, uncertainty: 0.1,
                                  auditProbability: p, answer: audited ? (right ? "a" : "b") : nil, people: audited ? ["ana": right ? "a" : "b"] : [:])
        }
        // 4 kept items; audits at π 0.5 (right) and 0.25 (wrong): θ̂ = (1/4)(1/0.5 + 0/0.25) = 0.5.
        let items = [item(1, 0.5, audited: true), item(2, 0.25, audited: true, right: false), item(3, nil, audited: false), item(4, nil, audited: false)]
        let e = QualityEstimates(task: "t", items: items)
        #expect(e.audit.estimate?.method == .activeIPW)
        #expect(e.audit.estimate?.estimate == 0.5)
        // Brewer's variance: x = (2, 0), T̂ = 2, d = (1, −1), 1/cᵢ = (2 − πᵢ)/1: Σ(1/cᵢ − πᵢ)dᵢ² = 1 + 1.5 = 2.5; /N² = 0.15625.
        #expect(e.audit.estimate.map { abs($0.standardError - 0.15625.squareRoot()) < 1e-12 } == true)
    }

    static func text(_ e: QualityEstimates) -> String { e.text.joined(separator: "\n") }
}

/// `duet plan`'s threshold: chosen on one half of the measured items, checked on the other, said in the
/// recommendation.
@Suite struct PlanThresholdCheckTests {
    /// On the 10-item project (gold on every item; llm:x's 4 votes of confidence 0.9, split 2:2 on items 1–4,
    /// so the support of its label is 0.45 there and 0.9 elsewhere), the check is `Calibration.thresholdCheck`
    /// over those outcomes, and the recommendation ends with its held-out sentence.
    @Test func thePlanChecksItsThresholdOnTheOtherHalf() async throws {
        let tmp = try TempDir()
        let project = try await RoutingWorkflowTests().project(tmp)
        let report = try await PlanWorkflow.run(PlanRequest(budgets: [0, 0.4]), project: project)
        let check = try #require(report.thresholdCheck)
        #expect(check.fitItems == 5 && check.checkItems == 5)
        #expect(abs(check.maxRisk - (1 - report.targetAccuracy)) < 1e-12)
        #expect(report.recommendation.text.hasSuffix(PlanReport.heldOutText(check)))
        #expect(report.recommendation.text.contains("Held out: "))
        let enc = JSONEncoder()
        let json = try JSONValue.parse(String(decoding: try enc.encode(report), as: UTF8.self))
        #expect(json["threshold_check"]?["fit_items"]?.number == 5)
    }

    /// The sentence by hand.
    @Test func heldOutTextHandWritten() {
        let c = Calibration.ThresholdCheck(maxRisk: 0.1, threshold: 0.85, fitItems: 60, fitCoverage: 0.5, fitRisk: 0.05, checkItems: 60,
                                           checkKept: 27, checkCoverage: 0.45, checkRisk: 0.0740740, checkRiskLow: 0.02, checkRiskHigh: 0.23)
        #expect(PlanReport.heldOutText(c) == "Held out: keeping the machine's labels of confidence ≥ 0.85, chosen on half of the 120 measured "
                + "items (error 0.05, 50% kept), keeps 45% of the other half with error 0.07 (95% 0.02–0.23).")
        var none = c
        none.threshold = nil
        #expect(PlanReport.heldOutText(none) == "Held out: no confidence threshold keeps the machine's error at or under 0.10 on half of the 120 measured items.")
    }
}
