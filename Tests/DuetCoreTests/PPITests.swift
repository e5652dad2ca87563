import Foundation
import Testing
@testable import DuetCore

/// PPI++, stratified PPI and the classical interval against ppi-python (Fixtures/ppi.json, made by
/// scripts/ppi-fixtures.py), and the pieces around them.
@Suite struct PPITests {
    struct Fixture: Decodable {
        var ppi: [Case]
        var stratified: Stratified
    }

    struct Case: Decodable {
        var name: String
        var y: [Double]
        var yhat: [Double]
        var yhat_unlabeled: [Double]
        var lambda: Double
        var estimate: Double
        var ci: [Double]
        var ci_lambda1: [Double]
        var classical_ci: [Double]
    }

    struct Stratified: Decodable {
        var stratum: [Int]
        var yhat: [Double]
        var y: [Double?]
        var estimate: Double
        var ci: [Double]
    }

    static func loadFixture() throws -> Fixture { try T.fixture("ppi.json") }

    static let cases: [Case] = (try? loadFixture().ppi) ?? []
    static let tolerance = 1e-6

    @Test func fixtureLoads() throws {
        #expect(try Self.loadFixture().ppi.count == 5)
    }

    @Test(arguments: cases.map(\.name))
    func matchesPPIPython(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let e = try #require(PPI.mean(labels: c.y, predictions: c.yhat, unlabeled: c.yhat_unlabeled))
        #expect(abs(try #require(e.lambda) - c.lambda) < Self.tolerance)
        #expect(abs(e.estimate - c.estimate) < Self.tolerance)
        #expect(abs(e.low - c.ci[0]) < Self.tolerance)
        #expect(abs(e.high - c.ci[1]) < Self.tolerance)
        #expect(e.method == .ppi && e.audits == c.y.count && e.items == c.y.count + c.yhat_unlabeled.count)

        let plain = try #require(PPI.mean(labels: c.y, predictions: c.yhat, unlabeled: c.yhat_unlabeled, lambda: 1))
        #expect(abs(plain.low - c.ci_lambda1[0]) < Self.tolerance)
        #expect(abs(plain.high - c.ci_lambda1[1]) < Self.tolerance)

        let classical = try #require(PPI.classical(labels: c.y))
        #expect(abs(classical.low - c.classical_ci[0]) < Self.tolerance)
        #expect(abs(classical.high - c.classical_ci[1]) < Self.tolerance)
        // Power tuning never does worse than the audits alone on these data (the reason for λ̂).
        #expect(e.high - e.low <= classical.high - classical.low + Self.tolerance)
    }

    @Test func fixturesCoverBothClips() {
        // The fixture set exercises λ̂ clipped at 0 and at 1 and strictly between.
        let lambdas = Self.cases.map(\.lambda)
        #expect(lambdas.contains(0) && lambdas.contains(1) && lambdas.contains { $0 > 0 && $0 < 1 })
    }

    @Test func stratifiedMatchesPerStratumPPIPython() throws {
        let s = try Self.loadFixture().stratified
        let units = s.stratum.indices.map { PPI.Unit(stratum: s.stratum[$0], prediction: s.yhat[$0], label: s.y[$0]) }
        let e = try #require(PPI.stratified(units))
        #expect(e.method == .stratifiedPPI)
        #expect(abs(e.estimate - s.estimate) < Self.tolerance)
        #expect(abs(e.low - s.ci[0]) < Self.tolerance)
        #expect(abs(e.high - s.ci[1]) < Self.tolerance)
        #expect(e.audits == s.y.count(where: { $0 != nil }))
    }

    @Test func stratumWithTooFewAuditsJoinsTheNext() {
        // Stratum 0 has one audit: it joins stratum 1. Stratum 2 has two: it stands alone.
        var units = [PPI.Unit(stratum: 0, prediction: 0.5, label: 1), PPI.Unit(stratum: 0, prediction: 0.6, label: nil),
                     PPI.Unit(stratum: 1, prediction: 0.9, label: 1), PPI.Unit(stratum: 1, prediction: 0.8, label: 0),
                     PPI.Unit(stratum: 1, prediction: 0.7, label: nil), PPI.Unit(stratum: 2, prediction: 0.95, label: 1),
                     PPI.Unit(stratum: 2, prediction: 0.97, label: 0), PPI.Unit(stratum: 2, prediction: 0.9, label: nil)]
        #expect(PPI.mergedStrata(units, minAudits: 2).map(\.count) == [5, 3])
        // With one audit in stratum 2, the last stratum joins the one before.
        units[6].label = nil
        #expect(PPI.mergedStrata(units, minAudits: 2).map(\.count) == [8])
        #expect(PPI.stratified(units) != nil)
        #expect(PPI.stratified(Array(units.prefix(2))) == nil)  // one audit in all
    }

