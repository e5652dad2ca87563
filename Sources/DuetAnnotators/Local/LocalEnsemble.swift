import DuetCore

/// Why a `LocalEnsemble` could not be trained or used. The router falls back
/// (to people, or to another annotator) on any of these.
public enum LocalEnsembleError: Error, Equatable, CustomStringConvertible {
    /// Classification: the usable training labels cover fewer than `need` (2) distinct classes.
    case notEnoughLabels(have: Int, need: Int)
    /// Pairs: fewer than `need` judgments that prefer one response (ties and both-bad do not count).
    case notEnoughJudgments(have: Int, need: Int)
    /// A classification ensemble asked to judge pairs, or the reverse.
    case wrongTask(task: String, trainedFor: String)

    public var description: String {
        switch self {
        case .notEnoughLabels(let have, let need):
            return "the local annotator needs labelled examples of at least \(need) classes (has \(have))"
        case .notEnoughJudgments(let have, let need):
            return "the local annotator needs at least \(need) pair judgments preferring one response (has \(have))"
        case .wrongTask(let task, let trainedFor):
            return "the local annotator was trained for \(trainedFor), not for task '\(task)'"
        }
    }
}

/// The built-in offline annotator: K logistic-regression members over hashed
/// word and character n-grams (`LocalFeatures`), each trained on its own
/// bootstrap sample of the labelled items; each member casts one vote, so the
/// spread of the votes (entropy) says how sure the ensemble is — bagging as
/// the offline counterpart of CoAnnotating's prompt perturbations.
///
/// Two modes, fixed at training:
/// - classification (`init(…labels:training:)`): votes are class labels for
///   classify / multilabel / rate tasks, from `fields.text` or, for
///   demonstrations, the messages' contents joined by newlines;
/// - pairs (`init(…judgments:rankings:)`): for compare tasks on items with two responses,
///   votes are "0" or "1", the stored index of the response the member prefers; on ranking items
///   (three or more responses) each member judges every two and votes the order by wins ("2>0>1").
///
/// Training happens in `init` (members in parallel); `annotate` only predicts.
/// Everything is seeded: the same training data and seed give identical votes.
/// Each member keeps 2^18 weights per class as Floats (1 MiB per class: 21 MiB
/// for 7 members and 3 labels); members train and predict on all cores.
public struct LocalEnsemble: MachineAnnotator {
    public let name: String
    public let seed: Int
    /// The labels votes are drawn from ("0", "1" for pairs).
    public let classes: [String]
    /// Trained for compare tasks (pairs) rather than classification.
    public let isPairwise: Bool
    /// Training rows actually used (pairs: judgments).
    public let trainingCount: Int
    let models: [LocalSoftmaxModel]

    /// The number of members (votes per item).
    public var members: Int { models.count }

    /// Trains a classification ensemble.
    ///
    /// - labels: the task's labels (vote order and tie-breaking follow it). Training
    ///   rows whose label is not listed are ignored. Empty: the distinct training labels, sorted.
    /// - training: (text, label) rows — the labels people gave, and gold when the user allows it.
    /// - Throws: `LocalEnsembleError.notEnoughLabels` when fewer than 2 distinct labels remain.
    public init(name: String = "local:ensemble", members: Int = 7, seed: Int = 0, labels: [String],
                training: [(text: String, label: String)], options: LocalTrainingOptions = LocalTrainingOptions()) throws {
        let classes = labels.isEmpty ? Array(Set(training.map(\.label))).sorted() : labels
        var position: [String: Int32] = [:]
        for (i, l) in classes.enumerated() where position[l] == nil { position[l] = Int32(i) }
        let usable = training.compactMap { row in position[row.label].map { (row.text, $0) } }
        let distinct = Set(usable.map(\.1)).count
        guard distinct >= 2 else { throw LocalEnsembleError.notEnoughLabels(have: distinct, need: 2) }

        let rows = LocalEnsemble.featurize(usable.map(\.0))
        let y = usable.map(\.1)
        self.init(name: name, seed: seed, classes: classes, isPairwise: false, trainingCount: usable.count,
                  models: LocalEnsemble.trainMembers(rows: rows, labels: y, groups: usable.count, groupSize: 1,
                                                     classes: classes.count, dim: LocalFeatures.buckets, useBias: true,
                                                     members: members, seed: seed, options: options))
    }

