import DuetAnnotators
import DuetCore
import Foundation

/// `duet votes import`: replayed machine votes into the store, all or nothing.
public enum VotesImportWorkflow {
    public struct Report: Sendable {
        public var votes = 0
        public var items = 0
        public var annotators: [String] = []
        public var unparseable = 0
    }

    public static func run(path: String, task: TaskSpec, dataset: String?, store: any ProjectStore, at date: Date = Date()) throws -> Report {
        let dataset = try votesDataset(dataset, task: task, store: store)
        var source = try InputSource(path: path)
        defer { source.cancel() }
        // Peek at the first record: Duet's vote lines, or OpenAI Batch output.
        guard let first = try source.nextChunk() else { throw ImportError(file: path, line: 0, message: "empty file") }
        let firstLine = first.prefix { $0 != 0x0A }
        let isBatch = (try? JSONValue.parse(bytes: firstLine)).map(BatchReplay.looksLikeBatch) ?? false
        let replay = PeekedSource(first: first, base: source)
        let rows = isBatch ? try BatchReplay.read(replay, file: path, task: task)
            : try VoteReplay.read(replay, file: path, task: task)
        var resolved: [(item: Int64, vote: MachineVote)] = []
        var ids: [String: Int64] = [:]
        var annotators: Set<String> = []
        for r in rows {
            if annotators.insert(r.vote.annotator).inserted, let problem = Names.problem(r.vote.annotator) {
                throw ImportError(file: path, line: r.line, message: "annotator name \"\(Names.shown(r.vote.annotator))\" \(problem)")
            }
            if ids[r.item] == nil {
                guard let stored = try store.item(dataset: dataset, uid: r.item) else {
                    throw ImportError(file: path, line: r.line, message: "item '\(r.item)' is not in dataset '\(dataset)' (import the items first)")
                }
                ids[r.item] = stored.rowID
            }
            resolved.append((ids[r.item]!, r.vote))
        }
        try store.saveVotes(resolved, task: task.name, at: date)
        var report = Report()
        report.votes = resolved.count
        report.items = ids.count
        report.annotators = Array(Set(resolved.map(\.vote.annotator))).sorted()
        report.unparseable = resolved.filter { $0.vote.label == nil }.count
        return report
    }

    /// The dataset the votes' item ids belong to: `--dataset`, else the
    /// task's, else (a task over every dataset) the store's only dataset.
    static func votesDataset(_ given: String?, task: TaskSpec, store: any ProjectStore) throws -> String {
        if let given {
            do { try Names.check(given, as: "dataset name") } catch { throw DuetError("--dataset: \(error)") }
            return given
        }
        if let dataset = task.dataset { return dataset }
        let datasets = try store.datasetSummaries().map(\.name)
        switch datasets.count {
        case 1: return datasets[0]
        case 0: throw DuetError("no items imported yet: import the items the votes are on first (`duet import`)")
        default:
            throw DuetError("""
                task '\(task.name)' covers every dataset and the store holds \(datasets.count) (\(datasets.map(Names.shown).joined(separator: ", "))): \
                say which one the votes' item ids belong to with --dataset
                """)
        }
    }
}

/// `duet votes list`: the stored votes with their raw answers, to see what a model said and how it was read.
public enum VotesListWorkflow {
    /// The votes of `task` (one item's with `item`, the dataset taken from the task or the only one).
    public static func records(task: TaskSpec, item: String?, annotator: String?, unparseableOnly: Bool, limit: Int,
                               project: Project) throws -> [VoteRecord] {
        var rowID: Int64?
        if let item {
            let datasets = try task.dataset.map { [$0] } ?? project.store.datasetSummaries().map(\.name)
            var found: StoredItem?
            for d in datasets where found == nil { found = try project.store.item(dataset: d, uid: item) }
            guard let found else {
                throw DuetError("no item '\(item)' in task '\(task.name)'")
            }
            rowID = found.rowID
        }
        return try project.store.voteRecords(task: task, item: rowID, annotator: annotator, unparseableOnly: unparseableOnly, limit: limit)
    }

