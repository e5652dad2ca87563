import DuetCore
import Foundation
import TermUI

extension App {
    static func labelKey(_ state: inout AppState, _ l: inout LabelState, _ key: Key, at: Date) -> [Effect] {
        guard let action = state.keymap.action(for: key, in: l.contexts) else { return [] }
        if l.task.kind == .compare, let effects = pairKey(&state, &l, action, at: at) { return effects }
        if let i = action.pickIndex { return pick(&state, &l, i, at: at) }
        switch action {
        case .submit:
            return submit(&state, &l, at: at)
        case .accept, .reject:
            guard l.task.kind == .review, l.item != nil else { return [] }
            var v: [String: JSONValue] = ["verdict": .string(action == .accept ? "accept" : "reject")]
            if let r = l.rating { v["rating"] = .number(Double(r)) }
            if let e = l.edited { v["edited"] = .string(e) }
            return decide(&state, &l, .object(v), at: at)
        case .edit:
            guard l.task.kind == .review, let item = l.item else { return [] }
            let original = item.item.fields.messages?.last(where: { $0.role == "assistant" })?.content ?? ""
            return [.editText(l.edited ?? original)]
        case .nextChoice, .previousChoice:
            let n = l.choices.count
            guard n > 0 else { return [] }
            let step = action == .nextChoice ? 1 : n - 1
            l.highlighted = ((l.highlighted ?? (action == .nextChoice ? -1 : 0)) + step + n) % n
        case .skip:
            guard let item = l.item else { return [] }
            // Counted and remembered when the store confirms it (`.recorded`).
            return [.record(annotation(state, l, item, value: nil, status: .skipped, at: at), then: l.task)]
        case .undo:
            return [.undo(l.task, at: at)]
        case .flag:
            guard l.item != nil else { return [] }
            l.flagged.toggle()
            state.status = Status(l.flagged ? "Flagged: saved with your decision" : "Flag removed")
        case .note:
            guard l.item != nil else { return [] }
            state.overlay = .note(TextInput(l.note ?? ""))
        case .previous:
            let index = (l.browsing ?? l.history.count) - 1
            guard index >= 0, l.history.indices.contains(index) else {
                state.status = Status("No earlier decision in this session", .warning)
                return []
            }
            l.browsing = index
            return [.loadItem(l.task, rowID: l.history[index])]
        case .next:
            guard let b = l.browsing else {
                state.status = Status("Already at the queue", .warning)
                return []
            }
            if b + 1 < l.history.count {
                l.browsing = b + 1
                return [.loadItem(l.task, rowID: l.history[b + 1])]
            }
            l.browsing = nil
            return [.loadNext(l.task)]
        case .scrollDown: l.scroll = min(l.scroll + 1, LabelLayout(state, l).maxScroll)
        case .scrollUp: l.scroll = max(0, l.scroll - 1)
        case .pageDown: l.scroll = min(l.scroll + max(1, state.height / 2), LabelLayout(state, l).maxScroll)
        case .pageUp: l.scroll = max(0, l.scroll - max(1, state.height / 2))
        case .top: l.scroll = 0
        case .bottom: l.scroll = LabelLayout(state, l).maxScroll
        case .guidelines:
            state.overlay = .guidelines(scroll: 0)
        case .search:
            state.overlay = .search(SearchState())
        case .help:
            state.overlay = .help(scroll: 0)
        case .quit:
            if let t = state.triageReturn {
                state.triageReturn = nil
                state.screen = .triage(t)
                return [.loadTriage(t.task, t.filter)]
            }
            return leave(&state)
        default:
            break
        }
        return []
    }

    /// A number key: a label (classify submits, multi-label toggles) or a point on the scale.
    static func pick(_ state: inout AppState, _ l: inout LabelState, _ i: Int, at: Date) -> [Effect] {
        guard l.item != nil, i < l.choices.count else { return [] }
        switch l.task.kind {
        case .classify:
            return decide(&state, &l, .string(l.choices[i]), at: at)
        case .multilabel:
            if l.toggled.contains(i) { l.toggled.remove(i) } else { l.toggled.insert(i) }
            l.highlighted = i
            return []
        case .rate:
            return decide(&state, &l, .number(Double(l.task.scale.lowerBound + i)), at: at)
        case .review:
            l.rating = l.task.scale.lowerBound + i
            l.highlighted = i
            return []
        case .compare:
            return []
        }
    }

    static func submit(_ state: inout AppState, _ l: inout LabelState, at: Date) -> [Effect] {
        guard l.item != nil else { return [] }
        switch l.task.kind {
        case .multilabel:
            let labels = l.toggled.sorted().map { JSONValue.string(l.choices[$0]) }
            return decide(&state, &l, .array(labels), at: at)
        case .classify, .rate:
            // Enter with nothing highlighted accepts the machine's label, unless the item is a blind audit.
            if l.highlighted == nil, let s = l.suggestion, !s.isBlind, let label = s.label, let i = l.choices.firstIndex(of: label) {
                return pick(&state, &l, i, at: at)
            }
            guard let h = l.highlighted else {
                state.status = Status("Pick with 1–\(min(9, l.choices.count)), or highlight with tab and press enter", .warning)
                return []
            }
            return pick(&state, &l, h, at: at)
        case .review:
            var v: [String: JSONValue] = ["verdict": "accept"]
            if let r = l.rating { v["rating"] = .number(Double(r)) }
            if let e = l.edited { v["edited"] = .string(e) }
            return decide(&state, &l, .object(v), at: at)
        case .compare:
            return []
        }
    }

