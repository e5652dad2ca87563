/// A terminal color: the terminal's default, or an index into the 256-color palette
/// (0–7 standard, 8–15 bright, 16–231 cube, 232–255 grays).
public enum Color: Hashable, Sendable {
    case `default`
    case index(UInt8)

    public static let black = Color.index(0), red = Color.index(1), green = Color.index(2), yellow = Color.index(3)
    public static let blue = Color.index(4), magenta = Color.index(5), cyan = Color.index(6), white = Color.index(7)
    public static let brightBlack = Color.index(8), brightWhite = Color.index(15)
}

public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let dim = Attributes(rawValue: 2)
    public static let underline = Attributes(rawValue: 4)
    public static let reverse = Attributes(rawValue: 8)
    public static let italic = Attributes(rawValue: 16)
}

public struct Style: Hashable, Sendable {
    public var fg: Color
    public var bg: Color
    public var attributes: Attributes

    public init(fg: Color = .default, bg: Color = .default, attributes: Attributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    public static let plain = Style()

    public func with(_ a: Attributes) -> Style {
        var s = self
        s.attributes.formUnion(a)
        return s
    }
}
