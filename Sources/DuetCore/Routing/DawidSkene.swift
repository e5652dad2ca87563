import Foundation

/// Dawid & Skene (1979): how each member of a panel of machine annotators
/// confuses the true label with its answers, learned by EM over every item,
/// with the labels people gave held fixed (anchors).
///
/// - A member's votes on one item (its prompt variants, ensemble members,
///   swapped orders) are one correlated answer: they form a distribution over
///   its answers with total weight 1, so eleven paraphrases of one model do not
///   outvote three independent models.
/// - Unparseable answers (and labels outside the task's) are one more answer
///   class: the confusion has L + 1 columns, so a member that fails mostly on
///   one class says something about it.
/// - A weak Dirichlet prior pulls each confusion row toward the diagonal
///   (`priorStrength` pseudo-votes): a row with little evidence behaves like a
///   one-coin annotator a little better than chance; with enough items each
///   member's class confusions (a model that answers "neutral" to everything)
///   are learned.
///
/// - Members that answer alike on nearly every item (`copyAgreement`: two
///   copies of one model under two names, a model and its cached twin) are one
///   member too: the model assumes members err independently, and a copy would
///   be counted as a second witness.
///
/// The model needs at least three conditionally independent members to be
/// identified (`minimumPanel`): with one model and its prompt variants the
/// confusion can only be learned from the anchors, which are the hardest
/// items, and it does not carry over to the rest.
public struct DawidSkene: Sendable {
    /// Members needed before the router uses the model.
    public static let minimumPanel = 3

    /// Members whose item answers agree at least this often (on at least `copyMinimumItems` items) are one member.
    public static let copyAgreement = 0.95
    public static let copyMinimumItems = 20

    public let labels: [String]
    /// The panel's members, sorted.
    public let annotators: [String]
    /// The independent members: groups of copies (most are alone), in `annotators` order of their first.
    public let groups: [[String]]
    /// P(true label), learned.
    public let classPrior: [Double]
    /// `confusion[g][y][k]`: P(group g answers k | the true label is y); k == labels.count is "unparseable".
    public let confusion: [[[Double]]]
    /// EM iterations run.
    public let iterations: Int
    private let position: [Int64: Int]
    /// Per item (in `position` order), the posterior over `labels`.
    private let posteriors: [[Double]]
    /// Whether the item has at least one parsed vote.
    private let parsed: [Bool]
    private let labelIndex: [String: Int]
    /// Each member's group.
    private let groupIndex: [String: Int]
    /// log `confusion`, flat: `[(g * L + y) * (L + 1) + k]`.
    private let logConfusion: [Double]

