import TermUI

/// Where a key is read. A binding lists the contexts it applies in.
public enum KeyContext: String, CaseIterable, Sendable {
    case dashboard
    /// The label screen, for every task kind.
    case label
    case classify, multilabel, rate, review
    /// Pairs (A/B) and rankings (N candidates) of a compare task.
    case compare, rank
    /// The help and guidelines overlays.
    case overlay
    /// A one-line text field over the screen (note, rationale).
    case textInput
    /// The search overlay while the query is typed, and once its results are listed.
    case searchQuery, searchResults
    /// The triage table.
    case triage
    /// Settling disagreements.
    case adjudicate
    /// The Quality screen.
    case quality
    /// A yes/no question on the screen (triage's bulk accept: "Accept 12 machine labels?").
    case confirm
    /// The command palette (`:`): a query and the commands it matches.
    case palette
}

/// Everything a key can do. The table below gives each its keys, help text
/// and contexts; dispatch, the help overlay and the hint line all read it.
public enum Action: String, CaseIterable, Sendable {
    case pick1, pick2, pick3, pick4, pick5, pick6, pick7, pick8, pick9, pick10
    case submit, skip, undo, flag, note, edit, accept, reject
    case previous, next, nextChoice, previousChoice
    case scrollDown, scrollUp, pageDown, pageUp, top, bottom
    case guidelines, help, search, back, quit
    case open, moveDown, moveUp
    case preferA, preferB, muchA, muchB, tie, bothBad, rationale, diff, focusNext, focusPrevious
    case sortOrder, labelFilter, routeFilter, mark, acceptMachine, uncertaintyFilter, flaggedFilter, acceptSuggestion
    case takeAnswer, nextDisputed, previousDisputed, peopleOnly, doubtsOnly, quality
    case dismiss, save, cancel, clearText, runSearch, backToQuery, interrupt
    case confirmYes, confirmNo
    /// The command palette and its commands (each also bindable to a key of its own in [keys]).
    case palette, goToItem, switchTask, filterQueue, changeTheme, routeNow, runCommand, nextCommand, previousCommand

    /// The label/choice index for pick actions (0-based).
    public var pickIndex: Int? {
        switch self {
        case .pick1: return 0
        case .pick2: return 1
        case .pick3: return 2
        case .pick4: return 3
        case .pick5: return 4
        case .pick6: return 5
        case .pick7: return 6
        case .pick8: return 7
        case .pick9: return 8
        case .pick10: return 9
        default: return nil
        }
    }
}

public struct Binding: Sendable, Hashable {
    public var action: Action
    public var keys: [Key]
    public var help: String
    /// Short text for the hint line (nil: not shown there): the key part, a space, what it does.
    public var hint: String?
    public var contexts: Set<KeyContext>
    /// Where the hint is shown (nil: wherever the binding applies).
    public var hintContexts: Set<KeyContext>?
    /// A combined hint ("a/b better", "[ ] prev/next"): the other actions whose keys it names, in order after
    /// this one's, so remapping any of them rewrites its own key in the hint and no other.
    public var hintWith: [Action] = []

    public init(_ action: Action, _ keys: [Key], _ help: String, hint: String? = nil, hintIn hintContexts: Set<KeyContext>? = nil,
                _ contexts: Set<KeyContext>) {
        self.action = action
        self.keys = keys
        self.help = help
        self.hint = hint
        self.hintContexts = hintContexts
        self.contexts = contexts
    }

    /// The same binding with a combined hint naming `others`' keys after its own.
    func combined(with others: Action...) -> Binding {
        var b = self
        b.hintWith = others
        return b
    }

    /// The hint shown in `contexts`, if any.
    func hint(in contexts: Set<KeyContext>) -> String? {
        guard let hint, !(hintContexts ?? self.contexts).isDisjoint(with: contexts) else { return nil }
        return hint
    }
}

extension Binding {
    /// Where the hint names `action`'s key `old` (its own key first, then `hintWith`'s, split at "/" or " "),
    /// that key becomes `new`; the other keys and the words stay.
    mutating func renameHintKey(of action: Action, from old: String, to new: String) {
        guard let hint, let position = ([self.action] + hintWith).firstIndex(of: action) else { return }
        let keyPart = Keymap.keyPart(hint)
        let separator: Character = keyPart.contains("/") ? "/" : " "
        var keys = hintWith.isEmpty ? [keyPart] : keyPart.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        guard keys.count == 1 + hintWith.count, keys[position] == old else { return }
        keys[position] = new
        self.hint = keys.joined(separator: String(separator)) + hint.dropFirst(keyPart.count)
    }
}

