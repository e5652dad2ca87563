@testable import DuetCore
import Testing

@Suite struct MachinePositionBiasTests {
    static func c(_ who: String, _ variant: String, _ label: String?, _ n: Int) -> VoteCount {
        VoteCount(annotator: who, variant: variant, label: label, count: n)
    }

    @Test func displayOrderIsReadFromTheVariant() {
        #expect(MachineVote.perturbation("instruction", shown: .ab) == "instruction:AB")
        #expect(MachineVote.displayOrder(variant: MachineVote.perturbation("short", shown: .ba)) == .ba)
        #expect(MachineVote.displayOrder(variant: "paraphrase:AB@verdict") == .ab)
        for none in ["member-3", "tf:positive", "instruction", "x:ab", "AB"] { #expect(MachineVote.displayOrder(variant: none) == nil, "\(none)") }
    }

    /// Counted by hand: "0" under AB and "1" under BA are the response shown first.
    @Test func handCountedFigures() throws {
        let biases = MachinePositionBias.make([
            Self.c("llm:a", "instruction:AB", "0", 3),   // first
            Self.c("llm:a", "instruction:BA", "1", 3),   // first (A shows stored 1)
            Self.c("llm:a", "paraphrase:AB", "1", 1),    // second
            Self.c("llm:a", "short:BA", "0", 1),         // second
            Self.c("llm:a", "short:AB", "tie", 2),
            Self.c("llm:a", "short:BA", "both-bad", 1),
            Self.c("llm:a", "paraphrase:BA", nil, 4),    // unparseable or failed
            Self.c("local:ensemble", "member-1", "0", 5), // never shown in an order: not reported
            Self.c("llm:b", "instruction:AB", "0", 4),
            Self.c("llm:b", "instruction:BA", "1", 3),
        ])
        #expect(biases.map(\.annotator) == ["llm:a", "llm:b"])
        let a = biases[0]
        #expect(a == MachinePositionBias(annotator: "llm:a", votes: 11, chose: 8, choseFirst: 6, ties: 2, bothBad: 1, unparseable: 4))
        #expect(a.share == 0.75)
        // Wilson 6 of 8: 0.409–0.928, 50% inside.
        let ci = try #require(a.interval)
        #expect(abs(ci.low - 0.4093) < 0.001 && abs(ci.high - 0.9285) < 0.001)
        #expect(!a.biased)
        #expect(a.text == "llm:a chose the response shown first in 6 of 8 votes for one response (75%, 95% CI 41%–93%); "
            + "2 ties, 1 both bad, 4 unparseable not counted")
        // 7 of 7 on the first: Wilson 0.646–1, biased.
        let b = biases[1]
        #expect(b.chose == 7 && b.choseFirst == 7)
        #expect(abs((b.interval?.low ?? 0) - 0.6457) < 0.001)
        #expect(b.biased)
        #expect(b.text == "llm:b chose the response shown first in 7 of 7 votes for one response (100%, 95% CI 65%–100%): position bias")
    }

    @Test func noVoteForOneResponse() {
        let only = MachinePositionBias.make([Self.c("llm:c", "short:AB", "tie", 1), Self.c("llm:c", "short:BA", nil, 2)])
        #expect(only.count == 1)
        #expect(only[0].share == nil && only[0].interval == nil && !only[0].biased)
        #expect(only[0].text == "llm:c chose the response shown first in 0 of 0 votes for one response; 1 tie, 2 unparseable not counted")
    }

    @Test func planNeedsSaysWhatIsMissingWithCounts() {
        let classify = PlanNeeds(task: TaskSpec(name: "sentiment", kind: .classify, labels: ["a", "b"]), annotator: "llm:x", votedItems: 120, peopleLabeled: 3)
        #expect(classify.text == "nothing to measure llm:x against in task 'sentiment': none of the 120 items it voted on has a person's "
            + "label or a gold label (people labeled 3 other items, without its votes). Label at least 97 of them in `duet label --task sentiment`: "
            + "people's labels are the truth, and 97 measure its accuracy within ±10 points (95%).")
        #expect(PlanNeeds.enough == 97)
        #expect(PlanNeeds.margin(items: 40) == 15)
        let bias = MachinePositionBias(annotator: "llm:x", votes: 7, chose: 7, choseFirst: 7)
        let compare = PlanNeeds(task: TaskSpec(name: "prefs", kind: .compare), annotator: "llm:x", votedItems: 40, sourcePreferences: 40, positionBias: bias)
        #expect(compare.text == "nothing to measure llm:x against in task 'prefs': none of the 40 pairs it voted on has a person's "
            + "judgment or a gold label. Judge them in `duet label --task prefs`: people's judgments are the truth, and all 40 measure its "
            + "accuracy within ±15 points (95%). The dataset's own preference (chosen/rejected, on 40 of these pairs) is the source's "
            + "annotation, not truth: the plan does not measure against it.\nWithout truth: " + bias.text + ".")
    }
}