    /// Fits the model on `items` (items without votes get the class prior).
    public static func fit(votes: VoteTable, items: [Int64], labels: [String], anchors: [Int64: String],
                           priorStrength: Double = 2, maxIterations: Int = 50, tolerance: Double = 1e-6) -> DawidSkene {
        let L = labels.count, K = L + 1
        let labelIndex = Dictionary(labels.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let names = votes.annotators.sorted()
        let groups = copyGroups(votes: votes, items: items, members: names)
        var annotatorIndex: [String: Int] = [:]
        for (g, group) in groups.enumerated() { for name in group { annotatorIndex[name] = g } }
        let A = groups.count
        // Entries per item: (member, answer class, weight); a member's weights on an item sum to 1.
        var starts: [Int] = [0]
        var entryMember: [Int32] = [], entryClass: [Int32] = [], entryWeight: [Double] = []
        var parsed: [Bool] = []
        var position: [Int64: Int] = [:]
        starts.reserveCapacity(items.count + 1)
        for item in items {
            position[item] = position.count
            let any = entries(votes.annotatedLabels(item) ?? [], labels: L, labelIndex: labelIndex, groups: annotatorIndex) { member, k, w in
                entryMember.append(Int32(member))
                entryClass.append(Int32(k))
                entryWeight.append(w)
            }
            starts.append(entryMember.count)
            parsed.append(any)
        }
        let N = items.count
        // Anchored items: one-hot and never updated.
        var anchor = [Int](repeating: -1, count: N)
        for (item, label) in anchors {
            if let i = position[item], let y = labelIndex[label] { anchor[i] = y }
        }
        // Start from the soft majority of the parsed answers.
        var T = [Double](repeating: 0, count: N * L)
        for i in 0..<N {
            if anchor[i] >= 0 { T[i * L + anchor[i]] = 1; continue }
            var z = 0.0
            for y in 0..<L { T[i * L + y] = 1e-3 }
            for e in starts[i]..<starts[i + 1] where Int(entryClass[e]) < L { T[i * L + Int(entryClass[e])] += entryWeight[e] }
            for y in 0..<L { z += T[i * L + y] }
            for y in 0..<L { T[i * L + y] /= z }
        }
        var pi = [Double](repeating: 0, count: A * L * K)
        var prior = [Double](repeating: 1 / Double(max(1, L)), count: L)
        var iterations = 0
        var score = [Double](repeating: 0, count: L)
        while iterations < maxIterations {
            iterations += 1
            // M step: confusion rows and the class prior from the current posteriors.
            for j in pi.indices { pi[j] = 0 }
            for a in 0..<A {
                for y in 0..<L {
                    for k in 0..<K { pi[(a * L + y) * K + k] = priorStrength * (1 / Double(K) + (k == y ? 1 : 0)) }
                }
            }
            var classMass = [Double](repeating: 1, count: L)
            for i in 0..<N {
                for y in 0..<L { classMass[y] += T[i * L + y] }
                for e in starts[i]..<starts[i + 1] {
                    let a = Int(entryMember[e]), k = Int(entryClass[e]), w = entryWeight[e]
                    for y in 0..<L { pi[(a * L + y) * K + k] += T[i * L + y] * w }
                }
            }
            let mass = classMass.reduce(0, +)
            for y in 0..<L { prior[y] = classMass[y] / mass }
            for row in 0..<(A * L) {
                var z = 0.0
                for k in 0..<K { z += pi[row * K + k] }
                for k in 0..<K { pi[row * K + k] = Foundation.log(pi[row * K + k] / z) }
            }
            // E step: posteriors of the items people did not label.
            var change = 0.0
            let logPrior = prior.map { Foundation.log($0) }
            for i in 0..<N where anchor[i] < 0 {
                for y in 0..<L { score[y] = logPrior[y] }
                for e in starts[i]..<starts[i + 1] {
                    let a = Int(entryMember[e]), k = Int(entryClass[e]), w = entryWeight[e]
                    for y in 0..<L { score[y] += w * pi[(a * L + y) * K + k] }
                }
                let m = score.max() ?? 0
                var z = 0.0
                for y in 0..<L { score[y] = Foundation.exp(score[y] - m); z += score[y] }
                for y in 0..<L {
                    let p = score[y] / z
                    change = max(change, abs(p - T[i * L + y]))
                    T[i * L + y] = p
                }
            }
            if change < tolerance { break }
        }
        var confusion: [[[Double]]] = []
        for a in 0..<A {
            confusion.append((0..<L).map { y in (0..<K).map { k in Foundation.exp(pi[(a * L + y) * K + k]) } })
        }
        return DawidSkene(labels: labels, annotators: names, groups: groups, classPrior: prior,
                          confusion: confusion, iterations: iterations, position: position,
                          posteriors: (0..<N).map { Array(T[($0 * L)..<($0 * L + L)]) }, parsed: parsed,
                          labelIndex: labelIndex, groupIndex: annotatorIndex, logConfusion: pi)
    }

    /// An item's entries for the model, handed to `body` as (member group, answer class, weight): per group
    /// (ascending) the share of each answer class (ascending) among the group's votes; a class of `labels.count`
    /// is an unparseable answer (or a label outside the task's). Votes of annotators without a group are left
    /// out. Returns whether any vote parsed to a label.
    private static func entries(_ votes: [(annotator: String, label: String?)], labels L: Int, labelIndex: [String: Int],
                                groups: [String: Int], _ body: (Int, Int, Double) -> Void) -> Bool {
        var perMember: [Int: [Int: Double]] = [:]
        var any = false
        for v in votes {
            let k = v.label.flatMap { labelIndex[$0] } ?? L
            if k < L { any = true }
            guard let g = groups[v.annotator] else { continue }
            perMember[g, default: [:]][k, default: 0] += 1
        }
        for member in perMember.keys.sorted() {
            let answers = perMember[member]!
            let total = answers.values.reduce(0, +)
            for k in answers.keys.sorted() { body(member, k, answers[k]! / total) }
        }
        return any
    }

    /// The label and uncertainty (`label(_:)`, `uncertainty(_:)`) of an item the model was not fitted on,
    /// from its votes and the fitted parameters: one E step, the same arithmetic as the fit's last one, so
    /// an unanchored item the model was fitted on gets exactly its fitted posterior.
    public func scored(_ votes: [(annotator: String, label: String?)]) -> (label: String?, uncertainty: Double) {
        let L = labels.count, K = L + 1
        var score = classPrior.map { Foundation.log($0) }
        let any = Self.entries(votes, labels: L, labelIndex: labelIndex, groups: groupIndex) { a, k, w in
            for y in 0..<L { score[y] += w * logConfusion[(a * L + y) * K + k] }
        }
        guard any, L > 0 else { return (nil, .infinity) }
        let m = score.max() ?? 0
        var z = 0.0
        for y in 0..<L { score[y] = Foundation.exp(score[y] - m); z += score[y] }
        for y in 0..<L { score[y] /= z }
        return (labels[Self.top(score)], 1 - (score.max() ?? 0))
    }

    /// The index of the highest value (ties: the first).
    private static func top(_ p: [Double]) -> Int {
        var best = 0
        for y in p.indices where p[y] > p[best] { best = y }
        return best
    }

    /// The posterior over `labels` for an item (nil for an item the model was not fitted on).
    public func posterior(_ item: Int64) -> [Double]? {
        position[item].map { posteriors[$0] }
    }

    /// The most probable label (ties: the first in `labels`); nil without a parsed vote.
    public func label(_ item: Int64) -> String? {
        guard let i = position[item], parsed[i] else { return nil }
        return labels.isEmpty ? nil : labels[Self.top(posteriors[i])]
    }

    /// 1 − the top posterior: the chance the model's label is wrong (infinite without a parsed vote: unknown).
    public func uncertainty(_ item: Int64) -> Double {
        guard let i = position[item], parsed[i] else { return .infinity }
        return 1 - (posteriors[i].max() ?? 0)
    }

    /// The confusion of a member (its group's): `[y][k]`.
    public func confusion(of annotator: String) -> [[Double]]? {
        groups.firstIndex { $0.contains(annotator) }.map { confusion[$0] }
    }

    /// A member's learned accuracy: Σ_y P(y) · P(answers y | y).
    public func accuracy(_ annotator: String) -> Double? {
        guard let c = confusion(of: annotator) else { return nil }
        return labels.indices.reduce(0) { $0 + classPrior[$1] * c[$1][$1] }
    }

    /// Whether the top parsed labels tie.
    static func tied(_ labels: [String?]) -> Bool {
        let counts = Uncertainty.distribution(labels.compactMap { $0 }).values.sorted(by: >)
        return counts.count > 1 && counts[0] == counts[1]
    }

    /// Members joined when their answers (each one's majority on an item; unparseable is an answer) agree on
    /// at least `copyAgreement` of the items both answered, and on at least `copyMinimumItems` of them.
    static func copyGroups(votes: VoteTable, items: [Int64], members: [String]) -> [[String]] {
        let index = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($0.element, $0.offset) })
        let M = members.count
        var same = [Int](repeating: 0, count: M * M), both = [Int](repeating: 0, count: M * M)
        var answer = [String??](repeating: nil, count: M)
        for item in items {
            var own: [Int: [String?]] = [:]
            for v in votes.annotatedLabels(item) ?? [] { own[index[v.annotator]!, default: []].append(v.label) }
            for m in 0..<M { answer[m] = own[m].map { Uncertainty.majority($0) ?? Uncertainty.unparseable } }
            for a in 0..<M { guard let x = answer[a] else { continue }
                for b in (a + 1)..<max(a + 1, M) { guard let y = answer[b] else { continue }
                    both[a * M + b] += 1
                    if x == y { same[a * M + b] += 1 }
                }
            }
        }
        var parent = Array(0..<M)
        func root(_ x: Int) -> Int { var x = x; while parent[x] != x { x = parent[x] }; return x }
        for a in 0..<M { for b in (a + 1)..<max(a + 1, M) where both[a * M + b] >= copyMinimumItems
            && Double(same[a * M + b]) >= copyAgreement * Double(both[a * M + b]) {
            let (ra, rb) = (root(a), root(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        } }
        var groups: [Int: [String]] = [:]
        for m in 0..<M { groups[root(m), default: []].append(members[m]) }
        return groups.keys.sorted().map { groups[$0]! }
    }

    /// What the anchors say about the model, each judged by a model fitted without it.
    public struct HeldOut: Sendable {
        /// Untied anchors the model got right and the plain majority wrong, and the other way round.
        public var learnedOnly = 0
        public var plainOnly = 0
        /// Every held-out anchor with a parsed vote: the model's top posterior and whether its label was right.
        public var predictions: [(confidence: Double, right: Bool)] = []
        /// Whether the model's labels may replace the plain majority of the votes, judged on the held-out
        /// anchors: of those where the two disagree and the majority is not a tie, the model must get more
        /// right than the majority. Learning that does not show on people's labels is not trusted. Ties are
        /// left out because where learning cannot help (equally good independent members) the model only breaks ties differently, and on the
        /// hardest items, the ones people get, ties are many: their coin tosses would pass for evidence.
        public var beatsMajority: Bool { learnedOnly > plainOnly }
    }

    /// The anchors in `folds` folds (a fixed pseudo-random order), each predicted by a model fitted without its fold.
    public static func crossValidate(votes: VoteTable, items: [Int64], labels: [String], anchors: [Int64: String], folds: Int = 5) -> HeldOut {
        let held = anchors.keys.filter(votes.contains).sorted { Allocation.tieKey($0, 23) < Allocation.tieKey($1, 23) }
        let k = min(folds, held.count)
        var result = HeldOut()
        guard k >= 2 else { return result }
        for f in 0..<k {
            let out = held.enumerated().filter { $0.offset % k == f }.map(\.element)
            var rest = anchors
            for id in out { rest[id] = nil }
            let model = fit(votes: votes, items: items, labels: labels, anchors: rest)
            for id in out {
                guard let label = model.label(id) else { continue }
                result.predictions.append((1 - model.uncertainty(id), label == anchors[id]))
                // A tied majority is a coin toss: the model winning it is no evidence that learning helps.
                guard !Self.tied(votes.labels(id) ?? []) else { continue }
                let learned = label == anchors[id], plain = Uncertainty.majority(votes.labels(id) ?? []) == anchors[id]
                if learned && !plain { result.learnedOnly += 1 }
                if plain && !learned { result.plainOnly += 1 }
            }
        }
        return result
    }
}
