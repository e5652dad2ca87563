import Foundation
import Testing
@testable import DuetCore

@Suite struct ActiveSamplingTests {
    @Test func probabilitiesHandComputed() {
        // ū = 2, γ = 0.5: w = 0.5·u/2 + 0.5 = (0.75, 0.75, 1, 1.5), Σw = 4; budget 2: c = 0.5.
        let p = ActiveSampling.probabilities(uncertainty: [1, 1, 2, 4], budget: 2, uniformShare: 0.5)
        #expect(p == [0.375, 0.375, 0.5, 0.75])
    }

    @Test func probabilitiesCapAtOneAndKeepTheBudget() {
        // γ = 0, ū = 3: w = (1/3, 1/3, 1/3, 3), c = 0.5 would give the last 1.5: it is fixed at 1, c = 1 on the rest.
        let p = ActiveSampling.probabilities(uncertainty: [1, 1, 1, 9], budget: 2, uniformShare: 0)
        #expect(p.count == 4 && p[3] == 1)
        for x in p.prefix(3) { #expect(abs(x - 1.0 / 3) < 1e-12) }
        // Weightless items share what is left of the budget evenly.
        let third: Double = 1.0 / 3
        let spread: [Double] = [third, third, third, 1]
        #expect(ActiveSampling.probabilities(uncertainty: [0, 0, 0, 1], budget: 2, uniformShare: 0) == spread)
        // Nobody uncertain: uniform.
        #expect(ActiveSampling.probabilities(uncertainty: [0, 0, 0, 0], budget: 1, uniformShare: 0.2) == [0.25, 0.25, 0.25, 0.25])
        // A budget beyond the items audits all.
        #expect(ActiveSampling.probabilities(uncertainty: [0.1, 0.5], budget: 9, uniformShare: 0.1) == [1, 1])
    }

    @Test func probabilitiesRiseWithUncertaintyAndSumToTheBudget() {
        var rng = SplitMix64(seed: 11)
        let u = (0..<500).map { _ in Double(rng.next() >> 11) * 0x1p-53 * 0.5 }
        let p = ActiveSampling.probabilities(uncertainty: u, budget: 60, uniformShare: 0.3)
        #expect(abs(p.reduce(0, +) - 60) < 1e-9)
        let order = u.indices.sorted { u[$0] < u[$1] }
        #expect(zip(order, order.dropFirst()).allSatisfy { p[$0] <= p[$1] })
        // The uniform share is a floor: γ·B/N at least (the weights' mean is 1 and c ≥ B/N when nothing is capped).
        #expect(p.min()! >= 0.3 * 60 / 500 - 1e-12)
    }

    @Test func drawIsDeterministicPerItemAndSeed() {
        let ids = (0..<2000).map { Int64($0 * 7 + 3) }
        let u = ids.map { ActiveSampling.uncertainty(confidence: 0.5 + Double($0 % 50) / 100) }
        let a = ActiveSampling.draw(items: ids, uncertainty: u, budget: 200, uniformShare: 0.2, seed: 5)
        #expect(a == ActiveSampling.draw(items: ids, uncertainty: u, budget: 200, uniformShare: 0.2, seed: 5))
        #expect(a != ActiveSampling.draw(items: ids, uncertainty: u, budget: 200, uniformShare: 0.2, seed: 6))
        // The order of the items changes nothing about any item.
        let reversed = ActiveSampling.draw(items: ids.reversed(), uncertainty: u.reversed(), budget: 200, uniformShare: 0.2, seed: 5)
        let byItem = Dictionary(uniqueKeysWithValues: a.map { ($0.item, $0) })
        let changed = reversed.filter { byItem[$0.item] != $0 }
        #expect(changed.isEmpty, "\(changed.count) items differ, e.g. \(changed.first.map { "\($0) vs \(byItem[$0.item]!)" } ?? "")")
        // About the budget is drawn (Poisson sampling: 200 ± a few standard deviations of √200 ≈ 14).
        let drawn = a.count(where: \.audited)
        #expect(drawn > 150 && drawn < 250, "drew \(drawn)")
    }

    @Test func eachItemIsDrawnAtItsProbability() {
        // Over 4,000 seeds, an item of probability 0.2 is drawn 0.2 of the time (sd 0.0063; 5 sd allowed).
        var hits = 0
        for seed in 0..<4000 where ActiveSampling.unit(42, seed: seed) < 0.2 { hits += 1 }
        #expect(abs(Double(hits) / 4000 - 0.2) < 0.032)
    }

    @Test func estimatorHandComputed() throws {
        // z = λf + (Y − λf)ξ/π. With λ = 0: z = (1/0.5, 0/0.25, 1/1, 0) = (2, 0, 1, 0): mean 0.75,
        // var (divisor 4) 1.25 − 0.5625 = 0.6875, se = √(0.6875/4).
        let units = [ActiveSampling.Unit(prediction: 0.9, probability: 0.5, label: 1), ActiveSampling.Unit(prediction: 0.8, probability: 0.25, label: 0),
                     ActiveSampling.Unit(prediction: 0.7, probability: 1, label: 1), ActiveSampling.Unit(prediction: 0.6, probability: 0.5, label: nil)]
        let ipw = try #require(ActiveSampling.estimate(units, lambda: 0))
        #expect(abs(ipw.estimate - 0.75) < 1e-12)
        #expect(abs(ipw.standardError - (0.6875 / 4).squareRoot()) < 1e-12)
        #expect(ipw.method == .activeIPW && ipw.audits == 3 && ipw.items == 4)
        // λ = 1: z = (0.9 + 0.1·2, 0.8 − 0.8·4, 0.7 + 0.3, 0.6) = (1.1, −2.4, 1.0, 0.6): mean 0.075.
        #expect(abs(try #require(ActiveSampling.estimate(units, lambda: 1)).estimate - 0.075) < 1e-12)
        // Tuned: a = (2, 0, 1, 0), b = f(1 − ξ/π) = (−0.9, −2.4, 0, 0.6); cov(a, b) = 0.05625 > 0, so
        // λ̂ = −cov/var(b) < 0 is clipped to 0: the tuned estimate is the IPW one.
        let tuned = try #require(ActiveSampling.estimate(units, lambda: nil))
        #expect(tuned.lambda == 0 && tuned.estimate == ipw.estimate)
        // An audited item with probability 0 cannot be weighted.
        #expect(ActiveSampling.estimate(units + [ActiveSampling.Unit(prediction: 0.5, probability: 0, label: 1)]) == nil)
        #expect(ActiveSampling.estimate(Array(units.suffix(2))) == nil)  // one audit
    }

    @Test func halvingPromiseHoldsForTheActiveEstimator() throws {
        // With every π scaled by c the variance model is var(z) − Q + Q/c; the audits asked for reach a quarter.
        var rng = SplitMix64(seed: 3)
        func uniform() -> Double { Double(rng.next() >> 11) * 0x1p-53 }
        let f = (0..<3000).map { _ in 0.5 + 0.5 * uniform() }
        let draws = ActiveSampling.draw(items: (0..<3000).map(Int64.init), uncertainty: f.map { ActiveSampling.uncertainty(confidence: $0) },
                                        budget: 150, uniformShare: 0.3, seed: 1)
        let units = draws.indices.map { i in
            ActiveSampling.Unit(prediction: f[i], probability: draws[i].probability,
                                label: draws[i].audited ? (uniform() < f[i] ? 1 : 0) : nil)
        }
        let e = try #require(ActiveSampling.estimate(units, lambda: nil))
        let extra = try #require(e.auditsToHalveWidth)
        // Q ≤ var(z), so c = Q/(Q − ¾var(z)) ≥ 4: never fewer than three times the audits so far.
        #expect(extra >= 3 * e.audits, "got \(extra) for \(e.audits) audits")
        #expect(extra < 3000 - e.audits)
    }

    /// The fixed-size draw audits exactly the count asked, at each item's own probability, reproducibly:
    /// over 4,000 seeds every item's audit rate is its π (within 4.5 binomial standard errors).
    @Test func fixedSizeDrawTakesTheCountAtEachProbability() {
        let items = (1...40).map { Int64($0 * 7) }
        let u = items.indices.map { Double($0 % 5) * 0.2 }
        let p = ActiveSampling.probabilities(uncertainty: u, budget: 6, uniformShare: 0.5)
        var hits = Array(repeating: 0, count: items.count)
        let seeds = 4000
        for seed in 0..<seeds {
            let d = ActiveSampling.fixedSizeDraw(items: items, uncertainty: u, count: 6, uniformShare: 0.5, seed: seed)
            #expect(d.count(where: \.audited) == 6)
            #expect(d.map(\.probability) == p)
            for (i, x) in d.enumerated() where x.audited { hits[i] += 1 }
        }
        for i in items.indices {
            let sd = (p[i] * (1 - p[i]) / Double(seeds)).squareRoot()
            #expect(abs(Double(hits[i]) / Double(seeds) - p[i]) <= 4.5 * sd + 1e-12, "item \(i)")
        }
        let once = ActiveSampling.fixedSizeDraw(items: items, uncertainty: u, count: 6, uniformShare: 0.5, seed: 9)
        #expect(once == ActiveSampling.fixedSizeDraw(items: items, uncertainty: u, count: 6, uniformShare: 0.5, seed: 9))
        // The same items in another order: the same draw.
        let shuffled = Array(zip(items, u).reversed())
        let again = ActiveSampling.fixedSizeDraw(items: shuffled.map(\.0), uncertainty: shuffled.map(\.1), count: 6, uniformShare: 0.5, seed: 9)
        #expect(Set(again.filter(\.audited).map(\.item)) == Set(once.filter(\.audited).map(\.item)))
        let all = ActiveSampling.fixedSizeDraw(items: items, uncertainty: u, count: 40, uniformShare: 0.5, seed: 1)
        let none = ActiveSampling.fixedSizeDraw(items: items, uncertainty: u, count: 0, uniformShare: 0.5, seed: 1)
        #expect(all.count(where: { $0.audited }) == 40 && none.count(where: { $0.audited }) == 0)
    }

    /// The router's audits: the task's share of the kept items exactly, never an item for people, the more
    /// uncertain kept items more likely, each audit carrying its π (and no other route one).
    @Test func routerAuditsRiseWithUncertaintyAndRecordTheirProbability() {
        let open = (1...200).map(Int64.init)
        // Items 1–20 go to people; of the kept, the odd ones are unsure (0.9), the even ones sure (0.1).
        var unsureRate = 0.0, sureRate = 0.0
        for seed in 0..<200 {
            let s = Router.audits(open: open, kept: { $0 >= 20 }, uncertainty: { $0 % 2 == 0 ? 0.9 : 0.1 }, audit: 0.1,
                                  uniformShare: 0.5, seed: seed)
            #expect(s.routes.count(where: { $0 == .audit }) == 18)  // 10% of 180
            #expect(s.routes.prefix(20).allSatisfy { $0 == .human })
            #expect(zip(s.routes, s.auditProbabilities).allSatisfy { ($0 == .audit) == ($1 != nil) })
            for i in 20..<200 where s.routes[i] == .audit { if i % 2 == 0 { unsureRate += 1 } else { sureRate += 1 } }
            if seed == 0 {
                // π = c·((1 − γ)·u/ū + γ): 0.9 → 0.1·(0.5·1.8 + 0.5) = 0.14, 0.1 → 0.1·(0.5·0.2 + 0.5) = 0.06.
                #expect(s.auditProbabilities.compactMap { $0 }.allSatisfy { abs($0 - 0.14) < 1e-12 || abs($0 - 0.06) < 1e-12 })
            }
        }
        #expect(unsureRate / 200 / 90 > 0.13 && unsureRate / 200 / 90 < 0.15)
        #expect(sureRate / 200 / 90 > 0.05 && sureRate / 200 / 90 < 0.07)
    }
}
