import DuetCore
import DuetProject
import TermUI

/// `duet adjudicate --list`: the disputed items as text, one per line.
public enum AdjudicationList {
    /// `doubts`: the doubt queue only (`Disagreement.doubt`), each line with why.
    public static func make(task name: String?, peopleOnly: Bool, doubts: Bool = false, project: Project) async throws -> String {
        let task = try project.task(name)
        var items = Adjudication.disagreements(try await project.store.currentDecisions(task: task), peopleOnly: peopleOnly, includeSettled: true)
        if doubts { items = items.filter { $0.doubt != nil } }
        guard !items.isEmpty else { return doubts ? "no doubts in task '\(task.name)'" : "no disagreements in task '\(task.name)'" }
        var lines: [String] = []
        for d in items {
            let uid = try await project.store.item(rowID: d.itemRowID)?.item.uid ?? "#\(d.itemRowID)"
            var line = uid + ": " + d.answers.map { "\($0.annotator)=\(Adjudication.words($0.key, task: task))" }.joined(separator: ", ")
            if let s = d.settled { line += "  → final \(Adjudication.words(s.key, task: task)) (\(s.annotator))" }
            if doubts, let why = d.doubt { line += "  (doubt: \(why))" }
            lines.append(TerminalText.sanitize(line))  // ids and labels come from data
        }
        let open = items.filter { $0.settled == nil }.count
        let count = "\(items.count) disputed item\(items.count == 1 ? "" : "s")"
        lines.append(open == 0 ? count + ", all settled" : count + ", \(open) not settled; `duet adjudicate --task \(task.name)` settles them")
        return lines.joined(separator: "\n")
    }
}
