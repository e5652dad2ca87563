@testable import DuetCore
import Testing

@Suite struct PairStatsTests {
    static func d(_ item: Int64, _ who: String, _ choice: PairChoice?, strength: Int = 1, _ display: DisplayOrder?,
                  kind: AnnotatorKind = .human, status: AnnotationStatus = .submitted) -> CurrentDecision {
        CurrentDecision(itemRowID: item, annotator: who, annotatorKind: kind, status: status,
                        value: choice.map { PairJudgment(choice: $0, strength: strength).json }, display: display)
    }

    /// Items 1 and 2: the source prefers response 0; item 3: the source says
    /// tie (no strict preference to compare with); item 4: no source value.
    static let source: [Int64: JSONValue] = [1: ["choice": 0], 2: ["choice": 0], 3: ["choice": "tie"]]

    static let decisions: [CurrentDecision] = [
        d(1, "ana", .response(0), .ab),              // left (A = 0), agrees with the source
        d(2, "ana", .response(1), strength: 2, .ab), // right, disagrees
        d(3, "ana", .response(1), .ba),              // left (A = 1), source not strict
        d(4, "ana", .tie, .ab),
        d(1, "bo", .bothBad, .ba),
        d(2, "bo", .response(0), .ba),               // right (A = 1), agrees
        d(3, "bo", nil, nil, status: .skipped),      // not counted
        d(4, "bo", .response(0), strength: 2, nil),  // display unknown: not in the left share
        CurrentDecision(itemRowID: 1, annotator: "llm:judge", annotatorKind: .machine, status: .submitted,
                        value: Ranking(ranks: [1, 2]).json),  // a ranking: not a pair judgment
        // The machine's kept pair decision has a person's shape but was never shown on a side: not in the figures.
        d(2, "local:ensemble", .response(1), nil, kind: .machine),
    ]

    @Test func perAnnotator() throws {
        let stats = PairStats(decisions: Self.decisions, source: Self.source)
        #expect(stats.annotators.map(\.name) == ["ana", "bo"])
        let ana = stats.annotators[0].figures
        #expect(ana.decisions == 4)
        #expect(ana.leftShare == 2.0 / 3.0)
        #expect(ana.tieRate == 0.25)
        #expect(ana.bothBadRate == 0)
        #expect(ana.strength == [1: 2, 2: 1])
        #expect(ana.sourceAgreement == 0.5)

        let bo = stats.annotators[1].figures
        #expect(bo.decisions == 3)
        #expect(bo.leftShare == 0)
        #expect(bo.tieRate == 0)
        #expect(bo.bothBadRate == 1.0 / 3.0)
        #expect(bo.strength == [1: 1, 2: 1])
        #expect(bo.sourceAgreement == 1)
    }

    @Test func overall() {
        let o = PairStats(decisions: Self.decisions, source: Self.source).overall
        #expect(o.decisions == 7)
        #expect(o.strict == 5)
        #expect(o.strictShown == 4)
        #expect(o.leftShare == 0.5)
        #expect(o.tieRate == 1.0 / 7.0)
        #expect(o.bothBadRate == 1.0 / 7.0)
        #expect(o.strength == [1: 3, 2: 2])
        #expect(o.sourceAgreement == 2.0 / 3.0)
    }

    @Test func nothingToCompare() {
        let stats = PairStats(decisions: [Self.d(1, "ana", .tie, .ab), Self.d(2, "ana", .response(0), nil)], source: [:])
        #expect(stats.overall.sourceAgreement == nil)
        #expect(stats.overall.leftShare == nil)
        #expect(stats.overall.tieRate == 0.5)
        let empty = PairStats(decisions: [], source: Self.source)
        #expect(empty.annotators.isEmpty)
        #expect(empty.overall.decisions == 0)
        #expect(empty.overall.tieRate == nil)
    }
}