extension Key {
    /// How the hint line writes the key: ⏎, ␣, esc, else its name.
    public var hintName: String {
        switch self {
        case .enter: return "⏎"
        case .char(" "): return "␣"
        default: return name
        }
    }

    /// Reads a key as the hint line writes it.
    public init?(hintName: String) {
        switch hintName {
        case "⏎": self = .enter
        case "␣": self = .char(" ")
        default: self.init(name: hintName)
        }
    }
}

public struct Keymap: Sendable, Hashable {
    public var bindings: [Binding]

    public init(bindings: [Binding]) { self.bindings = bindings }

    /// The context sets screens read keys in.
    public static let screens: [Set<KeyContext>] = [
        [.dashboard], [.label, .classify], [.label, .multilabel], [.label, .rate], [.label, .review],
        [.label, .compare], [.label, .rank], [.overlay], [.textInput], [.searchQuery], [.searchResults],
        [.triage], [.adjudicate], [.quality], [.confirm], [.palette],
    ]

    /// Where the palette opens, and where its commands' own keys (none by default) act.
    static let commanding: Set<KeyContext> = [.dashboard, .label, .triage, .adjudicate, .quality]

    /// Where number keys and choice highlighting apply.
    static let choosing: Set<KeyContext> = [.classify, .multilabel, .rate, .review, .rank]
    /// Number keys: choices, and final labels when adjudicating.
    static let picking: Set<KeyContext> = choosing.union([.adjudicate])

