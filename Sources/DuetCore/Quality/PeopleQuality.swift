import Foundation

/// The checks on one person in one task (`duet quality --json`'s `people`, the Quality screen's People section,
/// the dashboard's warning): accuracy on gold items with its 95% Wilson interval, answers too fast for the
/// person's own pace, and how often they take the machine's suggestion against how often they agree with
/// the machine when they cannot see it (automation bias).
public struct PersonQuality: Sendable, Hashable, Codable {
    public var name: String
    /// Gold items the person answered (submitted), and how many of those match the gold label.
    public var goldItems: Int
    public var goldRight: Int
    public var goldAccuracy: Double?
    public var low: Double?
    public var high: Double?
    /// The interval lies wholly below `[quality] min_person_accuracy`.
    public var below: Bool
    /// Submitted decisions, those with measured seconds, their median, and how many were too fast.
    public var decisions: Int
    public var timed: Int
    public var medianSeconds: Double?
    public var tooFast: Int
    /// Items shown with a machine suggestion that the person answered, and how many took the suggestion.
    public var suggested: Int
    public var accepted: Int
    /// Blind audits the person answered, and how many agree with the machine's (unseen) label.
    public var blindAudits: Int
    public var blindAgreeing: Int

    enum CodingKeys: String, CodingKey {
        case name
        case goldItems = "gold_items", goldRight = "gold_right", goldAccuracy = "gold_accuracy"
        case low = "ci_low", high = "ci_high", below
        case decisions, timed, medianSeconds = "median_seconds", tooFast = "too_fast"
        case suggested, accepted, acceptanceRate = "acceptance_rate"
        case blindAudits = "blind_audits", blindAgreeing = "blind_agreeing", blindAgreement = "blind_agreement"
    }

    public init(name: String, goldItems: Int = 0, goldRight: Int = 0, below: Bool = false, decisions: Int = 0, timed: Int = 0,
                medianSeconds: Double? = nil, tooFast: Int = 0, suggested: Int = 0, accepted: Int = 0, blindAudits: Int = 0,
                blindAgreeing: Int = 0) {
        self.name = name
        self.goldItems = goldItems
        self.goldRight = goldRight
        let w = Audit.wilson(successes: goldRight, trials: goldItems)
        self.goldAccuracy = goldItems > 0 ? Double(goldRight) / Double(goldItems) : nil
        self.low = w?.low
        self.high = w?.high
        self.below = below
        self.decisions = decisions
        self.timed = timed
        self.medianSeconds = medianSeconds
        self.tooFast = tooFast
        self.suggested = suggested
        self.accepted = accepted
        self.blindAudits = blindAudits
        self.blindAgreeing = blindAgreeing
    }

    /// Share of shown suggestions the person took (nil before any).
    public var acceptanceRate: Double? { suggested > 0 ? Double(accepted) / Double(suggested) : nil }
    /// Share of blind audits where the person gave the machine's label anyway (nil before any).
    public var blindAgreement: Double? { blindAudits > 0 ? Double(blindAgreeing) / Double(blindAudits) : nil }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), goldItems: try c.decode(Int.self, forKey: .goldItems),
                  goldRight: try c.decode(Int.self, forKey: .goldRight), below: try c.decode(Bool.self, forKey: .below),
                  decisions: try c.decode(Int.self, forKey: .decisions), timed: try c.decode(Int.self, forKey: .timed),
                  medianSeconds: try c.decodeIfPresent(Double.self, forKey: .medianSeconds), tooFast: try c.decode(Int.self, forKey: .tooFast),
                  suggested: try c.decode(Int.self, forKey: .suggested), accepted: try c.decode(Int.self, forKey: .accepted),
                  blindAudits: try c.decode(Int.self, forKey: .blindAudits), blindAgreeing: try c.decode(Int.self, forKey: .blindAgreeing))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(goldItems, forKey: .goldItems)
        try c.encode(goldRight, forKey: .goldRight)
        try c.encode(goldAccuracy, forKey: .goldAccuracy)
        try c.encode(low, forKey: .low)
        try c.encode(high, forKey: .high)
        try c.encode(below, forKey: .below)
        try c.encode(decisions, forKey: .decisions)
        try c.encode(timed, forKey: .timed)
        try c.encode(medianSeconds, forKey: .medianSeconds)
        try c.encode(tooFast, forKey: .tooFast)
        try c.encode(suggested, forKey: .suggested)
        try c.encode(accepted, forKey: .accepted)
        try c.encode(acceptanceRate, forKey: .acceptanceRate)
        try c.encode(blindAudits, forKey: .blindAudits)
        try c.encode(blindAgreeing, forKey: .blindAgreeing)
        try c.encode(blindAgreement, forKey: .blindAgreement)
    }

    /// The accuracy on gold in words: `7/10 right on gold, 0.70 (95% 0.40–0.89)` or `no gold answers yet`.
    public var goldSummary: String {
        guard let acc = goldAccuracy, let low, let high else { return "no gold answers yet" }
        return String(format: "%d/%d right on gold, %.2f (95%% %.2f–%.2f)", goldRight, goldItems, acc, low, high)
    }
}

