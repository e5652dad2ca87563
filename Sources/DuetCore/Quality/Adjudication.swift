/// Settling disagreements: items where annotators (people or machines) gave
/// different answers, and the final decision an adjudicator records for them.
///
/// An adjudication is an ordinary human decision in the log, by the annotator
/// `adjudicator:<name>`: undo, the log and exports work as for any decision;
/// `Decisions.final` prefers it; agreement figures leave it out (it agrees
/// with one side by construction).
public enum Adjudication {
    public static let prefix = "adjudicator:"

    /// The annotator name an adjudication by `person` is recorded under.
    public static func annotator(for person: String) -> String { prefix + person }

    public static func isAdjudicator(_ annotator: String) -> Bool { annotator.hasPrefix(prefix) }

    /// An answer's key in words: pairs name the response in stored order
    /// ("response 1 better"), rankings the responses in order, label sets are listed, other keys are as given.
    public static func words(_ key: String, task: TaskSpec) -> String {
        if task.kind == .compare {
            switch key {
            case "0": return "response 1 better"
            case "1": return "response 2 better"
            case "tie": return "tie"
            case "both-bad": return "both bad"
            default:
                // A ranking, by the responses' stored positions from 1: "responses 3 > 1 = 2".
                if let order = RankingOrder(text: key) {
                    return "responses " + order.groups.map { $0.map { String($0 + 1) }.joined(separator: " = ") }.joined(separator: " > ")
                }
            }
        }
        return key.replacingOccurrences(of: "|", with: ", ")
    }

    /// One annotator's answer on a disputed item.
    public struct Answer: Sendable, Hashable {
        public var annotator: String
        public var kind: AnnotatorKind
        public var value: JSONValue?
        /// What answers are compared by: the label text, else the value's canonical JSON.
        public var key: String
        public var seconds: Double?

        public init(annotator: String, kind: AnnotatorKind, value: JSONValue?, seconds: Double? = nil) {
            self.annotator = annotator
            self.kind = kind
            self.value = value
            self.key = Decisions.labelText(value) ?? value?.canonicalJSON ?? ""
            self.seconds = seconds
        }
    }

    /// An item whose annotators disagree.
    public struct Disagreement: Sendable, Hashable {
        public var itemRowID: Int64
        /// The answers, people first, then machines, each by name.
        public var answers: [Answer]
        /// The adjudication in force, if any.
        public var settled: Answer?

        /// The doubt queue: why a person's label is in doubt, or nil. A person's answer is in doubt when a
        /// confident machine contradicts it (a machine decision in force: the router kept the machine's label,
        /// which it does only when sure enough, or audits it) or when two or more other people agree on
        /// another answer. Names as given (screens sanitize them).
        public var doubt: String? {
            for p in answers where p.kind == .human {
                let against = answers.filter { $0.annotator != p.annotator && $0.key != p.key }
                if let m = against.first(where: { $0.kind == .machine }) {
                    return "\(p.annotator)'s label against the machine's kept label (\(m.annotator))"
                }
                let people = Dictionary(grouping: against.filter { $0.kind == .human }, by: \.key)
                if let key = people.keys.sorted().first(where: { people[$0]!.count >= 2 }) {
                    return "\(p.annotator)'s label against " + people[key]!.map(\.annotator).joined(separator: " and ") + ", who agree"
                }
            }
            return nil
        }

        /// Distinct answers with how many gave each, most first (ties: first given).
        public var tally: [(key: String, count: Int)] {
            var counts: [String: Int] = [:]
            var order: [String] = []
            for a in answers {
                if counts[a.key] == nil { order.append(a.key) }
                counts[a.key, default: 0] += 1
            }
            return order.enumerated().sorted { (counts[$0.element]!, -$0.offset) > (counts[$1.element]!, -$1.offset) }
                .map { ($0.element, counts[$0.element]!) }
        }
    }

    /// Items whose current submitted decisions (people's and, unless
    /// `peopleOnly`, machines') do not all agree, in item order. Settled
    /// items are listed only with `includeSettled`.
    public static func disagreements(_ decisions: [CurrentDecision], peopleOnly: Bool = false,
                                     includeSettled: Bool = false) -> [Disagreement] {
        var byItem: [Int64: [CurrentDecision]] = [:]
        var order: [Int64] = []
        for d in decisions where d.status == .submitted && d.annotatorKind != .source {
            if byItem[d.itemRowID] == nil { order.append(d.itemRowID) }
            byItem[d.itemRowID, default: []].append(d)
        }
        var out: [Disagreement] = []
        for id in order {
            let ds = byItem[id]!
            let settled = ds.first { isAdjudicator($0.annotator) }
                .map { Answer(annotator: $0.annotator, kind: $0.annotatorKind, value: $0.value, seconds: $0.seconds) }
            let answers = ds.filter { !isAdjudicator($0.annotator) && (!peopleOnly || $0.annotatorKind == .human) }
                .sorted { ($0.annotatorKind == .human ? 0 : 1, $0.annotator) < ($1.annotatorKind == .human ? 0 : 1, $1.annotator) }
                .map { Answer(annotator: $0.annotator, kind: $0.annotatorKind, value: $0.value, seconds: $0.seconds) }
            guard Set(answers.map(\.key)).count > 1 else { continue }
            if settled != nil && !includeSettled { continue }
            out.append(Disagreement(itemRowID: id, answers: answers, settled: settled))
        }
        return out
    }
}