    public static let defaults = Keymap(bindings: [
        Binding(.pick1, [.char("1")], "Pick label 1 (multi-label: toggle; rate: score; ranking: rank)", hint: "1-9 label", picking),
        Binding(.pick2, [.char("2")], "Pick label 2", picking),
        Binding(.pick3, [.char("3")], "Pick label 3", picking),
        Binding(.pick4, [.char("4")], "Pick label 4", picking),
        Binding(.pick5, [.char("5")], "Pick label 5", picking),
        Binding(.pick6, [.char("6")], "Pick label 6", picking),
        Binding(.pick7, [.char("7")], "Pick label 7", picking),
        Binding(.pick8, [.char("8")], "Pick label 8", picking),
        Binding(.pick9, [.char("9")], "Pick label 9", picking),
        Binding(.pick10, [.char("0")], "Pick label 10", picking),
        Binding(.submit, [.enter], "Submit (multi-label, ranking), take the highlighted choice, or accept the machine's suggestion",
                hint: "⏎ submit", choosing),
        Binding(.acceptSuggestion, [.enter], "Accept the machine's judgment (not on blind audits)", [.compare]),
        Binding(.accept, [.char("a")], "Accept the response (review)", hint: "a accept", [.review]),
        Binding(.reject, [.char("x")], "Reject the response (review)", hint: "x reject", [.review]),
        Binding(.edit, [.char("e")], "Edit the response in $EDITOR (review)", hint: "e edit", [.review]),
        Binding(.takeAnswer, [.enter], "Take the highlighted answer as the final decision", hint: "⏎ take", [.adjudicate]),
        Binding(.nextDisputed, [.char("n"), .char("]")], "Next disputed item (leave this one for later)", hint: "n/p item", [.adjudicate]).combined(with: .previousDisputed),
        Binding(.previousDisputed, [.char("p"), .char("[")], "Previous disputed item", [.adjudicate]),
        Binding(.peopleOnly, [.char("m")], "Disputes among people only / people and machines (toggles)", hint: "m machines", [.adjudicate]),
        Binding(.doubtsOnly, [.char("d")], "Doubts only: people's labels a kept machine label or two other people contradict (toggles)",
                hint: "d doubts", [.adjudicate]),
        Binding(.skip, [.char(" ")], "Skip: the item comes back at the end", hint: "␣ skip", [.label]),
        Binding(.undo, [.char("u"), .backspace], "Undo the last decision; its item shows again (triage: the last bulk accept, every item of it)",
                hint: "u undo", [.label, .adjudicate, .triage]),
        Binding(.flag, [.char("f")], "Flag the item for a second look", hint: "f flag", [.label]),
        Binding(.note, [.char("n")], "Write a note for this item", hint: "n note", [.label]),
        Binding(.nextChoice, [.tab, .right], "Highlight the next choice", [.classify, .multilabel, .rate, .review]),
        Binding(.previousChoice, [.backTab, .left], "Highlight the previous choice", [.classify, .multilabel, .rate, .review]),
        Binding(.preferA, [.char("a")], "A is better", hint: "a/b better", [.compare]).combined(with: .preferB),
        Binding(.preferB, [.char("b")], "B is better", [.compare]),
        Binding(.muchA, [.char("A")], "A is much better", hint: "A/B much", [.compare]).combined(with: .muchB),
        Binding(.muchB, [.char("B")], "B is much better", [.compare]),
        Binding(.tie, [.char("t")], "Tie: equally good", hint: "t tie", [.compare]),
        Binding(.bothBad, [.char("x")], "Both bad", hint: "x both bad", [.compare]),
        Binding(.rationale, [.char("r")], "Write a rationale for the judgment", hint: "r why", [.compare, .rank]),
        Binding(.diff, [.char("d")], "Highlight the words that differ", hint: "d diff", [.compare]),
        Binding(.focusNext, [.tab], "Move focus to the next pane (it scrolls with j/k)", hint: "tab pane", [.compare, .rank]),
        Binding(.focusPrevious, [.backTab], "Move focus to the previous pane", [.compare, .rank]),
        Binding(.previous, [.char("[")], "Go back to the previous item you decided", hint: "[ ] prev/next", [.label]).combined(with: .next),
        Binding(.next, [.char("]")], "Go forward again (towards the queue)", [.label]),
        Binding(.scrollDown, [.char("j"), .down], "Scroll down", hint: "j/k scroll", hintIn: [.overlay, .quality], [.label, .overlay, .quality])
            .combined(with: .scrollUp),
        Binding(.scrollUp, [.char("k"), .up], "Scroll up", [.label, .overlay, .quality]),
        Binding(.pageDown, [.pageDown, .ctrl("d")], "Page down", [.label, .overlay, .adjudicate]),
        Binding(.pageUp, [.pageUp, .ctrl("u")], "Page up", [.label, .overlay, .adjudicate]),
        Binding(.top, [.home], "Scroll to the top", [.label, .overlay]),
        Binding(.bottom, [.end], "Scroll to the bottom", [.label, .overlay]),
        Binding(.moveDown, [.char("j"), .down], "Next row (adjudicating: next answer; search: next result)", hint: "j/k move", hintIn: [.searchResults],
                [.dashboard, .triage, .adjudicate, .searchResults]).combined(with: .moveUp),
        Binding(.moveUp, [.char("k"), .up], "Previous row", [.dashboard, .triage, .adjudicate, .searchResults]),
        Binding(.open, [.enter], "Open the task (triage, search: the item)", hint: "⏎ open", [.dashboard, .triage, .searchResults]),
        Binding(.quality, [.char("v")], "Quality of the task: plan chart, agreement, audits, position bias", hint: "v quality", [.dashboard]),
        Binding(.mark, [.char(" ")], "Mark the row (for A)", hint: "␣ mark", [.triage]),
        Binding(.acceptMachine, [.char("A")], "Accept the machine's label for the marked rows (or this one)", hint: "A accept", [.triage]),
        Binding(.sortOrder, [.char("s")], "Most / least uncertain first", hint: "s sort", [.triage]),
        Binding(.labelFilter, [.char("l")], "Filter by the machine's label (cycles)", hint: "l label", [.triage]),
        Binding(.routeFilter, [.char("r")], "Show: to label / audits / machine-kept / all (cycles)", hint: "r route", [.triage]),
        Binding(.uncertaintyFilter, [.char("h")], "Only uncertainty ≥ 0.5 / ≥ 1.0 / any (cycles)", hint: "h ≥H", [.triage]),
        Binding(.flaggedFilter, [.char("f")], "Only items a person flagged (toggles)", hint: "f flagged", [.triage]),
        Binding(.guidelines, [.char("g")], "Show the task's guidelines (on an overlay: close it)", hint: "g guide", hintIn: [.label], [.label, .overlay]),
        Binding(.search, [.char("/")], "Search this task's items", hint: "/ search", [.label]),
        Binding(.save, [.enter], "Save the note or rationale", hint: "⏎ save", [.textInput]),
        Binding(.cancel, [.escape], "Close the note or rationale without saving", hint: "esc cancel", [.textInput]),
        Binding(.clearText, [.ctrl("u")], "Clear the text field", hint: "ctrl-u clear", hintIn: [.textInput], [.textInput, .searchQuery, .palette]),
        Binding(.runSearch, [.enter], "Search for the query", hint: "⏎ search", [.searchQuery]),
        Binding(.backToQuery, [.escape], "Back from the results to the query", hint: "esc back", [.searchResults]),
        Binding(.help, [.char("?")], "Show all keys (on an overlay: close it)", hint: "? help", hintIn: [.dashboard, .label, .triage, .adjudicate, .quality],
                [.dashboard, .label, .triage, .adjudicate, .quality, .overlay]),
        Binding(.back, [.escape], "Close the overlay", hint: "esc close", [.overlay, .searchQuery, .palette]),
        Binding(.dismiss, [.enter], "Close the help or guidelines", [.overlay]),
        Binding(.quit, [.char("q")], "Quit (from a task: back to the dashboard or triage)", hint: "q quit",
                hintIn: [.dashboard, .label, .triage, .adjudicate, .quality], [.dashboard, .label, .overlay, .triage, .adjudicate, .quality]),
        Binding(.confirmYes, [.char("y")], "Yes: do what the question asks", hint: "y yes", [.confirm]),
        Binding(.confirmNo, [.char("n"), .escape], "No: leave everything as it is", hint: "n no", [.confirm]),
        Binding(.palette, [.char(":")], "Command palette: go to an item, switch task, filter the queue, theme, route now",
                hint: ": palette", hintIn: [.dashboard, .triage], commanding),
        Binding(.goToItem, [], "Go to an item by its id (in the palette: go ID)", commanding),
        Binding(.switchTask, [], "Switch to another task (in the palette: task NAME)", commanding),
        Binding(.filterQueue, [], "Filter the queue by a machine label, flagged, routed, uncertain; or clear the filter (in the palette: filter)",
                commanding),
        Binding(.changeTheme, [], "Change the theme (in the palette: theme NAME)", commanding),
        Binding(.routeNow, [], "Route the task now: the router over its votes, as duet route does (in the palette: route now)", commanding),
        Binding(.runCommand, [.enter], "Run the highlighted command", hint: "⏎ run", [.palette]),
        Binding(.nextCommand, [.tab, .down], "Highlight the next command", hint: "tab next", [.palette]),
        Binding(.previousCommand, [.backTab, .up], "Highlight the previous command", [.palette]),
        Binding(.interrupt, [.ctrl("c")], "Quit at once, from anywhere (the terminal's interrupt; cannot be remapped)", Set(KeyContext.allCases)),
    ])

