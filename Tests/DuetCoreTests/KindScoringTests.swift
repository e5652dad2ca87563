import Foundation
import Testing
@testable import DuetCore

/// Multilabel votes (one yes/no vote per label facet) and ranking orders: hand-computed figures.
@Suite struct MultilabelScoringTests {
    /// Votes "perturbation@label" → answer, in the order given.
    func votes(_ answers: [(String, String, String?)]) -> [MachineVote] {
        answers.map { MachineVote(annotator: "llm:m", variant: MachineVote.variant($0.0, facet: $0.1), label: $0.2) }
    }

    @Test func perLabelEntropySupportAndLabelText() {
        let v = votes([("q", "hate", "yes"), ("p", "hate", "yes"), ("s", "hate", "no"), ("r", "hate", nil),
                       ("q", "offensive", "no"), ("p", "offensive", "no"), ("s", "offensive", "no"), ("r", "offensive", "no")])
        let per = Multilabel.perLabel(v, labels: ["hate", "offensive"])
        #expect(per.map(\.label) == ["hate", "offensive"])
        #expect((per[0].yes, per[0].no, per[0].unparseable) == (2, 1, 1))
        // hate: 2 yes, 1 no, 1 unparseable: −(.5 ln .5 + 2 × .25 ln .25) = 1.0397207708399179.
        #expect(abs(per[0].entropy - 1.0397207708399179) < 1e-12)
        #expect(per[0].applies == true)
        #expect(per[0].score == per[0].entropy)  // supported: 2 > 1 and 2 > 1 unparseable
        #expect(per[1].entropy == 0 && per[1].applies == false)
        #expect(Multilabel.labelText(per) == "hate")
        #expect(abs(Multilabel.entropyScore(per) - 1.0397207708399179) < 1e-12)
        #expect(Multilabel.supportedScore(per) == per[0].score)
    }

    @Test func anyUnsureLabelMakesTheItemUnsure() {
        // hate 1:1 has no support: ln 2 + 10, whatever the other label says; it is left out of the set.
        let split = votes([("q", "hate", "yes"), ("p", "hate", "no"), ("q", "offensive", "yes"), ("p", "offensive", "yes")])
        let per = Multilabel.perLabel(split, labels: ["hate", "offensive"])
        #expect(abs(Multilabel.supportedScore(per) - (log(2) + Uncertainty.unsupportedOffset)) < 1e-12)
        #expect(Multilabel.labelText(per) == "offensive")
        // A label nobody was asked about: unknown, first of all.
        let missing = Multilabel.perLabel(votes([("q", "hate", "no")]), labels: ["hate", "offensive"])
        #expect(Multilabel.supportedScore(missing) == .infinity && Multilabel.entropyScore(missing) == .infinity)
        // Every label a supported no: the empty set, a decision a person can also submit.
        #expect(Multilabel.labelText(Multilabel.perLabel(votes([("q", "hate", "no"), ("q", "offensive", "no")]), labels: ["hate", "offensive"])) == "")
        // Nothing read: no label.
        #expect(Multilabel.labelText(Multilabel.perLabel(votes([("q", "hate", nil)]), labels: ["hate"])) == nil)
        // Sorted as a person's set reads (Decisions.labelText).
        let both = votes([("q", "zeta", "yes"), ("q", "alpha", "yes")])
        #expect(Multilabel.labelText(Multilabel.perLabel(both, labels: ["zeta", "alpha"])) == "alpha|zeta")
        #expect(Decisions.labelText(.array(["zeta", "alpha"])) == "alpha|zeta")
        #expect(TaskKind.multilabel.decisionValue(forLabel: "") == .array([]))
    }

    @Test func exactSetAccuracyAndPerLabelF1() {
        let r = Multilabel.accuracyAndLabelF1(predicted: [1: "a", 2: ""], truth: [1: "a|b", 2: ""], labels: ["a", "b", "c"])
        // Item 2 exact; a: F1 1, b: F1 0 (missed), c: absent from both, not counted.
        #expect(r.accuracy == 0.5)
        #expect(r.labelF1 == 0.5)
    }

    @Test func routerSendsTheItemWithAnyUnsureLabel() {
        let scorer = KindScorer.multilabel(labels: ["a", "b"])
        var table = VoteTable()
        let sure = votes([("q", "a", "yes"), ("p", "a", "yes"), ("q", "b", "no"), ("p", "b", "no")])
        let unsureB = votes([("q", "a", "yes"), ("p", "a", "yes"), ("q", "b", "yes"), ("p", "b", "no")])
        let slightly = votes([("q", "a", "yes"), ("p", "a", "yes"), ("r", "a", "no"), ("q", "b", "no"), ("p", "b", "no"), ("r", "b", "no")])
        for v in sure { table.append(v, item: 1) }
        for v in unsureB { table.append(v, item: 2) }
        for v in slightly { table.append(v, item: 3) }
        let o = Router.route(scorer: scorer, votes: table, order: [1, 2, 3, 4], strategy: .default, budget: 0.5)
        // Item 4 has no votes (first), item 2 no support on b (second).
        #expect(o.toHumans == [4, 2])
        #expect(o.machineLabels == [1: "a", 3: "a"])
        let rows = Router.plan(scorer: scorer, votes: table, order: [1, 2, 3], truth: [1: "a", 2: "a|b", 3: ""],
                               labels: ["a", "b"], strategies: [.default], budgets: [0, 1.0 / 3])
        // 0%: 1 right, 2 gets "a" (b unsupported), 3 gets "a": 1/3 exact. 1 of 3 to people: item 2 → 2/3.
        #expect(abs(rows[0].accuracy - 1.0 / 3) < 1e-12)
        #expect(abs(rows[1].accuracy - 2.0 / 3) < 1e-12)
        #expect(KindScorer.forTask(TaskSpec(name: "t", kind: .multilabel, labels: ["a", "b"]), votes: table) == scorer)
        #expect(KindScorer.forVotes(sure) == .multilabel(labels: []))
        #expect(abs(MachineView(label: "a", score: 0, votes: unsureB, annotator: "m").entropy - log(2)) < 1e-12)
    }
}

