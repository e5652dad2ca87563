import CNcursesw
import TermUI

/// Turns `Style`s into curses attributes and color pairs.
///
/// curses colors text through numbered pairs (foreground, background) that
/// must be defined before use and are limited to COLOR_PAIRS; pairs are
/// allocated lazily, one per distinct (fg, bg) the UI actually uses.
struct CursesColors {
    /// Colors the terminal has (0 when it has none, or colors were never started).
    let colorCount: Int
    /// Whether -1 means "the terminal's default color" (`use_default_colors`).
    let defaultColors: Bool
    let pairLimit: Int
    private var pairs: [PairKey: Int32] = [:]
    private var nextPair: Int32 = 1

    struct PairKey: Hashable {
        var fg: Int32
        var bg: Int32
    }

    init(colorCount: Int, defaultColors: Bool, pairLimit: Int) {
        self.colorCount = colorCount
        self.defaultColors = defaultColors
        self.pairLimit = pairLimit
    }

    /// Color pair for a style; 0 (the terminal's defaults) without colors or
    /// when the pairs run out.
    mutating func pair(for style: Style) -> Int32 {
        guard colorCount > 0 else { return 0 }
        let key = PairKey(fg: number(style.fg, isForeground: true), bg: number(style.bg, isForeground: false))
        if key == PairKey(fg: -1, bg: -1) { return 0 }
        if !defaultColors, key == PairKey(fg: 7, bg: 0) { return 0 }
        if let p = pairs[key] { return p }
        guard Int(nextPair) < pairLimit, init_extended_pair(nextPair, key.fg, key.bg) == CNcursesw_OK() else { return 0 }
        pairs[key] = nextPair
        nextPair += 1
        return nextPair - 1
    }

    /// A color as a curses color number for this terminal.
    func number(_ color: Color, isForeground: Bool) -> Int32 {
        switch color {
        case .default:
            // Without use_default_colors, pair 0 is white on black.
            return defaultColors ? -1 : (isForeground ? 7 : 0)
        case .index(let i):
            return Int32(Self.reduce(i, toColors: colorCount))
        }
    }

    /// The attribute bits for a style (color pairs are passed separately).
    static func attributes(_ a: Attributes) -> attr_t {
        var bits = CNcursesw_A_NORMAL()
        if a.contains(.bold) { bits |= CNcursesw_A_BOLD() }
        if a.contains(.dim) { bits |= CNcursesw_A_DIM() }
        if a.contains(.underline) { bits |= CNcursesw_A_UNDERLINE() }
        if a.contains(.reverse) { bits |= CNcursesw_A_REVERSE() }
        if a.contains(.italic) { bits |= CNcursesw_A_ITALIC() }
        return bits
    }

    /// A 256-color palette index as the nearest color a terminal with
    /// `colors` colors has: itself when it exists, else the nearest of the
    /// first 8 (or 16) colors by RGB distance in xterm's default palette.
    static func reduce(_ index: UInt8, toColors colors: Int) -> Int {
        let i = Int(index)
        if i < colors { return i }
        let candidates = colors >= 16 ? 16 : min(8, max(1, colors))
        let target = rgb(i)
        // Eight colors have no grey, and by distance mid greys come out
        // yellow or cyan: dark greys become black, the rest white.
        if candidates < 16, target.r == target.g, target.g == target.b { return target.r < 64 ? 0 : 7 }
        var best = 0, bestDistance = Int.max
        for c in 0..<candidates {
            let p = rgb(c)
            let d = (p.r - target.r) * (p.r - target.r) + (p.g - target.g) * (p.g - target.g)
                + (p.b - target.b) * (p.b - target.b)
            if d < bestDistance { (best, bestDistance) = (c, d) }
        }
        return best
    }

    /// xterm's default RGB for a palette index.
    static func rgb(_ i: Int) -> (r: Int, g: Int, b: Int) {
        switch i {
        case 0..<16:
            let v = basic[i]
            return ((v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF)
        case 16..<232:
            let levels = [0, 95, 135, 175, 215, 255]
            let n = i - 16
            return (levels[n / 36], levels[(n / 6) % 6], levels[n % 6])
        default:
            let v = 8 + 10 * (i - 232)
            return (v, v, v)
        }
    }

    private static let basic = [
        0x000000, 0xCD0000, 0x00CD00, 0xCDCD00, 0x0000EE, 0xCD00CD, 0x00CDCD, 0xE5E5E5,
        0x7F7F7F, 0xFF0000, 0x00FF00, 0xFFFF00, 0x5C5CFF, 0xFF00FF, 0x00FFFF, 0xFFFFFF,
    ]
}
