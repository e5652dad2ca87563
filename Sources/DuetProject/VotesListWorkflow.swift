import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation

/// `duet votes list`: the stored votes with their raw answers, to see what a model said and how it was read.
public enum VotesListWorkflow {
    /// The votes of `task` (one item's with `item`, the dataset taken from the task or the only one).
    public static func records(task: TaskSpec, item: String?, annotator: String?, unparseableOnly: Bool, limit: Int,
                               project: Project) async throws -> [VoteRecord] {
        var rowID: Int64?
        if let item {
            var datasets = task.dataset.map { [$0] } ?? []
            if task.dataset == nil { datasets = try await project.store.datasetSummaries().map(\.name) }
            var found: StoredItem?
            for d in datasets where found == nil { found = try await project.store.item(dataset: d, uid: item) }
            guard let found else {
                throw DuetError("no item '\(item)' in task '\(task.name)'")
            }
            rowID = found.rowID
        }
        return try await project.store.voteRecords(task: task, item: rowID, annotator: annotator, unparseableOnly: unparseableOnly, limit: limit)
    }

    /// One line a vote: item, annotator, variant, the reading (∅ = unparseable, "no vote" for a False / No
    /// answer), confidence, tokens, and the raw answer on one line (line breaks as ⏎, at most `width` characters of it).
    public static func lines(_ records: [VoteRecord], width: Int = 100) -> [String] {
        records.map { r in
            let v = r.vote
            var line = "\(r.item)\t\(v.annotator)\t\(v.variant)\t\(v.noVote ? "no vote" : v.label ?? Uncertainty.unparseable)"
            line += "\t" + (v.confidence.map { String(format: "%.2f", $0) } ?? "–")
            if let p = v.promptTokens, let c = v.completionTokens { line += "\t\(p)+\(c) tok" }
            if let raw = v.raw {
                let flat = raw.replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "⏎")
                line += "\t" + (flat.count > width ? String(flat.prefix(width)) + "…" : flat)
            }
            return line
        }
    }
}
