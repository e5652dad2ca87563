import DuetAnnotators
import DuetCore
import Foundation
import Testing

/// Real data: TweetEval sentiment (test split, 12,284 tweets, gold negative/neutral/positive),
/// from ../shared/data; skipped when the file is absent.
///
/// Sizes: 600 training rows and 3,000 predicted rows (disjoint, one seeded shuffle), so the
/// test stays well under 20 s in a debug build.
@Suite struct LocalTweetEvalTests {
    static let file = "tweeteval-sentiment-test.jsonl"
    static let labels = ["negative", "neutral", "positive"]

    static func rows(_ path: String) throws -> [(text: String, gold: String)] {
        let data = try String(contentsOfFile: path, encoding: .utf8)
        return try data.split(separator: "\n").compactMap { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let t = o["text"] as? String, let g = o["gold"] as? String else { return nil }
            return (t, g)
        }
    }

    /// Share of items whose mixed label is right: gold for the items sent to people, the majority vote otherwise.
    static func mixedAccuracy(toHumans: Set<Int64>, machine: [Int64: String?], gold: [Int64: String]) -> Double {
        let right = gold.filter { id, g in toHumans.contains(id) || machine[id] == g }.count
        return Double(right) / Double(gold.count)
    }

    @Test(.enabled(if: LocalSharedData.path(file) != nil, "needs ../shared/data/\(file)"))
    func entropyRoutingBeatsRandom() throws {
        let all = try Self.rows(LocalSharedData.path(Self.file)!)
        #expect(all.count > 5_000)
        var rng = LocalTestRNG(2024)
        let order = Array(all.indices).shuffled(using: &rng)
        let train = order.prefix(600).map { all[$0] }
        let test = order.dropFirst(600).prefix(3_000).map { all[$0] }

        let clock = ContinuousClock()
        let start = clock.now
        let ensemble = try LocalEnsemble(seed: 0, labels: Self.labels, training: train.map { ($0.text, $0.gold) })
        let votes = ensemble.votes(for: test.map(\.text))
        let elapsed = clock.now - start

        var gold: [Int64: String] = [:]
        var machine: [Int64: String?] = [:]
        var entropy: [(item: Int64, score: Double)] = []
        var confidence: [(item: Int64, score: Double)] = []
        for (i, (row, v)) in zip(test, votes).enumerated() {
            let id = Int64(i + 1)
            gold[id] = row.gold
            machine[id] = Uncertainty.majority(v.map(\.label))
            entropy.append((id, Uncertainty.entropy(v.map(\.label))))
            confidence.append((id, Uncertainty.confidenceUncertainty(v) ?? 1))
        }
        let machineOnly = Self.mixedAccuracy(toHumans: [], machine: machine, gold: gold)
        let byEntropy = Self.mixedAccuracy(toHumans: Allocation.toHumans(scores: entropy, budget: 0.3),
                                           machine: machine, gold: gold)
        let byConfidence = Self.mixedAccuracy(toHumans: Allocation.toHumans(scores: confidence, budget: 0.3),
                                              machine: machine, gold: gold)
        let ids = Array(gold.keys).sorted()
        var randomSum = 0.0
        for s in 0..<20 {
            var r = LocalTestRNG(UInt64(100 + s))
            let humans = Set(ids.shuffled(using: &r).prefix(Int((Double(ids.count) * 0.3).rounded())))
            randomSum += Self.mixedAccuracy(toHumans: humans, machine: machine, gold: gold)
        }
        let random = randomSum / 20
        let split = entropy.filter { $0.score > 0 }.count
        print("""
            [local:tweeteval] train 600, predict 3000, \(ensemble.members) members, \
            \(elapsed.components.seconds).\(String(format: "%03lld", elapsed.components.attoseconds / 1_000_000_000_000_000)) s (debug)
            [local:tweeteval] ensemble accuracy \(fmt(machineOnly)); split votes on \(split)/\(test.count) items
            [local:tweeteval] 30% to people: entropy \(fmt(byEntropy)), confidence \(fmt(byConfidence)), \
            random \(fmt(random)) (mean of 20)
            """)
        #expect(machineOnly > 0.45)  // a majority-class guess ("neutral") gets about 0.48 on this split
        #expect(byEntropy > random)
    }
}

private func fmt(_ x: Double) -> String { String(format: "%.3f", x) }
