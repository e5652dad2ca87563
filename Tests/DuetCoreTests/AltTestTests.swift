import Foundation
import Testing
@testable import DuetCore

@Suite struct AltTestTests {
    /// Five items, three people (a, b, c), all on every item.
    static let hand: [AltTest.Item] = [
        AltTest.Item(machine: "x", people: ["a": "x", "b": "x", "c": "x"]),
        AltTest.Item(machine: "x", people: ["a": "x", "b": "x", "c": "y"]),
        AltTest.Item(machine: "x", people: ["a": "y", "b": "x", "c": "x"]),
        AltTest.Item(machine: "y", people: ["a": "x", "b": "y", "c": "y"]),
        AltTest.Item(machine: "x", people: ["a": "y", "b": "y", "c": "x"]),
    ]

    @Test func handComputedCase() throws {
        // Held out a (others b, c), S = share of the others agreeing:
        //   item 1: S(M)=1,  S(a)=1  → Wᶠ=1 Wʰ=1 d=0      item 2: ½, ½ → d=0      item 3: 1, 0 → Wᶠ=1 Wʰ=0 d=−1
        //   item 4: 1, 0 → d=−1                               item 5: ½, ½ → d=0
        //   ρ̂ᶠ = 1, ρ̂ʰ = 0.6; d̄ = −0.4, s_d = √(1.2/4) = 0.547723; t = (−0.4 − 0.2)/(0.547723/√5) = −√6;
        //   p = P(T₄ ≤ −√6) = ½ + (3/8)(t/√(1+t²/4))(1 − (t²/(1+t²/4))/12) = ½ − (3/8)(1.549193)(0.8) = 0.035242.
        // Held out b (others a, c): every item ties (1/1 or ½/½): d ≡ 0 < ε, s_d = 0 → p = 0.
        // Held out c (others a, b): item 2: S(M)=1, S(c)=0 → d=−1; item 5: 0, 0 → tie; the rest ties.
        //   d̄ = −0.2, s_d = √(0.8/4) = 0.447214; t = (−0.2 − 0.2)/(0.447214/√5) = −2;
        //   p = ½ − (3/8)(2/√2)(1 − 2/12) = 0.058058; ρ̂ᶠ = 1, ρ̂ʰ = 0.8.
        // Benjamini–Yekutieli, m = 3, Σ1/i = 11/6: thresholds k·0.05/5.5 = 0.009091, 0.018182, 0.027273;
        //   sorted p (0, 0.035242, 0.058058): only k = 1 passes → only b rejected, ω = 1/3: the machine fails.
        let r = AltTest(Self.hand, epsilon: 0.2, alpha: 0.05, tTestItems: 2)
        #expect(r.people.map(\.name) == ["a", "b", "c"])
        let a = r.people[0], b = r.people[1], c = r.people[2]
        #expect(a.items == 5 && a.machineAdvantage == 1 && abs(a.personAdvantage - 0.6) < 1e-12)
        #expect(abs(try #require(a.t) + 6.0.squareRoot()) < 1e-12)
        #expect(abs(try #require(a.pValue) - 0.0352416) < 1e-6)
        #expect(b.t == nil && b.pValue == 0 && b.personAdvantage == 1)
        #expect(abs(try #require(c.t) + 2) < 1e-12)
        #expect(abs(try #require(c.pValue) - 0.0580582) < 1e-6)
        #expect(abs(c.personAdvantage - 0.8) < 1e-12)
        #expect(r.people.map(\.rejected) == [false, true, false])
        let omega = try #require(r.winningRate)
        #expect(r.tested == 3 && abs(omega - 1.0 / 3) < 1e-12 && !r.passed)
        #expect(r.averageAdvantage == 1)
        // At α = 0.2 the thresholds are 0.036364, 0.072727, 0.109091: all three rejected, ω = 1, it passes.
        let loose = AltTest(Self.hand, epsilon: 0.2, alpha: 0.2, tTestItems: 2)
        #expect(loose.people.allSatisfy(\.rejected) && loose.winningRate == 1 && loose.passed)
    }

    @Test func itemsWithOnePersonDoNotCount() {
        let r = AltTest(Self.hand + [AltTest.Item(machine: "x", people: ["a": "y"]), AltTest.Item(machine: "x", people: ["d": "x"])], tTestItems: 2)
        #expect(r.people.map(\.name) == ["a", "b", "c"] && r.people[0].items == 5)
    }

