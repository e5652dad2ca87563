/// `duet route`'s policy, every decision of it pure: whose votes route (the panel), which annotators run
/// first, which items each cascade stage is asked about, the share for people, and each open item's route.
/// The workflow (DuetProject's `RouteWorkflow`) reads the store, calls these and writes what they decide.
extension Router {
    /// The labels among people's current decisions, as the router compares them (`TaskKind.routingLabel`:
    /// a review's rating; multi-label sets are not single labels the router can vote on).
    public static func humanLabels(_ decisions: [CurrentDecision], kind: TaskKind) -> [Int64: String] {
        var out: [Int64: String] = [:]
        for d in decisions where d.status == .submitted && d.annotatorKind == .human {
            if let l = kind.routingLabel(d.value) { out[d.itemRowID] = l }
        }
        return out
    }

    /// The panel named for a task: on the command line (`requested`), else [router] annotators, else
    /// [router] cascade; nil when none is (then every annotator with votes is).
    public static func namedPanel(_ requested: [String]?, config: ProjectConfig) -> [String]? {
        requested ?? config.router.annotators ?? config.router.cascade
    }

    /// The panel to route (or plan) by, as the names its votes are stored under: the annotators named on
    /// the command line (`requested`), else in [router] annotators or cascade (a declared annotator's
    /// `voteName`, else the name itself: replayed votes), else every annotator with votes on the task
    /// (`present`; [router] annotator first, then by name).
    public static func panelMembers(_ requested: [String]?, config: ProjectConfig, present: Set<String>, task: String) throws -> [String] {
        let known = present.sorted().map(Names.shown).joined(separator: ", ")
        if let named = namedPanel(requested, config: config) {
            let members = named.map(config.voteName(of:))
            if let missing = members.first(where: { !present.contains($0) }) {
                throw RoutingError("no votes by '\(Names.shown(missing))' in task '\(task)'\(known.isEmpty ? "; import some with `duet votes import`" : " (votes exist by: \(known))")")
            }
            return members
        }
        guard !present.isEmpty else {
            throw RoutingError("no votes in task '\(task)': run an annotator (`duet route` runs [router] annotator) or import votes with `duet votes import`")
        }
        let first = config.voteName(of: config.router.annotator)
        return (present.contains(first) ? [first] : []) + present.subtracting([first]).sorted()
    }

    /// How a panel is named where one name is stored (routes, machine decisions): its only member, else "panel".
    public static func panelName(_ members: [String]) -> String { members.count == 1 ? members[0] : "panel" }

    /// The annotators `duet route` runs before routing (LLM and built-in ones; replayed votes are used as
    /// imported): the panel's declared members when one is named, else [router] annotator — an LLM always
    /// (its answers are cached), the built-in one unless the task already has votes (`present`) and none by
    /// it (a task of replayed votes routes by them as they are, not by an ensemble that has nothing to learn from).
    public static func annotatorsToRun(_ requested: [String]?, config: ProjectConfig, present: Set<String>) -> [String] {
        if let named = namedPanel(requested, config: config) { return named.filter { runs($0, config: config) } }
        let name = config.router.annotator
        guard let spec = config.annotator(named: name), spec.kind != .replay else { return [] }
        guard spec.kind == .llm || present.isEmpty || present.contains(spec.voteName) else { return [] }
        return [name]
    }

    /// Whether `duet route` runs the annotator called `name` (a cascade stage, a panel member): LLM and
    /// built-in ones; replayed votes count as they were imported.
    public static func runs(_ name: String, config: ProjectConfig) -> Bool {
        config.annotator(named: name).map { $0.kind != .replay } ?? false
    }

    /// Whose votes decide which items cascade stage `k` is asked about: nil for the first stage (every item),
    /// else the earlier stages' vote names that have votes (`present`).
    public static func cascadeVoters(_ stages: [String], stage k: Int, config: ProjectConfig, present: Set<String>) -> [String]? {
        guard k > 0 else { return nil }
        return stages[..<k].map(config.voteName(of:)).filter(present.contains)
    }

