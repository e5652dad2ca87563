/// Inter-annotator agreement metrics over a label table.
///
/// All functions are pure. A label table maps an item id to the labels it
/// received, keyed by annotator: `[item: [annotator: label]]`. Missing entries
/// (an annotator who did not label an item) are simply absent.
///
/// Every statistic returns `nil` where it is undefined (no data, or the
/// reference implementation would return NaN / raise), never NaN.
///
/// Reference implementations these functions reproduce (to ~1e-12):
/// - Cohen's κ: `sklearn.metrics.cohen_kappa_score(y1, y2)` (unweighted, nominal).
/// - Fleiss' κ: `statsmodels.stats.inter_rater.fleiss_kappa(table, method="fleiss")`.
/// - Krippendorff's α: `krippendorff.alpha(reliability_data, level_of_measurement=...)`.
public enum Agreement {
    /// `[item id: [annotator: label]]`.
    public typealias LabelTable = [Int64: [String: String]]

    /// Level of measurement for Krippendorff's α.
    public enum Level: String, Sendable, CaseIterable {
        /// Labels are unordered categories (exact string equality).
        case nominal
        /// Labels are ordered; the order is `order` if given to `krippendorffAlpha`,
        /// otherwise numeric order when every label parses as a `Double`,
        /// otherwise lexicographic order.
        case ordinal
        /// Labels are numbers (`Double(label)`); a non-numeric label makes α `nil`.
        case interval
    }

    /// Raw agreement among items with at least two labels.
    public struct PercentAgreement: Sendable, Equatable {
        /// Items with ≥ 2 labels.
        public var items: Int
        /// Share of those items on which all given labels are identical.
        public var allAgree: Double
        /// Mean over those items of the share of agreeing annotator pairs
        /// (for an item with n labels: agreeing pairs / (n·(n−1)/2)).
        public var pairwise: Double
    }

    /// Cohen's κ for one pair of annotators.
    public struct PairKappa: Sendable, Equatable {
        /// Annotator names, `a < b`.
        public var a: String
        public var b: String
        /// Items labeled by both.
        public var overlap: Int
        /// κ on the overlap; `nil` if the overlap is empty or κ is undefined.
        public var kappa: Double?
    }

    /// Fleiss' κ together with the subset of items it was computed on.
    public struct FleissResult: Sendable, Equatable {
        /// Number of raters per item used.
        public var raters: Int
        /// Number of items having exactly `raters` labels.
        public var items: Int
        /// κ, `nil` if undefined (e.g. a single category overall).
        public var kappa: Double?
    }

    // MARK: Percent agreement

    /// Raw agreement; `nil` if no item has two or more labels.
    public static func percentAgreement(_ table: LabelTable) -> PercentAgreement? {
        var items = 0
        var all = 0.0
        var pairSum = 0.0
        for labels in table.values where labels.count >= 2 {
            items += 1
            var counts: [String: Int] = [:]
            for label in labels.values { counts[label, default: 0] += 1 }
            if counts.count == 1 { all += 1 }
            let n = Double(labels.count)
            let agreeing = counts.values.reduce(0.0) { $0 + Double($1 * ($1 - 1)) / 2 }
            pairSum += agreeing / (n * (n - 1) / 2)
        }
        guard items > 0 else { return nil }
        return PercentAgreement(items: items, allAgree: all / Double(items), pairwise: pairSum / Double(items))
    }

    // MARK: Cohen's kappa

    /// Cohen's κ for two parallel label sequences (same length, one entry per item).
    ///
    /// Matches `sklearn.metrics.cohen_kappa_score(a, b)`: κ = 1 − Σ_{i≠j} O_ij / Σ_{i≠j} E_ij
    /// with E = outer(column sums, row sums) / n. Returns `nil` when the inputs are
    /// empty or of different lengths, or when κ is undefined (both annotators used one
    /// and the same single category — sklearn returns NaN there).
    public static func cohenKappa(a: [String], b: [String]) -> Double? {
        guard a.count == b.count, !a.isEmpty else { return nil }
        let labels = Array(Set(a).union(b)).sorted()
        var index: [String: Int] = [:]
        for (i, l) in labels.enumerated() { index[l] = i }
        let k = labels.count
        var confusion = [Double](repeating: 0, count: k * k)
        for (x, y) in zip(a, b) { confusion[index[x]! * k + index[y]!] += 1 }
        var sum0 = [Double](repeating: 0, count: k)  // column sums (b)
        var sum1 = [Double](repeating: 0, count: k)  // row sums (a)
        for i in 0..<k {
            for j in 0..<k {
                sum0[j] += confusion[i * k + j]
                sum1[i] += confusion[i * k + j]
            }
        }
        let total = sum0.reduce(0, +)
        var observed = 0.0
        var expected = 0.0
        for i in 0..<k {
            for j in 0..<k where i != j {
                observed += confusion[i * k + j]
                expected += sum0[i] * sum1[j] / total
            }
        }
        guard expected != 0 else { return nil }
        return finite(1 - observed / expected)
    }