    static func decide(_ state: inout AppState, _ l: inout LabelState, _ value: JSONValue, at: Date) -> [Effect] {
        guard let item = l.item else { return [] }
        // Counted and remembered when the store confirms it (`.recorded`): a failed write leaves the screen as it is.
        return [.record(annotation(state, l, item, value: value, status: .submitted, at: at), then: l.task)]
    }

    static func annotation(_ state: AppState, _ l: LabelState, _ item: StoredItem, value: JSONValue?,
                           status: AnnotationStatus, at: Date) -> NewAnnotation {
        let seconds = l.shownAt.map { max(0, at.timeIntervalSince($0)) }
        return NewAnnotation(itemRowID: item.rowID, task: l.task.name, annotatorKind: .human, annotator: state.annotator,
                             value: value, status: status, flagged: l.flagged, note: l.note, createdAt: at, seconds: seconds)
    }

    /// The label screen's effects answered: an item loaded, a decision undone, a text edited.
    static func labelMessage(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .itemLoaded(let item, let progress, let previous, let at, let source, let suggestion):
            guard case .label(var l) = state.screen else { return [] }
            l.startItem(item, at: at)
            l.stopped = nil
            l.suggestion = suggestion
            if let item, l.task.kind == .compare {
                l.pair = pairState(item, task: l.task, annotator: state.annotator)
                l.pair?.diff = l.diffOn
                // The responses answer the last turn: show the end of a long prompt.
                let bottom = PairLayout(state, l).maxScroll(state, l, pane: 0)
                l.pair?.scrolls[0] = bottom
            }
            if l.task.showSource { l.sourceValue = source }
            if let progress {
                l.progress = progress
                state.session.setLeft(progress.remaining, task: l.task.name)
            }
            l.previousValue = previous
            l.loaded = true
            if item == nil { l.browsing = nil }
            state.screen = .label(l)
            return []
        case .labelStopped(let task, let reason, let progress):
            guard case .label(var l) = state.screen, l.task.name == task.name else { return [] }
            l.startItem(nil, at: Date())
            l.stopped = reason
            l.progress = progress
            state.session.setLeft(progress.remaining, task: l.task.name)
            l.loaded = true
            l.browsing = nil
            state.screen = .label(l)
            return []
        case .undone(let rowID):
            guard case .label(var l) = state.screen else { return [] }
            guard let rowID else {
                state.status = Status("Nothing to undo in this task", .warning)
                return []
            }
            if let i = l.history.lastIndex(of: rowID) { l.history.remove(at: i) }
            state.session.undo(task: l.task.name, rowID: rowID)
            l.browsing = nil
            state.screen = .label(l)
            state.status = Status("Undone: the item is back")
            return [.loadItem(l.task, rowID: rowID)]
        case .edited(let text):
            guard case .label(var l) = state.screen else { return [] }
            if let text {
                l.edited = text
                state.status = Status("Edited. a accepts the edited response, x rejects")
            } else {
                state.status = Status("Edit cancelled (no change)")
            }
            state.screen = .label(l)
            return []
        default:
            return []
        }
    }

    /// The store committed a decision from the label screen: count it, remember it for [ and ], move on.
    static func recorded(_ state: inout AppState, _ entry: NewAnnotation) -> [Effect] {
        guard case .label(var l) = state.screen else { return [] }
        defer { state.screen = .label(l) }
        // A browsed item was counted when first decided; a honeypot is counted by the store (others may have labeled
        // the item already: `EffectContext.labelLoaded` asks it with the next item).
        if l.browsing == nil && l.previousValue == nil && l.item?.honeypot != true {
            if entry.status == .skipped {
                l.progress.skipped += 1
            } else {
                l.progress.human += 1
                l.progress.remaining = max(0, l.progress.remaining - 1)
                if let s = entry.seconds {
                    l.progress.humanSeconds += s
                    l.progress.timed += 1
                }
                if entry.flagged { l.progress.flagged += 1 }
            }
        }
        if l.browsing == nil || !l.history.contains(entry.itemRowID) { l.history.append(entry.itemRowID) }
        l.browsing = nil
        // Saved: until the next item arrives, the screen shows it as decided, and the status line says what was saved.
        let uid = l.item?.rowID == entry.itemRowID ? l.item?.item.uid ?? "#\(entry.itemRowID)" : "#\(entry.itemRowID)"
        let text = entry.value.map { l.pair?.decisionText($0) ?? $0.decisionText }
        if l.item?.rowID == entry.itemRowID, let value = entry.value { l.previousValue = value }
        state.session.add(Session.Decision(task: l.task.name, rowID: entry.itemRowID, uid: uid, text: text, seconds: entry.seconds),
                          left: l.progress.remaining)
        state.status = Status(savedText(uid, text, machine: machineAgrees(l, entry.value)))
        return [.loadNext(l.task)]
    }
}

extension App {
    /// The confirmation of a decision the store committed: "saved t1 → positive", "skipped t1: …".
    static func savedText(_ uid: String, _ text: String?, machine: Bool) -> String {
        guard let text else { return "skipped \(uid): it comes back at the end" }
        return "saved \(uid) → \(text)" + (machine ? " (the machine's answer)" : "")
    }

    /// Whether a decision is the machine's own answer (never on a blind audit).
    static func machineAgrees(_ l: LabelState, _ value: JSONValue?) -> Bool {
        guard let s = l.suggestion, !s.isBlind, let label = s.label, let value else { return false }
        return Decisions.labelText(value) == label
    }
}