    /// Trains a pairwise ensemble from pair judgments in stored order. Ties and
    /// both-bad judgments, and items without exactly two responses, are left out.
    /// A ranking of N responses gives a judgment for every two responses it ranks apart.
    /// Each judgment is used in both orientations (features negated, label flipped),
    /// and the model has no bias: it judges content, never position.
    ///
    /// - Throws: `LocalEnsembleError.notEnoughJudgments` when no judgment prefers a response.
    public init(name: String = "local:ensemble", members: Int = 7, seed: Int = 0,
                judgments: [(item: Item, choice: PairChoice)], rankings: [(item: Item, order: RankingOrder)] = [],
                options: LocalTrainingOptions = LocalTrainingOptions()) throws {
        var usable: [(String, String, Int32)] = judgments.compactMap { j in
            guard case .response(let p) = j.choice, p == 0 || p == 1,
                  let r = LocalEnsemble.responses(of: j.item) else { return nil }
            return (r.0, r.1, Int32(p))
        }
        for r in rankings {
            guard let texts = LocalEnsemble.candidates(of: r.item), texts.count == r.order.count else { continue }
            let ranks = r.order.ranks
            for i in texts.indices {
                for j in texts.indices where j > i && ranks[i] != ranks[j] { usable.append((texts[i], texts[j], ranks[i] < ranks[j] ? 0 : 1)) }
            }
        }
        guard !usable.isEmpty else { throw LocalEnsembleError.notEnoughJudgments(have: 0, need: 1) }

        let oriented = LocalEnsemble.pairRows(usable.map { ($0.0, $0.1) })
        var rows = LocalSparseRows()
        var y: [Int32] = []
        for (k, u) in usable.enumerated() {
            rows.appendRow(of: oriented, k, sign: 1)
            rows.appendRow(of: oriented, k, sign: -1)
            y.append(u.2)
            y.append(1 - u.2)
        }
        self.init(name: name, seed: seed, classes: ["0", "1"], isPairwise: true, trainingCount: usable.count,
                  models: LocalEnsemble.trainMembers(rows: rows, labels: y, groups: usable.count, groupSize: 2,
                                                     classes: 2, dim: LocalPairFeatures.dim, useBias: false,
                                                     members: members, seed: seed, options: options))
    }

    init(name: String, seed: Int, classes: [String], isPairwise: Bool, trainingCount: Int, models: [LocalSoftmaxModel]) {
        self.name = name
        self.seed = seed
        self.classes = classes
        self.isPairwise = isPairwise
        self.trainingCount = trainingCount
        self.models = models
    }

    // MARK: - Inputs

    /// (text, label) training rows for the items that have a label in `labels` (keyed by row id) and a text.
    public static func trainingPairs(items: [StoredItem], labels: [Int64: String]) -> [(text: String, label: String)] {
        items.compactMap { s in
            guard let l = labels[s.rowID], let t = text(of: s.item) else { return nil }
            return (t, l)
        }
    }

    /// Pair judgments for the items that have one in `choices` (keyed by row id).
    public static func judgments(items: [StoredItem], choices: [Int64: PairChoice]) -> [(item: Item, choice: PairChoice)] {
        items.compactMap { s in choices[s.rowID].map { (s.item, $0) } }
    }

    /// The text a classification model reads: `fields.text`, or a demonstration's
    /// messages' contents joined by newlines; nil when the item has neither.
    public static func text(of item: Item) -> String? {
        if let t = item.fields.text { return t }
        if let m = item.fields.messages, !m.isEmpty { return m.map(\.content).joined(separator: "\n") }
        return nil
    }

    /// The two responses' texts (each response's turns joined by newlines), or nil unless there are exactly two.
    public static func responses(of item: Item) -> (String, String)? {
        guard let r = candidates(of: item), r.count == 2 else { return nil }
        return (r[0], r[1])
    }

