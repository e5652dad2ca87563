import DuetCore
import Foundation
import TermUI

/// A text field (note, search query).
public struct TextInput: Sendable, Hashable {
    public var text: String
    public init(_ text: String = "") { self.text = text }

    /// Applies a key; returns false when the key is not for the field.
    public mutating func apply(_ key: Key) -> Bool {
        switch key {
        case .char(let c):
            text.append(c)
            return true
        case .backspace:
            if !text.isEmpty { text.removeLast() }
            return true
        case .ctrl("u"):
            text = ""
            return true
        default:
            return false
        }
    }
}
