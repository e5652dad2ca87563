import Foundation

/// A ranking of a ranking item's responses as label text: the stored indices (0 = `responses[0]`)
/// from best to worst, joined by ">"; responses a person ranked equal are joined by "=" (in ascending
/// index order). "2>0>1": response 2 best, then 0, then 1; "0=2>1": 0 and 2 tied first. Machine votes
/// are strict orders; a person's `Ranking` (`{"ranks": […]}`) reads as the same text
/// (`Decisions.labelText`), so machine and human labels of a ranking have one shape.
///
/// The machine's spread over an item's orders is 1 − the mean Kendall τ over every pair of its votes
/// (0 when all orders agree, 1 for orders no more alike than chance, 2 at most); a pair with an
/// unparseable vote counts τ = 0 (an unreadable order agrees with no order more than chance).
/// Its label is the Borda consensus.
public struct RankingOrder: Sendable, Hashable {
    /// Groups of stored indices, best first; a group of more than one is a tie.
    public var groups: [[Int]]

    public init(groups: [[Int]]) { self.groups = groups.map { $0.sorted() } }

    /// A strict order: stored indices best first.
    public init(_ order: [Int]) { groups = order.map { [$0] } }

    /// Reads "2>0>1" or "0=2>1": every index 0..<n exactly once; nil otherwise (so "0", "1", "tie" of a
    /// pair, or any other label, are no ranking).
    public init?(text: String) {
        guard text.contains(">") else { return nil }
        var groups: [[Int]] = []
        for part in text.split(separator: ">", omittingEmptySubsequences: false) {
            let members = part.split(separator: "=", omittingEmptySubsequences: false).map { Int($0) }
            guard !members.isEmpty, members.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
            groups.append(members.map { $0! })
        }
        let all = groups.flatMap { $0 }
        guard all.count >= 2, Set(all) == Set(0..<all.count) else { return nil }
        self.init(groups: groups)
    }

    /// A person's ranks in stored order (1 = best, equal ranks tied).
    public init?(ranks: [Int]) {
        guard ranks.count >= 2 else { return nil }
        let levels = Array(Set(ranks)).sorted()
        self.init(groups: levels.map { level in ranks.indices.filter { ranks[$0] == level } })
    }

    public var count: Int { groups.reduce(0) { $0 + $1.count } }
    public var isStrict: Bool { groups.allSatisfy { $0.count == 1 } }
    public var text: String { groups.map { $0.map(String.init).joined(separator: "=") }.joined(separator: ">") }

    /// Ranks in stored order (1 = best; tied responses share the group's rank).
    public var ranks: [Int] {
        var r = [Int](repeating: 0, count: count)
        for (g, members) in groups.enumerated() { for i in members { r[i] = g + 1 } }
        return r
    }

    /// Kendall's τ-a between two rankings of the same responses: (concordant − discordant) / all pairs;
    /// a pair tied in either counts neither. nil when they rank different numbers of responses.
    public static func tau(_ a: RankingOrder, _ b: RankingOrder) -> Double? {
        let n = a.count
        guard n == b.count, n >= 2 else { return nil }
        let ra = a.ranks, rb = b.ranks
        var sum = 0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let s = (ra[i] - ra[j]).signum() * (rb[i] - rb[j]).signum()
                sum += s
            }
        }
        return Double(sum) / Double(n * (n - 1) / 2)
    }

    /// 1 − mean pairwise τ over the votes' orders (nil = unparseable, τ 0 with any other vote): 0 for
    /// one vote or all alike; infinite when no vote is an order.
    public static func spread(_ labels: [String?]) -> Double {
        let orders = labels.map { $0.flatMap(RankingOrder.init(text:)) }
        guard orders.contains(where: { $0 != nil }) else { return .infinity }
        guard orders.count >= 2 else { return 0 }
        var total = 0.0, pairs = 0
        for i in orders.indices {
            for j in orders.indices where j > i {
                if let a = orders[i], let b = orders[j] { total += tau(a, b) ?? 0 }
                pairs += 1
            }
        }
        let s = 1 - total / Double(pairs)
        return abs(s) < 1e-12 ? 0 : s
    }

    /// Whether the orders have support: more votes were read as orders than not.
    public static func supported(_ labels: [String?]) -> Bool {
        let read = labels.filter { $0.flatMap(RankingOrder.init(text:)) != nil }.count
        return read > labels.count - read
    }

    /// The Borda consensus of the votes' orders: each order gives a response n − 1 − its position
    /// (ties: the mean of their positions), most points first; equal points keep the order of the first
    /// vote that was read (the plain prompt). nil when no vote is an order (or they rank different counts).
    public static func consensus(_ labels: [String?]) -> RankingOrder? {
        let orders = labels.compactMap { $0.flatMap(RankingOrder.init(text:)) }
        guard let first = orders.first, orders.allSatisfy({ $0.count == first.count }) else { return nil }
        let n = first.count
        var points = [Double](repeating: 0, count: n)
        for o in orders {
            var position = 0
            for g in o.groups {
                let mean = Double(position) + Double(g.count - 1) / 2
                for i in g { points[i] += Double(n - 1) - mean }
                position += g.count
            }
        }
        let firstRanks = first.ranks
        let order = (0..<n).sorted { a, b in
            points[a] != points[b] ? points[a] > points[b] : (firstRanks[a], a) < (firstRanks[b], b)
        }
        return RankingOrder(order)
    }

    /// How much of `truth`'s order a predicted order keeps: the share of response pairs ranked apart in
    /// the truth that the prediction puts the same way round, (τ + 1) / 2 for strict orders; nil when the
    /// truth ties everything or the two rank different counts.
    public static func pairAgreement(_ predicted: RankingOrder, truth: RankingOrder) -> Double? {
        let n = truth.count
        guard predicted.count == n else { return nil }
        let rp = predicted.ranks, rt = truth.ranks
        var agree = 0, total = 0
        for i in 0..<n {
            for j in (i + 1)..<n where rt[i] != rt[j] {
                total += 1
                if (rp[i] - rp[j]).signum() == (rt[i] - rt[j]).signum() { agree += 1 }
            }
        }
        return total == 0 ? nil : Double(agree) / Double(total)
    }
}
