import DuetCore
import DuetStoreAPI
import DuetStore
import Foundation
import GRDB
import Testing
import TermUI
@testable import DuetApp

/// Nothing is shown as done that the store has not committed: a write that
/// fails (busy store, full disk) leaves the screen as it was, says so, and is
/// retried or can be given again.
@Suite struct StoreFailureTests {
    let at = Date(timeIntervalSince1970: 1_000)
    let task = TaskSpec(name: "s", kind: .classify, labels: ["a", "b", "c"])

    func labelState() -> AppState {
        var state = AppState(width: 80, height: 24, tasks: [task], annotator: "ana")
        state.startedOnDashboard = false
        _ = App.openTask(&state, task)
        let item = StoredItem(rowID: 7, item: Item(uid: "x", dataset: "d", kind: .text, fields: .text("hello")))
        _ = App.update(&state, .itemLoaded(item, progress: TaskProgress(total: 3, remaining: 3), previous: nil, at: at))
        return state
    }

    func label(_ s: AppState) -> LabelState? { if case .label(let l) = s.screen { return l } else { return nil } }

    @Test func aFailedRecordLeavesProgressAndItemAndSaysWhy() throws {
        var state = labelState()
        let effects = App.update(&state, .key(.char("2"), at: at.addingTimeInterval(3)))
        let record = try #require(effects.first)
        #expect(App.update(&state, .storeFailed(record, .diskFull)) == [])
        let l = try #require(label(state))
        #expect(l.progress.human == 0 && l.progress.remaining == 3)
        #expect(l.item?.rowID == 7 && l.history.isEmpty && l.previousValue == nil)
        #expect(state.status?.kind == .error)
        #expect(state.status?.text.hasPrefix("Disk full — nothing saved") == true)
        #expect(Render.screen(state).lines[0].contains("0/3"))
        // The same key gives the same decision again.
        guard case .record(let again, _)? = App.update(&state, .key(.char("2"), at: at.addingTimeInterval(9))).first,
              case .record(let first, _) = record else { Issue.record("no record again"); return }
        #expect(again.itemRowID == first.itemRowID && again.value == first.value)
    }

    @Test func aSkipThatFailsIsNotCountedEither() throws {
        var state = labelState()
        let skip = try #require(App.update(&state, .key(.char(" "), at: at)).first)
        _ = App.update(&state, .storeFailed(skip, .other("the store is damaged: x")))
        #expect(label(state)?.progress.skipped == 0)
        #expect(label(state)?.history == [])
        #expect(state.status == Status("Nothing saved: the store is damaged: x", .error))
    }

    @Test func aBusyStoreIsRetriedABoundedNumberOfTimes() throws {
        var state = labelState()
        let record = try #require(App.update(&state, .key(.char("1"), at: at)).first)
        var attempts = 1
        var effects = App.update(&state, .storeFailed(record, .busy))
        while effects == [.wake(afterSeconds: App.retryDelay)] {
            #expect(state.status?.text == "Store busy — retrying (\(attempts + 1) of \(App.maxAttempts)); nothing saved yet")
            // A key that does nothing keeps the message.
            _ = App.update(&state, .key(.char("j"), at: at))
            #expect(state.status?.text.hasPrefix("Store busy — retrying") == true)
            #expect(App.update(&state, .retryDue) == [record])
            attempts += 1
            effects = App.update(&state, .storeFailed(record, .busy))
        }
        #expect(attempts == App.maxAttempts)
        #expect(effects == [])
        #expect(state.status?.text.hasPrefix("Store busy (another duet process is writing) — nothing saved") == true)
        #expect(label(state)?.progress.human == 0)
        #expect(state.retry == nil)
    }

    /// A shared store's server away: tried again for as long as it takes (not the busy store's few times), the
    /// bottom line naming the server and saying nothing is saved yet, the decision counted only once it is.
    @Test func anUnreachableServerIsRetriedUntilItIsBackAndSaidSo() throws {
        var state = labelState()
        let record = try #require(App.update(&state, .key(.char("1"), at: at)).first)
        let away = StoreFailure.unreachable("PostgreSQL at db.example:5432 unreachable")
        for _ in 0..<(App.maxAttempts * 3) {
            #expect(App.update(&state, .storeFailed(record, away)) == [.wake(afterSeconds: App.retryDelay)])
            #expect(state.status == Status("PostgreSQL at db.example:5432 unreachable — retrying; nothing saved yet", .warning))
            #expect(label(state)?.progress.human == 0)
            #expect(App.update(&state, .retryDue) == [record])
        }
        guard case .record(let entry, _) = record else { Issue.record("not a record"); return }
        _ = App.update(&state, .recorded(entry))
        #expect(label(state)?.progress.human == 1)
        #expect(state.retry == nil)
    }

