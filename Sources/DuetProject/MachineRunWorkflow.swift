import DuetAnnotators
import DuetCore
import DuetStoreAPI
import Foundation
import Logging

/// Runs a machine annotator from duet.toml over a task's items and stores its votes.
public enum MachineRunWorkflow {
    public struct Report: Sendable {
        public var annotator = ""
        public var items = 0
        public var votes = 0
        public var unparseable = 0
        /// False / No answers to prompts about one label: stored for their text and tokens, not votes.
        public var noVotes = 0
        /// Labels the built-in annotator learned from.
        public var trainedOn = 0
        /// LLM annotators: what the run cost.
        public var usage: OpenAICompatibleAnnotator.Usage?

        public var summary: String {
            var s = "\(annotator): "
            if trainedOn > 0 { s += "learned from \(trainedOn) labels, " }
            s += "\(votes) votes on \(items) items"
            if unparseable > 0 { s += " (\(unparseable) unparseable)" }
            if noVotes > 0 { s += ", \(noVotes) False / No answers (no vote)" }
            if let u = usage, u.attempts > 0 || u.cacheHits > 0 {
                s += "; \(u.attemptsSentence), \(u.cacheHits) answered from the cache, \(u.promptTokens + u.completionTokens) tokens, "
                    + String(format: "$%.4f", u.costUSD)
            }
            if let u = usage, u.failureCount > 0 {
                s += "; \(u.failureCount) requests failed after their retries (\(OpenAICompatibleAnnotator.Usage.kinds(u.failures))): "
                    + "not cached, sent again next run"
            }
            return s
        }
    }

    /// The annotator declared under `name` (the built-in `local` one needs no declaration).
    public static func spec(_ name: String, in config: ProjectConfig) throws -> AnnotatorSpec {
        if let s = config.annotator(named: name) { return s }
        let known = config.annotators.map(\.name).joined(separator: ", ")
        throw DuetError("no annotator '\(name)' in duet.toml [[annotators]]\(known.isEmpty ? "" : " (declared: \(known))")")
    }

    /// `environment` holds the LLM's key (under the name duet.toml's `api_key_env` gives); `logger` takes
    /// the LLM client's retries and failures. `only`: ask about these items only (a cascade's later stages).
    public static func run(annotator name: String, task: TaskSpec, project: Project, only: Set<Int64>? = nil, trainOnGold: Bool? = nil,
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           logger: Logger = Logger(label: "duet.llm"),
                           progress: @escaping @Sendable (RunProgress) -> Void = { _ in }) async throws -> Report {
        let spec = try spec(name, in: project.config)
        let store = project.store
        let annotator: any MachineAnnotator
        var report = Report()
        switch spec.kind {
        case .replay:
            throw DuetError("'\(spec.name)' is a replay annotator: import its votes with `duet votes import`")
        case .llm:
            annotator = try llm(spec, store: store, environment: environment, logger: logger)
        case .local:
            let gold = trainOnGold ?? project.config.router.trainOnGold
            let learnable = try await learnableItems(task: task, useGold: gold, store: store)
            (annotator, report.trainedOn) = try await local(spec, task: task, items: learnable, useGold: gold, store: store)
        }
        // Page by page: the task's items and the votes as `MachineVote`s never all exist at once
        // (10^5 items' votes took over 300 MB); the votes gather in a compact table.
        var votes = VoteTable()
        var answered: [Int64] = []
        var done = 0
        let total: Int
        if let only { total = only.count } else { total = try await store.taskProgress(task).total }
        let started = Date()
        let llm = annotator as? OpenAICompatibleAnnotator
        try await forEachPage(of: task, in: store) { whole in
            let page = only.map { only in whole.filter { only.contains($0.rowID) } } ?? whole
            guard !page.isEmpty else { return }
            let offset = done
            let pageVotes = try await annotator.annotate(page, task: task, progress: { n in
                progress(RunProgress(annotator: annotator.name, itemsDone: offset + n, itemsTotal: total, usage: llm?.usage,
                                     elapsed: Date().timeIntervalSince(started)))
            })
            for item in page {
                guard let vs = pageVotes[item.rowID] else { continue }
                answered.append(item.rowID)
                for v in vs { votes.append(v, item: item.rowID) }
            }
            done += page.count
        }
        // A run where every request failed (a closed port, a refused key) stores nothing and stops here:
        // routing on it would quietly send every item to people.
        if let llm = annotator as? OpenAICompatibleAnnotator, llm.usage.allFailed {
            throw DuetError("every request to \(spec.baseURL ?? "the server") failed: \(llm.usage.failureSentence). "
                + "Nothing was stored or routed; check base_url, model and the key named by api_key_env in duet.toml, then run it again")
        }
        // This run's votes replace the annotator's earlier ones on the items it answered: an error vote
        // whose request now gets a False / No (no vote) goes away.
        try await store.replaceVotes(votes, annotator: annotator.name, items: answered, task: task.name, at: Date())
        report.annotator = annotator.name
        report.usage = (annotator as? OpenAICompatibleAnnotator)?.usage
        report.items = answered.count
        report.votes = votes.voteCount
        report.unparseable = votes.items.reduce(0) { n, item in n + votes.labels(item)!.filter { $0 == nil }.count }
        report.noVotes = votes.noVoteCount
        return report
    }

