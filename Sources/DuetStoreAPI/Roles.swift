import DuetCore
import Foundation

// The store as a port: one protocol per role, every requirement `async throws`, values `Sendable`.
// A backend conforms to every role (`DuetStoreBackend`); a caller asks for the roles it needs, so a
// test double implements one role, and a backend that forgets one (the response cache) is a compile
// error, not a silent `as?` miss. The behaviour each requirement promises is pinned down by the
// conformance suite (Tests/StoreConformance), which every backend runs.
//
// A synchronous method satisfies an `async` requirement: the SQLite backend's methods are
// synchronous calls into GRDB (on GRDB's own threads); PostgreSQL's are asynchronous.

/// The tasks the store serves.
public protocol TaskCatalog: AnyObject, Sendable {
    /// Makes the store's task table match `specs` (adds new tasks, updates kind, labels, dataset and
    /// overlap of existing ones; never deletes a task).
    func syncTasks(_ specs: [TaskSpec]) async throws
    /// The tasks as the store holds them, by name. In a shared store these are the team's tasks:
    /// duet.toml reaches them only through `syncTasks` called by an explicit step (`duet task apply`).
    func storedTasks() async throws -> [TaskSpec]
    /// Whether the store needs nothing written to serve `tasks`: its schema current, every task in it
    /// as `tasks` defines it.
    func isCurrent(tasks: [TaskSpec]) async throws -> Bool
}

/// The items, the log and what was imported.
public protocol ItemCatalog: AnyObject, Sendable {
    func itemCount() async throws -> Int
    func datasetSummaries() async throws -> [DatasetSummary]
    func item(rowID: Int64) async throws -> StoredItem?
    func item(dataset: String, uid: String) async throws -> StoredItem?
    /// The path of the file the item was imported from, as given to `duet import` (nil when none).
    func sourceFile(itemRowID: Int64) async throws -> String?
    /// Items a task covers (all items when `task` is nil), in row order, after `afterRowID`.
    func items(for task: TaskSpec?, afterRowID: Int64, limit: Int) async throws -> [StoredItem]
    /// The row ids of the items a task covers, in row order (no fields read).
    func itemRowIDs(for task: TaskSpec) async throws -> [Int64]
    /// Items of the task whose text (any field) or id contains `query` (case-insensitive for
    /// ASCII), in row order, at most `limit`.
    func search(_ task: TaskSpec, query: String, limit: Int) async throws -> [StoredItem]
    /// The log entries for these items, oldest first. `task` nil = all tasks; source annotations
    /// (which have no task) are always included.
    func annotations(itemRowIDs: [Int64], task: String?) async throws -> [Int64: [Annotation]]
    /// The source's own annotation value per item of the task (the first one, when a row carried
    /// several), for the items that have one.
    func sourceValues(task: TaskSpec) async throws -> [Int64: JSONValue]
    /// The gold label per item of the task, for the items that have one (honeypots' answers are checked on them).
    func goldLabels(task: TaskSpec) async throws -> [Int64: JSONValue]
    /// An export's reads as one sequence: the items a task covers (all items when `task` is nil) in row
    /// order, at most `pageSize` a page, every item once, each page with its items' log entries (as
    /// `annotations(itemRowIDs:task:)` gives them). A page is read when the consumer asks for it (one
    /// page ahead at most); the sequence ends at the last item, and a consumer that stops early (drops
    /// the stream, or its task is cancelled) ends the read and whatever it held. The default reads
    /// keyset pages (`items(for:afterRowID:limit:)`, the next page's items while this one's log is
    /// read); PostgreSQL reads every page in one snapshot through a server-side cursor.
    func exportPages(task: TaskSpec?, pageSize: Int) -> AsyncThrowingStream<ExportPage, any Error>
}

/// A page of an export (`ItemCatalog.exportPages`): items in row order and their log entries by item
/// row id (items without entries are absent).
public struct ExportPage: Sendable {
    public var items: [StoredItem]
    public var logs: [Int64: [Annotation]]

    public init(items: [StoredItem], logs: [Int64: [Annotation]]) {
        self.items = items
        self.logs = logs
    }
}

/// Where imports go: a session that is committed all at once or not at all.
public protocol ImportSink: AnyObject, Sendable {
    /// Opens an import. Nothing it adds is visible to anyone before `commit`; `dryRun` makes
    /// `commit` count and keep nothing. A session dropped or cancelled keeps nothing.
    func beginImport(dryRun: Bool, onChange: ChangedRows) async throws -> any ImportSession
}

