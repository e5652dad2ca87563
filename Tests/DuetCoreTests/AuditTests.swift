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
}
