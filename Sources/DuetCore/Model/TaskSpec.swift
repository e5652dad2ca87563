/// How a task labels its items.
public enum TaskKind: String, Sendable, Codable, CaseIterable {
    /// One label per item.
    case classify
    /// Any number of labels per item.
    case multilabel
    /// A number on a scale.
    case rate
    /// Review a demonstration: rate, accept or reject, edit the response.
    case review
    /// Judge a pair (or ranking) of responses.
    case compare

    /// The item kinds a task of this kind can label.
    public var itemKinds: [ItemKind] {
        switch self {
        case .classify, .multilabel, .rate: return [.text, .demonstration]
        case .review: return [.demonstration]
        case .compare: return [.pair, .ranking]
        }
    }

    /// Whether the task needs a list of labels.
    public var needsLabels: Bool { self == .classify || self == .multilabel }
}

/// A labeling task as declared in duet.toml.
public struct TaskSpec: Hashable, Sendable {
    public var name: String
    public var kind: TaskKind
    public var labels: [String]
    /// Items of this dataset only; nil = every item of a fitting kind.
    public var dataset: String?
    public var guidelines: String?
    /// The scale for `rate` and `review` tasks.
    public var scale: ClosedRange<Int>
    /// Compare tasks: show the dataset's own preference to annotators (off:
    /// judging stays blind).
    public var showSource: Bool
    /// Compare tasks: seed of the per-item, per-annotator A/B assignment.
    public var seed: Int
    /// How many different people label each item (1 = one person each).
    /// Queues keep an item open until this many people decided it, and never
    /// give it to the same person twice.
    public var overlap: Int
    /// Share of a person's items that are honeypots: gold items (the dataset's gold labels) served blind
    /// to check the person (`honeypot_rate`, 0 = off; see `Honeypots`).
    public var honeypotRate: Double

    public init(name: String, kind: TaskKind, labels: [String] = [], dataset: String? = nil,
                guidelines: String? = nil, scale: ClosedRange<Int> = 1...5, showSource: Bool = false, seed: Int = 0,
                overlap: Int = 1, honeypotRate: Double = 0) {
        self.overlap = overlap
        self.honeypotRate = honeypotRate
        self.name = name
        self.kind = kind
        self.labels = labels
        self.dataset = dataset
        self.guidelines = guidelines
        self.scale = scale
        self.showSource = showSource
        self.seed = seed
    }

    /// The label texts decisions of this task are voted, routed and compared
    /// in (`Decisions.labelText`): the labels, the scale points, or for pairs
    /// "0"/"1" (the stored response preferred), "tie", "both-bad" (a ranking item's labels are orders,
    /// `RankingOrder`, not listed here).
    public var answerLabels: [String] {
        switch kind {
        case .compare: return ["0", "1", "tie", "both-bad"]
        case .rate, .review: return scale.map(String.init)
        case .classify, .multilabel: return labels
        }
    }

    /// A machine's label (one of `answerLabels`, as `Decisions.labelText` reads decisions) as the
    /// annotation value a person would have given: one shape for people and machines, so exports,
    /// audits and agreement read both alike (a review's rating as `{"rating": N}`; with its votes,
    /// `TaskKind.decisionValue(forLabel:votes:)` adds the verdict). Nil when the label has no such value.
    public func decisionValue(forLabel label: String) -> JSONValue? {
        kind.decisionValue(forLabel: label)
    }

    /// Problems with this spec, as messages naming the field.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if !TaskSpec.isValidName(name) {
            errors.append("task name '\(Names.shown(name))': use letters, digits, '-', '_' or '.' (1–64 characters)")
            return errors
        }
        if kind.needsLabels && labels.isEmpty {
            errors.append("task '\(name)': kind \(kind.rawValue) needs labels (e.g. --labels negative,neutral,positive)")
        }
        if Set(labels).count != labels.count {
            errors.append("task '\(name)': labels repeat")
        }
        if labels.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            errors.append("task '\(name)': a label is empty")
        }
        if labels.count > 36 {
            errors.append("task '\(name)': at most 36 labels")
        }
        if !(1...20).contains(overlap) {
            errors.append("task '\(name)': overlap must be from 1 to 20 (people per item), not \(overlap)")
        }
        if !(0...0.5).contains(honeypotRate) {
            errors.append("task '\(name)': honeypot_rate must be from 0 to 0.5 (the share of a person's items that are gold checks), not \(honeypotRate)")
        }
        if scale.lowerBound == scale.upperBound {
            errors.append("task '\(name)': the scale needs at least two points")
        }
        for label in labels {
            if let problem = Names.problem(label, maxLength: Names.maxLabelLength) { errors.append("task '\(name)': label \"\(Names.shown(label))\" \(problem)") }
        }
        if let dataset, let problem = Names.problem(dataset) {
            errors.append("task '\(name)': dataset \"\(Names.shown(dataset))\" \(problem)")
        }
        return errors
    }

    public static func isValidName(_ name: String) -> Bool {
        guard (1...64).contains(name.count) else { return false }
        return name.unicodeScalars.allSatisfy { s in
            (s.properties.isAlphabetic && s.isASCII) || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "."
        }
    }
}

import Foundation

extension TaskKind {
    /// See `TaskSpec.decisionValue(forLabel:)`.
    public func decisionValue(forLabel label: String) -> JSONValue? {
        switch self {
        case .classify: return .string(label)
        case .multilabel: return .array(label.split(separator: "|").map { .string(String($0)) })
        case .rate: return Double(label).map(JSONValue.number)
        case .compare:
            switch label {
            case "0", "1": return PairJudgment(choice: .response(label == "0" ? 0 : 1)).json
            case "tie": return PairJudgment(choice: .tie).json
            case "both-bad": return PairJudgment(choice: .bothBad).json
            // A ranking item's order ("2>0>1", `RankingOrder`): the ranks a person gives.
            default: return RankingOrder(text: label).map { Ranking(ranks: $0.ranks).json }
            }
        case .review: return ReviewDecision.machine(rating: label, votes: [])?.json
        }
    }
}
