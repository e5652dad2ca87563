import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation

public struct RouteRequest: Sendable {
    public var task: String?
    /// Whose votes to route by (default: [router] annotators, else every annotator with votes).
    public var annotators: [String]?
    public var budget: Double?
    public var threshold: Double?
    public var strategy: RoutingStrategy
    public var audit: Double?
    public var seed: Int

    public init(task: String? = nil, annotators: [String]? = nil, budget: Double? = nil, threshold: Double? = nil,
                strategy: RoutingStrategy = .default, audit: Double? = nil, seed: Int = 0) {
        self.task = task
        self.annotators = annotators
        self.budget = budget
        self.threshold = threshold
        self.strategy = strategy
        self.audit = audit
        self.seed = seed
    }
}

public struct RouteReport: Sendable {
    /// The panel's members, comma-separated.
    public var annotator = ""
    public var members: [String] = []
    public var routed = 0
    public var kept = 0
    public var toPeople = 0
    public var audit = 0
    public var alreadyLabeled = 0
    public var withoutVotes = 0

    public var summary: String {
        // A long panel is named by its size and first members: the line stays one line.
        let who = members.count > 3 ? "a panel of \(members.count) (\(members.prefix(3).joined(separator: ", ")), …)" : annotator
        var s = "routed \(routed) items by \(who): machine keeps \(kept), \(toPeople) to people (most uncertain first), \(audit) blind audits"
        if alreadyLabeled > 0 { s += "; \(alreadyLabeled) already labeled by people (kept as they are)" }
        if withoutVotes > 0 { s += "; \(withoutVotes) without votes go to people" }
        return s
    }

    /// Counts each route among the items routed.
    mutating func count(_ routes: [Route]) {
        routed = routes.count
        for r in routes {
            switch r {
            case .human: toPeople += 1
            case .audit: audit += 1
            case .machine: kept += 1
            }
        }
    }
}

/// `duet route`: decide which items the machine keeps and which go to people. It reads the store, asks
/// DuetCore's `Router` (its policy: `Router+Policy.swift`) and writes what it decides.
public enum RouteWorkflow {

    /// The panel to route (or plan) by (`Router.panelMembers`) and its votes; each item's votes come in the panel's order.
    public static func routerVotes(_ requested: [String]?, project: Project, task: TaskSpec) async throws -> (annotators: [String], votes: VoteTable) {
        let members = try await routerPanel(requested, project: project, task: task)
        let all = try await project.store.votes(task: task, annotator: members.count == 1 ? members[0] : nil)
        return (members, members.count == 1 ? all : all.members(members))
    }

    /// The panel `routerVotes` reads the votes of, without reading them.
    public static func routerPanel(_ requested: [String]?, project: Project, task: TaskSpec) async throws -> [String] {
        let present = try await project.store.voteAnnotators(task: task)
        do {
            return try Router.panelMembers(requested, config: project.config, present: present, task: task.name)
        } catch let e as RoutingError {
            throw DuetError(e.description)
        }
    }

    /// `duet route` with a cascade: its first annotator runs on every item, each next one only on the items
    /// `Router.cascadeItems` picks. Replayed stages are not run: their imported votes count as they are. One report per stage run.
    public static func runCascade(_ stages: [String], task: TaskSpec, project: Project,
                                  environment: [String: String] = ProcessInfo.processInfo.environment,
                                  progress: @escaping @Sendable (RunProgress) -> Void = { _ in }) async throws -> [MachineRunWorkflow.Report] {
        var reports: [MachineRunWorkflow.Report] = []
        let known = try await project.store.humanLabels(task)
        let open = try await project.store.itemRowIDs(for: task).filter { known[$0] == nil }
        for (k, stage) in stages.enumerated() {
            _ = try MachineRunWorkflow.spec(stage, in: project.config)  // an undeclared stage is an error
            var only: Set<Int64>?
            if let voters = Router.cascadeVoters(stages, stage: k, config: project.config,
                                                 present: try await project.store.voteAnnotators(task: task)) {
                let votes = try await project.store.votes(task: task, annotator: nil).members(voters)
                only = Router.cascadeItems(stage: k, votes: votes, open: open, settings: project.config.router)
            }
            guard Router.runs(stage, config: project.config) else { continue }
            reports.append(try await MachineRunWorkflow.run(annotator: stage, task: task, project: project, only: only,
                                                            environment: environment, progress: progress))
        }
        return reports
    }