    @Test func tooFewItemsAreListedNotTested() throws {
        let r = AltTest(Self.hand + [AltTest.Item(machine: "x", people: ["a": "x", "d": "x"])], tTestItems: 2)
        let d = try #require(r.people.first { $0.name == "d" })
        #expect(d.items == 1 && d.pValue == nil && d.test == nil && !d.rejected && r.tested == 3)
        #expect(AltTest([]).winningRate == nil && !AltTest([]).passed)
        // Four items: even all four in the machine's favour give p = 2⁻⁴ > 0.05, so no test is run.
        let four = AltTest(Array(Self.hand.prefix(4)))
        #expect(four.fewestItems == 5 && four.tested == 0 && four.winningRate == nil && four.people.allSatisfy { $0.test == nil })
        #expect(QualityEstimatesTextCheck.lines(four).first?.hasSuffix("(up to 4; 5 needed).") == true)
    }

    /// Under 30 items (the authors' FAQ) a person gets the exact Wilcoxon signed-rank test of dᵢ − ε, not
    /// the t-test. The hand case's d (above): a = (0, 0, −1, −1, 0), b ≡ 0, c = (0, −1, 0, 0, 0); with ε = 0.2
    /// every dᵢ − ε is negative, so T⁺ = 0 and p = P(T⁺ ≤ 0) = 2⁻⁵ = 0.03125 for each. Benjamini–Yekutieli
    /// (m = 3) needs p₍₁₎ ≤ 0.009091, p₍₂₎ ≤ 0.018182 or p₍₃₎ ≤ 0.027273: none, ω = 0. Before, these three were
    /// not tested at all.
    @Test func fewerThanThirtyItemsGetTheSignedRankTest() throws {
        let r = AltTest(Self.hand)
        #expect(r.tested == 3 && r.tTestItems == 30)
        for p in r.people {
            #expect(p.test == .signedRank && p.signedRank == 0 && p.t == nil, "\(p.name)")
            #expect(abs(try #require(p.pValue) - 0.03125) < 1e-15, "\(p.name)")
        }
        #expect(r.people.allSatisfy { !$0.rejected } && r.winningRate == 0 && !r.passed)
        #expect(abs(try #require(r.averageAdvantage) - 1) < 1e-12)
        let lines = QualityEstimatesTextCheck.lines(r)
        #expect(lines.contains { $0.hasPrefix("a ") && $0.contains("W⁺") && $0.contains("0.031") })
        #expect(lines.contains("t: paired t-test, 30+ items; W⁺: exact signed-rank test, 5–29 items"))
    }

    /// x = (0.8, −0.2, −0.2, −1.2, −0.2, −0.2): |x| ranks 2.5 (four ties), 5 (0.8), 6 (1.2); T⁺ = 5. Of the
    /// 64 sign patterns (doubled ranks 5, 5, 5, 5, 10, 12), those with doubled T⁺ ≤ 10: none (1), one 5 (4),
    /// two 5s (6), the 10 alone (1): p = 12/64 = 0.1875.
    @Test func signedRankHandComputed() {
        let r = SignedRank.less([0.8, -0.2, -0.2, -1.2, -0.2, -0.2])
        #expect(r.statistic == 5 && r.pValue == 0.1875)
        // Zeros are dropped; all zero: no evidence.
        #expect(SignedRank.less([0, 0.8, -0.2, -0.2, -1.2, -0.2, -0.2, 0]) == r)
        #expect(SignedRank.less([0, 0]).pValue == 1)
        #expect(SignedRank.fewestToReach(0.05) == 5 && SignedRank.fewestToReach(0.0625) == 4 && SignedRank.fewestToReach(0.01) == 7)
    }

    @Test func benjaminiYekutieliHandComputed() {
        // m = 4, Σ1/i = 25/12: thresholds k·0.05/(4·25/12) = 0.006, 0.012, 0.018, 0.024.
        // Sorted: 0.001 ✓, 0.013 ✗ (> 0.012), 0.017 ✓ (≤ 0.018): step-up rejects the three smallest.
        #expect(AltTest.benjaminiYekutieli([0.017, 0.5, 0.001, 0.013], alpha: 0.05) == [0, 2, 3])
        // m = 2: thresholds 0.05/3 = 0.016667, 0.033333; 0.02 passes neither, 0.007 the first.
        #expect(AltTest.benjaminiYekutieli([0.007, 0.5], alpha: 0.05) == [0])
        #expect(AltTest.benjaminiYekutieli([0.02, 0.04], alpha: 0.05) == [])
        #expect(AltTest.benjaminiYekutieli([], alpha: 0.05).isEmpty)
    }

