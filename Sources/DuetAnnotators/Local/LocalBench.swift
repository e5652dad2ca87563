import DuetCore

/// A benchmark of the offline ensemble (figures, not a test): n synthetic
/// 3-class texts, train on n/10, predict all n.
///
/// Run it from any executable that depends on DuetAnnotators, in release:
/// `print(try LocalBench.run(n: 100_000))`.
public enum LocalBench {
    public struct Report: Sendable, CustomStringConvertible {
        public var items: Int
        public var trained: Int
        public var members: Int
        public var trainSeconds: Double
        public var predictSeconds: Double
        /// Majority-vote accuracy over all n items (the training tenth included).
        public var accuracy: Double
        /// Share of items whose members did not all agree.
        public var splitShare: Double

        public var description: String {
            func f(_ x: Double, _ digits: Int) -> String {
                let p = Double([1, 10, 100, 1000][min(3, digits)])
                return String(Double((x * p).rounded()) / p)
            }
            return """
                local ensemble, \(members) members: train on \(trained) in \(f(trainSeconds, 3)) s \
                (\(Int(Double(trained) / max(trainSeconds, 1e-9))) items/s), predict \(items) in \(f(predictSeconds, 3)) s \
                (\(Int(Double(items) / max(predictSeconds, 1e-9))) items/s); accuracy \(f(accuracy, 3)), \
                split votes on \(f(splitShare * 100, 1))% of items
                """
        }
    }

    static let labels = ["negative", "neutral", "positive"]

    /// n texts of 8–40 made-up words: per word, 20% from the label's own 150-word
    /// vocabulary, 5% from another label's, the rest from 3,000 shared words.
    public static func corpus(n: Int, seed: Int = 0) -> [(text: String, label: String)] {
        var rng = LocalRNG(seed: seed, stream: 1_000)
        let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "gu", "fe", "shi", "an", "or"]
        func word() -> String {
            var w = ""
            for _ in 0..<(2 + rng.below(3)) { w += syllables[rng.below(syllables.count)] }
            return w
        }
        let shared = (0..<3_000).map { _ in word() }
        let own = labels.map { _ in (0..<150).map { _ in word() } }
        return (0..<n).map { _ in
            let y = rng.below(labels.count)
            var words: [String] = []
            for _ in 0..<(8 + rng.below(33)) {
                let r = rng.below(100)
                if r < 20 {
                    words.append(own[y][rng.below(150)])
                } else if r < 25 {
                    words.append(own[(y + 1 + rng.below(2)) % 3][rng.below(150)])
                } else {
                    words.append(shared[rng.below(shared.count)])
                }
            }
            return (words.joined(separator: " "), labels[y])
        }
    }

    /// Generates the corpus, trains on its first n/10 rows, predicts all n; returns the timings.
    public static func run(n: Int, members: Int = 7, seed: Int = 0) throws -> Report {
        let data = corpus(n: n, seed: seed)
        let train = Array(data.prefix(max(2, n / 10)))
        let clock = ContinuousClock()
        let t0 = clock.now
        let ensemble = try LocalEnsemble(members: members, seed: seed, labels: labels, training: train)
        let t1 = clock.now
        let votes = ensemble.votes(for: data.map(\.text))
        let t2 = clock.now
        var right = 0, split = 0
        for (row, v) in zip(data, votes) {
            let l = v.map(\.label)
            if Uncertainty.majority(l) == row.label { right += 1 }
            if Uncertainty.entropy(l) > 0 { split += 1 }
        }
        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        return Report(items: n, trained: train.count, members: members, trainSeconds: seconds(t1 - t0),
                      predictSeconds: seconds(t2 - t1), accuracy: Double(right) / Double(max(1, n)),
                      splitShare: Double(split) / Double(max(1, n)))
    }
}