    @Test func aNewDecisionSupersedesTheRetry() throws {
        var state = labelState()
        let first = try #require(App.update(&state, .key(.char("1"), at: at)).first)
        _ = App.update(&state, .storeFailed(first, .busy))
        let second = App.update(&state, .key(.char("3"), at: at))
        #expect(second.count == 1 && second != [first])
        #expect(state.retry == nil)
        #expect(App.update(&state, .retryDue) == [])
    }

    // MARK: Against a real store

    /// A project store file in a fresh folder.
    func fileStore() throws -> (SQLiteStore, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("duet-busy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("duet.sqlite").path
        let store = try SQLiteStore.open(path: path)
        try Harness.importFixtures(into: store)
        return (store, path)
    }

    @Test func aStoreLockedByAnotherConnectionIsRetriedAndCountedOnlyWhenSaved() throws {
        let (store, path) = try fileStore()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let h = try Harness(width: 100, height: 24, store: store)
        try store.setWriteWait(seconds: 0.05)  // the test need not wait Runtime.writeWait per attempt
        #expect(h.label?.item?.item.uid == "t1")
        let header = h.screen[0]
        // Another process takes the write lock of the same WAL file.
        var config = Configuration()
        config.allowsUnsafeTransactions = true  // the lock is held across calls, as another process would
        let other = try DatabaseQueue(path: path, configuration: config)
        try other.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        h.press(.char("3"))
        #expect(h.label?.item?.item.uid == "t1")
        #expect(h.label?.progress.human == 0)
        #expect(h.label?.history == [])
        #expect(h.screen[0] == header)
        #expect(h.state.status?.text.hasPrefix("Store busy — retrying (2 of") == true)
        #expect(h.screen.last?.contains("Store busy — retrying") == true)
        h.runtime.fireRetry()  // still locked: the next attempt fails too
        #expect(h.state.status?.text.hasPrefix("Store busy — retrying (3 of") == true)
        #expect(try h.decisions(Harness.sentiment).isEmpty)
        try other.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
        h.runtime.fireRetry()
        #expect(try h.decisions(Harness.sentiment).map(\.0) == ["t1"])
        #expect(h.label?.item?.item.uid == "t2")
        #expect(h.label?.progress.human == 1)
        #expect(h.label?.history == [1])
        // The retry's message gives way to the confirmation of what was saved, once it was.
        #expect(h.state.retry == nil && h.state.status?.text.hasPrefix("saved t1 → ") == true)
    }

    /// Every write effect (label, skip, undo, triage's bulk accept, adjudication) on a full disk.
    @Test func everyWriteOnAFullDiskSavesNothingAndSaysSo() throws {
        let full = FullDisk()
        let h = try Harness(width: 100, height: 24, wrap: { full.wrapping($0) })
        h.press(.char("1"))  // t1 saved
        full.on = true
        for key: Key in [.char("2"), .char(" "), .char("u")] {
            h.press(key)
            #expect(h.state.status?.text.hasPrefix("Disk full — nothing saved") == true, "\(key)")
            #expect(h.label?.item?.item.uid == "t2")
            #expect(h.label?.progress.human == 1 && h.label?.progress.skipped == 0)
            #expect(h.label?.history == [1])
        }
        #expect(try h.decisions(Harness.sentiment).map(\.0) == ["t1"])
        full.on = false
        h.press(.char("2"))
        #expect(h.label?.item?.item.uid == "t3")
        #expect(try h.decisions(Harness.sentiment).map(\.0) == ["t1", "t2"])
    }

    @Test func triageBulkAcceptOnAFullDiskKeepsTheMarks() throws {
        let full = FullDisk()
        let h = try TriageTests().routed()
        var state = h.state
        state.quitting = false
        let effects = App.openTriage(&state, Harness.sentiment)
        let r = Runtime(state: state, store: full.wrapping(h.store), backend: h.backend, clock: { Date() }, editor: { _ in nil })
        r.start(effects)
        r.send(.key(.char(" "), at: Date()))
        r.send(.key(.char(" "), at: Date()))
        full.on = true
        r.send(.key(.char("A"), at: Date()))
        r.send(.key(.char("y"), at: Date()))
        guard case .triage(let t) = r.state.screen else { Issue.record("left triage"); return }
        #expect(t.marked.count == 2)
        #expect(t.rows.map(\.item.item.uid) == ["t1", "t2", "t3"])
        #expect(r.state.status?.text.hasPrefix("Disk full — nothing saved") == true)
        #expect(try h.decisions(Harness.sentiment).isEmpty)
        full.on = false
        r.send(.key(.char("A"), at: Date()))
        r.send(.key(.char("y"), at: Date()))
        #expect(r.state.status?.text == "Accepted the machine's label on 2 items · u undoes")
        #expect(try h.decisions(Harness.sentiment).map(\.0) == ["t1", "t2"])
        // The undo on a full disk: nothing undone, and it can be asked again.
        full.on = true
        r.send(.key(.char("u"), at: Date()))
        #expect(r.state.status?.text.hasPrefix("Disk full — nothing saved") == true)
        #expect(try h.decisions(Harness.sentiment).map(\.0) == ["t1", "t2"])
        guard case .triage(let failed) = r.state.screen else { Issue.record("left triage"); return }
        #expect(failed.undo.count == 1)
        full.on = false
        r.send(.key(.char("u"), at: Date()))
        #expect(try h.decisions(Harness.sentiment).isEmpty)
    }

    @Test func adjudicationOnAFullDiskSettlesNothing() throws {
        let full = FullDisk()
        let (h, _) = try AdjudicateTests().disputed()
        var state = h.state
        state.quitting = false
        let effects = App.openAdjudication(&state, Harness.sentiment)
        let r = Runtime(state: state, store: full.wrapping(h.store), backend: h.backend, clock: { Date() }, editor: { _ in nil })
        r.start(effects)
        full.on = true
        r.send(.key(.enter, at: Date()))
        guard case .adjudicate(let a) = r.state.screen else { Issue.record("left adjudication"); return }
        #expect(a.settledCount == 0 && a.index == 0)
        #expect(r.state.status?.text.hasPrefix("Disk full — nothing saved") == true)
    }
}

/// A store whose writes fail as SQLite fails on a full disk, while `on`.
final class FullDisk: @unchecked Sendable {
    var on = false
    /// Called before each write (tests that watch where and when writes run).
    var onWrite: (@Sendable () -> Void)?
    /// Reads of every decision of a task (`currentDecisions`), for tests that watch what a screen reads.
    var taskDecisionReads = 0
    func wrapping(_ store: SQLiteStore) -> any DuetStoreBackend { FullDiskStore(inner: store, disk: self) }
    func check() throws {
        onWrite?()
        if on { throw DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full") }
    }
}

/// Every role of the store over an `SQLiteStore`, its writes failing while the disk is full (its
/// synchronous methods satisfy the roles' async requirements, as `SQLiteStore`'s do).
final class FullDiskStore: DuetStoreBackend, @unchecked Sendable {
    let inner: SQLiteStore
    let disk: FullDisk
    init(inner: SQLiteStore, disk: FullDisk) {
        self.inner = inner
        self.disk = disk
    }

