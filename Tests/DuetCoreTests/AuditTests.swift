import Foundation
import Testing
@testable import DuetCore

@Suite struct AuditTests {
    @Test func wilsonHandComputed() throws {
        // 8 of 10, z = 1.96: center (0.8 + 0.19207)/(1.38415) = 0.71674, half 1.96·√(0.016 + 0.00096)/1.38415 = 0.18442.
        // Reference values: statsmodels proportion_confint(8, 10, method="wilson") = (0.4901625, 0.9433178).
        let ci = try #require(Audit.wilson(successes: 8, trials: 10))
        #expect(abs(ci.low - 0.4901625) < 1e-6)
        #expect(abs(ci.high - 0.9433178) < 1e-6)
        // All right in 5: the upper bound is 1, the lower well below it.
        let five = try #require(Audit.wilson(successes: 5, trials: 5))
        #expect(five.high == 1)
        #expect(abs(five.low - 0.5655175) < 1e-6)  // statsmodels: (0.5655175, 1.0)
        #expect(Audit.wilson(successes: 0, trials: 0) == nil)
    }

    @Test func estimatesCountOnlyAuditsPeopleLabeled() {
        func route(_ id: Int64, _ r: Route, _ label: String, by who: String = "local:ensemble") -> RouteRecord {
            RouteRecord(itemRowID: id, route: r, score: 0, machineLabel: label, annotator: who, pending: false)
        }
        let routes: [Int64: RouteRecord] = [1: route(1, .audit, "pos"), 2: route(2, .audit, "neg"), 3: route(3, .audit, "pos"),
                                            4: route(4, .human, "pos"), 5: route(5, .audit, "pos", by: "llm:x")]
        let decisions = [
            CurrentDecision(itemRowID: 1, annotator: "ana", annotatorKind: .human, status: .submitted, value: "pos"),
            CurrentDecision(itemRowID: 2, annotator: "ana", annotatorKind: .human, status: .submitted, value: "pos"),
            CurrentDecision(itemRowID: 4, annotator: "ana", annotatorKind: .human, status: .submitted, value: "pos"),  // not an audit
            CurrentDecision(itemRowID: 5, annotator: "ana", annotatorKind: .human, status: .skipped, value: nil),  // skipped: not counted
        ]
        let e = Audit.estimates(routes: routes, decisions: decisions)
        // llm:x has one audit nobody has labeled yet: planned, no estimate.
        #expect(e.map(\.annotator) == ["llm:x", "local:ensemble"])
        #expect(e[0].planned == 1 && e[0].audited == 0 && e[0].accuracy == nil && !e[0].below(0.9))
        #expect(e[0].summary == "0 of 1 audit labeled yet")
        #expect(e[1].planned == 3 && e[1].audited == 2 && e[1].agreeing == 1 && e[1].accuracy == 0.5)
        #expect(e[1].below(0.9))
        #expect(e[1].summary.hasPrefix("1/2 right, 0.50 (95% ") && e[1].summary.hasSuffix("; 2 of 3 audits labeled"))
        #expect(!AuditEstimate(annotator: "x", audited: 0, agreeing: 0).below(0.9))
    }

    @Test func reviewAuditsCompareThePersonsRatingWithTheMachines() {
        // A review's machine label is its rating; a person's review is an object with a verdict and a rating.
        let routes: [Int64: RouteRecord] = [1: RouteRecord(itemRowID: 1, route: .audit, score: 0, machineLabel: "4", annotator: "llm:j", pending: false),
                                            2: RouteRecord(itemRowID: 2, route: .audit, score: 0, machineLabel: "2", annotator: "llm:j", pending: false)]
        let decisions = [
            CurrentDecision(itemRowID: 1, annotator: "ana", annotatorKind: .human, status: .submitted, value: ["verdict": "accept", "rating": 4]),
            CurrentDecision(itemRowID: 2, annotator: "ana", annotatorKind: .human, status: .submitted, value: ["verdict": "reject", "rating": 1]),
        ]
        let e = Audit.estimates(routes: routes, decisions: decisions, kind: .review)
        #expect(e.first?.audited == 2 && e.first?.agreeing == 1)
    }
    /// Audits drawn by uncertainty: status and the dashboard weight them by inclusion probability, as
    /// `duet quality` does, instead of the raw share right, which the over-drawn uncertain items pull down.
    @Test func auditsDrawnByUncertaintyAreWeightedAsTheQualityEstimateIs() throws {
        // 20 kept items: 8 uncertain audited with probability 0.8 (4 right), 2 sure audited with 0.2 (both right),
        // 10 kept unaudited (2 sure items of 10 drawn at 0.2; the 8 uncertain ones of 10 at 0.8).
        var routes: [Int64: RouteRecord] = [:]
        var decisions: [CurrentDecision] = []
        var items: [QualityEstimates.Item] = []
        for id in Int64(1)...20 {
            let audited = id <= 10
            let p = id <= 8 ? 0.8 : id <= 10 ? 0.2 : 0.5
            var r = RouteRecord(itemRowID: id, route: audited ? .audit : .machine, score: id <= 8 ? 1 : 0.1, machineLabel: "pos",
                                annotator: "local:ensemble", pending: false)
            r.auditProbability = audited ? p : nil
            let answer: String? = audited ? (id <= 4 || id > 8 ? "pos" : "neg") : nil
            if audited { routes[id] = r }
            if let answer { decisions.append(CurrentDecision(itemRowID: id, annotator: "ana", annotatorKind: .human, status: .submitted, value: .string(answer))) }
            items.append(QualityEstimates.Item(id: id, route: r.route, machineLabel: "pos", confidence: 0.7, uncertainty: r.score,
                                               auditProbability: r.auditProbability, answer: answer, people: answer.map { ["ana": $0] } ?? [:]))
        }
        let e = try #require(Audit.estimates(routes: routes, decisions: decisions, kept: 10).first)
        let q = try #require(QualityEstimates(task: "t", items: items).audit.estimate)
        #expect(q.method == .activeIPW)
        #expect(e.weighted && e.audited == 10 && e.agreeing == 6)
        #expect(abs((e.accuracy ?? 0) - q.estimate) < 1e-12 && abs((e.low ?? 0) - q.low) < 1e-12 && abs((e.high ?? 0) - q.high) < 1e-12)
        // By hand: (4/0.8 + 2/0.2) / 20 = 0.75, above the raw 6/10.
        #expect(abs((e.accuracy ?? 0) - 0.75) < 1e-12)
        #expect(e.summary.hasPrefix("6/10 right; weighted 0.75 (95% "))
        // Without the kept count (or with equal probabilities) it stays the raw audits with Wilson's interval.
        #expect(Audit.estimates(routes: routes, decisions: decisions).first?.weighted == false)
        let json = try JSONValue.parse(String(decoding: try JSONEncoder().encode(e), as: UTF8.self))
        #expect(json["method"] == .string("active_ipw"))
        #expect(try JSONDecoder().decode(AuditEstimate.self, from: JSONEncoder().encode(e)) == e)
    }
}