    /// The items cascade stage `k` is asked about: nil (every item) for the first, else `Cascade.escalate`'s
    /// share ([router] escalate or escalate_above) of `open` (the items people have not labeled) by `votes`,
    /// the earlier stages' (`cascadeVoters`).
    public static func cascadeItems(stage k: Int, votes: VoteTable, open: [Int64], settings: RouterSettings) -> Set<Int64>? {
        guard k > 0 else { return nil }
        return Set(Cascade.escalate(votes: votes, open: open, share: settings.escalate, above: settings.escalateAbove))
    }

    /// The share of items for people: the one asked for; with a threshold alone 0 (the machine keeps every
    /// item but those above it, which go to people); else [router] budget.
    public static func budget(requested: Double?, threshold: Double?, configured: Double) -> Double {
        requested ?? (threshold == nil ? configured : 0)
    }

    /// Whether a task routes with every vote in memory through `KindScorer` (multilabel tasks, and compare
    /// tasks with a ranking's order among the panel's votes, `counts`): their votes are not one label each.
    public static func needsScorer(_ kind: TaskKind, members: [String], counts: [VoteCount]) -> Bool {
        switch kind {
        case .multilabel: return true
        case .compare: return counts.contains { members.contains($0.annotator) && $0.label.flatMap(RankingOrder.init(text:)) != nil }
        default: return false
        }
    }

    /// Each open item's route and, for a blind audit, the probability it was drawn with.
    public struct SettledRoutes: Sendable, Hashable {
        public var routes: [Route]
        /// Parallel to `routes`: the inclusion probability πᵢ of each audit, nil for every other route.
        public var auditProbabilities: [Double?]
    }

    /// The blind audits among the kept items (`open[i]` kept when `kept[i]`, ranked by `uncertainty[i]`):
    /// the `audit` share of them (rounded to the nearest item, `Allocation.count`), drawn with probabilities
    /// that rise with the router's uncertainty mixed with the uniform share γ `uniformShare` (`[quality]
    /// audit_uniform_share`, `ActiveSampling.fixedSizeDraw`, active statistical inference, Zrnic & Candès 2024),
    /// seeded.
    static func audits(open: [Int64], kept: (Int) -> Bool, uncertainty: (Int) -> Double, audit: Double, uniformShare: Double,
                       seed: Int) -> SettledRoutes {
        let keptIndices = open.indices.filter(kept)
        let draws = ActiveSampling.fixedSizeDraw(items: keptIndices.map { open[$0] }, uncertainty: keptIndices.map(uncertainty),
                                                 count: Allocation.count(keptIndices.count, share: audit), uniformShare: uniformShare,
                                                 seed: seed)
        var routes = Array(repeating: Route.human, count: open.count)
        var probabilities = [Double?](repeating: nil, count: open.count)
        for (i, d) in zip(keptIndices, draws) {
            routes[i] = d.audited ? .audit : .machine
            if d.audited { probabilities[i] = d.probability }
        }
        return SettledRoutes(routes: routes, auditProbabilities: probabilities)
    }

    /// Each open item's route after streamed routing (`open[i]` ↔ `routing`'s index i): with `threshold`
    /// every item above it goes to people, whatever the share; an item without a machine label goes to
    /// people; of the rest, the `audit` share is audited blind (`audits`, with the uniform share γ `uniformShare`).
    public static func settle(_ routing: inout StreamedRouting, open: [Int64], threshold: Double?, audit: Double, uniformShare: Double,
                              seed: Int) -> SettledRoutes {
        if let threshold { routing.sendToPeople(above: threshold) }
        let settled = routing
        return audits(open: open, kept: { !settled.toPeople(at: $0) && settled.machineLabel(at: $0) != nil },
                      uncertainty: { settled.scores[$0] }, audit: audit, uniformShare: uniformShare, seed: seed)
    }

