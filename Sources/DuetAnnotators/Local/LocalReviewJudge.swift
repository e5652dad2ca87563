import DuetCore

/// The built-in annotator for review tasks: two bagged ensembles over the same text features as
/// `LocalEnsemble` (the demonstration's turns joined), one a softmax over the scale's points trained on
/// people's ratings, one over accept/reject trained on their verdicts. Each member casts one rating
/// vote ("member-i") and one verdict vote ("member-i@verdict", facet `ReviewDecision.verdictFacet`):
/// the router ranks and labels by the ratings, the machine's decision takes the verdicts' majority.
/// Either half is left out while it has too few labels (fewer than two distinct ratings or verdicts);
/// with neither, training throws.
public struct LocalReviewJudge: MachineAnnotator {
    public let name: String
    let rating: LocalEnsemble?
    let verdict: LocalEnsemble?
    /// Training rows used: ratings + verdicts.
    public var trainingCount: Int { (rating?.trainingCount ?? 0) + (verdict?.trainingCount ?? 0) }

    /// - ratings: (text, scale point) rows; verdicts: (text, "accept"/"reject") rows.
    /// - Throws: `LocalEnsembleError.notEnoughLabels` when neither half can learn.
    public init(name: String = "local:ensemble", members: Int = 7, seed: Int = 0, scale: [String],
                ratings: [(text: String, label: String)], verdicts: [(text: String, label: String)],
                options: LocalTrainingOptions = LocalTrainingOptions()) throws {
        self.name = name
        var failure: LocalEnsembleError?
        func train(_ labels: [String], _ rows: [(text: String, label: String)], seed: Int) -> LocalEnsemble? {
            do {
                return try LocalEnsemble(name: name, members: members, seed: seed, labels: labels, training: rows, options: options)
            } catch let e as LocalEnsembleError {
                failure = failure ?? e
            } catch {}
            return nil
        }
        rating = train(scale, ratings, seed: seed)
        verdict = train(ReviewDecision.verdicts, verdicts, seed: seed &+ 1)
        if rating == nil && verdict == nil { throw failure ?? LocalEnsembleError.notEnoughLabels(have: 0, need: 2) }
    }

    public func annotate(_ items: [StoredItem], task: TaskSpec, progress: @Sendable (Int) -> Void) async throws -> [Int64: [MachineVote]] {
        var out: [Int64: [MachineVote]] = [:]
        let block = 4096
        var done = 0
        while done < items.count {
            try Task.checkCancellation()
            let usable = items[done..<min(items.count, done + block)].compactMap { s in LocalEnsemble.text(of: s.item).map { (s.rowID, $0) } }
            let texts = usable.map(\.1)
            let ratings = rating?.votes(for: texts) ?? texts.map { _ in [] }
            let verdicts = verdict?.votes(for: texts) ?? texts.map { _ in [] }
            for (k, id) in usable.map(\.0).enumerated() {
                out[id] = ratings[k] + verdicts[k].map { v in
                    var v = v
                    v.variant = MachineVote.variant(v.variant, facet: ReviewDecision.verdictFacet)
                    return v
                }
            }
            done = min(items.count, done + block)
            progress(done)
        }
        return out
    }
}
