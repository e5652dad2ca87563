import DuetCore
import DuetStoreAPI
import Foundation

/// `duet status`: what the project holds and how far each task is.
public struct StatusReport: Codable, Sendable {
    public struct Dataset: Codable, Sendable {
        public var name: String
        public var items: Int
        public var kinds: [String: Int]
    }
    public struct Task: Codable, Sendable {
        public var name: String
        public var kind: String
        public var dataset: String?
        public var total: Int
        public var human: Int
        public var machine: Int
        public var skipped: Int
        public var remaining: Int
        public var flagged: Int
        /// Human decisions per hour of measured labeling time; nil before any.
        public var itemsPerHour: Double?
        /// Accuracy of the machine's accepted labels from blind audits, per machine annotator.
        public var audit: [AuditEstimate]?
        /// Compare tasks only: how pairs are judged.
        public var pairs: Pairs?
        /// People per item, and the items that have that many human labels.
        public var overlap: Int
        public var complete: Int

        enum CodingKeys: String, CodingKey {
            case name, kind, dataset, total, human, machine, skipped, remaining, flagged, pairs, overlap, complete
            case itemsPerHour = "items_per_hour"
            case audit
        }
    }
    public var project: String
    public var items: Int
    public var datasets: [Dataset]
    public var tasks: [Task]
    /// The accuracy the machine's labels should reach ([router] target_accuracy).
    public var targetAccuracy: Double

    enum CodingKeys: String, CodingKey {
        case project, items, datasets, tasks
        case targetAccuracy = "target_accuracy"
    }

    public static func make(_ project: Project) async throws -> StatusReport {
        let datasets = try await project.store.datasetSummaries().map { Dataset(name: $0.name, items: $0.items, kinds: $0.kinds) }
        var tasks: [Task] = []
        for spec in project.config.tasks {
            let p = try await project.store.taskProgress(spec)
            let rate = p.itemsPerHour
            let pairs = spec.kind == .compare ? Pairs(try await PairStats.compute(store: project.store, task: spec)) : nil
            let audits = try await project.store.routes(task: spec, route: .audit)
            let audit = audits.isEmpty ? nil
                : Audit.estimates(routes: audits, decisions: try await project.store.currentDecisions(task: spec, kind: .human), kind: spec.kind,
                                  kept: p.machine)
            tasks.append(Task(name: spec.name, kind: spec.kind.rawValue, dataset: spec.dataset, total: p.total, human: p.human,
                        machine: p.machine, skipped: p.skipped, remaining: p.remaining, flagged: p.flagged,
                        itemsPerHour: rate.map { ($0 * 10).rounded() / 10 }, audit: audit, pairs: pairs,
                        overlap: spec.overlap, complete: p.complete))
        }
        return StatusReport(project: project.config.name, items: try await project.store.itemCount(), datasets: datasets, tasks: tasks,
                            targetAccuracy: project.config.router.targetAccuracy)
    }

    public func json() throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }

    /// The human-readable table.
    public var text: String {
        var lines: [String] = ["project \(project): \(items) items"]
        if !datasets.isEmpty {
            lines.append("")
            lines.append("datasets")
            for d in datasets {
                let kinds = d.kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                lines.append("  \(d.name.padding(toLength: max(d.name.count, 24), withPad: " ", startingAt: 0))  \(String(d.items).leftPad(8))  (\(kinds))")
            }
        }
        lines.append("")
        if tasks.isEmpty {
            lines.append("no tasks yet: add one with `duet task add NAME --kind classify --labels a,b,c`")
        } else {
            lines.append("tasks" + String(repeating: " ", count: 21) + "total    human  machine  skipped remaining  flagged")
            for t in tasks {
                let name = "\(t.name) (\(t.kind))"
                let cells = [t.total, t.human, t.machine, t.skipped, t.remaining, t.flagged].map { String($0).leftPad(8) }.joined(separator: " ")
                lines.append("  \(name.padding(toLength: max(name.count, 22), withPad: " ", startingAt: 0))\(cells)")
            }
            for t in tasks {
                if t.overlap > 1 { lines.append("\(t.name): \(t.complete) of \(t.total) items labeled by \(t.overlap) people (overlap \(t.overlap))") }
                if let p = t.pairs {
                    lines.append(p.line(task: t.name))
                    lines += p.machines.map { "\(t.name) pairs: machine " + $0.text }
                }
                for a in t.audit ?? [] { lines.append(Self.auditLine(task: t.name, a, target: targetAccuracy)) }
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension StatusReport {
    /// `sentiment audits of local:ensemble: 18/20 right, 0.90 (95% 0.70–0.97)` and a warning under the target.
    public static func auditLine(task: String, _ a: AuditEstimate, target: Double) -> String {
        var s = "\(task) audits of \(a.annotator): \(a.summary)"
        if a.below(target) { s += String(format: " — WARNING: may be below the target accuracy %.2f", target) }
        return s
    }

    /// A compare task's pair figures (`PairStats`), rates rounded to 3 places.
    public struct Pairs: Codable, Sendable {
        public var annotators: [Figures]
        public var overall: Figures
        /// Machines' own position bias in their votes.
        public var machines: [MachinePositionBias]

        public init(_ stats: PairStats) {
            annotators = stats.annotators.map { Figures($0.figures, name: $0.name) }
            overall = Figures(stats.overall, name: nil)
            machines = stats.machines
        }

        /// The status line: `preference pairs: 12 decisions, left 58%, …`.
        func line(task: String) -> String {
            let o = overall
            if o.decisions == 0 { return "\(task) pairs: no pair judgments by people yet" }
            return "\(task) pairs: \(o.decisions) decision\(o.decisions == 1 ? "" : "s"), preferred shown left \(PairStats.percent(o.leftShare)), tie \(PairStats.percent(o.tieRate)), "
                + "both bad \(PairStats.percent(o.bothBadRate)), agrees with source \(PairStats.percent(o.sourceAgreement))"
        }
    }

    /// Keys are always written (null when a rate has no denominator); `name`
    /// only for an annotator.
    public struct Figures: Codable, Sendable {
        public var name: String?
        public var decisions: Int
        public var leftShare: Double?
        public var tieRate: Double?
        public var bothBadRate: Double?
        /// Strict choices by strength: "1", "2".
        public var strength: [String: Int]
        public var sourceAgreement: Double?

        enum CodingKeys: String, CodingKey {
            case name, decisions, strength
            case leftShare = "left_share", tieRate = "tie_rate", bothBadRate = "both_bad_rate", sourceAgreement = "source_agreement"
        }

        init(_ f: PairStats.Figures, name: String?) {
            let r = PairStats.rounded
            self.name = name
            decisions = f.decisions
            leftShare = r(f.leftShare)
            tieRate = r(f.tieRate)
            bothBadRate = r(f.bothBadRate)
            strength = ["1": f.strength[1] ?? 0, "2": f.strength[2] ?? 0]
            sourceAgreement = r(f.sourceAgreement)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(name, forKey: .name)
            try c.encode(decisions, forKey: .decisions)
            try c.encode(leftShare, forKey: .leftShare)
            try c.encode(tieRate, forKey: .tieRate)
            try c.encode(bothBadRate, forKey: .bothBadRate)
            try c.encode(strength, forKey: .strength)
            try c.encode(sourceAgreement, forKey: .sourceAgreement)
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