/// One import in progress (see `ImportSink`). Calls are made one at a time, in order.
public protocol ImportSession: AnyObject, Sendable {
    /// Registers a source file; later batches are attributed to it.
    func beginFile(path: String, format: String, dataset: String) async throws
    /// Adds a batch's rows in order. A row whose id is stored (or was read earlier in this import)
    /// with the same content is counted as a duplicate; with other content it is an `ImportError`
    /// naming both places, or skipped and counted (`ChangedRows.skip`). A stored item is never
    /// rewritten.
    func add(_ batch: ImportBatch) async throws
    /// Makes everything added durable at once (or, for a dry run, nothing) and says what was added.
    func commit() async throws -> ImportCounts
    /// Keeps nothing. Safe to call after a failure or twice.
    func cancel() async
}

/// People's and machines' decisions: the queue, recording, undo.
public protocol LabelingQueue: AnyObject, Sendable {
    /// The next item of `task` for `annotator`. In a routed task: the items routed to people that no
    /// person has decided yet, most uncertain first (audits mixed in). Then the first item in row order
    /// nobody (person or machine) has decided; when none is left, the items this annotator skipped,
    /// oldest skip first. With `overlap` above 1 an item stays in the queues until that many people
    /// decided it (or a machine did), and nobody is given an item they already decided.
    ///
    /// The item is reserved for `annotator` (a lease) until they ask for the next item,
    /// `releaseLeases`, or a while passes: two people labeling one task at once are never given the
    /// same item (with overlap k, never more people than still need to label it).
    func nextItem(for task: TaskSpec, annotator: String) async throws -> StoredItem?
    /// Gives back the items `annotator` has open (in `task`, or in every task).
    func releaseLeases(task: String?, annotator: String) async throws
    /// Appends one decision to the log and makes it the annotator's current decision; durable when
    /// this returns. Returns its log id.
    @discardableResult
    func record(_ annotation: NewAnnotation) async throws -> Int64
    /// Records several decisions in one transaction, all or none; their log ids, in order.
    @discardableResult
    func record(_ annotations: [NewAnnotation]) async throws -> [Int64]
    /// Undoes the decisions `ids` in one transaction, all or none: each item's decision goes back to
    /// what it was before. Returns the items' row ids.
    @discardableResult
    func revoke(_ ids: [Int64], at date: Date) async throws -> [Int64]
    /// Revokes the annotator's latest decision in the task. Returns the item's row id, or nil when
    /// there was nothing to undo.
    @discardableResult
    func undoLast(task: String, annotator: String, at date: Date) async throws -> Int64?
    /// Every annotator's current decision (submitted or skipped) in the task, in item order; only
    /// annotators of `kind` when given.
    func currentDecisions(task: TaskSpec, kind: AnnotatorKind?) async throws -> [CurrentDecision]
    /// `annotator`'s current decisions (submitted or skipped) on the items of the task that have a gold label,
    /// with those labels: a read of that person's decisions only (the label screen's `stop_below` check asks
    /// it before each item).
    func goldAnswers(task: TaskSpec, annotator: String) async throws -> GoldAnswers
    /// How long a write waits for another writer before it fails with a busy error.
    func setWriteWait(seconds: Double) async throws
}

/// A task's counts, kept as decisions are written.
public protocol ProgressCounts: AnyObject, Sendable {
    /// Progress of `task` over the items it covers (see `TaskProgress`); equal to a scan of the
    /// decisions at every commit.
    func taskProgress(_ task: TaskSpec) async throws -> TaskProgress
}

/// Machine annotators' votes.
public protocol VoteStore: AnyObject, Sendable {
    /// Stores machine votes (a re-run replaces a vote with the same task, item, annotator and variant).
    func saveVotes(_ votes: [(item: Int64, vote: MachineVote)], task: String, at date: Date) async throws
    /// Stores one run of a machine annotator: its earlier votes on `items` give way to `votes`.
    func replaceVotes(_ votes: VoteTable, annotator: String, items: [Int64], task: String, at date: Date) async throws
    /// The task's votes per item (only `annotator`'s when given), items in row order, each item's
    /// votes in the order they were stored (without raw answers or token counts).
    func votes(task: TaskSpec, annotator: String?) async throws -> VoteTable
    /// One pass over the task's votes (only `annotators`' when given), one item at a time, items in
    /// ascending order: what the router streams.
    func forEachItemVotes(task: TaskSpec, annotators: [String]?, _ body: (Int64, [MachineVote]) throws -> Void) async throws
    /// The annotators with votes in the task.
    func voteAnnotators(task: TaskSpec) async throws -> Set<String>
    /// Votes with their raw answers and token counts (`duet votes list`), in item and storage order.
    func voteRecords(task: TaskSpec, item: Int64?, annotator: String?, unparseableOnly: Bool, limit: Int) async throws -> [VoteRecord]
    /// The task's votes counted per annotator, variant and label (nil: unparseable or failed).
    func voteCounts(task: TaskSpec) async throws -> [VoteCount]
    /// How many answers `annotator` stored in the task and the tokens they took.
    func voteTokens(task: TaskSpec, annotator: String) async throws -> VoteTokens
}

