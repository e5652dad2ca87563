import DuetCore

extension PairStats {
    /// The task's figures from the store: every current decision, and the
    /// source's value for the decided items only (read in pages, so a large
    /// imported dataset with few decisions stays cheap).
    public static func compute(store: any ItemCatalog & LabelingQueue & VoteStore, task: TaskSpec) async throws -> PairStats {
        let decisions = try await store.currentDecisions(task: task)
        var ids: [Int64] = []
        var seen = Set<Int64>()
        for d in decisions where d.status == .submitted && seen.insert(d.itemRowID).inserted { ids.append(d.itemRowID) }
        var source: [Int64: JSONValue] = [:]
        var start = 0
        while start < ids.count {
            let page = Array(ids[start..<min(start + 2000, ids.count)])
            start += page.count
            for (id, log) in try await store.annotations(itemRowIDs: page, task: task.name) {
                // The first source annotation, as `ItemCatalog.sourceValues` takes it.
                if let v = log.filter({ $0.entry.annotatorKind == .source }).min(by: { $0.id < $1.id })?.entry.value { source[id] = v }
            }
        }
        var stats = PairStats(decisions: decisions, source: source)
        stats.machines = MachinePositionBias.make(try await store.voteCounts(task: task))
        return stats
    }
}
