import DuetCore
import Foundation
import TermUI

public enum Overlay: Sendable {
    case help(scroll: Int)
    case guidelines(scroll: Int)
    case note(TextInput)
    case rationale(TextInput)
    case search(SearchState)
    case palette(PaletteState)
}

extension Overlay {
    /// Where the overlay reads keys.
    public var contexts: Set<KeyContext> {
        switch self {
        case .help, .guidelines: return [.overlay]
        case .note, .rationale: return [.textInput]
        case .search(let s): return s.results == nil ? [.searchQuery] : [.searchResults]
        case .palette: return [.palette]
        }
    }
}

public struct SearchState: Sendable {
    public var query = TextInput()
    /// nil before the search ran.
    public var results: [StoredItem]?
    public var selected = 0
    public init() {}
}
