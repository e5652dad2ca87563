import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// The doubt queue: people's labels that a kept machine label, or two other people who agree, contradict,
/// listed in the adjudication screen (`d`).
@Suite struct DoubtQueueTests {
    /// t1: ana neg vs bob pos (one against one: no doubt); t2: ana neg vs bob and cleo pos (doubt on ana);
    /// t3: ana pos vs the machine's kept neutral (doubt on ana).
    func disputed() throws -> (Harness, Runtime) {
        let h = try Harness(width: 100, height: 24, task: nil)
        func put(_ n: Int64, _ who: String, _ v: JSONValue, _ kind: AnnotatorKind = .human) throws {
            try h.store.record(NewAnnotation(itemRowID: n, task: "sentiment", annotatorKind: kind, annotator: who, value: v,
                                             createdAt: Date(timeIntervalSince1970: 1_800_000_000)))
        }
        try put(1, "ana", "negative"); try put(1, "bob", "positive")
        try put(2, "ana", "negative"); try put(2, "bob", "positive"); try put(2, "cleo", "positive")
        try put(3, "ana", "positive"); try put(3, "llm:x", "neutral", .machine)
        return (h, h.adjudication(as: "lead"))
    }

    func items(_ r: Runtime) -> [Int64] {
        guard case .adjudicate(let a) = r.state.screen else { return [] }
        return a.items.map(\.itemRowID)
    }

    @Test func doubtsAreMarkedInTheDisagreements() throws {
        let decisions = [
            CurrentDecision(itemRowID: 1, annotator: "ana", annotatorKind: .human, status: .submitted, value: "neg"),
            CurrentDecision(itemRowID: 1, annotator: "bob", annotatorKind: .human, status: .submitted, value: "pos"),
            CurrentDecision(itemRowID: 2, annotator: "ana", annotatorKind: .human, status: .submitted, value: "neg"),
            CurrentDecision(itemRowID: 2, annotator: "bob", annotatorKind: .human, status: .submitted, value: "pos"),
            CurrentDecision(itemRowID: 2, annotator: "cleo", annotatorKind: .human, status: .submitted, value: "pos"),
            CurrentDecision(itemRowID: 3, annotator: "ana", annotatorKind: .human, status: .submitted, value: "pos"),
            CurrentDecision(itemRowID: 3, annotator: "m", annotatorKind: .machine, status: .submitted, value: "neg"),
        ]
        let all = Adjudication.disagreements(decisions)
        #expect(all.map(\.doubt) == [nil, "ana's label against bob and cleo, who agree", "ana's label against the machine's kept label (m)"])
        // People only: the machine's answer is left out, and with it the doubt it raised.
        #expect(Adjudication.disagreements(decisions, peopleOnly: true).map(\.doubt) == [nil, "ana's label against bob and cleo, who agree"])
    }

    @Test func dListsTheDoubtsOnlyWithWhy() throws {
        let (_, r) = try disputed()
        #expect(items(r) == [1, 2, 3])
        r.send(.key(.char("d"), at: Date()))
        #expect(items(r) == [2, 3])
        let screen = Render.screen(r.state).lines
        #expect(screen[0].contains("· doubts"))
        #expect(screen.contains { $0.contains("⚠ ana's label against bob and cleo, who agree") }, "\(screen.joined(separator: "\n"))")
        #expect(screen.last?.contains("d doubts") == true || screen.joined().contains("Doubts only"))
        r.send(.key(.char("d"), at: Date()))
        #expect(items(r) == [1, 2, 3])
    }
}