    /// Every response's text (turns joined by newlines); nil for an item without two or more.
    public static func candidates(of item: Item) -> [String]? {
        guard let r = item.fields.responses, r.count >= 2 else { return nil }
        return r.map { $0.map(\.content).joined(separator: "\n") }
    }

    // MARK: - Predicting

    /// Votes for items of `task` (keyed by row id), one per member, in member order.
    /// Items without a text (or, for pairs, without exactly two responses) get no entry.
    public func annotate(_ items: [StoredItem], task: TaskSpec, progress: @Sendable (Int) -> Void) async throws
        -> [Int64: [MachineVote]] {
        guard (task.kind == .compare) == isPairwise else {
            throw LocalEnsembleError.wrongTask(task: task.name, trainedFor: isPairwise ? "pairs" : "classification")
        }
        return try LocalEnsemble.inBlocks(items, progress: progress) { slice in
            if isPairwise {
                let usable = slice.compactMap { s in LocalEnsemble.responses(of: s.item).map { (s.rowID, $0) } }
                let rankings = slice.compactMap { s in LocalEnsemble.candidates(of: s.item).flatMap { $0.count > 2 ? (s.rowID, $0) : nil } }
                return Array(zip(usable.map(\.0), pairVotes(usable.map(\.1)))) + Array(zip(rankings.map(\.0), rankingVotes(rankings.map(\.1))))
            }
            let usable = slice.compactMap { s in LocalEnsemble.text(of: s.item).map { (s.rowID, $0) } }
            return Array(zip(usable.map(\.0), votes(for: usable.map(\.1))))
        }
    }

    /// Votes for items block by block (4,096 at a time: the features of all items never exist at once),
    /// checking for cancellation and reporting the items done after each block.
    static func inBlocks(_ items: [StoredItem], progress: @Sendable (Int) -> Void,
                         _ votes: (ArraySlice<StoredItem>) -> [(Int64, [MachineVote])]) throws -> [Int64: [MachineVote]] {
        var out: [Int64: [MachineVote]] = [:]
        out.reserveCapacity(items.count)
        let block = 4096
        var done = 0
        while done < items.count {
            try Task.checkCancellation()
            let slice = items[done..<min(items.count, done + block)]
            for (id, v) in votes(slice) { out[id] = v }
            done += slice.count
            progress(done)
        }
        return out
    }

    /// Each text's votes, one per member (classification ensembles).
    public func votes(for texts: [String]) -> [[MachineVote]] {
        precondition(!isPairwise, "votes(for:) needs a classification ensemble")
        return predict(count: texts.count) { range in
            var f = LocalFeaturizer()
            var rows = LocalSparseRows()
            for i in range { f.append(texts[i], to: &rows) }
            return rows
        }
    }

    /// Each pair's votes, "0" or "1" per member (pairwise ensembles).
    public func pairVotes(_ pairs: [(String, String)]) -> [[MachineVote]] {
        precondition(isPairwise, "pairVotes needs a pairwise ensemble")
        return predict(count: pairs.count) { range in
            var f = LocalFeaturizer()
            var rows = LocalSparseRows()
            for i in range { LocalPairFeatures.append(pairs[i].0, pairs[i].1, featurizer: &f, to: &rows) }
            return rows
        }
    }

    /// Each ranking item's votes, one order per member (pairwise ensembles): the member judges every two
    /// candidates, and its order is by wins (Copeland), equal wins in stored order. Label: stored indices
    /// best first ("2>0>1", `RankingOrder`).
    public func rankingVotes(_ items: [[String]]) -> [[MachineVote]] {
        let pairs = items.map { c in c.indices.flatMap { i in c.indices.filter { $0 > i }.map { (i, $0) } } }
        let judged = pairVotes(zip(items, pairs).flatMap { c, p in p.map { (c[$0.0], c[$0.1]) } })
        var next = 0
        return zip(items, pairs).map { candidates, itemPairs in
            var wins = [[Int]](repeating: [Int](repeating: 0, count: candidates.count), count: members)
            for (i, j) in itemPairs {
                for (m, v) in judged[next].enumerated() { wins[m][v.label == "0" ? i : j] += 1 }
                next += 1
            }
            return wins.enumerated().map { m, w in
                let order = candidates.indices.sorted { (w[$0], -$0) > (w[$1], -$1) }
                return MachineVote(annotator: name, variant: "member-\(m)", label: RankingOrder(order).text)
            }
        }
    }

