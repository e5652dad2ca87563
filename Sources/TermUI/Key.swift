

/// A key press, terminal-independent.
public enum Key: Hashable, Sendable {
    case char(Character)
    case ctrl(Character)  // lowercase letter
    case enter, escape, backspace, tab, backTab, delete, insert
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)

    /// How the key is written in keymaps and help: "a", "A", "enter", "ctrl-c", "pgdn", "space", "f1".
    public var name: String {
        switch self {
        case .char(" "): return "space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "ctrl-\(c)"
        case .enter: return "enter"
        case .escape: return "esc"
        case .backspace: return "backspace"
        case .tab: return "tab"
        case .backTab: return "shift-tab"
        case .delete: return "delete"
        case .insert: return "insert"
        case .up: return "up"
        case .down: return "down"
        case .left: return "left"
        case .right: return "right"
        case .home: return "home"
        case .end: return "end"
        case .pageUp: return "pgup"
        case .pageDown: return "pgdn"
        case .function(let n): return "f\(n)"
        }
    }

    /// Reads a key name as written by `name` (plus a few aliases).
    public init?(name: String) {
        let aliases: [String: Key] = [
            "space": .char(" "), "enter": .enter, "return": .enter, "esc": .escape, "escape": .escape,
            "backspace": .backspace, "bs": .backspace, "tab": .tab, "shift-tab": .backTab, "backtab": .backTab,
            "delete": .delete, "del": .delete, "insert": .insert, "up": .up, "down": .down, "left": .left, "right": .right,
            "home": .home, "end": .end, "pgup": .pageUp, "pageup": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown,
        ]
        if let k = aliases[name.lowercased()] { self = k; return }
        if name.count == 1, let c = name.first { self = .char(c); return }
        let lower = name.lowercased()
        if lower.hasPrefix("ctrl-"), lower.count == 6, let c = lower.last, c.isLetter { self = .ctrl(c); return }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...24).contains(n) { self = .function(n); return }
        return nil
    }
}

/// What a backend reports.
public enum Event: Hashable, Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    /// Text pasted or typed faster than keys (delivered as keys by most backends).
    case interrupt
    /// A click or a turn of the wheel (only when the backend was asked to report the mouse).
    case mouse(Mouse)
}

/// A mouse event, terminal-independent: where (cells, 0-based from the top left) and what.
public struct Mouse: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case click, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int
    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}