    /// `settle`'s routes alone.
    public static func routes(_ routing: inout StreamedRouting, open: [Int64], threshold: Double?, audit: Double, uniformShare: Double,
                              seed: Int) -> [Route] {
        settle(&routing, open: open, threshold: threshold, audit: audit, uniformShare: uniformShare, seed: seed).routes
    }

    /// The entries `RouteStore.applyRouting` writes after streamed routing, built as it reads them. Items
    /// for people keep the machine's (majority) label too: the suggestion pane shows it. An item without a
    /// parsed vote scores infinity: nothing is known, so it goes to people first (not last, as entropy 0 would put it).
    public static func entries(_ routing: StreamedRouting, open: [Int64], routes settled: SettledRoutes, annotator: String,
                               panel: PanelOrder) -> LazyMapSequence<Range<Int>, RouteEntry> {
        open.indices.lazy.map { i in
            var e = RouteEntry(itemRowID: open[i], route: settled.routes[i], score: routing.parsed(at: i) ? routing.scores[i] : .infinity,
                               machineLabel: routing.machineLabel(at: i) ?? routing.majorityLabel(at: i), annotator: annotator, votesBy: panel)
            e.auditProbability = settled.auditProbabilities[i]
            return e
        }
    }

    /// Each open item's route after in-memory routing (`route(scorer:)`): with `threshold` every item above
    /// it goes to people, whatever the share (most uncertain first); an item without a machine label goes to
    /// people; of the rest, the `audit` share is audited blind (`audits`, with the uniform share γ `uniformShare`).
    public static func settle(_ outcome: inout RoutingOutcome, open: [Int64], threshold: Double?, audit: Double, uniformShare: Double,
                              seed: Int) -> SettledRoutes {
        if let threshold {
            let over = open.filter { (outcome.scores[$0] ?? .infinity) > threshold }
            outcome.toHumans = Allocation.ranked(over.map { ($0, outcome.scores[$0] ?? .infinity) }).map(\.item)
        }
        let humans = Set(outcome.toHumans)
        let machine = outcome.machineLabels, scores = outcome.scores
        return audits(open: open, kept: { !humans.contains(open[$0]) && machine[open[$0]] != nil },
                      uncertainty: { scores[open[$0]] ?? 0 }, audit: audit, uniformShare: uniformShare, seed: seed)
    }

    /// `settle`'s routes alone.
    public static func routes(_ outcome: inout RoutingOutcome, open: [Int64], threshold: Double?, audit: Double, uniformShare: Double,
                              seed: Int) -> [Route] {
        settle(&outcome, open: open, threshold: threshold, audit: audit, uniformShare: uniformShare, seed: seed).routes
    }

    /// The entries written after in-memory routing, one item's votes held as `MachineVote`s at a time.
    public static func entries(_ outcome: RoutingOutcome, scorer: KindScorer, votes: VoteTable, open: [Int64], routes settled: SettledRoutes,
                               annotator: String) -> LazyMapSequence<Range<Int>, RouteEntry> {
        open.indices.lazy.map { i in
            let id = open[i], route = settled.routes[i]
            let vs = votes[id] ?? []
            let labels = vs.map(\.label)
            // No parsed vote: nothing is known, so it goes to people first (not last, as entropy 0 would put it).
            let score = labels.contains(where: { $0 != nil }) ? outcome.scores[id] ?? .infinity : .infinity
            let judged = vs.isEmpty ? nil : scorer.judge(vs)
            var e = RouteEntry(itemRowID: id, route: route, score: score, machineLabel: outcome.machineLabels[id] ?? judged?.label,
                               annotator: annotator, votes: vs, entropy: judged?.spread ?? Uncertainty.entropy(labels), confidence: nil)
            e.auditProbability = settled.auditProbabilities[i]
            return e
        }
    }
}
