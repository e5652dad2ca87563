import Foundation

/// The limit of any audit: "accuracy" is agreement with a person, and people disagree with each other
/// too. This compares the machine's agreement with people (an audit estimate) with people's agreement
/// with each other (pairs of people who labeled the same item), and says plainly when the machine is no
/// better than the people it is compared with.
///
/// **Definition.** Let m̂ be the audit estimate of how often a person gives the machine's label (with its
/// standard error seₘ) and ĥ the share of agreeing pairs among `pairs` pairs of people on the same items
/// (seₕ = √(ĥ(1 − ĥ)/pairs)). With d = m̂ − ĥ and se = √(seₘ² + seₕ²) (the two samples treated as
/// independent; pairs on one item are not, so this is an approximation that errs narrow), the machine is
/// **no better than the people it is compared with** when the 95% interval of d, `d ± 1.96·se`, does
/// not lie wholly above 0: the audits do not show the machine agreeing with a person more often than
/// another person does. Within that, `below` when the interval lies wholly below 0 (the machine agrees
/// with people less often than they agree with each other), `level` when it contains 0. Otherwise
/// `above`. Nil without audits or without pairs.
public struct PeopleComparison: Sendable, Hashable, Codable {
    public enum Verdict: String, Sendable, Codable {
        case below, level, above
    }

    public var machineAgreement: Double
    public var peopleAgreement: Double
    public var pairs: Int
    public var differenceLow: Double
    public var differenceHigh: Double
    public var verdict: Verdict

    enum CodingKeys: String, CodingKey {
        case verdict, pairs
        case machineAgreement = "machine_agreement", peopleAgreement = "people_agreement"
        case differenceLow = "difference_low", differenceHigh = "difference_high"
    }

    /// Whether the machine is no better than the people (`below` or `level`; see the definition).
    public var machineNoBetterThanPeople: Bool { verdict != .above }

    public init?(machine: AccuracyEstimate, agreeingPairs: Int, pairs: Int, z: Double = Audit.z95) {
        guard pairs > 0, machine.audits > 0 else { return nil }
        let h = Double(agreeingPairs) / Double(pairs)
        let d = machine.estimate - h
        let se = (machine.standardError * machine.standardError + h * (1 - h) / Double(pairs)).squareRoot()
        machineAgreement = machine.estimate
        peopleAgreement = h
        self.pairs = pairs
        differenceLow = d - z * se
        differenceHigh = d + z * se
        verdict = differenceHigh < 0 ? .below : differenceLow > 0 ? .above : .level
    }

    /// The comparison in words, the same wherever it is shown.
    public var statement: String {
        let figures = String(format: "%.2f vs %.2f for two people", machineAgreement, peopleAgreement)
        switch verdict {
        case .below:
            return "The machine agrees with people less often than people agree with each other (\(figures))."
        case .level:
            return "The machine is no better than the people it is compared with: it agrees with them about as often as "
                + "they agree with each other (\(figures)). Its accuracy here is agreement with a person, so these audits "
                + "cannot show it is right more often than people are."
        case .above:
            return "The machine agrees with people more often than people agree with each other (\(figures))."
        }
    }
}