    struct Fixture: Decodable {
        struct Item: Decodable {
            var machine: String
            var people: [String: String]
        }

        struct Person: Decodable {
            var name: String
            var items: Int
            var p: Double
            var rejected: Bool
        }

        struct AltCase: Decodable {
            var epsilon: Double
            var alpha: Double
            var items: [Item]
            var people: [Person]
        }

        struct TCase: Decodable {
            var t: Double
            var df: Double
            var cdf: Double
        }

        var alt_test: AltCase
        var t_cdf: [TCase]
    }

    static func loadFixture() throws -> Fixture { try T.fixture("ppi.json") }

    struct SmallFixture: Decodable {
        struct SignedRankCase: Decodable {
            var x: [Double]
            var statistic: Double
            var p: Double
            var method: String
        }

        struct Person: Decodable {
            var name: String
            var items: Int
            var test: String?
            var statistic: Double?
            var p: Double?
            var rejected: Bool
        }

        struct AltCase: Decodable {
            var epsilon: Double
            var alpha: Double
            var items: [Fixture.Item]
            var people: [Person]
        }

        var signed_rank: [SignedRankCase]
        var alt_test_small: AltCase
    }

    /// scripts/alttest-fixtures.py (scipy): the signed-rank test's statistic and p-value, exact with and
    /// without ties, and an alt-test whose people have 3 to 40 items (the t-test, the signed-rank test, none).
    @Test func smallSamplesMatchScipy() throws {
        let f: SmallFixture = try T.fixture("alttest.json")
        #expect(f.signed_rank.count == 11)
        for c in f.signed_rank {
            let r = SignedRank.less(c.x)
            #expect(r.statistic == c.statistic, "n=\(c.x.count) \(c.method)")
            #expect(abs(r.pValue - c.p) < 1e-9, "n=\(c.x.count) \(c.method)")
        }
        let a = f.alt_test_small
        let r = AltTest(a.items.map { AltTest.Item(machine: $0.machine, people: $0.people) }, epsilon: a.epsilon, alpha: a.alpha)
        #expect(Set(r.people.map(\.name)) == Set(a.people.map(\.name)))
        for ref in a.people {
            let mine = try #require(r.people.first { $0.name == ref.name })
            #expect(mine.items == ref.items && mine.test?.rawValue == ref.test, "\(ref.name)")
            #expect(abs((mine.t ?? mine.signedRank ?? .nan) - (ref.statistic ?? .nan)) < 1e-9 || ref.statistic == nil, "\(ref.name)")
            #expect(abs((mine.pValue ?? -1) - (ref.p ?? -1)) < 1e-9, "\(ref.name)")
            #expect(mine.rejected == ref.rejected, "\(ref.name)")
        }
        #expect(Set(a.people.compactMap(\.test)) == ["t", "signed_rank"] && a.people.contains { $0.test == nil })
        #expect(r.people.contains { $0.test == .signedRank && $0.rejected } && r.people.contains { $0.test == .signedRank && !$0.rejected })
    }

    @Test func matchesScipy() throws {
        let f = try Self.loadFixture()
        for c in f.t_cdf { #expect(abs(StudentT.cdf(c.t, df: c.df) - c.cdf) < 1e-10, "t=\(c.t) df=\(c.df)") }
        let a = f.alt_test
        let r = AltTest(a.items.map { AltTest.Item(machine: $0.machine, people: $0.people) }, epsilon: a.epsilon, alpha: a.alpha)
        #expect(r.people.map(\.name) == a.people.map(\.name))
        for (mine, ref) in zip(r.people, a.people) {
            #expect(mine.items == ref.items)
            #expect(abs((mine.pValue ?? -1) - ref.p) < 1e-9, "\(ref.name)")
            #expect(mine.rejected == ref.rejected, "\(ref.name)")
        }
        // The case has both decisions, and one p-value BH would reject but BY does not.
        #expect(r.people.contains { $0.rejected })
        #expect(r.people.contains { !$0.rejected && ($0.pValue ?? 1) < 2 * a.alpha / Double(r.tested) })
    }
}

/// The alt-test's lines as `duet quality` prints them.
enum QualityEstimatesTextCheck {
    static func lines(_ t: AltTest) -> [String] {
        var e = QualityEstimates(task: "t", items: [])
        e.altTest = t
        return e.altTestLines
    }
}
