import DuetCore
import Foundation
import Logging
import TermUI

/// Runs the app: draws, reads events, feeds `App.update`, performs the
/// effects it returns against the store, and feeds their results back.
/// Effects run synchronously: a decision is committed (WAL, fsync) before
/// the next item is loaded and drawn.
public final class Runtime {
    public private(set) var state: AppState
    let store: any ProjectStore
    let backend: any TerminalBackend
    let clock: () -> Date
    /// Edits text in an external editor; nil when nothing changed.
    let editor: (String) throws -> String?
    /// Builds the Quality screen's report (the project adds the planner to the store's figures).
    let quality: (TaskSpec) throws -> QualityReport
    /// Goes to a file (never stdout/stderr: the screen is up).
    let log = Logger(label: "duet.app")
    /// When the pending `.wake` is due.
    var retryAt: Date?
    /// How long one write waits for another process's lock: short, so the screen never
    /// freezes long; a busy store is then retried (`App.storeFailed`).
    public static let writeWait = 2.0

    public init(state: AppState, store: any ProjectStore, backend: any TerminalBackend,
                clock: @escaping () -> Date = Date.init, editor: ((String) throws -> String?)? = nil,
                quality: ((TaskSpec) throws -> QualityReport)? = nil) {
        self.quality = quality ?? { task in try Runtime.storeQuality(store, task) }
        self.state = state
        self.store = store
        self.backend = backend
        self.clock = clock
        // $EDITOR, run by the terminal as its foreground job.
        self.editor = editor ?? { text in try ExternalEditor.edit(text, run: backend.runInForeground) }
        do { try store.setWriteWait(seconds: Runtime.writeWait) } catch {
            log.warning("could not shorten the store's write wait", metadata: ["error": "\(error)"])
        }
    }

    /// Effects to run before the first frame (load the dashboard or the first item).
    public func start(_ effects: [Effect]) {
        for e in effects { perform(e).forEach(send) }
    }

    /// The event loop; returns when the app quits or input ends.
    public func run() throws {
        log.info("session started", metadata: ["annotator": "\(state.annotator)", "size": "\(state.width)x\(state.height)"])
        defer { log.info("session ended") }
        while !state.quitting {
            try backend.draw(Render.screen(state))
            // Wait for a key, or until a retry is due.
            let wait = retryAt.map { max(0, Int(($0.timeIntervalSince(clock()) * 1000).rounded(.up))) }
            guard let event = try backend.nextEvent(timeoutMilliseconds: wait) else {
                if wait == nil { return }
                fireRetry()
                continue
            }
            send(message(for: event))
        }
    }

    func message(for event: Event) -> AppMessage {
        switch event {
        case .key(let k): return .key(k, at: clock())
        case .resize(let w, let h): return .resized(width: w, height: h)
        case .interrupt: return .key(.ctrl("c"), at: clock())
        }
    }

    /// Delivers a message and everything it causes.
    public func send(_ message: AppMessage) {
        var queue = [message]
        while !queue.isEmpty {
            let m = queue.removeFirst()
            for effect in App.update(&state, m) { queue += perform(effect) }
        }
    }

