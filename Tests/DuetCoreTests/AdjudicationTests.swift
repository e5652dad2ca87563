import DuetCore
import Foundation
import Testing

@Suite struct AdjudicationTests {
    func d(_ item: Int64, _ who: String, _ value: JSONValue?, _ kind: AnnotatorKind = .human,
           _ status: AnnotationStatus = .submitted) -> CurrentDecision {
        CurrentDecision(itemRowID: item, annotator: who, annotatorKind: kind, status: status, value: value)
    }

    @Test func listsItemsWhoseAnswersDifferPeopleFirst() {
        let decisions = [
            d(1, "bob", "pos"), d(1, "ana", "neg"),                      // people disagree
            d(2, "ana", "pos"), d(2, "llm:x", "neg", .machine),          // person vs machine
            d(3, "ana", "pos"), d(3, "bob", "pos"),                      // agree
            d(4, "ana", "pos"), d(4, "bob", nil, .human, .skipped),      // a skip is not an answer
            d(5, "ana", "pos"), d(5, "source:f", "neg", .source),        // the dataset's own label is not an annotator
        ]
        let all = Adjudication.disagreements(decisions)
        #expect(all.map(\.itemRowID) == [1, 2])
        #expect(all[0].answers.map(\.annotator) == ["ana", "bob"])
        #expect(all[1].answers.map(\.annotator) == ["ana", "llm:x"])
        #expect(Adjudication.disagreements(decisions, peopleOnly: true).map(\.itemRowID) == [1])
    }

    @Test func rankingsCompareByOrderWhateverOrderTheyWereShownIn() {
        // The same order given by two people shown the responses in different orders, and by a machine.
        let ana: JSONValue = ["ranks": [2, 3, 1], "shown": [0, 1, 2]]
        let bob: JSONValue = ["ranks": [2, 3, 1], "shown": [2, 1, 0]]
        #expect(Adjudication.disagreements([d(1, "ana", ana), d(1, "bob", bob), d(1, "llm:x", "2>0>1", .machine)]).isEmpty)
        let other: JSONValue = ["ranks": [1, 3, 2], "shown": [1, 0, 2]]
        let disputed = Adjudication.disagreements([d(1, "ana", ana), d(1, "cy", other)])
        #expect(disputed.map(\.itemRowID) == [1])
        #expect(disputed[0].answers.map { Adjudication.words($0.key, task: TaskSpec(name: "c", kind: .compare)) }
                == ["responses 3 > 1 > 2", "responses 1 > 3 > 2"])
    }

    @Test func pairJudgmentsAndMachineLabelsCompareByChoice() {
        let person = PairJudgment(choice: .response(1), strength: 2, rationale: "shorter").json
        let agree = [d(1, "ana", person), d(1, "llm:x", "1", .machine)]
        #expect(Adjudication.disagreements(agree).isEmpty)
        let disagree = [d(1, "ana", person), d(1, "llm:x", "tie", .machine)]
        #expect(Adjudication.disagreements(disagree).first?.tally.map(\.key) == ["1", "tie"])
    }

    @Test func settledItemsAreHiddenUnlessAskedAndTheAdjudicatorIsNoAnswer() {
        let decisions = [d(1, "ana", "pos"), d(1, "bob", "neg"), d(1, "adjudicator:cleo", "neg"),
                         d(2, "ana", "pos"), d(2, "bob", "neg")]
        #expect(Adjudication.disagreements(decisions).map(\.itemRowID) == [2])
        let all = Adjudication.disagreements(decisions, includeSettled: true)
        #expect(all.map(\.itemRowID) == [1, 2])
        #expect(all[0].settled?.key == "neg")
        #expect(all[0].answers.count == 2)
    }

    @Test func tallyPutsTheMostCommonAnswerFirst() {
        let decisions = [d(1, "a", "x"), d(1, "b", "y"), d(1, "c", "y"), d(1, "m", "z", .machine)]
        let t = Adjudication.disagreements(decisions)[0].tally
        #expect(t.map(\.key) == ["y", "x", "z"])
        #expect(t.map(\.count) == [2, 1, 1])
    }

    @Test func finalDecisionPrefersTheAdjudication() {
        func entry(_ id: Int64, _ who: String, _ kind: AnnotatorKind, _ v: JSONValue, _ t: Double) -> Annotation {
            Annotation(id: id, entry: NewAnnotation(itemRowID: 1, task: "s", annotatorKind: kind, annotator: who, value: v,
                                                    createdAt: Date(timeIntervalSince1970: t)))
        }
        let log = [entry(1, "ana", .human, "pos", 1), entry(2, "adjudicator:cleo", .human, "neg", 2), entry(3, "bob", .human, "pos", 3)]
        #expect(Decisions.final(log, task: "s")?.entry.value == "neg")
        #expect(Decisions.final(Array(log.prefix(1)) + [log[2]], task: "s")?.entry.annotator == "bob")
    }
}

@Suite struct AdjudicationWordsTests {
    @Test func answersInWords() {
        let pairs = TaskSpec(name: "p", kind: .compare)
        #expect(["0", "1", "tie", "both-bad"].map { Adjudication.words($0, task: pairs) }
            == ["response 1 better", "response 2 better", "tie", "both bad"])
        let topics = TaskSpec(name: "t", kind: .multilabel, labels: ["a", "b"])
        #expect(Adjudication.words("a|b", task: topics) == "a, b")
        #expect(Adjudication.words("1", task: TaskSpec(name: "s", kind: .rate)) == "1")
    }
}
