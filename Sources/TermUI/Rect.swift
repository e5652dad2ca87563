/// A rectangle of cells.
public struct Rect: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }
    /// Whether the cell (x, y) lies inside.
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }

    public func inset(_ d: Int) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
    public func inset(dx: Int, dy: Int) -> Rect { Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy) }

    /// Top `n` rows and the rest.
    public func splitTop(_ n: Int) -> (Rect, Rect) {
        let n = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: n), Rect(x: x, y: y + n, width: width, height: height - n))
    }

    /// The rest and the bottom `n` rows.
    public func splitBottom(_ n: Int) -> (Rect, Rect) {
        let n = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: height - n), Rect(x: x, y: y + height - n, width: width, height: n))
    }

    /// Left `n` columns and the rest.
    public func splitLeft(_ n: Int) -> (Rect, Rect) {
        let n = min(max(0, n), width)
        return (Rect(x: x, y: y, width: n, height: height), Rect(x: x + n, y: y, width: width - n, height: height))
    }

    /// A rectangle of at most `w`×`h` centred in this one.
    public func centered(width w: Int, height h: Int) -> Rect {
        let w = min(w, width), h = min(h, height)
        return Rect(x: x + (width - w) / 2, y: y + (height - h) / 2, width: w, height: h)
    }
}

/// Divides a length among parts: fixed sizes, then fills sharing what is left.
public enum Layout {
    public enum Part: Hashable, Sendable {
        case fixed(Int)
        case fill(Int)  // weight
        case min(Int)  // at least n, then shares like fill(1)
    }

    /// The sizes of `parts` in `length` cells; they add up to `length` when any part can grow.
    public static func sizes(_ parts: [Part], in length: Int) -> [Int] {
        var sizes = parts.map { p -> Int in
            switch p {
            case .fixed(let n): return n
            case .min(let n): return n
            case .fill: return 0
            }
        }
        var left = length - sizes.reduce(0, +)
        if left < 0 {
            // Not enough room: shrink from the last part backwards.
            var i = sizes.count - 1
            while left < 0 && i >= 0 {
                let take = min(sizes[i], -left)
                sizes[i] -= take
                left += take
                i -= 1
            }
            return sizes
        }
        let weights = parts.map { p -> Int in
            switch p {
            case .fill(let w): return max(0, w)
            case .min: return 1
            case .fixed: return 0
            }
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { return sizes }
        var given = 0
        for (i, w) in weights.enumerated() where w > 0 {
            let share = left * w / total
            sizes[i] += share
            given += share
        }
        // Remainder to the last growing part.
        if let last = weights.lastIndex(where: { $0 > 0 }) { sizes[last] += left - given }
        return sizes
    }

    /// Splits `rect` into rows.
    public static func rows(_ rect: Rect, _ parts: [Part]) -> [Rect] {
        var y = rect.y
        return sizes(parts, in: rect.height).map { h in
            defer { y += h }
            return Rect(x: rect.x, y: y, width: rect.width, height: h)
        }
    }

    /// Splits `rect` into columns.
    public static func columns(_ rect: Rect, _ parts: [Part]) -> [Rect] {
        var x = rect.x
        return sizes(parts, in: rect.width).map { w in
            defer { x += w }
            return Rect(x: x, y: rect.y, width: w, height: rect.height)
        }
    }
}