    /// Does one effect; returns the messages that report its outcome.
    func perform(_ effect: Effect) -> [AppMessage] {
        do {
            switch effect {
            case .loadDashboard:
                // Off the label screen: the item this person had open goes back to the others.
                try store.releaseLeases(task: nil, annotator: state.annotator)
                let rows = try state.tasks.map { task in
                    TaskSummary(task: task, progress: try store.taskProgress(task),
                                pairs: task.kind == .compare ? try PairStats.compute(store: store, task: task) : nil,
                                audit: Audit.estimates(routes: try store.routes(task: task, route: .audit),
                                                       decisions: try store.currentDecisions(task: task, kind: .human), kind: task.kind))
                }
                return [.dashboardLoaded(rows)]
            case .loadNext(let task):
                let item = try store.nextItem(for: task, annotator: state.annotator)
                return [.itemLoaded(item, progress: try progressIfNeeded(task), previous: nil, at: clock(), source: try source(item, task),
                                    suggestion: try suggestion(item, task))]
            case .loadItem(let task, let rowID):
                let item = try store.item(rowID: rowID)
                let log = try store.annotations(itemRowIDs: [rowID], task: task.name)[rowID] ?? []
                let mine = Decisions.current(log).last { $0.entry.annotator == state.annotator && $0.entry.task == task.name }
                return [.itemLoaded(item, progress: try store.taskProgress(task), previous: mine?.entry.value, at: clock(),
                                    source: try source(item, task), suggestion: try suggestion(item, task))]
            case .record(let annotation, let task):
                let id = try store.record(annotation)
                log.debug("recorded", metadata: ["annotation": "\(id)", "task": "\(task.name)", "status": "\(annotation.status.rawValue)"])
                return [.recorded(annotation)]
            case .undo(let task, let at):
                return [.undone(try store.undoLast(task: task.name, annotator: state.annotator, at: at), at: at)]
            case .search(let task, let query):
                return [.searchFinished(try store.search(task, query: query, limit: 200))]
            case .editText(let text):
                do { return [.edited(try editor(text))] } catch { return [.failed("Editor: \(error)")] }
            case .loadTriage(let task, let filter):
                return [.triageLoaded(try store.triage(task: task, filter: filter, limit: 2000))]
            case .recordMany(let entries, _, _):
                try store.record(entries)
                return [.recordedMany(entries.count)]
            case .loadQuality(let task):
                return [.qualityLoaded(try quality(task))]
            case .loadDisagreements(let task, let peopleOnly):
                // A blind audit still to be labeled shows no machine answer here either (RouteRecord.isBlind).
                let blind = Set(try store.routes(task: task, route: .audit).values.filter(\.isBlind).map(\.itemRowID))
                let decisions = try store.currentDecisions(task: task).filter { !($0.annotatorKind == .machine && blind.contains($0.itemRowID)) }
                return [.disagreementsLoaded(Adjudication.disagreements(decisions, peopleOnly: peopleOnly, includeSettled: true))]
            case .loadAdjudicationItem(let rowID):
                return [.adjudicationItemLoaded(try store.item(rowID: rowID))]
            case .settle(let entry):
                try store.record(entry)
                return [.settled(entry.itemRowID, Adjudication.Answer(annotator: entry.annotator, kind: .human, value: entry.value))]
            case .unsettle(let task, let annotator, let at):
                return [.unsettled(try store.undoLast(task: task.name, annotator: annotator, at: at))]
            case .wake(let seconds):
                retryAt = clock().addingTimeInterval(seconds)
                return []
            case .quit:
                try store.releaseLeases(task: nil, annotator: state.annotator)
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

    /// The Quality figures the store alone gives: agreement, audits, pair statistics (no plan).
    public static func storeQuality(_ store: any ProjectStore, _ task: TaskSpec) throws -> QualityReport {
        let decisions = try store.currentDecisions(task: task)
        return QualityReport(agreement: AgreementReport.make(task: task, decisions: decisions),
                             audit: Audit.estimates(routes: try store.routes(task: task, route: .audit), decisions: decisions.filter { $0.annotatorKind == .human },
                                                   kind: task.kind),
                             pairs: task.kind == .compare ? try PairStats.compute(store: store, task: task) : nil,
                             judges: task.kind == .rate || task.kind == .review
                                ? try store.voteAnnotators(task: task).sorted().map { JudgeSummary(annotator: $0, votes: try store.votes(task: task, annotator: $0)) }
                                : nil,
                             votesSpread: task.kind == .multilabel || task.kind == .compare ? JudgeSpread.make(task: task, votes: try store.votes(task: task)) : nil)
    }

    /// The dataset's own annotation of the item, fetched only for tasks that show it.
    func source(_ item: StoredItem?, _ task: TaskSpec) throws -> JSONValue? {
        guard task.showSource, let item else { return nil }
        let log = try store.annotations(itemRowIDs: [item.rowID], task: task.name)[item.rowID] ?? []
        return log.first { $0.entry.annotatorKind == .source }?.entry.value
    }

    /// The router's label and votes for the item, when the task was routed.
    func suggestion(_ item: StoredItem?, _ task: TaskSpec) throws -> Suggestion? {
        guard let item, let r = try store.routing(task: task, itemRowID: item.rowID) else { return nil }
        return Suggestion(route: r.route, votes: r.votes, kind: task.kind)
    }

    /// The task's progress, queried only when the screen has none yet.
    func progressIfNeeded(_ task: TaskSpec) throws -> TaskProgress? {
        // With overlap the reducer cannot tell whether a decision completed the
        // item (others may have labeled it), so the store counts.
        if case .label(let l) = state.screen, l.loaded, task.overlap <= 1 { return nil }
        return try store.taskProgress(task)
    }
}

/// $VISUAL / $EDITOR (default vi) on a temporary file.
public enum ExternalEditor {
    /// Writes `text` to a private temporary file, ending with a newline as
    /// editors expect (vi marks a file without one "[noeol]"), runs the editor
    /// on it through `run` (the terminal's `runInForeground`) and reads it
    /// back. The newline added is not part of the result; nil when nothing changed.
    public static func edit(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            run: ([String]) throws -> Int32) throws -> String? {
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("duet-edit-\(UUID().uuidString).txt")
        let content = text.hasSuffix("\n") ? text : text + "\n"
        guard FileManager.default.createFile(atPath: url.path, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw EditorError(message: "cannot write the temporary file \(url.path)")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        // The editor may carry arguments ("code -w"); the file is passed as "$1".
        let status = try run(["/bin/sh", "-c", editor + " \"$1\"", "duet-editor", url.path])
        guard status == 0 else { throw EditorError(message: "\(editor) exited with status \(status)") }
        var edited = try String(contentsOf: url, encoding: .utf8)
        if edited.hasSuffix("\n") && !text.hasSuffix("\n") { edited.removeLast() }
        return edited == text ? nil : edited
    }

    public struct EditorError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
