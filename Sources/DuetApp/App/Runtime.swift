import DuetCore
import DuetStoreAPI
import Foundation
import Logging
import TermUI

/// Runs the app: draws, reads events, feeds `App.update`, performs the
/// effects it returns against the store's roles (async), and feeds their results back.
/// In `run`, store effects run on a worker (one task on a thread of its own, awaiting them one at a
/// time in the order asked) and their results come back as messages (Bubble Tea's Cmd): the
/// screen keeps drawing, resizing and quitting meanwhile, and keys typed while
/// the store works wait, in order, for its answer, so a decision is committed
/// (WAL, fsync) before anything that follows it, and nothing is shown as saved
/// before `recorded` arrives (it is sent when `record` returned). `send` and `start` hand effects to the
/// same workers and wait until everything they caused is done (tests, benchmarks); the run loop never waits
/// on the store (`run(starting:)` posts the first effects too), except for what is in flight when it quits.
public final class Runtime {
    public private(set) var state: AppState
    let store: any DuetStoreBackend
    let backend: any TerminalBackend
    let clock: () -> Date
    /// Edits text in an external editor; nil when nothing changed.
    let editor: (String) throws -> String?
    /// Builds the Quality screen's report (the project adds the planner to the store's figures).
    let quality: @Sendable (TaskSpec) async throws -> QualityReport
    /// Routes a task (the palette's "route now"; the project runs its router), answering with a one-line summary.
    let router: (@Sendable (TaskSpec) async throws -> String)?
    /// Goes to a file (never stdout/stderr: the screen is up).
    let log = Logger(label: "duet.app")
    /// When the pending `.wake` is due.
    var retryAt: Date?
    /// The store's worker and its answers (the run loop's path).
    let worker = EffectWorker(name: "duet-effects")
    /// Computations that only read (the Quality screen's figures and plan, which re-trains the ensemble):
    /// a worker of their own, so keys are not held while they run; their answers come back as messages too.
    let computeWorker = EffectWorker(name: "duet-compute")
    /// Keys typed while the worker had effects in flight, in order.
    var held: [AppMessage] = []
    /// How long the run loop waits for a key while the worker is busy, before looking for its answers.
    static let pollMilliseconds = 10
    /// Work shorter than this shows no in-between frame ("Loading…"): the screen changes once, as
    /// the store answers; longer work draws the screen as it is meanwhile (resizes, "computing…").
    static let quietNanoseconds: UInt64 = 150_000_000
    /// After this long without an answer from the store the bottom line says so, once a second.
    static let waitNoticeNanoseconds: UInt64 = 2_000_000_000
    /// How long one write waits for another process's lock: short, so the screen never
    /// freezes long; a busy store is then retried (`App.storeFailed`).
    public static let writeWait = 2.0
    /// At most this many votes of one item are read for the side panel.
    static let itemVoteLimit = 10_000

