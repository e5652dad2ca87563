import DuetCore
import Foundation
import TermUI

/// The command palette (`:`): a one-line query and the commands it matches. Plain data; the
/// commands are made from the state when it opens and narrowed as the query changes.
public struct PaletteState: Sendable, Hashable {
    public var query = TextInput()
    /// The highlighted command among those the query matches.
    public var selected = 0
    /// The task the commands act on (the screen's, or the dashboard's row); nil when there is none.
    public var task: TaskSpec?

    public init(task: TaskSpec?, query: String = "") {
        self.task = task
        self.query = TextInput(query)
    }
}

/// What a palette entry does when run.
public enum PaletteCommand: Sendable, Hashable {
    /// Go to the item with this id; nil: ask for the id (the query becomes "go ").
    case goTo(String?)
    case task(String)
    /// Open the task's queue (triage) with this filter.
    case filter(TriageFilter)
    case theme(String)
    case routeNow

    /// The actions the palette runs (no key of their own by default).
    public static let actions: Set<Action> = [.goToItem, .switchTask, .filterQueue, .changeTheme, .routeNow]

    /// The keymap's action for the command: the palette's entries are the table's.
    public var action: Action {
        switch self {
        case .goTo: return .goToItem
        case .task: return .switchTask
        case .filter: return .filterQueue
        case .theme: return .changeTheme
        case .routeNow: return .routeNow
        }
    }
}

public struct PaletteEntry: Sendable, Hashable {
    public var title: String
    public var command: PaletteCommand
}

extension PaletteState {
    /// The word a query starts with to go to an item: "go ID" (also ":go ID").
    static let goWord = "go "

    /// The id typed after "go " (nil when the query is not a jump).
    var typedID: String? {
        var q = Substring(query.text)
        while q.first == ":" || q.first == " " { q = q.dropFirst() }
        guard q.lowercased().hasPrefix(PaletteState.goWord) else { return nil }
        let id = q.dropFirst(PaletteState.goWord.count).trimmingCharacters(in: .whitespaces)
        return id.isEmpty ? nil : id
    }

    /// Every command, in the order shown with an empty query.
    static func entries(_ state: AppState, task: TaskSpec?) -> [PaletteEntry] {
        var out = [PaletteEntry(title: "go to item… (go ID)", command: .goTo(nil))]
        out += state.tasks.map { PaletteEntry(title: "task: \($0.name) (\($0.kind.rawValue))", command: .task($0.name)) }
        if let task {
            out += task.answerLabels.map { PaletteEntry(title: "filter: machine label \($0)", command: .filter(TriageFilter(label: $0))) }
            out += [
                PaletteEntry(title: "filter: flagged", command: .filter(TriageFilter(pendingOnly: false, flaggedOnly: true))),
                PaletteEntry(title: "filter: routed (every routed item)", command: .filter(TriageFilter(pendingOnly: false))),
                PaletteEntry(title: "filter: uncertain (H ≥ 0.5)", command: .filter(TriageFilter(minScore: 0.5))),
                PaletteEntry(title: "filter: clear (items to label)", command: .filter(TriageFilter())),
            ]
        }
        let themes = state.themes.isEmpty ? [state.theme.name] : state.themes.map(\.name)
        out += themes.map { PaletteEntry(title: "theme: \($0)", command: .theme($0)) }
        if let task { out.append(PaletteEntry(title: "route now (\(task.name))", command: .routeNow)) }
        return out
    }

    /// The commands the query matches: "go ID" is the jump alone; else the titles that contain the
    /// query (case-insensitive) first, then those that hold its characters in order (fuzzy).
    func matches(_ state: AppState) -> [PaletteEntry] {
        if let id = typedID { return [PaletteEntry(title: "go to item \(id)", command: .goTo(id))] }
        let all = PaletteState.entries(state, task: task)
        var q = query.text.lowercased()
        while q.first == ":" { q.removeFirst() }
        q = q.trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { return all }
        let lowered = all.map { $0.title.lowercased() }
        let substring = all.indices.filter { lowered[$0].contains(q) }
        let fuzzy = all.indices.filter { !lowered[$0].contains(q) && PaletteState.holdsInOrder(lowered[$0], q) }
        return (substring + fuzzy).map { all[$0] }
    }

    /// Whether `text` holds the characters of `query` (spaces aside) in order.
    static func holdsInOrder(_ text: String, _ query: String) -> Bool {
        var rest = Substring(text)
        for c in query where c != " " {
            guard let i = rest.firstIndex(of: c) else { return false }
            rest = rest[rest.index(after: i)...]
        }
        return true
    }
}