    /// The annotators `duet route` runs before routing (`Router.annotatorsToRun`).
    public static func annotatorsToRun(_ requested: [String]?, project: Project, task: TaskSpec) async throws -> [String] {
        let config = project.config
        // Only the default choice looks at the votes already stored.
        let present = Router.namedPanel(requested, config: config) == nil ? try await project.store.voteAnnotators(task: task) : []
        return Router.annotatorsToRun(requested, config: config, present: present)
    }

    /// Routes every open item of the task in passes over the panel's votes (`StreamingRouter`: the decisions
    /// `Router.route` makes, a few bytes held per item), then writes routes and the machine's decisions from
    /// a lazily built sequence in item order (the store reads an item's votes only to write its decision).
    public static func run(_ request: RouteRequest, project: Project, at date: Date = Date()) async throws -> RouteReport {
        let task = try project.task(request.task)
        let store = project.store
        let members = try await routerPanel(request.annotators, project: project, task: task)
        let panel = PanelOrder(members)
        let known = try await store.humanLabels(task)
        // Every item of the task, in row order; people's labels stay as they are.
        let order = try await store.itemRowIDs(for: task)
        let open = order.filter { known[$0] == nil }
        var report = RouteReport()
        report.annotator = members.joined(separator: ", ")
        report.members = members
        report.alreadyLabeled = order.count - open.count
        let budget = Router.budget(requested: request.budget, threshold: request.threshold, configured: project.config.router.budget)
        let audit = request.audit ?? project.config.router.audit
        if Router.needsScorer(task.kind, members: members, counts: task.kind == .compare ? try await store.voteCounts(task: task) : []),
           try await routeInMemory(request, task: task, members: members, known: known, open: open, budget: budget, audit: audit,
                                   uniformShare: project.config.quality.auditUniformShare, store: store, at: date, report: &report) {
            return report
        }
        // Every other task streams its votes; a review routes on its ratings (`TaskKind.routesOn`).
        var routing = try await StreamingRouter.route({ body in
            try await store.forEachItemVotes(task: task, annotators: members) { item, votes in
                try body(item, panel.ordered(votes).filter(task.kind.routesOn))
            }
        }, order: open, labels: task.answerLabels, strategy: request.strategy, budget: budget, known: known, seed: request.seed)
        let settled = Router.settle(&routing, open: open, threshold: request.threshold, audit: audit,
                                    uniformShare: project.config.quality.auditUniformShare, seed: request.seed)
        try await store.applyRouting(Router.entries(routing, open: open, routes: settled, annotator: Router.panelName(members), panel: panel),
                                     task: task.name, at: date)
        report.count(settled.routes)
        report.withoutVotes = open.indices.filter { !routing.hasVotes(at: $0) }.count
        return report
    }

    /// Routes a task whose votes need `KindScorer` (multilabel, rankings) with every vote in memory; false
    /// when the task turns out to need none (then the caller streams).
    static func routeInMemory(_ request: RouteRequest, task: TaskSpec, members: [String], known: [Int64: String], open: [Int64],
                              budget: Double, audit: Double, uniformShare: Double, store: any DuetStoreBackend, at date: Date,
                              report: inout RouteReport) async throws -> Bool {
        let all = try await store.votes(task: task, annotator: members.count == 1 ? members[0] : nil)
        let votes = members.count == 1 ? all : all.members(members)
        let routed = task.routingVotes(votes)
        guard let scorer = KindScorer.forTask(task, votes: routed) else { return false }
        var outcome = Router.route(scorer: scorer, votes: routed, order: open, strategy: request.strategy, budget: budget, seed: request.seed)
        let settled = Router.settle(&outcome, open: open, threshold: request.threshold, audit: audit, uniformShare: uniformShare,
                                    seed: request.seed)
        try await store.applyRouting(Router.entries(outcome, scorer: scorer, votes: votes, open: open, routes: settled,
                                                    annotator: Router.panelName(members)), task: task.name, at: date)
        report.count(settled.routes)
        report.withoutVotes = open.filter { !votes.contains($0) }.count
        return true
    }
}
