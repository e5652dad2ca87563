import DuetCore
import Foundation
import TermUI

extension App {
    static func overlayKey(_ state: inout AppState, _ key: Key, at: Date) -> [Effect] {
        switch state.overlay {
        case .help(let scroll)?:
            let limit = OverlayLayout(state, .help(scroll: scroll))?.maxScroll ?? 0
            state.overlay = scrolled(state, key, scroll).map { .help(scroll: min($0, limit)) }
        case .guidelines(let scroll)?:
            let limit = OverlayLayout(state, .guidelines(scroll: scroll))?.maxScroll ?? 0
            state.overlay = scrolled(state, key, scroll).map { .guidelines(scroll: min($0, limit)) }
        case .note(var input)?:
            if editText(&state, &input, key) {
                updateLabel(&state) { l in l.note = input.text.isEmpty ? nil : input.text }
                state.status = Status(input.text.isEmpty ? "Note removed" : "Note saved with your decision")
            } else if state.overlay != nil {
                state.overlay = .note(input)
            }
        case .rationale(var input)?:
            if editText(&state, &input, key) {
                updateLabel(&state) { l in l.pair?.rationale = input.text.isEmpty ? nil : input.text }
                state.status = Status(input.text.isEmpty ? "Rationale removed" : "Rationale saved with your judgment")
            } else if state.overlay != nil {
                state.overlay = .rationale(input)
            }
        case .search(var s)?:
            return searchKey(&state, &s, key)
        case .palette(var p)?:
            return paletteKey(&state, &p, key)
        case nil:
            break
        }
        return []
    }

    /// A key in a one-line text overlay: cancel closes it, save closes it and
    /// returns true, clear empties it, other keys edit the text.
    static func editText(_ state: inout AppState, _ input: inout TextInput, _ key: Key) -> Bool {
        switch state.keymap.action(for: key, in: [.textInput]) {
        case .cancel?:
            state.overlay = nil
            return false
        case .save?:
            state.overlay = nil
            return true
        case .clearText?:
            input.text = ""
            return false
        default:
            _ = input.apply(key)
            return false
        }
    }

    static func updateLabel(_ state: inout AppState, _ change: (inout LabelState) -> Void) {
        guard case .label(var l) = state.screen else { return }
        change(&l)
        state.screen = .label(l)
    }

    /// Scrolls a text overlay; nil closes it.
    static func scrolled(_ state: AppState, _ key: Key, _ scroll: Int) -> Int? {
        switch state.keymap.action(for: key, in: [.overlay]) {
        case .scrollDown?: return scroll + 1
        case .scrollUp?: return max(0, scroll - 1)
        case .pageDown?: return scroll + max(1, state.height / 2)
        case .pageUp?: return max(0, scroll - max(1, state.height / 2))
        case .top?: return 0
        case .bottom?: return Int.max  // clamped to the last page by the caller
        // Close; the key that opened the overlay (help, guidelines) closes it again.
        case .back?, .quit?, .dismiss?, .help?, .guidelines?: return nil
        default: return scroll
        }
    }

    static func searchKey(_ state: inout AppState, _ s: inout SearchState, _ key: Key) -> [Effect] {
        guard case .label(let l) = state.screen else {
            state.overlay = nil
            return []
        }
        if let results = s.results {
            switch state.keymap.action(for: key, in: [.searchResults]) {
            case .backToQuery?:
                s.results = nil
            case .moveDown?:
                s.selected = min(s.selected + 1, max(0, results.count - 1))
            case .moveUp?:
                s.selected = max(0, s.selected - 1)
            case .open?:
                guard results.indices.contains(s.selected) else { return [] }
                state.overlay = nil
                return [.loadItem(l.task, rowID: results[s.selected].rowID)]
            default:
                break
            }
            state.overlay = .search(s)
            return []
        }
        switch state.keymap.action(for: key, in: [.searchQuery]) {
        case .back?:
            state.overlay = nil
            return []
        case .runSearch?:
            let q = s.query.text.trimmingCharacters(in: .whitespaces)
            guard !q.isEmpty else { return [] }
            state.overlay = .search(s)
            return [.search(l.task, query: q)]
        case .clearText?:
            s.query.text = ""
            state.overlay = .search(s)
            return []
        default:
            _ = s.query.apply(key)
            state.overlay = .search(s)
            return []
        }
    }

    /// The search's results arrived.
    static func searchMessage(_ state: inout AppState, _ message: AppMessage) -> [Effect] {
        switch message {
        case .searchFinished(let items):
            guard case .search(var s) = state.overlay else { return [] }
            s.results = items
            s.selected = 0
            state.overlay = .search(s)
            return []
        default:
            return []
        }
    }
}