/// The router's decisions.
public protocol RouteStore: AnyObject, Sendable {
    /// Stores a routing in one transaction: the route of each item, the machine's decision on items
    /// it keeps (machine and audit), and revokes the machine's decision on items now sent to people.
    /// People's decisions are never touched. The entries are read once, in order, so a lazy sequence
    /// keeps only one item's votes in memory; an entry with `votesToRead` gets its votes from the
    /// store only if its decision is written. Stored routes are read alongside in chunks: entries in
    /// ascending item order read each stored row once.
    func applyRouting<Entries: Sequence<RouteEntry>>(_ entries: Entries, task: String, at date: Date) async throws
    /// The task's routes per item (only those of `route` when given).
    func routes(task: TaskSpec, route: Route?) async throws -> [Int64: RouteRecord]
    /// Routed items for the triage table, ordered by uncertainty, at most `limit`.
    func triage(task: TaskSpec, filter: TriageFilter, limit: Int) async throws -> [TriageRow]
    /// One item's route and the votes of its router (nil when not routed).
    func routing(task: TaskSpec, itemRowID: Int64) async throws -> (route: RouteRecord, votes: [MachineVote])?
}

/// Everything a backend provides.
public typealias DuetStoreBackend = TaskCatalog & ItemCatalog & ImportSink & LabelingQueue & ProgressCounts
    & VoteStore & RouteStore & ResponseCache & TableAccess

// MARK: Conveniences over the roles

extension ItemCatalog {
    /// Every item the task covers, read in pages of `page` (row order).
    public func allItems(for task: TaskSpec, page: Int = 5000) async throws -> [StoredItem] {
        var items: [StoredItem] = []
        var after: Int64 = 0
        while true {
            let batch = try await self.items(for: task, afterRowID: after, limit: page)
            guard let last = batch.last else { return items }
            items += batch
            after = last.rowID
        }
    }

    public func exportPages(task: TaskSpec?, pageSize: Int) -> AsyncThrowingStream<ExportPage, any Error> {
        let reader = KeysetPageReader(catalog: self, task: task, pageSize: pageSize)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }
}

/// `ItemCatalog.exportPages` over keyset pages: a page's items, then their log while the next page's
/// items are read (two reads in flight, one page ahead). The stream calls `next` one call at a time.
private final class KeysetPageReader: @unchecked Sendable {
    private let catalog: any ItemCatalog
    private let task: TaskSpec?
    private let pageSize: Int
    /// The next page's items, being read.
    private var ahead: Task<[StoredItem], any Error>?
    private var after: Int64 = 0
    private var finished = false

    init(catalog: any ItemCatalog, task: TaskSpec?, pageSize: Int) {
        self.catalog = catalog
        self.task = task
        self.pageSize = max(1, pageSize)
    }

    deinit { ahead?.cancel() }

    private func readAhead() -> Task<[StoredItem], any Error> {
        let (catalog, task, after, limit) = (catalog, task, after, pageSize)
        return Task { try await catalog.items(for: task, afterRowID: after, limit: limit) }
    }

    func next() async throws -> ExportPage? {
        guard !finished else { return nil }
        do {
            let items = try await (ahead ?? readAhead()).value
            ahead = nil
            guard let last = items.last else {
                finished = true
                return nil
            }
            after = last.rowID
            if items.count < pageSize { finished = true } else { ahead = readAhead() }
            let logs = try await catalog.annotations(itemRowIDs: items.map(\.rowID), task: task?.name)
            return ExportPage(items: items, logs: logs)
        } catch {
            finished = true
            ahead?.cancel()
            ahead = nil
            throw error
        }
    }
}

extension LabelingQueue {
    /// Every annotator's current decision in the task.
    public func currentDecisions(task: TaskSpec) async throws -> [CurrentDecision] {
        try await currentDecisions(task: task, kind: nil)
    }
}

extension VoteStore {
    /// Every annotator's votes in the task.
    public func votes(task: TaskSpec) async throws -> VoteTable {
        try await votes(task: task, annotator: nil)
    }
}

extension RouteStore {
    /// The task's routes per item.
    public func routes(task: TaskSpec) async throws -> [Int64: RouteRecord] {
        try await routes(task: task, route: nil)
    }
}

extension ImportSink {
    /// Runs `body` on a fresh session and commits it; cancels it when `body` throws.
    public func importing(dryRun: Bool, onChange: ChangedRows = .error,
                          _ body: (any ImportSession) async throws -> Void) async throws -> ImportCounts {
        let session = try await beginImport(dryRun: dryRun, onChange: onChange)
        do {
            try await body(session)
            return try await session.commit()
        } catch {
            await session.cancel()
            throw error
        }
    }
}