/// Computes `PersonQuality` from the task's current decisions, its gold labels and its routes. Pure.
public enum PeopleQuality {
    /// Timed decisions a person needs before "too fast" is judged against their median.
    public static let minTimed = 5

    /// One row per person (adjudicators left out), by name. `gold`: the task's items' gold labels;
    /// `routes`: the task's routes (an item routed to people with a machine label showed the suggestion, unless it
    /// is gold in a task with honeypots, which is served blind; an audit is blind).
    public static func make(decisions: [CurrentDecision], gold: [Int64: JSONValue], routes: [Int64: RouteRecord] = [:],
                            kind: TaskKind = .classify, honeypots: Bool = false, settings: QualitySettings = QualitySettings()) -> [PersonQuality] {
        var byPerson: [String: [CurrentDecision]] = [:]
        for d in decisions where d.annotatorKind == .human && d.status == .submitted && !Adjudication.isAdjudicator(d.annotator) {
            byPerson[d.annotator, default: []].append(d)
        }
        return byPerson.keys.sorted().map { name in
            let mine = byPerson[name]!
            var goldItems = 0, goldRight = 0, suggested = 0, accepted = 0, blind = 0, blindAgreeing = 0
            for d in mine {
                let answer = kind.answerLabel(d.value)
                let isGold = gold[d.itemRowID].flatMap(Decisions.labelText)
                if let g = isGold {
                    goldItems += 1
                    if answer == g { goldRight += 1 }
                }
                guard let r = routes[d.itemRowID], let machine = r.machineLabel else { continue }
                if r.route == .audit {
                    blind += 1
                    if answer == machine { blindAgreeing += 1 }
                } else if r.route == .human, !(honeypots && isGold != nil) {
                    suggested += 1
                    if answer == machine { accepted += 1 }
                }
            }
            let seconds = mine.compactMap(\.seconds).filter { $0 > 0 }
            let median = seconds.count >= minTimed ? Self.median(seconds) : nil
            let fast = median.map { m in seconds.filter { $0 < settings.tooFast * m }.count } ?? 0
            var p = PersonQuality(name: name, goldItems: goldItems, goldRight: goldRight, decisions: mine.count, timed: seconds.count,
                                  medianSeconds: median, tooFast: fast, suggested: suggested, accepted: accepted, blindAudits: blind,
                                  blindAgreeing: blindAgreeing)
            if let min = settings.minPersonAccuracy, let high = p.high { p.below = high < min }
            return p
        }
    }

    /// Why `person` gets no new items under `settings` (`stop_below`), in words; nil when they may go on.
    public static func stopReason(_ p: PersonQuality?, settings: QualitySettings) -> String? {
        guard settings.stopBelow, let p, p.below, let min = settings.minPersonAccuracy, let high = p.high else { return nil }
        return String(format: "No new items: your answers on gold items (checks with known answers) are %d/%d right; "
                      + "even the top of its 95%% interval, %.2f, is below the project's minimum of %.2f "
                      + "([quality] min_person_accuracy). Ask the project's lead to review your labels.", p.goldRight, p.goldItems, high, min)
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
