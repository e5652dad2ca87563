/// A task as a store keeps it: every field duet.toml gives it, as canonical JSON (`tasks.spec`), so a
/// shared store holds the team's tasks whole, not only the columns its queries use.
extension TaskSpec {
    public var storedJSON: JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(name), "kind": .string(kind.rawValue), "labels": .array(labels.map { .string($0) }),
            "scale": .array([.number(Double(scale.lowerBound)), .number(Double(scale.upperBound))]),
            "show_source": .bool(showSource), "seed": .number(Double(seed)), "overlap": .number(Double(overlap)),
        ]
        if let dataset { o["dataset"] = .string(dataset) }
        if honeypotRate > 0 { o["honeypot_rate"] = .number(honeypotRate) }
        if let guidelines { o["guidelines"] = .string(guidelines) }
        return .object(o)
    }

    /// Reads `storedJSON`; nil when it is not a task's (a store written by a newer Duet may add fields:
    /// they are ignored).
    public init?(storedJSON json: JSONValue) {
        guard let name = json["name"]?.string, let kind = json["kind"]?.string.flatMap(TaskKind.init(rawValue:)),
              let labels = json["labels"]?.array?.compactMap(\.string),
              let scale = json["scale"]?.array?.compactMap(\.number), scale.count == 2, scale[0] <= scale[1],
              let seed = json["seed"]?.number, let overlap = json["overlap"]?.number
        else { return nil }
        self.init(name: name, kind: kind, labels: labels, dataset: json["dataset"]?.string, guidelines: json["guidelines"]?.string,
                  scale: Int(scale[0])...Int(scale[1]), showSource: json["show_source"]?.bool ?? false, seed: Int(seed),
                  overlap: Int(overlap), honeypotRate: json["honeypot_rate"]?.number ?? 0)
    }
}

/// What applying duet.toml's tasks would change in a store's tasks: the reviewable step between a
/// config file and a shared store (`duet task apply`). Tasks are never deleted: one only in the
/// store stays, and is listed.
public struct TaskChanges: Sendable, Hashable {
    public struct Change: Sendable, Hashable {
        public var stored: TaskSpec
        public var proposed: TaskSpec
        /// The fields that differ, as duet.toml names them.
        public var fields: [String]
    }

    /// In duet.toml, not in the store.
    public var added: [TaskSpec] = []
    /// In both, with other fields.
    public var changed: [Change] = []
    /// In the store only (kept).
    public var storeOnly: [TaskSpec] = []

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty }

    public init(stored: [TaskSpec], proposed: [TaskSpec]) {
        let byName = Dictionary(stored.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for p in proposed {
            guard let s = byName[p.name] else {
                added.append(p)
                continue
            }
            let fields = Self.differences(s, p)
            if !fields.isEmpty { changed.append(Change(stored: s, proposed: p, fields: fields)) }
        }
        let proposedNames = Set(proposed.map(\.name))
        storeOnly = stored.filter { !proposedNames.contains($0.name) }
    }

    static func differences(_ a: TaskSpec, _ b: TaskSpec) -> [String] {
        var out: [String] = []
        if a.kind != b.kind { out.append("kind") }
        if a.labels != b.labels { out.append("labels") }
        if a.dataset != b.dataset { out.append("dataset") }
        if a.guidelines != b.guidelines { out.append("guidelines") }
        if a.scale != b.scale { out.append("scale") }
        if a.showSource != b.showSource { out.append("show_source") }
        if a.seed != b.seed { out.append("seed") }
        if a.overlap != b.overlap { out.append("overlap") }
        if a.honeypotRate != b.honeypotRate { out.append("honeypot_rate") }
        return out
    }

    /// One line per change, names shown safely (`Names.shown`).
    public var lines: [String] {
        added.map { "+ task \(Names.shown($0.name)) (\($0.kind.rawValue))" }
            + changed.map { "~ task \(Names.shown($0.stored.name)): \($0.fields.joined(separator: ", ")) changed" }
            + storeOnly.map { "  task \(Names.shown($0.name)) is in the store only (kept)" }
    }
}