    /// One line a vote: item, annotator, variant, the reading (∅ = unparseable), confidence, tokens, and
    /// the raw answer on one line (line breaks as ⏎, at most `width` characters of it).
    public static func lines(_ records: [VoteRecord], width: Int = 100) -> [String] {
        records.map { r in
            let v = r.vote
            var line = "\(r.item)\t\(v.annotator)\t\(v.variant)\t\(v.label ?? Uncertainty.unparseable)"
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

public struct RouteRequest: Sendable {
    public var task: String?
    /// Whose votes to route by (default: [router] annotator, else the only annotator with votes).
    public var annotator: String?
    public var budget: Double?
    public var threshold: Double?
    public var strategy: RoutingStrategy
    public var audit: Double?
    public var seed: Int

    public init(task: String? = nil, annotator: String? = nil, budget: Double? = nil, threshold: Double? = nil,
                strategy: RoutingStrategy = .default, audit: Double? = nil, seed: Int = 0) {
        self.task = task
        self.annotator = annotator
        self.budget = budget
        self.threshold = threshold
        self.strategy = strategy
        self.audit = audit
        self.seed = seed
    }
}

public struct RouteReport: Sendable {
    public var annotator = ""
    public var routed = 0
    public var kept = 0
    public var toPeople = 0
    public var audit = 0
    public var alreadyLabeled = 0
    public var withoutVotes = 0

    public var summary: String {
        var s = "routed \(routed) items by \(annotator): machine keeps \(kept), \(toPeople) to people (most uncertain first), \(audit) blind audits"
        if alreadyLabeled > 0 { s += "; \(alreadyLabeled) already labeled by people (kept as they are)" }
        if withoutVotes > 0 { s += "; \(withoutVotes) without votes go to people" }
        return s
    }
}

/// `duet route`: decide which items the machine keeps and which go to people.
public enum RouteWorkflow {

    /// People's current labels per item (the latest submitted human decision).
    public static func humanLabels(_ store: any ProjectStore, _ task: TaskSpec) throws -> [Int64: String] {
        humanLabels(try store.currentDecisions(task: task, kind: .human))
    }

    /// The labels among people's current decisions.
    public static func humanLabels(_ decisions: [CurrentDecision]) -> [Int64: String] {
        var out: [Int64: String] = [:]
        for d in decisions where d.status == .submitted && d.annotatorKind == .human {
            // One shape for people and machines: a label, a label set "a|b", a ranking's order "2>0>1".
            if let l = Decisions.labelText(d.value) { out[d.itemRowID] = l }
        }
        return out
    }

    /// The votes to route (or plan) by and the name they are stored under:
    /// those of an annotator named on the command line or in [router] (a
    /// declared annotator's `voteName`, else the name itself: replayed votes);
    /// with no name, the router's annotator, or the only annotator that has
    /// votes. Only that annotator's votes are read.
    public static func routerVotes(_ requested: String?, project: Project, task: TaskSpec) throws -> (annotator: String, votes: VoteTable) {
        func declared(_ name: String) -> String { (try? MachineRunWorkflow.spec(name, in: project.config))?.voteName ?? name }
        let store = project.store
        var name = declared(requested ?? project.config.router.annotator)
        var votes = try store.votes(task: task, annotator: name)
        if votes.isEmpty {
            let present = try store.voteAnnotators(task: task)
            if requested == nil, present.count == 1 {
                name = present.first!
                votes = try store.votes(task: task, annotator: name)
            } else {
                let known = present.sorted().joined(separator: ", ")
                throw DuetError("no votes by '\(name)' in task '\(task.name)'\(known.isEmpty ? "; import some with `duet votes import`" : " (votes exist by: \(known))")")
            }
        }
        return (name, votes)
    }

    public static func run(_ request: RouteRequest, project: Project, at date: Date = Date()) throws -> RouteReport {
        let task = try project.task(request.task)
        let store = project.store
        let (annotator, votes) = try routerVotes(request.annotator, project: project, task: task)
        let labels = task.answerLabels
        let known = try humanLabels(store, task)
        // Every item of the task, in row order; people's labels stay as they are.
        let order = try store.itemRowIDs(for: task)
        let open = order.filter { known[$0] == nil }
        var report = RouteReport()
        report.annotator = annotator
        report.alreadyLabeled = order.count - open.count
        report.withoutVotes = open.filter { !votes.contains($0) }.count
        let budget = request.budget ?? (request.threshold == nil ? project.config.router.budget : 1)
        // Multilabel tasks and rankings: votes are not one label each (`KindScorer`).
        let scorer = KindScorer.forTask(task, votes: votes)
        var outcome = scorer.map { Router.route(scorer: $0, votes: votes, order: open, strategy: request.strategy, budget: budget, seed: request.seed) }
            ?? Router.route(votes: votes, order: open, labels: labels, strategy: request.strategy, budget: budget, known: known, seed: request.seed)
        if let threshold = request.threshold {
            // A threshold sends every item above it, whatever the share.
            let over = open.filter { (outcome.scores[$0] ?? .infinity) > threshold }
            outcome.toHumans = Allocation.ranked(over.map { ($0, outcome.scores[$0] ?? .infinity) }).map(\.item)
        }
        let humans = Set(outcome.toHumans)
        let kept = open.filter { !humans.contains($0) && outcome.machineLabels[$0] != nil }
        let audits = Allocation.audit(kept, share: request.audit ?? project.config.router.audit, seed: request.seed)
        let routes = open.map { id -> Route in
            humans.contains(id) || outcome.machineLabels[id] == nil ? .human : audits.contains(id) ? .audit : .machine
        }
        // Built one at a time as the store writes them: only one item's votes are held as `MachineVote`s.
        let entries = zip(open, routes).lazy.map { id, route in
            let vs = votes[id] ?? []
            let confidence = vs.compactMap(\.confidence)
            let labels = vs.map(\.label)
            // Items for people keep the machine's (majority) label too: the suggestion pane shows it.
            // No parsed vote: nothing is known, so it goes to people first (not last, as entropy 0 would put it).
            let score = labels.contains(where: { $0 != nil }) ? outcome.scores[id] ?? .infinity : .infinity
            let judged = vs.isEmpty ? nil : scorer?.judge(vs)
            let label = outcome.machineLabels[id] ?? (scorer == nil ? Uncertainty.majority(labels) : judged?.label)
            return RouteEntry(itemRowID: id, route: route, score: score, machineLabel: label, annotator: annotator,
                              votes: vs, entropy: judged?.spread ?? Uncertainty.entropy(labels),
                              confidence: confidence.isEmpty ? nil : confidence.reduce(0, +) / Double(confidence.count))
        }
        try store.applyRouting(entries, task: task.name, at: date)
        report.routed = open.count
        report.toPeople = routes.filter { $0 == .human }.count
        report.audit = routes.filter { $0 == .audit }.count
        report.kept = routes.filter { $0 == .machine }.count
        return report
    }
}
