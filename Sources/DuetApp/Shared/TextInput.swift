import DuetCore
import Foundation
import TermUI

/// A text field (note, search query).
public struct TextInput: Sendable, Hashable {
    public var text: String
    public init(_ text: String = "") { self.text = text }

    /// Applies a typed key (a character, backspace); returns false when the key is not for the field.
    /// Commands on the field (save, cancel, clear) are keymap actions (`.textInput`).
    public mutating func apply(_ key: Key) -> Bool {
        switch key {
        case .char(let c):
            text.append(c)
            return true
        case .backspace:
            if !text.isEmpty { text.removeLast() }
            return true
        default:
            return false
        }
    }
}