    /// Cohen's κ between two annotators of a table, over the items both labeled.
    public static func cohenKappa(_ table: LabelTable, _ a: String, _ b: String) -> PairKappa {
        let (x, y) = overlap(table, a, b)
        return PairKappa(a: a, b: b, overlap: x.count, kappa: cohenKappa(a: x, b: y))
    }

    /// Cohen's κ for every pair of annotators (sorted by name, `a < b`).
    public static func pairwise(_ table: LabelTable) -> [PairKappa] {
        let names = annotators(table)
        var out: [PairKappa] = []
        for i in names.indices {
            for j in names.indices where j > i {
                out.append(cohenKappa(table, names[i], names[j]))
            }
        }
        return out
    }

    // MARK: Fleiss' kappa

    /// Fleiss' κ over an items × categories count matrix, every row summing to the
    /// same number of raters n ≥ 2. Matches statsmodels' `fleiss_kappa(table, method="fleiss")`.
    /// Returns `nil` for an empty table, unequal row sums, n < 2, or an undefined κ
    /// (a single category used throughout; statsmodels returns NaN).
    public static func fleissKappa(counts: [[Int]]) -> Double? {
        guard let first = counts.first else { return nil }
        let n = first.reduce(0, +)
        guard n >= 2, counts.allSatisfy({ $0.reduce(0, +) == n }) else { return nil }
        let categories = counts.map(\.count).max() ?? 0
        let nRat = Double(n)
        let total = Double(counts.count) * nRat
        var pCat = [Double](repeating: 0, count: categories)
        var pRatSum = 0.0
        for row in counts {
            var squares = 0.0
            for (j, c) in row.enumerated() {
                pCat[j] += Double(c)
                squares += Double(c * c)
            }
            pRatSum += (squares - nRat) / (nRat * (nRat - 1))
        }
        let pMean = pRatSum / Double(counts.count)
        let pExp = pCat.reduce(0.0) { $0 + ($1 / total) * ($1 / total) }
        guard pExp != 1 else { return nil }
        return finite((pMean - pExp) / (1 - pExp))
    }

    /// Fleiss' κ over a label table.
    ///
    /// Fleiss' κ needs the same number of raters on every item, so only the items
    /// with exactly `raters` labels are used. When `raters` is `nil` it is the most
    /// frequent label count among items with ≥ 2 labels (ties → the larger count).
    /// Categories are all labels that occur in the items used. Returns `nil` when
    /// no item qualifies.
    public static func fleissKappa(_ table: LabelTable, raters: Int? = nil) -> FleissResult? {
        guard let n = raters ?? modalRaterCount(table), n >= 2 else { return nil }
        let used = table.values.filter { $0.count == n }
        guard !used.isEmpty else { return nil }
        let categories = Array(Set(used.flatMap(\.values))).sorted()
        var index: [String: Int] = [:]
        for (i, c) in categories.enumerated() { index[c] = i }
        let counts = used.map { labels -> [Int] in
            var row = [Int](repeating: 0, count: categories.count)
            for l in labels.values { row[index[l]!] += 1 }
            return row
        }
        return FleissResult(raters: n, items: used.count, kappa: fleissKappa(counts: counts))
    }

    /// Most frequent label count among items with ≥ 2 labels; ties → larger.
    public static func modalRaterCount(_ table: LabelTable) -> Int? {
        var freq: [Int: Int] = [:]
        for labels in table.values where labels.count >= 2 { freq[labels.count, default: 0] += 1 }
        return freq.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key
    }

    // MARK: Krippendorff's alpha