    /// Calls `body` with the task's items in pages of `size`, in row order.
    static func forEachPage(of task: TaskSpec, in store: any ItemCatalog, size: Int = 4096,
                            _ body: ([StoredItem]) async throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            let page = try await store.items(for: task, afterRowID: after, limit: size)
            guard let last = page.last else { return }
            after = last.rowID
            try await body(page)
        }
    }

    /// The items the built-in annotator can learn from: those people labeled, and with `useGold` those
    /// carrying gold (classify, rate) or the source's own preference (compare). Read page by page.
    static func learnableItems(task: TaskSpec, useGold: Bool, store: any ItemCatalog & LabelingQueue) async throws -> [StoredItem] {
        // A review teaches with a rating or a verdict alone; the router's labels are its ratings only.
        let human = task.kind == .review ? Set(try await reviews(task: task, store: store).keys) : Set(try await store.humanLabels(task).keys)
        let sourced = useGold && (task.kind == .compare || task.kind == .review) ? Set(try await store.sourceValues(task: task).keys) : []
        var out: [StoredItem] = []
        try await forEachPage(of: task, in: store) { page in
            out += page.filter { human.contains($0.rowID) || sourced.contains($0.rowID) || (useGold && $0.item.gold != nil) }
        }
        return out
    }

    /// An OpenAI-compatible server from duet.toml; its answers are cached in the store (`cache`).
    public static func llm(_ spec: AnnotatorSpec, store cache: any ResponseCache,
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           logger: Logger = Logger(label: "duet.llm")) throws -> OpenAICompatibleAnnotator {
        var named = spec
        named.name = spec.voteName  // votes and decisions as "llm:<model>"
        do {
            return try OpenAICompatibleAnnotator.fromSpec(named, environment: environment, configure: { c in
                c.promptPricePerMillion = spec.promptPrice
                c.completionPricePerMillion = spec.completionPrice
                if let n = spec.concurrency { c.concurrency = n }
                if let t = spec.timeout { c.timeout = t }
                if let n = spec.maxRetries { c.maxRetries = n }
                if let t = spec.temperature { c.temperature = t }
                if let n = spec.maxTokens { c.maxTokens = n }
                if let s = spec.stop { c.stop = s }
                if let l = spec.logprobs { c.requestLogprobs = l }
            }, cache: cache, logger: logger)
        } catch let e as LLMAnnotatorError {
            throw DuetError("\(e)")
        }
    }

    /// `duet route --dry-run` for an LLM annotator: the requests a run would
    /// send (none are sent), with estimated tokens and cost.
    /// What `duet route --dry-run` prints: every prompt variant of the first item (named by its id), then
    /// the requests a run would send and their tokens and cost. The completion tokens an answer takes are
    /// measured from the answers already cached when there are any (a rambling model writes far more
    /// than a label), else assumed.
    public static func dryRun(annotator name: String, task: TaskSpec, project: Project) async throws -> String {
        let spec = try spec(name, in: project.config)
        guard spec.kind == .llm else { throw DuetError("--dry-run shows the prompts of an llm annotator; '\(name)' is \(spec.kind.rawValue)") }
        let annotator = try llm(spec, store: project.store, environment: ProcessInfo.processInfo.environment.merging(
            spec.apiKeyEnv.map { [$0: "dry-run"] } ?? [:]) { real, _ in real })
        let items = try await project.store.allItems(for: task)
        let plan = await annotator.plan(items, task: task)
        let uids = Dictionary(uniqueKeysWithValues: items.map { ($0.rowID, $0.item.uid) })
        var out: [String] = []
        if let first = plan.first {
            let variants = plan.prefix { $0.itemRowID == first.itemRowID }
            out.append("the \(variants.count) prompts of the first item, \(uids[first.itemRowID] ?? "?"):")
            for p in variants {
                out.append("── item \(uids[p.itemRowID] ?? "?") · \(p.variant)\(p.cached ? " (cached)" : "")")
                for m in p.messages { out.append("[\(m.role)] \(m.content)") }
            }
        }
        let toSend = plan.filter { !$0.cached }
        let promptTokens = toSend.reduce(0) { $0 + $1.estimatedPromptTokens }
        // Completion tokens per answer: measured from the cached answers when there are any.
        let (measuredTokens, measuredAnswers) = try await cachedCompletionTokens(plan, store: project.store)
        let perAnswer = measuredAnswers > 0 ? Double(measuredTokens) / Double(measuredAnswers) : nil
        let completionTokens = perAnswer.map { Int((Double(toSend.count) * $0).rounded()) }
            ?? toSend.reduce(0) { $0 + $1.estimatedCompletionTokens }
        let basis = perAnswer.map { String(format: "%.1f completion tokens an answer, measured on %d cached answers", $0, measuredAnswers) }
            ?? "\(toSend.first?.estimatedCompletionTokens ?? 0) completion tokens an answer assumed (nothing cached yet to measure)"
        let cost = (Double(promptTokens) * spec.promptPrice + Double(completionTokens) * spec.completionPrice) / 1_000_000
        out.append("dry run: \(plan.count) requests for \(items.count) items (\(plan.count - toSend.count) cached), about \(promptTokens) prompt + "
            + "\(completionTokens) completion tokens (\(basis)), about " + String(format: "$%.4f", cost))
        return out.joined(separator: "\n")
    }

    /// Completion tokens of the cached answers among `plan` (at most 2,000 of them) and how many there were.
    static func cachedCompletionTokens(_ plan: [OpenAICompatibleAnnotator.PlannedRequest], store cache: any ResponseCache) async throws -> (Int, Int) {
        var tokens = 0, answers = 0
        for p in plan where p.cached && answers < 2000 {
            if let c = try await cache.cachedResponse(key: p.cacheKey)?.completionTokens {
                tokens += c
                answers += 1
            }
        }
        return (tokens, answers)
    }

    /// What the built-in ensemble learns from: labels per item (classify,
    /// multilabel, rate), pair choices and rankings (compare), or ratings and verdicts (review), keyed by item row id.
    enum LocalTraining {
        case labels([Int64: String])
        /// Compare tasks: pair choices, and people's orders of ranking items.
        case choices([Int64: PairChoice], rankings: [Int64: RankingOrder])
        case reviews(ratings: [Int64: String], verdicts: [Int64: String])

        var itemIDs: Set<Int64> {
            switch self {
            case .labels(let l): return Set(l.keys)
            case .choices(let c, let r): return Set(c.keys).union(r.keys)
            case .reviews(let r, let v): return Set(r.keys).union(v.keys)
            }
        }

        /// The same without the items in `ids` (cross-fitting).
        func removing(_ ids: Set<Int64>) -> LocalTraining {
            switch self {
            case .labels(let l): return .labels(l.filter { !ids.contains($0.key) })
            case .choices(let c, let r): return .choices(c.filter { !ids.contains($0.key) }, rankings: r.filter { !ids.contains($0.key) })
            case .reviews(let r, let v): return .reviews(ratings: r.filter { !ids.contains($0.key) }, verdicts: v.filter { !ids.contains($0.key) })
            }
        }
    }

    /// People's current submitted reviews per item.
    static func reviews(task: TaskSpec, store: any LabelingQueue) async throws -> [Int64: ReviewDecision] {
        var out: [Int64: ReviewDecision] = [:]
        for d in try await store.currentDecisions(task: task, kind: .human) where d.status == .submitted && d.annotatorKind == .human {
            if let r = ReviewDecision(d.value) { out[d.itemRowID] = r }
        }
        return out
    }

    /// People's labels, and gold (classify, rate) or the dataset's own preferences (compare) when `useGold`.
    static func localTraining(task: TaskSpec, items: [StoredItem], useGold: Bool, store: any ItemCatalog & LabelingQueue) async throws -> LocalTraining {
        let human = try await store.humanLabels(task)
        switch task.kind {
        case .classify, .rate, .multilabel:
            // Multilabel: label sets as label text ("a|b"), people's and gold read alike (`Decisions.labelText`).
            var labels = human
            if useGold {
                for item in items where labels[item.rowID] == nil {
                    if let g = Decisions.labelText(item.item.gold) { labels[item.rowID] = g }
                }
            }
            return .labels(labels)
        case .compare:
            var choices: [Int64: PairChoice] = [:]
            var rankings: [Int64: RankingOrder] = [:]
            for (id, l) in human {
                if let order = RankingOrder(text: l) {
                    rankings[id] = order
                } else if let i = Int(l) { choices[id] = .response(i) } else if l == "tie" { choices[id] = .tie } else { choices[id] = .bothBad }
            }
            if useGold {
                for (id, v) in try await store.sourceValues(task: task) where choices[id] == nil && rankings[id] == nil {
                    if let c = PairChoice(v) { choices[id] = c }
                }
            }
            return .choices(choices, rankings: rankings)
        case .review:
            // People's ratings and verdicts; with `useGold`, a gold rating or verdict and the dataset's own verdicts (kto_tag).
            var ratings: [Int64: String] = [:], verdicts: [Int64: String] = [:]
            for (id, r) in try await reviews(task: task, store: store) {
                if let n = r.rating, task.scale.contains(n) { ratings[id] = String(n) }
                if let v = r.verdict { verdicts[id] = v }
            }
            if useGold {
                for item in items {
                    guard let g = item.item.gold?.scalarText else { continue }
                    if ratings[item.rowID] == nil, let n = Int(g), task.scale.contains(n) { ratings[item.rowID] = g }
                    if verdicts[item.rowID] == nil, ReviewDecision.verdicts.contains(g) { verdicts[item.rowID] = g }
                }
                for (id, v) in try await store.sourceValues(task: task) where verdicts[id] == nil {
                    if let verdict = ReviewDecision(v)?.verdict { verdicts[id] = verdict }
                }
            }
            return .reviews(ratings: ratings, verdicts: verdicts)
        }
    }

    /// The built-in ensemble, trained on people's labels (and gold when allowed).
    static func local(_ spec: AnnotatorSpec, task: TaskSpec, items: [StoredItem], useGold: Bool,
                      store: any ItemCatalog & LabelingQueue) async throws -> (any MachineAnnotator, Int) {
        try local(spec, task: task, items: items, training: await localTraining(task: task, items: items, useGold: useGold, store: store),
                  useGold: useGold)
    }

    static func local(_ spec: AnnotatorSpec, task: TaskSpec, items: [StoredItem], training: LocalTraining,
                      useGold: Bool) throws -> (any MachineAnnotator, Int) {
        // A model that cannot learn yet says what it needs.
        func learn(_ advice: String, gold: String, _ make: () throws -> (any MachineAnnotator, Int)) throws -> (any MachineAnnotator, Int) {
            do { return try make() } catch let e as LocalEnsembleError {
                throw DuetError("the built-in annotator cannot learn yet: \(e). \(advice)"
                    + (useGold ? "" : ", or let it learn from \(gold) ([router] train_on_gold = true)"))
            }
        }
        switch training {
        case .labels(let labels) where task.kind == .multilabel:
            let rows = LocalMultilabelEnsemble.trainingRows(items: items, labels: labels)
            return try learn("Label a few items, some with and some without each label", gold: "gold labels") {
                (try LocalMultilabelEnsemble(name: spec.voteName, labels: task.labels, training: rows), rows.count)
            }
        case .labels(let labels):
            let rows = LocalEnsemble.trainingPairs(items: items, labels: labels)
            return try learn("Label a few items of each label first", gold: "gold labels") {
                (try LocalEnsemble(name: spec.voteName, labels: task.answerLabels, training: rows), rows.count)
            }
        case .choices(let choices, let rankings):
            let judgments = LocalEnsemble.judgments(items: items, choices: choices)
            let orders = items.compactMap { s in rankings[s.rowID].map { (item: s.item, order: $0) } }
            return try learn("Judge a few pairs (or rank a few items) first", gold: "the dataset's preferences") {
                (try LocalEnsemble(name: spec.voteName, judgments: judgments, rankings: orders), judgments.count + orders.count)
            }
        case .reviews(let ratings, let verdicts):
            let r = LocalEnsemble.trainingPairs(items: items, labels: ratings), v = LocalEnsemble.trainingPairs(items: items, labels: verdicts)
            return try learn("Review a few items with different ratings first", gold: "gold labels") {
                let judge = try LocalReviewJudge(name: spec.voteName, scale: task.answerLabels, ratings: r, verdicts: v)
                return (judge, judge.trainingCount)
            }
        }
    }
}
