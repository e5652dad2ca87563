import TermUI

/// The named styles screens draw with. Themes (themes/*.toml) give each a style.
public enum Role: String, CaseIterable, Sendable {
    case base, header, headerAccent, border, title, text, muted, label, key, selected, accent
    case human, machine, skipped, remaining, flag, warning, error, success, suggestion, hint, overlay, role, diffAdd, diffDel
}

public struct Theme: Sendable, Hashable {
    public var name: String
    public var styles: [Role: Style]

    public init(name: String, styles: [Role: Style]) {
        self.name = name
        self.styles = styles
    }

    public subscript(_ role: Role) -> Style { styles[role] ?? styles[.base] ?? .plain }

    /// Used when no theme file is found, and as the base every file extends:
    /// attributes only, no colours (also what NO_COLOR asks for).
    public static let mono = Theme(name: "mono", styles: [
        .base: .plain, .header: Style(attributes: [.reverse]), .headerAccent: Style(attributes: [.reverse, .bold]),
        .border: Style(attributes: [.dim]), .title: Style(attributes: [.bold]), .text: .plain, .muted: Style(attributes: [.dim]),
        .label: Style(attributes: [.bold]), .key: Style(attributes: [.bold, .underline]), .selected: Style(attributes: [.reverse]),
        .accent: Style(attributes: [.bold]), .human: .plain, .machine: Style(attributes: [.dim]), .skipped: Style(attributes: [.dim]),
        .remaining: Style(attributes: [.dim]), .flag: Style(attributes: [.bold]), .warning: Style(attributes: [.bold]),
        .error: Style(attributes: [.bold, .reverse]), .success: Style(attributes: [.bold]), .suggestion: Style(attributes: [.italic]),
        .hint: Style(attributes: [.dim]), .overlay: .plain, .role: Style(attributes: [.bold]),
        .diffAdd: Style(attributes: [.underline]), .diffDel: Style(attributes: [.reverse]),
    ])
}
