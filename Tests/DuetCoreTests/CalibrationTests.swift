import Foundation
import Testing
@testable import DuetCore

@Suite struct CalibrationTests {
    typealias O = Calibration.Outcome

    /// Six outcomes (confidence, person agreed).
    static let six = [O(item: 1, confidence: 0.95, correct: true), O(item: 2, confidence: 0.9, correct: true),
                      O(item: 3, confidence: 0.85, correct: false), O(item: 4, confidence: 0.65, correct: true),
                      O(item: 5, confidence: 0.55, correct: false), O(item: 6, confidence: 0.15, correct: false)]

    @Test func reliabilityECEAndBrierHandComputed() throws {
        let c = Calibration(Self.six, bins: 5)
        // Bins of 0.2: [0, .2) {.15 ✗}, [.2, .4) {}, [.4, .6) {.55 ✗}, [.6, .8) {.65 ✓}, [.8, 1] {.95 ✓, .9 ✓, .85 ✗}.
        #expect(c.bins.map(\.count) == [1, 0, 1, 1, 3])
        #expect(c.bins[1].accuracy == nil && c.bins[1].meanConfidence == nil)
        #expect(abs(try #require(c.bins[4].meanConfidence) - 0.9) < 1e-12)
        #expect(abs(try #require(c.bins[4].accuracy) - 2.0 / 3) < 1e-12)
        // ECE = (1/6)(|0 − .15| + |0 − .55| + |1 − .65|) + (3/6)|2/3 − .9| = 0.175 + 0.116667 = 0.291667.
        #expect(abs(try #require(c.ece) - (0.175 + 0.7 / 6)) < 1e-12)
        // Brier = (.05² + .1² + .85² + .35² + .55² + .15²)/6 = 1.1825/6.
        #expect(abs(try #require(c.brier) - 1.1825 / 6) < 1e-12)
        let empty = Calibration([])
        #expect(empty.ece == nil && empty.brier == nil && empty.curve.isEmpty && empty.bins.count == 10)
    }

    @Test func confidenceOneFallsInTheLastBin() {
        let bins = Calibration.reliability([O(item: 1, confidence: 1, correct: true), O(item: 2, confidence: 0, correct: false)], bins: 4)
        #expect(bins.map(\.count) == [1, 0, 0, 1])
    }

    @Test func riskCoverageHandComputed() {
        let curve = Calibration(Self.six).curve
        #expect(curve.map(\.kept) == [1, 2, 3, 4, 5, 6])
        #expect(curve.map(\.threshold) == [0.95, 0.9, 0.85, 0.65, 0.55, 0.15])
        #expect(curve.map(\.risk) == [0, 0, 1.0 / 3, 0.25, 0.4, 0.5])
        #expect(curve.last?.coverage == 1)
        // Tied confidences are one threshold: keeping 0.8 keeps both.
        let ties = Calibration.riskCoverage([O(item: 1, confidence: 0.8, correct: true), O(item: 2, confidence: 0.8, correct: false),
                                             O(item: 3, confidence: 0.9, correct: true)])
        #expect(ties.map(\.kept) == [1, 3] && ties.map(\.risk) == [0, 1.0 / 3])
    }

    @Test func thresholdChosenOnOneHalfCheckedOnTheOther() throws {
        // Fit on the six: the most coverage with risk ≤ 0.25 is t = 0.65 (4 kept, 1 wrong).
        let check = [O(item: 11, confidence: 0.99, correct: true), O(item: 12, confidence: 0.7, correct: false),
                     O(item: 13, confidence: 0.66, correct: true), O(item: 14, confidence: 0.64, correct: false),
                     O(item: 15, confidence: 0.3, correct: true)]
        let r = Calibration.thresholdCheck(fit: Self.six, check: check, maxRisk: 0.25)
        #expect(r.threshold == 0.65 && r.fitRisk == 0.25 && abs(r.fitCoverage - 4.0 / 6) < 1e-12)
        // On the other half, t = 0.65 keeps 0.99, 0.7, 0.66: one wrong in three.
        #expect(r.checkKept == 3 && r.checkItems == 5 && r.checkCoverage == 0.6)
        #expect(abs(try #require(r.checkRisk) - 1.0 / 3) < 1e-12)
        let w = try #require(Audit.wilson(successes: 1, trials: 3))
        #expect(r.checkRiskLow == w.low && r.checkRiskHigh == w.high)
        // No threshold meets an impossible target.
        let none = Calibration.thresholdCheck(fit: [O(item: 1, confidence: 0.9, correct: false)], check: check, maxRisk: 0.1)
        #expect(none.threshold == nil && none.checkKept == 0 && none.checkRisk == nil)
    }

    @Test func halvesAreSeededDisjointAndComplete() {
        let outcomes = (0..<101).map { O(item: Int64($0), confidence: Double($0) / 100, correct: $0 % 3 != 0) }
        let h = Calibration.halves(outcomes, seed: 4)
        #expect(h.fit.count == 50 && h.check.count == 51)
        #expect(Set(h.fit.map(\.item)).isDisjoint(with: h.check.map(\.item)))
        #expect(Set(h.fit.map(\.item) + h.check.map(\.item)) == Set(outcomes.map(\.item)))
        let again = Calibration.halves(outcomes.reversed(), seed: 4)
        #expect(Set(again.fit.map(\.item)) == Set(h.fit.map(\.item)))
        #expect(Set(Calibration.halves(outcomes, seed: 5).fit.map(\.item)) != Set(h.fit.map(\.item)))
        // Not simply the first or the lowest half.
        #expect(Set(h.fit.map(\.item)) != Set((0..<50).map(Int64.init)))
    }
}