    func syncTasks(_ specs: [TaskSpec]) throws { try disk.check(); try inner.syncTasks(specs) }
    func isCurrent(tasks: [TaskSpec]) throws -> Bool { try inner.isCurrent(tasks: tasks) }
    func storedTasks() throws -> [TaskSpec] { try inner.storedTasks() }
    func rows(of table: StoreTable, after: [ColumnValue]?, limit: Int) async throws -> [[ColumnValue]] {
        try await inner.rows(of: table, after: after, limit: limit)
    }
    func rowCount(of table: StoreTable) async throws -> Int { try await inner.rowCount(of: table) }
    func beginTableCopy() async throws -> any TableCopySession { try disk.check(); return try await inner.beginTableCopy() }
    func beginImport(dryRun: Bool, onChange: ChangedRows) async throws -> any ImportSession {
        try disk.check()
        return try await inner.beginImport(dryRun: dryRun, onChange: onChange)
    }
    func itemCount() throws -> Int { try inner.itemCount() }
    func datasetSummaries() throws -> [DatasetSummary] { try inner.datasetSummaries() }
    func taskProgress(_ task: TaskSpec) throws -> TaskProgress { try inner.taskProgress(task) }
    func item(rowID: Int64) throws -> StoredItem? { try inner.item(rowID: rowID) }
    func sourceFile(itemRowID: Int64) throws -> String? { try inner.sourceFile(itemRowID: itemRowID) }
    func item(dataset: String, uid: String) throws -> StoredItem? { try inner.item(dataset: dataset, uid: uid) }
    func items(for task: TaskSpec?, afterRowID: Int64, limit: Int) throws -> [StoredItem] { try inner.items(for: task, afterRowID: afterRowID, limit: limit) }
    func search(_ task: TaskSpec, query: String, limit: Int) throws -> [StoredItem] { try inner.search(task, query: query, limit: limit) }
    func annotations(itemRowIDs: [Int64], task: String?) throws -> [Int64: [Annotation]] { try inner.annotations(itemRowIDs: itemRowIDs, task: task) }
    func itemRowIDs(for task: TaskSpec) throws -> [Int64] { try inner.itemRowIDs(for: task) }
    func currentDecisions(task: TaskSpec, kind: AnnotatorKind?) throws -> [CurrentDecision] {
        disk.taskDecisionReads += 1
        return try inner.currentDecisions(task: task, kind: kind)
    }
    func goldAnswers(task: TaskSpec, annotator: String) throws -> GoldAnswers { try inner.goldAnswers(task: task, annotator: annotator) }
    func sourceValues(task: TaskSpec) throws -> [Int64: JSONValue] { try inner.sourceValues(task: task) }
    func goldLabels(task: TaskSpec) throws -> [Int64: JSONValue] { try inner.goldLabels(task: task) }
    func saveVotes(_ votes: [(item: Int64, vote: MachineVote)], task: String, at date: Date) throws {
        try disk.check()
        try inner.saveVotes(votes, task: task, at: date)
    }
    func replaceVotes(_ votes: VoteTable, annotator: String, items: [Int64], task: String, at date: Date) throws {
        try disk.check()
        try inner.replaceVotes(votes, annotator: annotator, items: items, task: task, at: date)
    }
    func votes(task: TaskSpec, annotator: String?) throws -> VoteTable { try inner.votes(task: task, annotator: annotator) }
    func forEachItemVotes(task: TaskSpec, annotators: [String]?, _ body: (Int64, [MachineVote]) throws -> Void) throws {
        try inner.forEachItemVotes(task: task, annotators: annotators, body)
    }
    func voteAnnotators(task: TaskSpec) throws -> Set<String> { try inner.voteAnnotators(task: task) }
    func voteRecords(task: TaskSpec, item: Int64?, annotator: String?, unparseableOnly: Bool, limit: Int) throws -> [VoteRecord] {
        try inner.voteRecords(task: task, item: item, annotator: annotator, unparseableOnly: unparseableOnly, limit: limit)
    }
    func voteCounts(task: TaskSpec) throws -> [VoteCount] { try inner.voteCounts(task: task) }
    func voteTokens(task: TaskSpec, annotator: String) throws -> VoteTokens { try inner.voteTokens(task: task, annotator: annotator) }
    func applyRouting<Entries: Sequence<RouteEntry>>(_ entries: Entries, task: String, at date: Date) throws {
        try disk.check()
        try inner.applyRouting(entries, task: task, at: date)
    }
    func routes(task: TaskSpec, route: Route?) throws -> [Int64: RouteRecord] { try inner.routes(task: task, route: route) }
    func triage(task: TaskSpec, filter: TriageFilter, limit: Int) throws -> [TriageRow] { try inner.triage(task: task, filter: filter, limit: limit) }
    func routing(task: TaskSpec, itemRowID: Int64) throws -> (route: RouteRecord, votes: [MachineVote])? { try inner.routing(task: task, itemRowID: itemRowID) }
    func record(_ annotation: NewAnnotation) throws -> Int64 { try disk.check(); return try inner.record(annotation) }
    func record(_ annotations: [NewAnnotation]) throws -> [Int64] { try disk.check(); return try inner.record(annotations) }
    func revoke(_ ids: [Int64], at date: Date) throws -> [Int64] { try disk.check(); return try inner.revoke(ids, at: date) }
    func setWriteWait(seconds: Double) throws { try inner.setWriteWait(seconds: seconds) }
    func undoLast(task: String, annotator: String, at date: Date) throws -> Int64? {
        try disk.check()
        return try inner.undoLast(task: task, annotator: annotator, at: date)
    }
    // Leases live in the store too, but a full disk is about decisions here: the queue keeps moving.
    func nextItem(for task: TaskSpec, annotator: String) throws -> StoredItem? { try inner.nextItem(for: task, annotator: annotator) }
    func releaseLeases(task: String?, annotator: String) throws { try inner.releaseLeases(task: task, annotator: annotator) }
    func cachedResponse(key: String) throws -> CachedResponse? { try inner.cachedResponse(key: key) }
    func storeResponse(_ response: CachedResponse, key: String) throws {
        try disk.check()
        try inner.storeResponse(response, key: key)
    }
}