@Suite struct RankingOrderTests {
    func order(_ s: String) -> RankingOrder { RankingOrder(text: s)! }

    @Test func textRanksAndOnePersonShape() {
        #expect(RankingOrder(ranks: [2, 2, 1])?.text == "2>0=1")
        #expect(order("2>0>1").ranks == [2, 3, 1])
        #expect(RankingOrder(text: "0") == nil && RankingOrder(text: "tie") == nil && RankingOrder(text: "0>0>1") == nil
                && RankingOrder(text: "0>3>1") == nil && RankingOrder(text: "0>>1") == nil)
        // A person's ranking (with the display order it was shown in) reads as the machine's label does.
        let person: JSONValue = ["ranks": [2, 3, 1], "shown": [1, 0, 2]]
        #expect(Decisions.labelText(person) == "2>0>1")
        #expect(TaskKind.compare.decisionValue(forLabel: "2>0>1") == Ranking(ranks: [2, 3, 1]).json)
        #expect(TaskKind.compare.decisionValue(forLabel: "1") == PairJudgment(choice: .response(1)).json)
    }

    @Test func kendallTauSpreadAndConsensusByHand() {
        #expect(RankingOrder.tau(order("0>1>2"), order("0>1>2")) == 1)
        #expect(RankingOrder.tau(order("0>1>2"), order("2>1>0")) == -1)
        // (0,1) discordant, (0,2) and (1,2) concordant: (2 − 1) / 3.
        #expect(abs(RankingOrder.tau(order("0>1>2"), order("1>0>2"))! - 1.0 / 3) < 1e-12)
        #expect(RankingOrder.tau(order("0>1"), order("0>1>2")) == nil)
        // Pairs of votes: τ 1, 1/3, 1/3 → mean 5/9 → spread 4/9.
        #expect(abs(RankingOrder.spread(["0>1>2", "0>1>2", "1>0>2"]) - 4.0 / 9) < 1e-12)
        #expect(RankingOrder.spread(["0>1>2", "0>1>2"]) == 0)
        #expect(RankingOrder.spread(["0>1>2", "2>1>0"]) == 2)
        // An unreadable vote agrees with nothing more than chance: τ 0.
        #expect(RankingOrder.spread(["0>1>2", nil]) == 1)
        #expect(RankingOrder.spread([nil, nil]) == .infinity)
        #expect(RankingOrder.supported(["0>1>2", nil, "0>1>2"]) && !RankingOrder.supported(["0>1>2", nil]))
        // Borda: 0 gets 2+1+1, 1 gets 1+2+2, 2 nothing.
        #expect(RankingOrder.consensus(["0>1>2", "1>0>2", "1>0>2"])?.text == "1>0>2")
        // Equal points: the first vote's order.
        #expect(RankingOrder.consensus(["0>1>2", "1>0>2"])?.text == "0>1>2")
        #expect(RankingOrder.consensus([nil]) == nil)
    }

    @Test func pairAgreementAndRankingPlans() {
        #expect(RankingOrder.pairAgreement(order("0>1>2"), truth: order("0=1>2")) == 1)
        #expect(RankingOrder.pairAgreement(order("2>1>0"), truth: order("0>1>2")) == 0)
        #expect(abs(RankingOrder.pairAgreement(order("1>0>2"), truth: order("0>1>2"))! - 2.0 / 3) < 1e-12)
        var table = VoteTable()
        let v = { (variant: String, label: String?) in MachineVote(annotator: "m", variant: variant, label: label) }
        for l in ["0>1>2", "0>1>2"] { table.append(v("o", l), item: 1) }
        for l in ["1>0>2", "2>1>0"] { table.append(v("o", l), item: 2) }
        for l in ["1", "1", "0"] { table.append(v("o", l), item: 3) }  // a pair in the same task
        let task = TaskSpec(name: "c", kind: .compare)
        let scorer = KindScorer.forTask(task, votes: table)
        #expect(scorer == .ranking)
        let judged2 = KindScorer.ranking.judge(table[2]!)
        // Borda: 0 gets 1 + 0, 1 gets 2 + 1, 2 gets 0 + 2.
        #expect(judged2.label == "1>2>0")
        #expect(abs(judged2.spread - (1 - (-1.0 / 3))) < 1e-12)  // τ("1>0>2", "2>1>0") = −1/3
        #expect(KindScorer.ranking.judge(table[3]!).label == "1")
        let o = Router.route(scorer: .ranking, votes: table, order: [1, 2, 3], strategy: .entropy, budget: 1.0 / 3)
        #expect(o.toHumans == [2])
        let rows = Router.plan(scorer: .ranking, votes: table, order: [1, 2, 3], truth: [1: "0>1>2", 2: "2>1>0", 3: "1"],
                               labels: task.answerLabels, strategies: [.entropy], budgets: [0])
        // Exact: items 1 and 3. Pairs the right way round: all (1), 2 of 3 (1>2>0 against 2>1>0: only 1 above 2 is
        // wrong), the pair's label (1).
        #expect(abs(rows[0].accuracy - 2.0 / 3) < 1e-12)
        #expect(abs(rows[0].macroF1 - 8.0 / 9) < 1e-12)
        #expect(KindScorer.forTask(task, votes: VoteTable([3: table[3]!])) == nil)
    }
}
