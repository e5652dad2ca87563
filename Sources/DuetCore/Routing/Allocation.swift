import Foundation

/// Who gets which items: the machine keeps the ones it is surest about.
public enum Allocation {
    /// How many of `total` items a `share` (clamped to 0…1) is, rounded to the nearest item.
    public static func count(_ total: Int, share: Double) -> Int {
        Int((Double(total) * min(1, max(0, share))).rounded())
    }

    /// The `budget` share of items (rounded to the nearest item) with the
    /// highest uncertainty `score`; equal scores keep the items' order.
    public static func toHumans(scores: [(item: Int64, score: Double)], budget: Double) -> Set<Int64> {
        Set(ranked(scores).prefix(count(scores.count, share: budget)).map(\.item))
    }

    /// Every item whose uncertainty is above `threshold`.
    public static func toHumans(scores: [(item: Int64, score: Double)], threshold: Double) -> Set<Int64> {
        Set(scores.filter { $0.score > threshold }.map(\.item))
    }

    /// Most uncertain first; equal scores in item order (a stable sort).
    public static func ranked(_ scores: [(item: Int64, score: Double)]) -> [(item: Int64, score: Double)] {
        scores.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }

    /// A stable pseudo-random key for an item under a seed (SplitMix64).
    public static func tieKey(_ item: Int64, _ seed: Int) -> UInt64 {
        var z = UInt64(bitPattern: item) &+ UInt64(bitPattern: Int64(seed)) &* 0x9E37_79B9_7F4A_7C15 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
