/// How a person (or machine) judged a pair, in terms of the *stored*
/// responses (0 = `fields.responses[0]`), whatever side they were shown on.
///
/// Stored as the annotation value `{"choice": 0|1|"tie"|"both-bad",
/// "strength": 1|2, "rationale": "…"}`; the display order ("AB"/"BA") is
/// stored with the annotation. The source's own preference (DPO `chosen`,
/// HH-RLHF) is `{"choice": 0}` by `source:<file>`.
public enum PairChoice: Hashable, Sendable {
    case response(Int)
    case tie
    case bothBad

    public init?(_ value: JSONValue?) {
        guard let c = value?["choice"] else { return nil }
        if let n = c.number, n == 0 || n == 1 { self = .response(Int(n)); return }
        switch c.string {
        case "tie": self = .tie
        case "both-bad": self = .bothBad
        default: return nil
        }
    }

    public var json: JSONValue {
        switch self {
        case .response(let i): return .number(Double(i))
        case .tie: return "tie"
        case .bothBad: return "both-bad"
        }
    }
}

/// A pair judgment with its strength and rationale.
public struct PairJudgment: Hashable, Sendable {
    public var choice: PairChoice
    /// 1 = better, 2 = much better (ties and both-bad have 1).
    public var strength: Int
    public var rationale: String?

    public init(choice: PairChoice, strength: Int = 1, rationale: String? = nil) {
        self.choice = choice
        self.strength = strength
        self.rationale = rationale
    }

    public init?(_ value: JSONValue?) {
        guard let choice = PairChoice(value) else { return nil }
        self.choice = choice
        strength = value?["strength"]?.number.map { Int($0) } ?? 1
        rationale = value?["rationale"]?.string
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["choice": choice.json, "strength": .number(Double(strength))]
        if let rationale, !rationale.isEmpty { o["rationale"] = .string(rationale) }
        return .object(o)
    }

    /// The stored index of the preferred response, if one was preferred.
    public var preferred: Int? {
        if case .response(let i) = choice { return i }
        return nil
    }
}

/// A ranking of N responses (ties allowed), in stored order: `ranks[i]` is
/// the rank of `responses[i]`, 1 = best. Stored as `{"ranks": [...]}` with the
/// display permutation in the annotation's `display`.
public struct Ranking: Hashable, Sendable {
    public var ranks: [Int]
    public init(ranks: [Int]) { self.ranks = ranks }

    public init?(_ value: JSONValue?) {
        guard let a = value?["ranks"]?.array else { return nil }
        let r = a.compactMap { $0.number.map { Int($0) } }
        guard r.count == a.count, !r.isEmpty else { return nil }
        ranks = r
    }

    public var json: JSONValue { ["ranks": .array(ranks.map { .number(Double($0)) })] }

    /// Best vs worst, for pair formats; nil when all are tied.
    public var bestAndWorst: (best: Int, worst: Int)? {
        guard let lo = ranks.min(), let hi = ranks.max(), lo < hi else { return nil }
        return (ranks.firstIndex(of: lo)!, ranks.firstIndex(of: hi)!)
    }
}

/// Which response goes on which side, per item and annotator: random but
/// reproducible (a hash of seed, annotator, dataset and item id), so that
/// position bias cannot line up with the source's order.
public enum PairOrder {
    /// The display order of a pair: `.ab` shows response 0 as A (left/top).
    public static func order(dataset: String, uid: String, annotator: String, seed: Int = 0) -> DisplayOrder {
        let h = ContentHash.fnv1a128Hex("\(seed)\u{1F}\(annotator)\u{1F}\(dataset)\u{1F}\(uid)")
        // The last hex digit's parity.
        return Int(String(h.last!), radix: 16)! % 2 == 0 ? .ab : .ba
    }

    /// A display permutation of `n` responses: `perm[k]` = the stored index
    /// shown in position k. Fisher–Yates driven by the same hash.
    public static func permutation(count n: Int, dataset: String, uid: String, annotator: String, seed: Int = 0) -> [Int] {
        let hash = ContentHash.fnv1a128Hex("\(seed)\u{1F}\(annotator)\u{1F}\(dataset)\u{1F}\(uid)")
        var rng = SplitMix64(seed: UInt64(hash.suffix(16), radix: 16)!)
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                p.swapAt(i, j)
            }
        }
        return p
    }

    /// The stored index shown on a side (0 = A / left / top).
    public static func storedIndex(side: Int, order: DisplayOrder) -> Int {
        order == .ab ? side : 1 - side
    }
}
