import Foundation

/// What `duet plan` lacks when none of the items with the annotator's votes has truth (a person's
/// label or a gold label), said with the counts and the command that supplies it. A compare
/// dataset's own preference (chosen/rejected) is the source's annotation, never truth: it is named,
/// not used.
public struct PlanNeeds: Sendable, Hashable {
    public var task: TaskSpec
    public var annotator: String
    /// Items with the annotator's votes.
    public var votedItems: Int
    /// Items people labeled and items with gold, none of them among the voted ones.
    public var peopleLabeled: Int
    public var goldLabeled: Int
    /// Compare tasks: voted pairs that carry the dataset's own preference.
    public var sourcePreferences: Int
    /// Compare tasks: the annotator's own position bias, which needs no truth.
    public var positionBias: MachinePositionBias?

    public init(task: TaskSpec, annotator: String, votedItems: Int, peopleLabeled: Int = 0, goldLabeled: Int = 0,
                sourcePreferences: Int = 0, positionBias: MachinePositionBias? = nil) {
        self.task = task
        self.annotator = annotator
        self.votedItems = votedItems
        self.peopleLabeled = peopleLabeled
        self.goldLabeled = goldLabeled
        self.sourcePreferences = sourcePreferences
        self.positionBias = positionBias
    }

    /// Labeled items that measure an accuracy within ±10 points (95%, in the worst case p = 0.5).
    public static let enough = labels(margin: 0.10)

    /// Items whose labels measure an accuracy within ±`margin` (95%, worst case).
    public static func labels(margin: Double) -> Int { Int((Audit.z95 * Audit.z95 * 0.25 / (margin * margin)).rounded(.up)) }

    /// The 95% margin of an accuracy measured on `n` items, worst case, in whole points.
    public static func margin(items n: Int) -> Int { Int((Audit.z95 * (0.25 / Double(max(1, n))).squareRoot() * 100).rounded()) }

    public var text: String {
        let pairs = task.kind == .compare
        let (thing, things) = pairs ? ("pair", "pairs") : ("item", "items")
        let (labelNoun, labelVerb, labelled) = pairs ? ("judgment", "Judge", "judged") : ("label", "Label", "labeled")
        var s = "nothing to measure \(annotator) against in task '\(task.name)': none of the \(votedItems) "
            + "\(votedItems == 1 ? thing : things) it voted on has a person's \(labelNoun) or a gold label"
        var elsewhere: [String] = []
        if peopleLabeled > 0 { elsewhere.append("people \(labelled) \(peopleLabeled) other \(peopleLabeled == 1 ? thing : things)") }
        if goldLabeled > 0 { elsewhere.append("\(goldLabeled) other \(goldLabeled == 1 ? thing : things) have gold") }
        if !elsewhere.isEmpty { s += " (" + elsewhere.joined(separator: "; ") + ", without its votes)" }
        s += ". "
        let command = "`duet label --task \(task.name)`"
        if votedItems >= Self.enough {
            s += "\(labelVerb) at least \(Self.enough) of them in \(command): people's \(labelNoun)s are the truth, and "
                + "\(Self.enough) measure its accuracy within ±10 points (95%)."
        } else {
            s += "\(labelVerb) \(votedItems == 1 ? "it" : "them") in \(command): people's \(labelNoun)s are the truth, and "
                + "\(votedItems == 1 ? "one" : "all \(votedItems)") measure its accuracy within ±\(Self.margin(items: votedItems)) points (95%)."
        }
        if pairs && sourcePreferences > 0 {
            s += " The dataset's own preference (chosen/rejected, on \(sourcePreferences) of these pairs) is the source's "
                + "annotation, not truth: the plan does not measure against it."
        }
        if let b = positionBias, b.chose > 0 { s += "\nWithout truth: " + b.text + "." }
        return s
    }
}
