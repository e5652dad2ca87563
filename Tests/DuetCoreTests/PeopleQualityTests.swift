import DuetCore
import Foundation
import Testing

/// The checks on people, computed by hand: accuracy on gold with its Wilson interval, answers too fast for the
/// person's own median, suggestions taken against blind agreement, and the honeypot schedule.
@Suite struct PeopleQualityTests {
    func d(_ item: Int64, _ who: String, _ label: String, seconds: Double? = nil) -> CurrentDecision {
        CurrentDecision(itemRowID: item, annotator: who, annotatorKind: .human, status: .submitted, value: .string(label), seconds: seconds)
    }

    @Test func accuracyOnGoldWithItsWilsonInterval() throws {
        let gold: [Int64: JSONValue] = [1: "pos", 2: "neg", 3: "pos", 4: "neg"]
        let decisions = [d(1, "ana", "pos"), d(2, "ana", "neg"), d(3, "ana", "neg"), d(9, "ana", "pos"),
                         d(1, "bob", "neg"), d(2, "bob", "pos"), d(3, "bob", "neg"), d(4, "bob", "pos"),
                         d(1, "adjudicator:lead", "pos")]
        let people = PeopleQuality.make(decisions: decisions, gold: gold, settings: QualitySettings(minPersonAccuracy: 0.7))
        #expect(people.map(\.name) == ["ana", "bob"])
        let ana = people[0], bob = people[1]
        #expect(ana.goldItems == 3 && ana.goldRight == 2 && ana.decisions == 4)
        let w = try #require(Audit.wilson(successes: 2, trials: 3))
        #expect(ana.goldAccuracy == 2.0 / 3 && ana.low == w.low && ana.high == w.high)
        #expect(!ana.below)  // 2 of 3: the interval reaches above 0.7
        // 0 of 4: Wilson's upper bound is z²/(n+z²) = 0.49, below 0.7.
        #expect(bob.goldRight == 0 && bob.below)
        #expect(abs((bob.high ?? 1) - 1.959963984540054 * 1.959963984540054 / (4 + 1.959963984540054 * 1.959963984540054)) < 1e-12)
        #expect(PeopleQuality.stopReason(bob, settings: QualitySettings(minPersonAccuracy: 0.7)) == nil)
        let reason = try #require(PeopleQuality.stopReason(bob, settings: QualitySettings(minPersonAccuracy: 0.7, stopBelow: true)))
        #expect(reason.contains("0/4 right") && reason.contains("0.70"))
    }

    /// A scripted session: ana takes 10 s an item, then answers three in 1 s; the floor is a quarter of her median.
    @Test func answersFasterThanAQuarterOfTheOwnMedianAreFlagged() {
        let seconds: [Double] = [10, 12, 9, 11, 10, 8, 10, 1, 1, 2.4, 2.6]
        let decisions = seconds.enumerated().map { d(Int64($0.offset + 1), "ana", "pos", seconds: $0.element) }
            + [d(1, "bob", "pos", seconds: 1), d(2, "bob", "pos", seconds: 1)]
        let people = PeopleQuality.make(decisions: decisions, gold: [:])
        let ana = people[0]
        #expect(ana.medianSeconds == 9 && ana.timed == 11)
        // Under 0.25 × 9 = 2.25 s: 1, 1 (2.4 and 2.6 are not).
        #expect(ana.tooFast == 2)
        // Bob has too few timed answers for a median of his own.
        #expect(people[1].medianSeconds == nil && people[1].tooFast == 0)
        #expect(PeopleQuality.make(decisions: decisions, gold: [:], settings: QualitySettings(tooFast: 0.3))[0].tooFast == 4)
    }

    @Test func suggestionsTakenBesideBlindAgreement() {
        func route(_ id: Int64, _ r: Route, _ label: String) -> RouteRecord {
            RouteRecord(itemRowID: id, route: r, score: 0.5, machineLabel: label, annotator: "m", pending: false)
        }
        let routes: [Int64: RouteRecord] = [1: route(1, .human, "pos"), 2: route(2, .human, "pos"), 3: route(3, .human, "neg"), 4: route(4, .human, "neg"),
                      5: route(5, .audit, "pos"), 6: route(6, .audit, "pos"), 7: route(7, .human, "pos")]
        let decisions = [d(1, "ana", "pos"), d(2, "ana", "pos"), d(3, "ana", "neg"), d(4, "ana", "neg"),
                         d(5, "ana", "neg"), d(6, "ana", "pos"), d(7, "ana", "neg")]
        // Item 7 is gold: in a task with honeypots it was served blind, so it is no suggestion taken or refused.
        let ana = PeopleQuality.make(decisions: decisions, gold: [7: "neg"], routes: routes, honeypots: true)[0]
        #expect(ana.suggested == 4 && ana.accepted == 4 && ana.acceptanceRate == 1)
        #expect(ana.blindAudits == 2 && ana.blindAgreeing == 1 && ana.blindAgreement == 0.5)
        let without = PeopleQuality.make(decisions: decisions, gold: [7: "neg"], routes: routes, honeypots: false)[0]
        #expect(without.suggested == 5 && without.accepted == 4)
    }

    @Test func jsonKeysAreTheIssues() throws {
        let p = PersonQuality(name: "ana", goldItems: 10, goldRight: 7, tooFast: 2)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(p)) as? [String: Any] ?? [:]
        for key in ["name", "gold_items", "gold_accuracy", "ci_low", "ci_high", "too_fast", "acceptance_rate", "blind_agreement"] {
            #expect(json.keys.contains(key), "\(key)")
        }
        #expect(json["gold_accuracy"] as? Double == 0.7)
        #expect(try JSONDecoder().decode(PersonQuality.self, from: JSONEncoder().encode(p)) == p)
    }

    /// One honeypot in each block of round(1/rate) of a person's items, at a place drawn per person and block.
    @Test func theHoneypotScheduleKeepsTheRate() {
        for person in ["ana", "bob", "李小龙"] {
            var gold = 0
            var places = Set<Int>()
            for n in 0..<100 {
                if Honeypots.due(rate: 0.1, decided: n, goldAnswered: gold, person: person) {
                    gold += 1
                    places.insert(n % 10)
                }
                if (n + 1) % 10 == 0 { #expect(gold == (n + 1) / 10, "\(person) after \(n + 1)") }
            }
            // Not always the same place in the block (a person cannot count their way to the next one).
            #expect(places.count > 1)
        }
        #expect(!Honeypots.due(rate: 0, decided: 5, goldAnswered: 0, person: "ana"))
        // Gold met in the ordinary queue counts: no draw while the person is ahead.
        #expect(!Honeypots.due(rate: 0.1, decided: 3, goldAnswered: 2, person: "ana"))
    }
}
