import DuetCore
import Testing

@Suite struct VoteTableTests {
    func vote(_ label: String?, _ variant: String, by who: String = "m", _ confidence: Double? = nil) -> MachineVote {
        MachineVote(annotator: who, variant: variant, label: label, confidence: confidence)
    }

    @Test func givesBackWhatWasAddedInOrder() {
        var t = VoteTable()
        let a = [vote("pos", "p1", 0.9), vote(nil, "p2"), vote("neg", "p3", by: "other", 0)]
        let b = [vote("neg", "p1"), vote("pos", "p2", 0.25)]
        for v in a { t.append(v, item: 7) }
        for v in b { t.append(v, item: 3) }
        #expect(t.items == [7, 3] && t.count == 2 && t.voteCount == 5)
        #expect(t[7] == a && t[3] == b && t[4] == nil)
        #expect(t.labels(7) == ["pos", nil, "neg"] && t.labels(5) == nil)
        #expect(t.contains(3) && !t.contains(4))
        #expect(t.annotators == ["m", "other"])
        #expect(t.byItem == [7: a, 3: b])
    }

    @Test func aDictionaryRoundTripsAndEqualityIgnoresInterningOrder() {
        let d: [Int64: [MachineVote]] = [2: [vote("b", "x")], 1: [vote("a", "y"), vote("b", "x", 0.5)]]
        let t = VoteTable(d)
        #expect(t.items == [1, 2] && t.byItem == d)
        // Built in another order of first appearance: the codes differ, the votes do not.
        var u = VoteTable()
        u.append(vote("a", "y"), item: 1)
        u.append(vote("b", "x", 0.5), item: 1)
        u.append(vote("b", "x"), item: 2)
        #expect(t == u)
        u.append(vote("c", "z"), item: 3)
        #expect(t != u)
    }

    @Test func rawAnswersAndTokensTakeRoomOnlyOnceAVoteHasThem() {
        var t = VoteTable()
        let plain = vote("a", "x", 0.5)
        var llm = vote(nil, "y")
        llm.raw = "I think… maybe"
        llm.promptTokens = 120
        llm.completionTokens = 4
        t.append(plain, item: 1)
        t.append(llm, item: 1)
        t.append(plain, item: 2)
        #expect(t[1] == [plain, llm] && t[2] == [plain])
        #expect(t.all.map(\.item) == [1, 1, 2] && t.all.map(\.vote) == [plain, llm, plain])
    }

    /// No-votes are kept (to store, for their tokens) but never seen by what counts votes.
    @Test func noVotesAreHeldApartFromTheVotes() {
        var t = VoteTable()
        let no = MachineVote.noVote(annotator: "m", variant: "tf:neg", raw: "False.", promptTokens: 9, completionTokens: 2)
        t.append(vote("pos", "p1"), item: 1)
        t.append(no, item: 1)
        t.append(vote("neg", "p2"), item: 1)
        t.append(no, item: 2)
        #expect(t.items == [1] && t.count == 1 && t.voteCount == 2 && !t.contains(2))
        #expect(t.labels(1) == ["pos", "neg"] && t[1]?.map(\.variant) == ["p1", "p2"] && t[2] == nil)
        #expect(Array(t.all).map(\.item) == [1, 1, 1, 2] && Array(t.all).map(\.vote.noVote) == [false, false, true, true])
        // Replacing an item's votes drops its no-votes with them; others stay.
        let r = t.replacing([1: [vote("neu", "p1")]])
        #expect(r.labels(1) == ["neu"] && Array(r.noVotes.map(\.item)) == [2] && r.noVoteCount == 1)
        #expect(t != r && t == t.replacing([:]))
        #expect(ItemUncertainty(itemRowID: 1, votes: [vote("pos", "p1"), no, no]).entropy == 0)
    }

    @Test func replacingSwapsAnItemsVotesAndAddsNewItems() {
        let t = VoteTable([1: [vote("a", "x")], 2: [vote("b", "x"), vote("b", "y")]])
        let r = t.replacing([2: [vote("a", "cv")], 9: [vote("c", "cv")]])
        #expect(r.items == [1, 2, 9])
        #expect(r[1] == [vote("a", "x")] && r[2] == [vote("a", "cv")] && r[9] == [vote("c", "cv")])
    }

    /// Leave-one-out by running counts gives what re-learning without each item gives.
    @Test func leaveOneOutMatchesRelearningWithoutEachItem() {
        var state: UInt64 = 9
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let labels = ["a", "b", "c"]
        for round in 0..<40 {
            var votes: [Int64: [MachineVote]] = [:]
            var truth: [Int64: String] = [:]
            for item in 1...Int64(8 + round % 12) {
                let t = labels[next(3)]
                truth[item] = t
                // Source v0 is mostly right, v1 half, v2 mostly wrong; some unparseable.
                votes[item] = (0..<3).map { s in
                    let right = next(10) < [8, 5, 2][s]
                    return vote(next(12) == 0 ? nil : right ? t : labels[next(3)], "v\(s)")
                }
            }
            let table = VoteTable(votes)
            var weighted = 0, plain = 0
            for (item, label) in truth {
                var others = truth
                others[item] = nil
                let r = Reliability(votes: table, truth: others, classes: labels.count)
                if r.label(votes[item]!, labels: labels) == label { weighted += 1 }
                if Uncertainty.majority(votes[item]!.map(\.label)) == label { plain += 1 }
            }
            #expect(Reliability.beatsMajority(votes: table, truth: truth, labels: labels) == (weighted > plain), "round \(round)")
        }
    }
}

@Suite struct VoteFacetTests {
    @Test func facetIsAfterTheFirstAt() {
        let v = MachineVote(annotator: "m", variant: MachineVote.variant("paraphrase", facet: "a@b"), label: "yes")
        #expect(v.variant == "paraphrase@a@b")
        #expect(v.facet == "a@b")
        #expect(v.perturbation == "paraphrase")
        let whole = MachineVote(annotator: "m", variant: "instruction", label: "x")
        #expect(whole.facet == nil)
        #expect(whole.perturbation == "instruction")
    }
}
