/// Which decisions an export takes.
public enum DecisionScope: String, Sendable, CaseIterable {
    /// One value per item: the latest human decision, else the machine's.
    case final
    /// Human decisions only (the latest per person).
    case human
    /// The whole log, revocations applied.
    case all
}

/// Reads the append-only log back into current decisions.
public enum Decisions {
    /// Entries still in force: revocation entries and the entries they revoke
    /// are dropped; for task decisions only each annotator's latest remains.
    /// Source annotations (no task) are all kept. Order: oldest first.
    public static func current(_ log: [Annotation]) -> [Annotation] {
        // Most items' logs hold one entry (exports read 10^6 of them).
        if log.count <= 1 { return log.first?.entry.status == .revoked ? [] : log }
        let revoked = Set(log.compactMap { $0.entry.status == .revoked ? $0.entry.revokes : nil })
        var latest: [String: Annotation] = [:]
        var sources: [Annotation] = []
        for a in log where a.entry.status != .revoked && !revoked.contains(a.id) {
            if a.entry.annotatorKind == .source || a.entry.task == nil {
                sources.append(a)
                continue
            }
            let key = (a.entry.task ?? "") + "\u{1F}" + a.entry.annotator
            if let prev = latest[key], (prev.entry.createdAt, prev.id) > (a.entry.createdAt, a.id) { continue }
            latest[key] = a
        }
        return (sources + latest.values).sorted { ($0.entry.createdAt, $0.id) < ($1.entry.createdAt, $1.id) }
    }

    /// The item's final decision in a task: the latest adjudication (see
    /// `Adjudication`), else the latest submitted human decision, else the
    /// latest submitted machine decision, else nil.
    public static func final(_ log: [Annotation], task: String) -> Annotation? {
        // One pass from the latest, by index (exports call this per item; copies of entries showed).
        let live = current(log)
        var human: Int?
        var machine: Int?
        for i in live.indices.reversed() where live[i].entry.task == task && live[i].entry.status == .submitted {
            if Adjudication.isAdjudicator(live[i].entry.annotator) { return live[i] }
            switch live[i].entry.annotatorKind {
            case .human: human = human ?? i
            case .machine: machine = machine ?? i
            case .source: break
            }
        }
        return (human ?? machine).map { live[$0] }
    }

    /// The decisions an export in `scope` takes for one item.
    public static func select(_ log: [Annotation], task: String?, scope: DecisionScope) -> [Annotation] {
        switch scope {
        case .all:
            return current(log).filter { task == nil || $0.entry.task == task || $0.entry.task == nil }
        case .human:
            return current(log).filter { $0.entry.annotatorKind == .human && $0.entry.status == .submitted && (task == nil || $0.entry.task == task) }
        case .final:
            guard let task else { return [] }
            return final(log, task: task).map { [$0] } ?? []
        }
    }
}

extension Decisions {
    /// A decision value as the label text votes and routes use: the label
    /// itself, the number of a rating, "0"/"1"/"tie"/"both-bad" for a pair
    /// judgment, labels joined by "|" for multi-label, the stored order of a ranking ("2>0=1", see
    /// `RankingOrder`); nil for other values.
    public static func labelText(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        if let s = value.scalarText { return s }
        if let r = Ranking(value) { return RankingOrder(ranks: r.ranks)?.text }
        if let j = PairJudgment(value) {
            switch j.choice {
            case .response(let i): return String(i)
            case .tie: return "tie"
            case .bothBad: return "both-bad"
            }
        }
        if let a = value.array { return a.compactMap(\.scalarText).sorted().joined(separator: "|") }
        return nil
    }
}
