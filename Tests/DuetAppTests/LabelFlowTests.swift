import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// Key sequences through update + runtime against an in-memory store.
@Suite struct LabelFlowTests {
    @Test func classifyRecordsAndAdvances() throws {
        let h = try Harness()
        #expect(h.label?.item?.item.uid == "t1")
        h.press(.char("2"), seconds: 3.5)
        #expect(h.label?.item?.item.uid == "t2")
        let log = try h.store.annotations(itemRowIDs: [1], task: "sentiment")[1] ?? []
        #expect(log.count == 1)
        #expect(log[0].entry.value == "neutral")
        #expect(log[0].entry.annotator == "ana")
        #expect(log[0].entry.annotatorKind == .human)
        #expect(log[0].entry.seconds == 3.5)
        #expect(h.label?.progress.human == 1)
        #expect(h.label?.progress.remaining == 5)
        // A label number beyond the labels does nothing.
        h.press(.char("7"))
        #expect(h.label?.item?.item.uid == "t2")
    }

    @Test func undoAcrossItems() throws {
        let h = try Harness()
        h.press(.char("1"), .char("3"))
        #expect(h.label?.item?.item.uid == "t3")
        h.press(.char("u"))
        #expect(h.label?.item?.item.uid == "t2")
        #expect(h.state.status?.text.contains("Undone") == true)
        h.press(.backspace)
        #expect(h.label?.item?.item.uid == "t1")
        #expect(try h.decisions(Harness.sentiment).isEmpty)
        #expect(h.label?.progress.human == 0)
        h.press(.char("u"))
        #expect(h.state.status?.text == "Nothing to undo in this task")
        // The log keeps everything: two decisions and two revocations.
        let log = try h.store.annotations(itemRowIDs: [1, 2], task: "sentiment")
        #expect(log.values.flatMap { $0 }.filter { $0.entry.status == .revoked }.count == 2)
        h.press(.char("2"))
        #expect(try h.decisions(Harness.sentiment).map(\.0) == ["t1"])
    }

    @Test func skipThenReturnAtTheEnd() throws {
        let h = try Harness()
        h.press(.char(" "))
        #expect(h.label?.item?.item.uid == "t2")
        #expect(h.label?.progress.skipped == 1)
        h.press(.char("1"), .char("1"), .char("1"), .char("1"), .char("1"))
        #expect(h.label?.item?.item.uid == "t1")
        h.press(.char("3"))
        #expect(h.label?.item == nil)
        #expect(h.screen.contains { $0.contains("All done") })
        let d = try h.decisions(Harness.sentiment)
        #expect(d.count == 6)
        #expect(d.first { $0.0 == "t1" }?.1 == "positive")
        #expect(d.allSatisfy { $0.2 == .submitted })
    }

    @Test func flagAndNoteGoWithTheDecision() throws {
        let h = try Harness()
        h.press(.char("f"))
        #expect(h.label?.flagged == true)
        #expect(h.screen[0].contains("⚑"))
        h.press(.char("n"))
        h.type("unsure, sarcasm?")
        h.press(.enter)
        #expect(h.label?.note == "unsure, sarcasm?")
        h.press(.char("1"))
        let log = try h.store.annotations(itemRowIDs: [1], task: "sentiment")[1] ?? []
        #expect(log[0].entry.flagged == true)
        #expect(log[0].entry.note == "unsure, sarcasm?")
        // The next item starts clean.
        #expect(h.label?.flagged == false)
        #expect(h.label?.note == nil)
        #expect(h.label?.progress.flagged == 1)
        // Esc cancels a note.
        h.press(.char("n"))
        h.type("x")
        h.press(.escape)
        #expect(h.label?.note == nil)
        #expect(h.state.overlay == nil)
    }

    @Test func multiLabelToggles() throws {
        let h = try Harness(task: Harness.topics)
        h.press(.char("1"), .char("3"), .char("1"))
        #expect(h.label?.toggled == [2])
        #expect(h.screen.contains { $0.contains("[ ] food") && $0.contains("[x] tech") })
        h.press(.char("2"), .enter)
        #expect(try h.decisions(Harness.topics).first?.1 == ["travel", "tech"])
        // Enter with nothing toggled records an empty set (no topic applies).
        h.press(.enter)
        #expect(try h.decisions(Harness.topics).map(\.1) == [["travel", "tech"], []])
    }

    @Test func rateAndHighlight() throws {
        let h = try Harness(task: Harness.stars)
        h.press(.char("4"))
        #expect(try h.decisions(Harness.stars).first?.1 == 4)
        // Tab highlights, enter takes the highlighted point.
        h.press(.tab, .tab, .enter)
        #expect(try h.decisions(Harness.stars).map(\.1) == [4, 2])
        h.press(.enter)
        #expect(h.state.status?.kind == .warning)
    }

    @Test func reviewRateEditAccept() throws {
        let h = try Harness(task: Harness.review)
        h.runtimeEdits(["4"])
        h.press(.char("3"), .char("e"))
        #expect(h.label?.edited == "4")
        #expect(h.screen.contains { $0.contains("response (edited)") })
        h.press(.char("a"))
        #expect(try h.decisions(Harness.review).first?.1 == ["verdict": "accept", "rating": 3, "edited": "4"])
        h.press(.char("x"))
        #expect(try h.decisions(Harness.review).map(\.1) == [["verdict": "accept", "rating": 3, "edited": "4"], ["verdict": "reject"]])
    }

    @Test func lookBackAndRelabel() throws {
        let h = try Harness()
        h.press(.char("1"), .char("1"))
        h.press(.char("["))
        #expect(h.label?.item?.item.uid == "t2")
        #expect(h.label?.previousValue == "negative")
        #expect(h.screen[0].contains("looking back 2/2"))
        h.press(.char("["))
        #expect(h.label?.item?.item.uid == "t1")
        h.press(.char("["))
        #expect(h.state.status?.kind == .warning)
        h.press(.char("3"))
        // Back at the queue, the change stored, nothing counted twice.
        #expect(h.label?.item?.item.uid == "t3")
        #expect(try h.decisions(Harness.sentiment).map(\.1) == ["positive", "negative"])
        #expect(h.label?.progress.human == 2)
        h.press(.char("["), .char("]"))
        #expect(h.label?.item?.item.uid == "t3")
        #expect(h.label?.browsing == nil)
    }

    @Test func resumeAfterReopen() throws {
        let first = try Harness()
        first.press(.char("1"), .char("2"), .char(" "))
        let second = try Harness(store: first.store)
        #expect(second.label?.item?.item.uid == "t4")
        #expect(second.label?.progress.human == 2)
        #expect(second.label?.progress.skipped == 1)
        // Another person has their own session: not the item ana has open (t4), and
        // skipped items come back only to the one who skipped.
        let other = try Harness(annotator: "bo", store: first.store)
        #expect(other.label?.item?.item.uid == "t5")
        // Ana goes back to the dashboard: t4 is free for the next person who asks.
        second.press(.char("q"))
        let third = try Harness(annotator: "cy", store: first.store)
        #expect(third.label?.item?.item.uid == "t4")
    }
}

extension Harness {
    func runtimeEdits(_ texts: [String?]) { editQueue.items = texts }
}
