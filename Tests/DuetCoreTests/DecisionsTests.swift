@testable import DuetCore
import Testing

@Suite struct DecisionsTests {
    @Test func revocationRemovesTheRevokedEntry() {
        let log = [
            T.ann(1, by: "alice", value: "neg", at: 0),
            T.ann(2, by: "alice", value: "pos", at: 10),
            T.ann(3, by: "alice", value: nil, status: .revoked, at: 20, revokes: 2),
        ]
        // Undoing alice's latest brings her previous decision back.
        #expect(Decisions.current(log).map(\.id) == [1])
        #expect(Decisions.final(log, task: "t")?.entry.value == "neg")
    }

    @Test func revokingTheOnlyDecisionLeavesNothing() {
        let log = [T.ann(1, at: 0), T.ann(2, value: nil, status: .revoked, at: 1, revokes: 1)]
        #expect(Decisions.current(log).isEmpty)
        #expect(Decisions.final(log, task: "t") == nil)
        #expect(Decisions.select(log, task: "t", scope: .final).isEmpty)
    }

    @Test func latestPerAnnotatorWins() {
        let log = [
            T.ann(1, by: "alice", value: "a-old", at: 0),
            T.ann(2, by: "bob", value: "b-only", at: 5),
            T.ann(3, by: "alice", value: "a-new", at: 10),
            T.ann(4, task: "other", by: "alice", value: "other-task", at: 1),
        ]
        #expect(Decisions.current(log).map(\.id) == [4, 2, 3])
        #expect(Decisions.select(log, task: "t", scope: .human).map(\.entry.value) == ["b-only", "a-new"])
    }

    @Test func sameTimestampTieBrokenByID() {
        let log = [T.ann(7, value: "later-id", at: 0), T.ann(6, value: "earlier-id", at: 0)]
        #expect(Decisions.current(log).map(\.id) == [7])
    }

    @Test func finalIsLatestHumanElseMachine() {
        let machine = T.ann(1, kind: .machine, by: "llm:gpt", value: "m", at: 30)
        let alice = T.ann(2, by: "alice", value: "h1", at: 10)
        let bob = T.ann(3, by: "bob", value: "h2", at: 20)
        #expect(Decisions.final([machine, alice, bob], task: "t")?.id == 3)
        #expect(Decisions.final([machine], task: "t")?.id == 1)
        #expect(Decisions.final([machine, alice], task: "other") == nil)
        #expect(Decisions.select([machine, alice, bob], task: "t", scope: .final).map(\.id) == [3])
        #expect(Decisions.select([machine, alice], task: nil, scope: .final).isEmpty)
    }

    @Test func skippedIsNotFinal() {
        let machine = T.ann(1, kind: .machine, by: "local:m", value: "m", at: 0)
        let skip = T.ann(2, by: "alice", value: nil, status: .skipped, at: 10)
        #expect(Decisions.final([machine, skip], task: "t")?.id == 1)
        #expect(Decisions.final([skip], task: "t") == nil)
        #expect(Decisions.select([machine, skip], task: "t", scope: .human).isEmpty)
        #expect(Decisions.select([machine, skip], task: "t", scope: .all).map(\.id) == [1, 2])
    }

    @Test func sourceAnnotationsKeptInAll() {
        let s1 = T.ann(1, task: nil, kind: .source, by: "source:hh.jsonl", value: ["choice": 0], at: 0)
        let s2 = T.ann(2, task: nil, kind: .source, by: "source:hh.jsonl", value: ["choice": 1], at: 1)
        let h = T.ann(3, by: "alice", value: ["choice": 1], at: 2)
        let other = T.ann(4, task: "x", by: "alice", value: "x", at: 3)
        let log = [s1, s2, h, other]
        // Both source annotations by the same "annotator" stay: they are not task decisions.
        #expect(Decisions.current(log).map(\.id) == [1, 2, 3, 4])
        #expect(Decisions.select(log, task: "t", scope: .all).map(\.id) == [1, 2, 3])
        #expect(Decisions.select(log, task: nil, scope: .all).map(\.id) == [1, 2, 3, 4])
        #expect(Decisions.select(log, task: "t", scope: .human).map(\.id) == [3])
        #expect(Decisions.final(log, task: "t")?.id == 3)
    }

    @Test func revokedSourceAnnotationIsDropped() {
        let log = [T.ann(1, task: nil, kind: .source, by: "source:f", at: 0), T.ann(2, task: nil, by: "alice", value: nil, status: .revoked, at: 1, revokes: 1)]
        #expect(Decisions.current(log).isEmpty)
    }
}