    /// Votes for `count` inputs, featurized and predicted chunk by chunk in parallel
    /// (so the feature rows of all inputs never exist at once).
    private func predict(count: Int, rows makeRows: @Sendable (Range<Int>) -> LocalSparseRows) -> [[MachineVote]] {
        let models = self.models, classes = self.classes, name = self.name
        let variants = (0..<models.count).map { "member-\($0)" }
        let chunks = LocalParallel.chunks(count, maximum: 1024)
        let parts = LocalParallel.map(chunks.count) { part -> [[MachineVote]] in
            let rows = makeRows(chunks[part])
            var p = [Float](repeating: 0, count: classes.count)
            var out: [[MachineVote]] = []
            out.reserveCapacity(rows.count)
            rows.indices.withUnsafeBufferPointer { idx in
                rows.values.withUnsafeBufferPointer { val in
                    p.withUnsafeMutableBufferPointer { P in
                        for r in 0..<rows.count {
                            let lo = rows.offsets[r], hi = rows.offsets[r + 1]
                            var votes: [MachineVote] = []
                            votes.reserveCapacity(models.count)
                            for (m, model) in models.enumerated() {
                                model.probabilities(idx, val, lo, hi, into: P)
                                var best = 0
                                for k in 1..<classes.count where P[k] > P[best] { best = k }
                                votes.append(MachineVote(annotator: name, variant: variants[m], label: classes[best],
                                                         confidence: Double(P[best])))
                            }
                            out.append(votes)
                        }
                    }
                }
            }
            return out
        }
        return parts.flatMap { $0 }
    }

    // MARK: - Training

    static func featurize(_ texts: [String]) -> LocalSparseRows {
        let chunks = LocalParallel.chunks(texts.count)
        let parts = LocalParallel.map(chunks.count) { part -> LocalSparseRows in
            var f = LocalFeaturizer()
            var rows = LocalSparseRows()
            for i in chunks[part] { f.append(texts[i], to: &rows) }
            return rows
        }
        var rows = LocalSparseRows()
        for p in parts { rows.append(contentsOf: p) }
        return rows
    }

    static func pairRows(_ pairs: [(String, String)]) -> LocalSparseRows {
        let chunks = LocalParallel.chunks(pairs.count, minimum: 16)
        let parts = LocalParallel.map(chunks.count) { part -> LocalSparseRows in
            var f = LocalFeaturizer()
            var rows = LocalSparseRows()
            for i in chunks[part] { LocalPairFeatures.append(pairs[i].0, pairs[i].1, featurizer: &f, to: &rows) }
            return rows
        }
        var rows = LocalSparseRows()
        for p in parts { rows.append(contentsOf: p) }
        return rows
    }

    /// Member i: a bootstrap sample and epoch shuffles drawn from stream i of `seed`.
    static func trainMembers(rows: LocalSparseRows, labels: [Int32], groups: Int, groupSize: Int, classes: Int, dim: Int,
                             useBias: Bool, members: Int, seed: Int, options: LocalTrainingOptions) -> [LocalSoftmaxModel] {
        LocalParallel.map(max(1, members)) { i in
            var rng = LocalRNG(seed: seed, stream: i)
            let sample = LocalSoftmaxTrainer.bootstrap(groups: groups, groupSize: groupSize, rng: &rng)
            return LocalSoftmaxTrainer.train(rows: rows, labels: labels, sample: sample, classes: classes, dim: dim,
                                             useBias: useBias, options: options, rng: &rng)
        }
    }
}
