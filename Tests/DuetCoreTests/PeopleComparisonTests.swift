import Foundation
import Testing
@testable import DuetCore

@Suite struct PeopleComparisonTests {
    /// 80 of 100 audits agree: m̂ = 0.8, seₘ = √(0.16/100) = 0.04.
    static let machine = PPI.classical(labels: Array(repeating: 1, count: 80) + Array(repeating: 0, count: 20))!

    @Test func verdictsHandComputed() throws {
        // 90 of 100 pairs agree: ĥ = 0.9, seₕ = 0.03, se = 0.05; d = −0.1 ± 0.098 = [−0.198, −0.002]: below.
        let below = try #require(PeopleComparison(machine: Self.machine, agreeingPairs: 90, pairs: 100))
        #expect(below.verdict == .below && below.machineNoBetterThanPeople)
        #expect(abs(below.differenceHigh - (-0.1 + Audit.z95 * 0.05)) < 1e-12)
        #expect(below.statement.contains("less often") && below.statement.contains("0.80 vs 0.90"))
        // 85 of 100: ĥ = 0.85, se = √(0.0016 + 0.001275) = 0.053619; d = −0.05 ± 0.105: level.
        let level = try #require(PeopleComparison(machine: Self.machine, agreeingPairs: 85, pairs: 100))
        #expect(level.verdict == .level && level.machineNoBetterThanPeople)
        #expect(level.statement.hasPrefix("The machine is no better than the people it is compared with"))
        // 60 of 100: ĥ = 0.6, se = √(0.0016 + 0.0024) = 0.063246; d = 0.2 ± 0.124: above.
        let above = try #require(PeopleComparison(machine: Self.machine, agreeingPairs: 60, pairs: 100))
        #expect(above.verdict == .above && !above.machineNoBetterThanPeople)
        #expect(abs(above.differenceLow - (0.2 - Audit.z95 * 0.004.squareRoot())) < 1e-12)
        #expect(PeopleComparison(machine: Self.machine, agreeingPairs: 0, pairs: 0) == nil)
    }
}