    @Test func uncertaintyStrataSplitByRankAndKeepTiesTogether() {
        #expect(PPI.uncertaintyStrata([0.1, 0.5, 0.2, 0.9, 0.4, 0.7], count: 3) == [0, 1, 0, 2, 1, 2])
        #expect(PPI.uncertaintyStrata([0.3, 0.3, 0.3, 0.3], count: 2) == [1, 1, 1, 1])
        #expect(PPI.uncertaintyStrata([0.2, 0.1], count: 1) == [0, 0])
    }

    @Test func noVarianceInConfidenceMeansTheAuditsAlone() throws {
        let e = try #require(PPI.mean(labels: [1, 0, 1, 1], predictions: [0.8, 0.8, 0.8, 0.8], unlabeled: [0.8, 0.8]))
        #expect(e.lambda == 0 && e.estimate == 0.75)
        #expect(PPI.mean(labels: [1], predictions: [0.5], unlabeled: [0.5]) == nil)
        #expect(PPI.mean(labels: [1, 0], predictions: [0.5, 0.4], unlabeled: []) == nil)
    }

    @Test func halvingHandComputed() {
        // Variance 0.5 + 3.5 at 10 audits; a quarter is 1, so the audit part must fall to 0.5: 70 audits, 60 more.
        #expect(Halving.extraAudits(fixed: 0.5, perAudit: 3.5, audits: 10, available: 60) == 60)
        #expect(Halving.extraAudits(fixed: 0.5, perAudit: 3.5, audits: 10, available: 59) == nil)
        // The fixed part is already a quarter: no number of audits halves the width.
        #expect(Halving.extraAudits(fixed: 1, perAudit: 3, audits: 10, available: 1000) == nil)
        // Audits alone: four times as many, three times more.
        #expect(PPI.classical(labels: [1, 0, 1, 1], items: 100)?.auditsToHalveWidth == 12)
        #expect(PPI.classical(labels: [1, 0, 1, 1], items: 10)?.auditsToHalveWidth == nil)
    }

    @Test func halvingPromiseHoldsForPPI() throws {
        // The audits the estimate asks for do halve the variance's model, one fewer does not.
        let c = try #require(Self.cases.first { $0.name.hasPrefix("calibrated") })
        let e = try #require(PPI.mean(labels: c.y, predictions: c.yhat, unlabeled: c.yhat_unlabeled))
        let extra = try #require(e.auditsToHalveWidth)
        let lam = try #require(e.lambda)
        let fixed = lam * lam * Moments.variance(c.yhat_unlabeled) / Double(c.yhat_unlabeled.count)
        let perAudit = e.standardError * e.standardError - fixed
        func se(_ more: Int) -> Double { (fixed + perAudit * Double(c.y.count) / Double(c.y.count + more)).squareRoot() }
        #expect(se(extra) <= e.standardError / 2 + 1e-12)
        #expect(se(extra - 1) > e.standardError / 2)
    }

    @Test func finalSetMapsEveryFigure() throws {
        let machine = try #require(PPI.classical(labels: [1, 1, 1, 0], items: 300))
        let all = machine.finalSet(machineItems: 300, peopleItems: 100)
        // 100 people's labels count right, 300 machine labels at 0.75: (100 + 225)/400.
        #expect(abs(all.estimate - 0.8125) < 1e-12)
        #expect(abs(all.low - (0.25 + 0.75 * machine.low)) < 1e-12)
        #expect(abs(all.high - (0.25 + 0.75 * machine.high)) < 1e-12)
        #expect(abs(try #require(all.wilsonLow) - (0.25 + 0.75 * machine.wilsonLow!)) < 1e-12)
        #expect(all.items == 400 && all.audits == 4 && all.auditsToHalveWidth == machine.auditsToHalveWidth)
    }

    @Test func wilsonSitsBeside() throws {
        let e = try #require(PPI.classical(labels: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]))
        let w = try #require(Audit.wilson(successes: 8, trials: 10))
        #expect(e.wilsonLow == w.low && e.wilsonHigh == w.high)
    }

    @Test func encodesTheIssuesFieldNames() throws {
        let e = try #require(PPI.classical(labels: [1, 0, 1]))
        let json = try #require(String(data: JSONEncoder().encode(e), encoding: .utf8))
        for key in ["\"estimate\"", "\"ci_low\"", "\"ci_high\"", "\"method\":\"classical\"", "\"wilson_low\"", "\"wilson_high\"", "\"audits\""] {
            #expect(json.contains(key), "\(key) missing in \(json)")
        }
    }
}