    public init(state: AppState, store: any DuetStoreBackend, backend: any TerminalBackend,
                clock: @escaping () -> Date = Date.init, editor: ((String) throws -> String?)? = nil,
                quality: (@Sendable (TaskSpec) async throws -> QualityReport)? = nil,
                router: (@Sendable (TaskSpec) async throws -> String)? = nil) {
        self.quality = quality ?? { task in try await Runtime.storeQuality(store, task) }
        self.router = router
        self.state = state
        self.store = store
        self.backend = backend
        self.clock = clock
        // $EDITOR, run by the terminal as its foreground job.
        self.editor = editor ?? { text in try ExternalEditor.edit(text, run: backend.runInForeground) }
        // The worker's first job (every effect after it waits its turn); no key waits for it.
        let log = self.log
        worker.setUp {
            do { try await store.setWriteWait(seconds: Runtime.writeWait) } catch {
                log.warning("could not shorten the store's write wait", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Effects to run before the first frame (tests, benchmarks): waits until they and what they cause are done.
    public func start(_ effects: [Effect]) {
        for e in effects { performWaiting(e, context).forEach(send) }
    }

    /// The event loop; returns when the app quits or input ends. `effects` go to the worker first (loading the
    /// dashboard or the first item); the first frame is drawn when they answer, or meanwhile when they take long.
    public func run(starting effects: [Effect] = []) throws {
        log.info("session started", metadata: ["annotator": "\(state.annotator)", "size": "\(state.width)x\(state.height)"])
        defer { log.info("session ended") }
        // However the loop ends, what was asked of the store is finished first.
        defer { worker.finish() }
        for e in effects { submit(e) }
        // Drawn again only after a message (while the store works the loop polls; the frame stays).
        var dirty = true
        // When the worker's current run of work began (monotonic clock).
        var busySince: UInt64?
        // The seconds the "waiting for the store" notice last said (nil: none shown).
        var noticed: Int?
        while !state.quitting {
            // The store's answers, in the order the effects were asked (a computation's whenever it ends).
            let answers = worker.takeAnswers() + computeWorker.takeAnswers()
            if !answers.isEmpty {
                if noticed != nil {
                    noticed = nil
                    post(.storeWaiting(seconds: nil))
                }
                answers.forEach(post)
                dirty = true
                continue
            }
            let busy = worker.busy
            // Keys that waited for the store go on, one at a time, once it has answered.
            if !busy, !held.isEmpty {
                post(held.removeFirst())
                dirty = true
                continue
            }
            let now = DispatchTime.now().uptimeNanoseconds
            busySince = busy ? busySince ?? now : nil
            if let since = busySince, now - since >= Runtime.waitNoticeNanoseconds {
                let seconds = Int((now - since) / 1_000_000_000)
                if seconds != noticed {
                    noticed = seconds
                    post(.storeWaiting(seconds: seconds))
                    dirty = true
                }
            }
            if dirty, busySince.map({ now - $0 >= Runtime.quietNanoseconds }) ?? true {
                try backend.draw(Render.screen(state))
                dirty = false
            }
            // Wait for a key, until a retry is due, or (while the store works) a moment.
            let retryWait = retryAt.map { max(0, Int(($0.timeIntervalSince(clock()) * 1000).rounded(.up))) }
            // The wait ends for the worker's sake only, not the retry's.
            let polling = (busy || computeWorker.busy) && (retryWait ?? Int.max) > Runtime.pollMilliseconds
            guard let event = try backend.nextEvent(timeoutMilliseconds: polling ? Runtime.pollMilliseconds : retryWait) else {
                if polling { continue }
                // Input ended, or the retry is due.
                guard retryAt != nil else { return }
                retryAt = nil
                post(.retryDue)
                dirty = true
                continue
            }
            let m = message(for: event)
            // Resizing and ctrl-c act at once; other keys wait for the store's answer.
            if busy || !held.isEmpty, case .key(let k, _) = m, state.keymap.action(for: k, in: state.keyContexts) != .interrupt {
                held.append(m)
                continue
            }
            // A click acts as its key does: it waits for the store too.
            if busy || !held.isEmpty, case .mouse = m {
                held.append(m)
                continue
            }
            post(m)
            dirty = true
        }
    }

    /// Delivers a message; the effects it asks for go to the worker (the editor and wake-ups stay
    /// here), their answers come back through `takeAnswers`.
    func post(_ message: AppMessage) {
        for effect in App.update(&state, message) { submit(effect) }
    }

    /// Hands an effect to its worker (the editor and wake-ups are done here, at once).
    func submit(_ effect: Effect) {
        if let answers = performHere(effect) { return answers.forEach(post) }
        let context = self.context
        let runtime = UncheckedRuntime(self)
        workerFor(effect).submit { await runtime.value.perform(effect, context) }
    }

    /// The compute worker for the Quality figures (read-only and long: keys go on meanwhile, a stale
    /// answer is dropped by the screen), the store's worker for everything else.
    func workerFor(_ effect: Effect) -> EffectWorker {
        if case .loadQuality = effect { return computeWorker }
        return worker
    }

    /// Does an effect and waits for its answers: here (the editor, wake-ups), else on its worker.
    func performWaiting(_ effect: Effect, _ context: EffectContext) -> [AppMessage] {
        if let answers = performHere(effect) { return answers }
        let runtime = UncheckedRuntime(self)
        return workerFor(effect).runWaiting { await runtime.value.perform(effect, context) }
    }

    /// The effects done on the loop's thread, with their answers (nil for the store's effects): the editor
    /// takes over the terminal, and a wake-up sets the loop's timer.
    func performHere(_ effect: Effect) -> [AppMessage]? {
        switch effect {
        case .editText(let text):
            do { return [.edited(try editor(text))] } catch { return [.failed("Editor: \(error)")] }
        case .wake(let seconds):
            retryAt = clock().addingTimeInterval(seconds)
            return []
        default:
            return nil
        }
    }

    /// What effects read of the state, taken when they are asked for.
    var context: EffectContext {
        var labelLoaded = false
        // A honeypot's decision is counted by the store (it may be an item someone else already labeled).
        if case .label(let l) = state.screen { labelLoaded = l.loaded && l.item?.honeypot != true }
        return EffectContext(annotator: state.annotator, tasks: state.tasks, labelLoaded: labelLoaded, quality: state.quality)
    }

    func message(for event: Event) -> AppMessage {
        switch event {
        case .key(let k): return .key(k, at: clock())
        case .resize(let w, let h): return .resized(width: w, height: h)
        case .interrupt: return .key(.ctrl("c"), at: clock())
        case .mouse(let m): return .mouse(m, at: clock())
        }
    }

    /// Delivers a message and everything it causes.
    public func send(_ message: AppMessage) {
        var queue = [message]
        while !queue.isEmpty {
            let m = queue.removeFirst()
            for effect in App.update(&state, m) { queue += performWaiting(effect, context) }
        }
    }

    /// Does one of the store's effects (on a worker), awaiting the store; returns the messages that report
    /// its outcome. Reads nothing of `state` (the loop goes on meanwhile): what it needs is in `context`.
    func perform(_ effect: Effect, _ context: EffectContext) async -> [AppMessage] {
        do {
            switch effect {
            case .loadDashboard:
                // Off the label screen: the item this person had open goes back to the others.
                try await store.releaseLeases(task: nil, annotator: context.annotator)
                var rows: [TaskSummary] = []
                for task in context.tasks {
                    let human = try await store.currentDecisions(task: task, kind: .human)
                    let progress = try await store.taskProgress(task)
                    rows.append(TaskSummary(task: task, progress: progress,
                                            pairs: task.kind == .compare ? try await PairStats.compute(store: store, task: task) : nil,
                                            audit: Audit.estimates(routes: try await store.routes(task: task, route: .audit),
                                                                   decisions: human, kind: task.kind, kept: progress.machine),
                                            people: try await people(task, decisions: human, quality: context.quality)))
                }
                return [.dashboardLoaded(rows)]
            case .loadNext(let task):
                if let reason = try await stopReason(task, context) { return [.labelStopped(task, reason: reason, progress: try await store.taskProgress(task))] }
                let item = try await withSourceFile(store.nextItem(for: task, annotator: context.annotator))
                return [.itemLoaded(item, progress: try await progressIfNeeded(task, context), previous: nil, at: clock(),
                                    source: try await source(item, task), suggestion: try await suggestion(item, task))]
            case .loadItem(let task, let rowID):
                // An item reloaded (undone, looked back at) is shown as the queue serves it: a gold item of a task
                // with honeypots blind, its answer counted by the store (`Honeypots.marked`, as `nextItem` marks it).
                let item = Honeypots.marked(try await withSourceFile(store.item(rowID: rowID)), task: task)
                let log = try await store.annotations(itemRowIDs: [rowID], task: task.name)[rowID] ?? []
                let mine = Decisions.current(log).last { $0.entry.annotator == context.annotator && $0.entry.task == task.name }
                return [.itemLoaded(item, progress: try await store.taskProgress(task), previous: mine?.entry.value, at: clock(),
                                    source: try await source(item, task), suggestion: try await suggestion(item, task))]
            case .record(let annotation, let task):
                // `recorded` (the screen's "saved") only once `record` returned: the decision is durable.
                let id = try await store.record(annotation)
                log.debug("recorded", metadata: ["annotation": "\(id)", "task": "\(task.name)", "status": "\(annotation.status.rawValue)"])
                return [.recorded(annotation)]
            case .undo(let task, let at):
                return [.undone(try await store.undoLast(task: task.name, annotator: context.annotator, at: at))]
            case .search(let task, let query):
                return [.searchFinished(try await store.search(task, query: query, limit: 200))]
            case .editText, .wake:
                // Done on the loop's thread (`performHere`), never handed to a worker.
                return performHere(effect) ?? []
            case .loadTriage(let task, let filter):
                return [.triageLoaded(try await store.triage(task: task, filter: filter, limit: 2000))]
            case .recordMany(let entries, _, _):
                return [.recordedMany(try await store.record(entries))]
            case .revokeMany(let ids, let at):
                try await store.revoke(ids, at: at)
                return [.revokedMany(ids)]
            case .loadQuality(let task):
                return [.qualityLoaded(try await quality(task))]
            case .loadDisagreements(let task, let peopleOnly):
                // A blind audit still to be labeled shows no machine answer here either (RouteRecord.isBlind).
                let blind = Set(try await store.routes(task: task, route: .audit).values.filter(\.isBlind).map(\.itemRowID))
                let decisions = try await store.currentDecisions(task: task).filter { !($0.annotatorKind == .machine && blind.contains($0.itemRowID)) }
                return [.disagreementsLoaded(Adjudication.disagreements(decisions, peopleOnly: peopleOnly, includeSettled: true))]
            case .loadAdjudicationItem(let rowID):
                return [.adjudicationItemLoaded(try await store.item(rowID: rowID))]
            case .settle(let entry):
                try await store.record(entry)
                return [.settled(entry.itemRowID, Adjudication.Answer(annotator: entry.annotator, kind: .human, value: entry.value))]
            case .unsettle(let task, let annotator, let at):
                return [.unsettled(try await store.undoLast(task: task.name, annotator: annotator, at: at))]
            case .findItem(let task, let uid):
                return [.itemFound(task, rowID: try await findItem(task, uid: uid), uid: uid)]
            case .routeNow(let task):
                guard let router else { return [.failed("Route now needs a project: run duet route --task \(task.name)")] }
                return [.routedNow(task, try await router(task))]
            case .quit:
                try await store.releaseLeases(task: nil, annotator: context.annotator)
                return []
            }
        } catch {
            log.error("effect failed", metadata: ["effect": "\(effect)", "error": "\(error)"])
            // Whatever the effect, the reducer gets the failure the same way (App.storeFailed).
            return [.storeFailed(effect, StoreFailure(error))]
        }
    }

    /// Sends `.retryDue` when a wake-up is pending (the run loop calls it when its wait ends).
    public func fireRetry() {
        guard retryAt != nil else { return }
        retryAt = nil
        send(.retryDue)
    }

    /// The Quality figures the store alone gives: agreement, audits, pair statistics (no plan), and the people's
    /// figures unless `people` is false (a project's loader takes them from its estimates, where they are computed
    /// from the same reads: EstimatesWorkflow.estimates).
    public static func storeQuality(_ store: any ItemCatalog & LabelingQueue & VoteStore & RouteStore & ProgressCounts, _ task: TaskSpec,
                                    quality: QualitySettings = QualitySettings(), people: Bool = true) async throws -> QualityReport {
        let decisions = try await store.currentDecisions(task: task)
        var judges: [JudgeSummary]?
        if task.kind == .rate || task.kind == .review {
            judges = []
            for annotator in try await store.voteAnnotators(task: task).sorted() {
                judges?.append(JudgeSummary(annotator: annotator, votes: try await store.votes(task: task, annotator: annotator)))
            }
        }
        var report = QualityReport(agreement: AgreementReport.make(task: task, decisions: decisions),
                               audit: Audit.estimates(routes: try await store.routes(task: task, route: .audit),
                                                      decisions: decisions.filter { $0.annotatorKind == .human }, kind: task.kind,
                                                      kept: try await store.taskProgress(task).machine),
                               pairs: task.kind == .compare ? try await PairStats.compute(store: store, task: task) : nil,
                               judges: judges,
                               votesSpread: task.kind == .multilabel || task.kind == .compare
                                  ? JudgeSpread.make(task: task, votes: try await store.votes(task: task)) : nil)
        if people {
            report.people = try await PeopleQuality.compute(store: store, task: task, quality: quality,
                                                            decisions: decisions.filter { $0.annotatorKind == .human })
        }
        return report
    }

    /// The task's item with this id: in the task's dataset, else among the items its search finds.
    func findItem(_ task: TaskSpec, uid: String) async throws -> Int64? {
        if let dataset = task.dataset { return try await store.item(dataset: dataset, uid: uid)?.rowID }
        return try await store.search(task, query: uid, limit: 200).first { $0.item.uid == uid }?.rowID
    }

    /// The dataset's own annotation of the item, fetched only for tasks that show it.
    func source(_ item: StoredItem?, _ task: TaskSpec) async throws -> JSONValue? {
        guard task.showSource, let item else { return nil }
        let log = try await store.annotations(itemRowIDs: [item.rowID], task: task.name)[item.rowID] ?? []
        return log.first { $0.entry.annotatorKind == .source }?.entry.value
    }

    /// The item with the file it came from, for the side panel's source line.
    func withSourceFile(_ item: StoredItem?) async throws -> StoredItem? {
        guard var item else { return nil }
        item.item.sourceFile = try await store.sourceFile(itemRowID: item.rowID)
        return item
    }

    /// The router's label and votes for the item, when the task was routed. A honeypot is served blind: in a routed
    /// task it looks as a blind audit does (nothing of the machine's), so it does not stand out from the items around it.
    func suggestion(_ item: StoredItem?, _ task: TaskSpec) async throws -> Suggestion? {
        guard let item, let r = try await store.routing(task: task, itemRowID: item.rowID) else { return nil }
        if item.honeypot {
            return Suggestion(route: RouteRecord(itemRowID: item.rowID, route: .audit, score: 0, machineLabel: nil, annotator: r.route.annotator,
                                                 pending: true), votes: [], kind: task.kind)
        }
        // Every annotator's votes, for the side panel's breakdown (one indexed read per item).
        let everyone = try await store.voteRecords(task: task, item: item.rowID, annotator: nil, unparseableOnly: false,
                                                   limit: Runtime.itemVoteLimit).map(\.vote)
        return Suggestion(route: r.route, votes: r.votes, kind: task.kind, everyone: everyone)
    }

    /// The task's progress, queried only when the screen has none yet.
    func progressIfNeeded(_ task: TaskSpec, _ context: EffectContext) async throws -> TaskProgress? {
        // With overlap the reducer cannot tell whether a decision completed the
        // item (others may have labeled it), so the store counts.
        if context.labelLoaded, task.overlap <= 1 { return nil }
        return try await store.taskProgress(task)
    }
}

/// What an effect reads of the state, taken on the UI thread when it is asked for.
struct EffectContext: Sendable {
    var annotator: String
    var tasks: [TaskSpec]
    /// The label screen has shown its first item (its progress is counted by the reducer).
    var labelLoaded: Bool
    var quality = QualitySettings()
}

/// The runtime handed to the worker: there it only performs effects, which read the store, the
/// clock, the Quality loader and the log, never the state the run loop changes.
struct UncheckedRuntime: @unchecked Sendable {
    let value: Runtime
    init(_ value: Runtime) { self.value = value }
}
