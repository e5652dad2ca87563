import Testing
@testable import DuetCore

/// `Router+Policy.swift`: the decisions `duet route` takes around `Router.route` (panel, annotators to run,
/// cascade stages, the share for people, each item's route), pure, on values.
@Suite struct RouterPolicyTests {
    static func config(annotators: [AnnotatorSpec] = [], panel: [String]? = nil, cascade: [String]? = nil) -> ProjectConfig {
        var c = ProjectConfig(name: "p", annotators: annotators)
        c.router.annotators = panel
        c.router.cascade = cascade
        return c
    }

    static let gpt = { var s = AnnotatorSpec(name: "gpt", kind: .llm); s.model = "m"; return s }()

    @Test func humanLabelsAreSubmittedHumanDecisions() {
        let decisions = [
            CurrentDecision(itemRowID: 1, annotator: "ann", annotatorKind: .human, status: .submitted, value: .string("a")),
            CurrentDecision(itemRowID: 2, annotator: "ann", annotatorKind: .human, status: .skipped, value: nil),
            CurrentDecision(itemRowID: 3, annotator: "llm:m", annotatorKind: .machine, status: .submitted, value: .string("b")),
        ]
        #expect(Router.humanLabels(decisions, kind: .classify) == [1: "a"])
    }

    @Test func panelIsNamedDeclaredOrEveryAnnotatorWithVotes() throws {
        let c = Self.config(annotators: [Self.gpt])
        // Named: declared annotators by their vote names, replayed ones by their own.
        #expect(try Router.panelMembers(["gpt", "replayed"], config: c, present: ["llm:m", "replayed"], task: "t") == ["llm:m", "replayed"])
        // [router] cascade is the panel when [router] annotators is unset.
        #expect(try Router.panelMembers(nil, config: Self.config(annotators: [Self.gpt], cascade: ["gpt"]), present: ["llm:m", "x"], task: "t") == ["llm:m"])
        // None named: [router] annotator ("local") first, then the rest by name.
        #expect(try Router.panelMembers(nil, config: c, present: ["z", "local:ensemble", "b"], task: "t") == ["local:ensemble", "b", "z"])
        #expect(throws: RoutingError.self) { try Router.panelMembers(["gpt"], config: c, present: ["b"], task: "t") }
        #expect(throws: RoutingError.self) { try Router.panelMembers(nil, config: c, present: [], task: "t") }
        #expect(Router.panelName(["a"]) == "a" && Router.panelName(["a", "b"]) == "panel")
    }

    @Test func annotatorsToRunSkipReplayedVotes() {
        let replay = AnnotatorSpec(name: "old", kind: .replay)
        let c = Self.config(annotators: [Self.gpt, replay])
        #expect(Router.annotatorsToRun(["gpt", "old", "unknown", "local"], config: c, present: []) == ["gpt", "local"])
        #expect(Router.runs("gpt", config: c) && Router.runs("local", config: c) && !Router.runs("old", config: c) && !Router.runs("unknown", config: c))
        // The built-in default runs on a fresh task or one it voted on, not on a task of replayed votes only.
        #expect(Router.annotatorsToRun(nil, config: c, present: []) == ["local"])
        #expect(Router.annotatorsToRun(nil, config: c, present: ["old"]) == [])
        #expect(Router.annotatorsToRun(nil, config: c, present: ["old", "local:ensemble"]) == ["local"])
    }

    @Test func cascadeStagesAskAboutTheEarlierStagesLeastSureItems() {
        let c = Self.config(annotators: [Self.gpt], cascade: ["local", "gpt"])
        #expect(Router.cascadeVoters(["local", "gpt"], stage: 0, config: c, present: ["local:ensemble"]) == nil)
        #expect(Router.cascadeVoters(["local", "gpt"], stage: 1, config: c, present: ["local:ensemble"]) == ["local:ensemble"])
        var votes = VoteTable()
        for (id, labels) in [(1, ["a", "a"]), (2, ["a", "b"]), (3, ["b", "b"])] as [(Int64, [String])] {
            for (k, l) in labels.enumerated() { votes.append(MachineVote(annotator: "local:ensemble", variant: "v\(k)", label: l), item: id) }
        }
        var settings = c.router
        settings.escalate = 0.34
        #expect(Router.cascadeItems(stage: 0, votes: votes, open: [1, 2, 3], settings: settings) == nil)
        #expect(Router.cascadeItems(stage: 1, votes: votes, open: [1, 2, 3], settings: settings) == [2])
    }

    @Test func aThresholdAloneMeansNoShareForPeople() {
        #expect(Router.budget(requested: nil, threshold: nil, configured: 0.3) == 0.3)
        #expect(Router.budget(requested: nil, threshold: 0.5, configured: 0.3) == 0)
        #expect(Router.budget(requested: 0.2, threshold: 0.5, configured: 0.3) == 0.2)
    }

    @Test func onlyMultilabelAndRankingsNeedTheScorer() {
        let ranking = VoteCount(annotator: "m", variant: "v", label: "2>0=1", count: 1)
        let pair = VoteCount(annotator: "m", variant: "v", label: "0", count: 1)
        #expect(Router.needsScorer(.multilabel, members: ["m"], counts: []))
        #expect(Router.needsScorer(.compare, members: ["m"], counts: [pair, ranking]))
        #expect(!Router.needsScorer(.compare, members: ["other"], counts: [ranking]))
        #expect(!Router.needsScorer(.compare, members: ["m"], counts: [pair]))
        #expect(!Router.needsScorer(.classify, members: ["m"], counts: [ranking]))
    }

    /// The in-memory and streamed paths settle the same routes: a threshold sends the items above it to
    /// people, an item without a machine label goes to people, a full audit share audits every kept item.
    @Test func routesFollowThresholdLabelsAndAudit() async throws {
        var votes = VoteTable()
        let table: [(Int64, [String?])] = [(1, ["a", "a", "a"]), (2, ["a", "b", "a"]), (3, ["a", "b", "c"]), (4, [nil, nil, nil])]
        for (id, labels) in table {
            for (k, l) in labels.enumerated() { votes.append(MachineVote(annotator: "m", variant: "v\(k)", label: l), item: id) }
        }
        let open: [Int64] = [1, 2, 3, 4, 5]
        let outcome = Router.route(votes: votes, order: open, labels: ["a", "b", "c"], strategy: .entropy, budget: 0)
        func routes(threshold: Double?, audit: Double) -> [Route] {
            var settled = outcome
            return Router.routes(&settled, open: open, threshold: threshold, audit: audit, uniformShare: 0.5, seed: 0)
        }
        #expect(routes(threshold: nil, audit: 0) == [.machine, .machine, .machine, .human, .human])
        #expect(routes(threshold: 1.0, audit: 0) == [.machine, .machine, .human, .human, .human])
        #expect(routes(threshold: nil, audit: 1).filter { $0 == .audit }.count == 3)
        var streamed = try await StreamingRouter.route(votes.forEachItem, order: open, labels: ["a", "b", "c"], strategy: .entropy, budget: 0)
        let settled = Router.settle(&streamed, open: open, threshold: 1.0, audit: 0, uniformShare: 0.5, seed: 0)
        #expect(settled.routes == [.machine, .machine, .human, .human, .human])
        let entries = Array(Router.entries(streamed, open: open, routes: settled, annotator: "m", panel: PanelOrder(["m"])))
        #expect(entries.map(\.itemRowID) == open && entries[0].machineLabel == "a" && entries[4].score == .infinity)
    }
}
