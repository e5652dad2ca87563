import DuetAnnotators
import DuetCore
import Testing

/// The pairwise model on a synthetic preference corpus: in every pair the
/// preferred response is the detailed one (steps, an example, a caveat), the
/// other is short, vague or a refusal; the stored order is random.
@Suite struct LocalPairTests {
    static let topics = [
        "bake sourdough bread", "change a bike tyre", "learn a new language", "start running", "save money each month",
        "write a cover letter", "plant tomatoes", "clean a cast iron pan", "prepare for an interview", "sleep better",
        "set up a home network", "train a puppy", "paint a room", "make cold brew coffee", "study for an exam",
    ]
    static let steps = [
        "gather the tools and materials you need before you begin",
        "set aside thirty minutes a day and keep a simple log of your progress",
        "start with the easiest part so that you build momentum",
        "check the instructions twice and measure everything carefully",
        "ask someone with experience to look at your first attempt",
        "break the work into three small stages and finish one at a time",
        "write down what went wrong and adjust the plan the next day",
        "keep the area clean and put each item back where it belongs",
        "test the result on a small sample before doing the whole thing",
        "review your notes at the end of each week",
    ]
    static let examples = [
        "many people find that a checklist on the fridge helps",
        "a friend of mine did this in two weeks by practising every evening",
        "using a timer of 25 minutes works well for most beginners",
        "a cheap kit from the hardware store is usually enough",
    ]
    static let poor = [
        "i'm not sure.", "just search online.", "it depends.", "sorry, i can't help with that.", "try it and see.",
        "no idea, good luck.", "that is hard.", "ask someone else.", "i cannot assist with this request.", "whatever works.",
    ]

    static func detailed(_ topic: String, _ rng: inout LocalTestRNG) -> String {
        let s = steps.shuffled(using: &rng)
        let n = 2 + Int(rng.next() % 3)
        var text = "here is how to \(topic).\n"
        for k in 0..<n { text += "\(k + 1). \(s[k]).\n" }
        text += "for example, \(examples.randomElement(using: &rng)!). note that it takes practice."
        return text
    }

    /// n pair items (row ids from `firstID`) and the stored index of the preferred response.
    static func corpus(_ n: Int, seed: UInt64, firstID: Int64 = 1) -> [(item: StoredItem, preferred: Int)] {
        var rng = LocalTestRNG(seed)
        return (0..<n).map { i in
            let topic = topics.randomElement(using: &rng)!
            let good = detailed(topic, &rng)
            let bad = poor.randomElement(using: &rng)!
            let preferred = Int(rng.next() % 2)
            let (r0, r1) = preferred == 0 ? (good, bad) : (bad, good)
            return (localPairItem(firstID + Int64(i), prompt: "how do i \(topic)?", r0, r1), preferred)
        }
    }

    @Test func prefersTheDetailedResponseOnHeldOutPairs() async throws {
        let train = Self.corpus(200, seed: 1)
        let test = Self.corpus(200, seed: 2, firstID: 1_000)
        let e = try LocalEnsemble(seed: 3, judgments: train.map { ($0.item.item, .response($0.preferred)) })
        #expect(e.isPairwise && e.classes == ["0", "1"] && e.trainingCount == 200)
        let task = TaskSpec(name: "pref", kind: .compare)
        let votes = try await e.annotate(test.map(\.item), task: task) { _ in }
        #expect(votes.count == test.count)
        var correct = 0
        for t in test where Uncertainty.majority(votes[t.item.rowID]!.map(\.label)) == String(t.preferred) { correct += 1 }
        let accuracy = Double(correct) / Double(test.count)
        print("[local:pairs] held-out accuracy \(accuracy) on \(test.count) pairs")
        #expect(accuracy >= 0.9)
    }

    @Test func swappingTheResponsesFlipsEveryVote() throws {
        let train = Self.corpus(60, seed: 5)
        let e = try LocalEnsemble(seed: 0, judgments: train.map { ($0.item.item, .response($0.preferred)) })
        let pairs = [
            ("1. boil water.\n2. add the pasta.\n3. stir for ten minutes.", "just cook it."),
            ("i'm sorry, i can't help with that.", "sure: open the settings and choose network."),
        ]
        let forward = e.pairVotes(pairs), backward = e.pairVotes(pairs.map { ($0.1, $0.0) })
        for (f, b) in zip(forward, backward) {
            #expect(f.map(\.label) == b.map { $0.label == "0" ? "1" : "0" })
            for (x, y) in zip(f, b) { #expect(abs((x.confidence ?? 0) - (y.confidence ?? 0)) < 1e-5) }
        }
        #expect(forward[0].allSatisfy { $0.label == "0" })
        #expect(forward[1].allSatisfy { $0.label == "1" })
    }

    @Test func tiesAndBothBadAreLeftOut() throws {
        let c = Self.corpus(3, seed: 9)
        #expect(throws: LocalEnsembleError.notEnoughJudgments(have: 0, need: 1)) {
            _ = try LocalEnsemble(judgments: [(c[0].item.item, .tie), (c[1].item.item, .bothBad)])
        }
        let e = try LocalEnsemble(judgments: [(c[0].item.item, .tie), (c[1].item.item, .response(c[1].preferred))])
        #expect(e.trainingCount == 1)
        let judgments = LocalEnsemble.judgments(items: c.map(\.item), choices: [c[2].item.rowID: .bothBad])
        #expect(judgments.count == 1)
    }

    @Test func classifyTaskOnAPairModelIsRefused() async throws {
        let c = Self.corpus(10, seed: 4)
        let e = try LocalEnsemble(judgments: c.map { ($0.item.item, .response($0.preferred)) })
        await #expect(throws: LocalEnsembleError.wrongTask(task: "t", trainedFor: "pairs")) {
            _ = try await e.annotate(c.map(\.item), task: TaskSpec(name: "t", kind: .classify, labels: ["a", "b"])) { _ in }
        }
    }
}
