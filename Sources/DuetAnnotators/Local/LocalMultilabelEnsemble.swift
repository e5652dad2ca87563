import DuetCore

/// The built-in offline annotator for multilabel tasks: one-vs-rest, a bagged ensemble per label over
/// the same hashed text features as `LocalEnsemble` (each label's members trained on their own
/// bootstrap samples of the labelled items, "yes" when the item's set holds the label). Each member
/// casts one vote per label: variant "member-<k>@<label>" (`MachineVote.variant(_:facet:)`), label
/// "yes" or "no" with its probability as confidence — the same shape as an LLM judge's multilabel
/// votes, so the router reads both alike (`Multilabel`).
///
/// A label the training sets never hold (or always hold) cannot be learned: its members all vote the
/// one answer seen, without a confidence. Texts are featurized once for training; everything is
/// seeded (label i's members draw from seed + i).
public struct LocalMultilabelEnsemble: MachineAnnotator {
    public let name: String
    public let labels: [String]
    public let members: Int
    /// Training rows used (items with a text and a label set).
    public let trainingCount: Int
    /// Per label: its binary ensemble ("no", "yes"), or the one answer its training rows gave.
    let perLabel: [Either]

    enum Either: Sendable {
        case learned(LocalEnsemble)
        case constant(String)
    }

    /// - training: (text, label set) rows: people's label sets, and gold when the user allows it.
    /// - Throws: `LocalEnsembleError.notEnoughLabels` when no label has both a "yes" and a "no" among the rows.
    public init(name: String = "local:ensemble", members: Int = 7, seed: Int = 0, labels: [String],
                training: [(text: String, labels: Set<String>)], options: LocalTrainingOptions = LocalTrainingOptions()) throws {
        self.name = name
        self.labels = labels
        self.members = max(1, members)
        trainingCount = training.count
        let rows = LocalEnsemble.featurize(training.map(\.text))
        var perLabel: [Either] = []
        for (i, label) in labels.enumerated() {
            let y = training.map { Int32($0.labels.contains(label) ? 1 : 0) }
            guard Set(y).count == 2 else {
                perLabel.append(.constant(y.first == 1 ? Multilabel.yes : Multilabel.no))
                continue
            }
            let models = LocalEnsemble.trainMembers(rows: rows, labels: y, groups: y.count, groupSize: 1, classes: 2,
                                                    dim: LocalFeatures.buckets, useBias: true, members: self.members,
                                                    seed: seed &+ i, options: options)
            perLabel.append(.learned(LocalEnsemble(name: name, seed: seed &+ i, classes: [Multilabel.no, Multilabel.yes],
                                                   isPairwise: false, trainingCount: y.count, models: models)))
        }
        guard perLabel.contains(where: { if case .learned = $0 { return true } else { return false } }) else {
            throw LocalEnsembleError.notEnoughLabels(have: training.isEmpty ? 0 : 1, need: 2)
        }
        self.perLabel = perLabel
    }

    /// (text, label set) rows for the items with a label text ("a|b", "" for none) in `labels` and a text.
    public static func trainingRows(items: [StoredItem], labels: [Int64: String]) -> [(text: String, labels: Set<String>)] {
        LocalEnsemble.trainingPairs(items: items, labels: labels).map { ($0.text, Multilabel.labels(of: $0.label)) }
    }

    /// Votes for the items (keyed by row id): per label, one per member, label by label. Items without a
    /// text get no entry.
    public func annotate(_ items: [StoredItem], task: TaskSpec, progress: @Sendable (Int) -> Void) async throws -> [Int64: [MachineVote]] {
        guard task.kind == .multilabel else {
            throw LocalEnsembleError.wrongTask(task: task.name, trainedFor: "multilabel")
        }
        return try LocalEnsemble.inBlocks(items, progress: progress) { slice in
            let usable = slice.compactMap { s in LocalEnsemble.text(of: s.item).map { (s.rowID, $0) } }
            var votes = [[MachineVote]](repeating: [], count: usable.count)
            for (label, model) in zip(labels, perLabel) {
                let variants = (0..<members).map { MachineVote.variant("member-\($0)", facet: label) }
                switch model {
                case .learned(let ensemble):
                    for (i, memberVotes) in ensemble.votes(for: usable.map(\.1)).enumerated() {
                        for (m, v) in memberVotes.enumerated() {
                            votes[i].append(MachineVote(annotator: name, variant: variants[m], label: v.label, confidence: v.confidence))
                        }
                    }
                case .constant(let answer):
                    for i in votes.indices { votes[i] += variants.map { MachineVote(annotator: name, variant: $0, label: answer) } }
                }
            }
            return Array(zip(usable.map(\.0), votes))
        }
    }
}
