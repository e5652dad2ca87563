import DuetCore
import Foundation
import Testing
import TermUI
@testable import DuetApp

/// `App.update` alone: no store, no runtime. Effects are checked as values.
@Suite struct ReducerTests {
    let at = Date(timeIntervalSince1970: 1_000)
    let task = TaskSpec(name: "s", kind: .classify, labels: ["a", "b", "c"])

    func labelState(_ text: String = "hello", width: Int = 80, height: Int = 24) -> AppState {
        var state = AppState(width: width, height: height, tasks: [task], annotator: "ana")
        state.startedOnDashboard = false
        _ = App.openTask(&state, task)
        let item = StoredItem(rowID: 7, item: Item(uid: "x", dataset: "d", kind: .text, fields: .text(text)))
        _ = App.update(&state, .itemLoaded(item, progress: TaskProgress(total: 3, remaining: 3), previous: nil, at: at))
        return state
    }

    func label(_ s: AppState) -> LabelState? { if case .label(let l) = s.screen { return l } else { return nil } }

    @Test func openingATaskAsksForItsFirstItem() {
        var state = AppState(width: 80, height: 24, tasks: [task], annotator: "ana")
        #expect(App.openTask(&state, task) == [.loadNext(task)])
    }

    @Test func pickProducesARecordEffectWithSecondsSpent() {
        var state = labelState()
        let effects = App.update(&state, .key(.char("2"), at: at.addingTimeInterval(4.25)))
        let expected = NewAnnotation(itemRowID: 7, task: "s", annotatorKind: .human, annotator: "ana", value: "b",
                                     createdAt: at.addingTimeInterval(4.25), seconds: 4.25)
        #expect(effects == [.record(expected, then: task)])
        // Nothing counts until the store confirms it.
        #expect(label(state)?.progress.human == 0)
        #expect(label(state)?.history == [])
        #expect(App.update(&state, .recorded(expected)) == [.loadNext(task)])
        #expect(label(state)?.progress.human == 1)
        #expect(label(state)?.progress.remaining == 2)
        #expect(label(state)?.history == [7])
    }

    @Test func choiceHighlightWrapsBothWays() {
        var state = labelState()
        _ = App.update(&state, .key(.backTab, at: at))
        #expect(label(state)?.highlighted == 2)
        _ = App.update(&state, .key(.tab, at: at))
        #expect(label(state)?.highlighted == 0)
        _ = App.update(&state, .key(.left, at: at))
        #expect(label(state)?.highlighted == 2)
        let effects = App.update(&state, .key(.enter, at: at))
        guard case .record(let a, _)? = effects.first else { Issue.record("no record"); return }
        #expect(a.value == "c")
    }

    @Test func pagingIsBoundedByTheText() {
        let long = (1...80).map { "line \($0)" }.joined(separator: "\n")
        var state = labelState(long, height: 24)
        let max = LabelLayout(state, label(state)!).maxScroll
        #expect(max == 80 + 1 - 17)  // the "text" heading + 80 lines in a pane of 17 rows
        _ = App.update(&state, .key(.pageDown, at: at))
        #expect(label(state)?.scroll == 12)
        _ = App.update(&state, .key(.ctrl("d"), at: at))
        _ = App.update(&state, .key(.pageDown, at: at))
        _ = App.update(&state, .key(.pageDown, at: at))
        _ = App.update(&state, .key(.pageDown, at: at))
        _ = App.update(&state, .key(.pageDown, at: at))
        _ = App.update(&state, .key(.pageDown, at: at))
        #expect(label(state)?.scroll == max)
        _ = App.update(&state, .key(.pageUp, at: at))
        #expect(label(state)?.scroll == max - 12)
        _ = App.update(&state, .key(.ctrl("u"), at: at))
        #expect(label(state)?.scroll == max - 24)
    }

    @Test func dashboardSelectionStaysInRange() {
        var state = AppState(width: 80, height: 24, tasks: [task], annotator: "ana")
        let rows = [TaskSummary(task: task, progress: TaskProgress()), TaskSummary(task: TaskSpec(name: "t", kind: .rate), progress: TaskProgress())]
        _ = App.update(&state, .dashboardLoaded(rows))
        _ = App.update(&state, .key(.up, at: at))
        guard case .dashboard(let d0) = state.screen else { Issue.record("left the dashboard"); return }
        #expect(d0.selected == 0)
        _ = App.update(&state, .key(.down, at: at))
        _ = App.update(&state, .key(.down, at: at))
        guard case .dashboard(let d1) = state.screen else { Issue.record("left the dashboard"); return }
        #expect(d1.selected == 1)
        #expect(App.update(&state, .key(.enter, at: at)) == [.loadNext(rows[1].task)])
    }

    @Test func statusClearsOnTheNextKeyAndErrorsShow() {
        var state = labelState()
        _ = App.update(&state, .failed("disk full"))
        #expect(state.status == Status("disk full", .error))
        let last = Render.screen(state).lines.last ?? ""
        #expect(last.hasPrefix(" disk full ") && last.hasSuffix("? help  q quit"))
        _ = App.update(&state, .key(.char("j"), at: at))
        #expect(state.status == nil)
    }

    @Test func keysDuringAnOverlayDoNotLabel() {
        var state = labelState()
        _ = App.update(&state, .key(.char("g"), at: at))
        #expect(App.update(&state, .key(.char("1"), at: at)).isEmpty)
        _ = App.update(&state, .key(.escape, at: at))
        #expect(state.overlay == nil)
        #expect(App.update(&state, .key(.char("1"), at: at)).count == 1)
    }

    @Test func editedTextMessage() {
        var state = labelState()
        _ = App.update(&state, .edited("new text"))
        #expect(label(state)?.edited == "new text")
        _ = App.update(&state, .edited(nil))
        #expect(state.status?.text == "Edit cancelled (no change)")
    }
}

@Suite struct DashboardAuditTests {
    @Test func auditLineWarnsUnderTheTarget() {
        let task = TaskSpec(name: "s", kind: .classify, labels: ["a", "b"])
        var state = AppState(width: 100, height: 14, tasks: [task], annotator: "ana")
        state.targetAccuracy = 0.9
        let ci = Audit.wilson(successes: 5, trials: 6)!
        let audit = AuditEstimate(annotator: "llm:x", audited: 6, agreeing: 5, accuracy: 5.0 / 6, low: ci.low, high: ci.high)
        _ = App.update(&state, .dashboardLoaded([TaskSummary(task: task, progress: TaskProgress(total: 10, human: 6, remaining: 4), audit: [audit])]))
        let c = Render.screen(state)
        let row = (0..<c.height).first { c.row($0).contains("5/6 right, 0.83 (95% 0.44–0.97); 6 of 6 audits labeled") }
        #expect(row != nil)
        // Under the target: drawn in the warning style.
        if let row {
            let x = c.row(row).distance(from: c.row(row).startIndex, to: c.row(row).range(of: "5/6 right")!.lowerBound)
            #expect(c[x, row].style == state.theme[.warning])
        }
        state.targetAccuracy = 0.4
        let ok = Render.screen(state)
        #expect((0..<ok.height).contains { y in ok.row(y).contains("5/6 right") && ok[ok.row(y).distance(from: ok.row(y).startIndex, to: ok.row(y).range(of: "5/6 right")!.lowerBound), y].style == state.theme[.muted] })
    }
}