    /// The action bound to `key` in `contexts` (first match in table order).
    public func action(for key: Key, in contexts: Set<KeyContext>) -> Action? {
        bindings.first { !$0.contexts.isDisjoint(with: contexts) && $0.keys.contains(key) }?.action
    }

    public func binding(_ action: Action) -> Binding? { bindings.first { $0.action == action } }

    /// Hint-line entries for `contexts`, in table order.
    public func hints(in contexts: Set<KeyContext>) -> [String] {
        hintEntries(in: contexts).map(\.text)
    }

    /// The same hints with the action each belongs to (the hint line keeps help and quit whatever the width).
    public func hintEntries(in contexts: Set<KeyContext>) -> [(action: Action, text: String)] {
        bindings.filter { !$0.contexts.isDisjoint(with: contexts) }.compactMap { b in b.hint(in: contexts).map { (b.action, $0) } }
    }

    /// A hint's keys without its words: "⏎ submit" → "⏎", "[ ] prev/next" → "[ ]", "x both bad" → "x".
    public static func keyPart(_ hint: String) -> String {
        let chars = Array(hint)
        for i in chars.indices.dropLast() where chars[i] == " " && chars[i + 1].isLetter { return String(chars[..<i]) }
        return hint
    }

    /// Rebinds actions (from duet.toml's [keys]); throws naming the bad entry.
    public func remapped(_ overrides: [String: [String]]) throws(KeymapError) -> Keymap {
        var map = self
        for (name, keyNames) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let action = Action(rawValue: name) else {
                throw KeymapError(message: "keys.\(name): no such action (actions: \(Action.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard action != .interrupt else {
                throw KeymapError(message: "keys.interrupt: ctrl-c always quits (it is the terminal's interrupt)")
            }
            var keys: [Key] = []
            for k in keyNames {
                guard let key = Key(name: k) else { throw KeymapError(message: "keys.\(name): '\(k)' is not a key name (e.g. a, A, enter, space, ctrl-d, pgdn, f2)") }
                keys.append(key)
            }
            guard let i = map.bindings.firstIndex(where: { $0.action == action }) else { continue }
            // Every hint naming this action's key names its new first key instead, and only that key.
            if let old = map.bindings[i].keys.first?.hintName, let first = keys.first?.hintName {
                for j in map.bindings.indices { map.bindings[j].renameHintKey(of: action, from: old, to: first) }
            }
            map.bindings[i].keys = keys
        }
        // A key may not do two things on one screen.
        for contexts in Keymap.screens {
            var seen: [Key: Action] = [:]
            for b in map.bindings where !b.contexts.isDisjoint(with: contexts) {
                for k in b.keys {
                    if let other = seen[k], other != b.action {
                        throw KeymapError(message: "keys: '\(k.name)' is bound to both \(other.rawValue) and \(b.action.rawValue)")
                    }
                    seen[k] = b.action
                }
            }
        }
        return map
    }
}

public struct KeymapError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