    /// Krippendorff's α with missing data.
    ///
    /// Matches `krippendorff.alpha(reliability_data, level_of_measurement=level)` with
    /// the value domain = all distinct labels in the table (sorted, for `.ordinal`:
    /// by `order` when given, else as documented on `Level.ordinal`). Items with
    /// fewer than two labels are not pairable and contribute nothing.
    ///
    /// Returns `nil` when the reference raises (fewer than two distinct values, or no
    /// item with two labels), when the expected disagreement is zero (NaN), for a
    /// non-numeric label at `.interval`, or for a label missing from `order`.
    public static func krippendorffAlpha(_ table: LabelTable, level: Level = .nominal,
                                         order: [String]? = nil) -> Double? {
        let units = table.values.map { Array($0.values) }
        // Value domain and a key per label (interval merges equal numbers).
        var domain: [Double] = []  // numeric value per domain index (interval only)
        var key: [String: Int] = [:]
        switch level {
        case .nominal, .ordinal:
            let distinct = Set(units.joined())
            let sorted: [String]
            if level == .ordinal, let order {
                guard distinct.isSubset(of: order) else { return nil }
                sorted = order
            } else {
                sorted = sortedLabels(distinct)
            }
            for (i, l) in sorted.enumerated() where key[l] == nil { key[l] = i }
            domain = [Double](repeating: 0, count: sorted.count)
        case .interval:
            var numbers: [String: Double] = [:]
            for l in Set(units.joined()) {
                guard let v = Double(l), v.isFinite else { return nil }
                numbers[l] = v
            }
            domain = Array(Set(numbers.values)).sorted()
            var pos: [Double: Int] = [:]
            for (i, v) in domain.enumerated() { pos[v] = i }
            for (l, v) in numbers { key[l] = pos[v]! }
        }
        let v = domain.count
        guard v > 1, units.contains(where: { $0.count >= 2 }) else { return nil }
        // Coincidence matrix o (V × V).
        var o = [Double](repeating: 0, count: v * v)
        for unit in units where unit.count >= 2 {
            var counts = [Int](repeating: 0, count: v)
            for l in unit { counts[key[l]!] += 1 }
            let m = Double(unit.count - 1)
            for c in 0..<v where counts[c] > 0 {
                for k in 0..<v where counts[k] > 0 {
                    let pairs = counts[c] * counts[k] - (c == k ? counts[c] : 0)
                    o[c * v + k] += Double(pairs) / m
                }
            }
        }
        var nv = [Double](repeating: 0, count: v)
        for c in 0..<v { for k in 0..<v { nv[k] += o[c * v + k] } }
        let nTotal = nv.reduce(0, +)
        // Distance δ²(c, k).
        var prefix = [Double](repeating: 0, count: v + 1)
        for i in 0..<v { prefix[i + 1] = prefix[i] + nv[i] }
        func delta(_ c: Int, _ k: Int) -> Double {
            switch level {
            case .nominal: return c == k ? 0 : 1
            case .ordinal:
                let lo = min(c, k), hi = max(c, k)
                let s = prefix[hi + 1] - prefix[lo] - (nv[lo] + nv[hi]) / 2
                return s * s
            case .interval:
                let d = domain[c] - domain[k]
                return d * d
            }
        }
        var observed = 0.0
        var expected = 0.0
        for c in 0..<v {
            for k in 0..<v {
                let d = delta(c, k)
                observed += o[c * v + k] * d
                let e = (nv[c] * nv[k] - (c == k ? nv[c] : 0)) / (nTotal - 1)
                expected += e * d
            }
        }
        guard expected != 0 else { return nil }
        return finite(1 - observed / expected)
    }

    // MARK: Helpers

    /// All annotator names in the table, sorted.
    public static func annotators(_ table: LabelTable) -> [String] {
        Array(Set(table.values.flatMap(\.keys))).sorted()
    }

    /// Parallel label lists for the items both `a` and `b` labeled, by ascending item id.
    public static func overlap(_ table: LabelTable, _ a: String, _ b: String) -> ([String], [String]) {
        var x: [String] = []
        var y: [String] = []
        for id in table.keys.sorted() {
            if let la = table[id]?[a], let lb = table[id]?[b] {
                x.append(la)
                y.append(lb)
            }
        }
        return (x, y)
    }

    /// Numeric order when every label parses as a finite `Double`, else lexicographic.
    static func sortedLabels<S: Sequence>(_ labels: S) -> [String] where S.Element == String {
        let all = Array(labels)
        let nums = all.compactMap { s -> (String, Double)? in
            guard let d = Double(s), d.isFinite else { return nil }
            return (s, d)
        }
        if nums.count == all.count {
            return nums.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
        }
        return all.sorted()
    }

    private static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
}
